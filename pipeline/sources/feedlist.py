"""The user's feed list: an OPML 2.0 file (what every feed reader imports and exports), ``feeds.opml`` beside the
database by default (``pipeline.options.feed_list``).

Reading uses listparser (nested folders and ``category`` attributes become category paths such as
``News/World``); writing uses ElementTree. Feeds are deduplicated by normalised URL and only http/https
feeds are accepted. A missing or empty list is an empty list. Files are written atomically and the output
depends only on the list, so it can be committed.
"""

from __future__ import annotations

import logging
import os
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import listparser

LOGGER = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}
EDIT_TIMEOUT = 10.0
"""Seconds a change of the list waits for another one (`editing`)."""
MALFORMED_FEED = "malformed_feed"
"""Reason of a feed whose XML is broken (``sources.feeds``); a feed's stored error starting with it is a warning
when its entries were still read. Here, so that ``wirebeam feeds list`` needs no feed parser."""


class FeedsError(Exception):
    """A problem with the feed list or the live-feed options that the user can fix."""


@dataclass(frozen=True)
class Subscription:
    """One feed in the list; `categories` are ``/``-separated folder paths, sorted."""

    url: str
    title: str | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class MergeReport:
    """What merging a list into another did."""

    subscriptions: tuple[Subscription, ...]
    added: tuple[Subscription, ...] = ()
    duplicates: tuple[str, ...] = ()
    invalid: tuple[tuple[str, str], ...] = field(default=())
    """``(url, why)`` for entries that were not http/https feed URLs."""


def normalize_feed_url(url: str) -> str:
    """The canonical form used for dedup: lower-case scheme and host, no default port, no fragment.

    ``feed://host/x`` and ``feed:https://host/x`` (feed-reader pseudo-schemes) become http(s) URLs.
    Raises ValueError for anything that is not an absolute http/https URL.
    """
    text = url.strip()
    if text.lower().startswith("feed:"):
        rest = text[5:]
        text = rest if rest.lower().startswith(("http://", "https://")) else "http:" + rest
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise ValueError(f"not a valid URL: {url!r} ({error})") from error
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"feed URLs must be http or https: {url!r}")
    if not parts.hostname:
        raise ValueError(f"feed URL has no host: {url!r}")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username or parts.password:
        credentials = parts.username or ""
        credentials += f":{parts.password}" if parts.password else ""
        netloc = f"{credentials}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def parse_opml(data: bytes) -> MergeReport:
    """Subscriptions in an OPML document, deduplicated; raises ValueError for a document that is not OPML.

    listparser is lenient with broken XML, so well-formedness and the root element are checked first.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise ValueError(f"not well-formed XML: {error}") from error
    if root.tag.rsplit("}", 1)[-1].lower() != "opml":
        raise ValueError(f"not an OPML document (root element <{root.tag}>)")
    parsed = listparser.parse(data)
    incoming = [
        Subscription(
            url=feed.get("url", ""),
            title=(feed.get("title") or "").strip() or None,
            categories=_category_paths(feed.get("categories") or []),
        )
        for feed in parsed.feeds
    ]
    return merge_feeds([], incoming)


def read_subscriptions(path: Path | str) -> list[Subscription]:
    """The feed list; [] when the file is missing or empty; a ``FeedsError`` when it cannot be read."""
    try:
        return read_feed_list(path)
    except ValueError as error:
        raise FeedsError(f"cannot read the feed list: {error}") from error


def read_feed_list(path: Path | str) -> list[Subscription]:
    """The feed list stored at `path`; [] when the file is missing or empty."""
    path = Path(path)
    if not path.exists():
        return []
    data = path.read_bytes()
    if not data.strip():
        return []
    try:
        report = parse_opml(data)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from error
    for url, why in report.invalid:
        LOGGER.warning("%s: skipping %r: %s", path, url, why)
    return list(report.subscriptions)


def merge_feeds(existing: Iterable[Subscription], incoming: Iterable[Subscription]) -> MergeReport:
    """`existing` plus the new feeds of `incoming` (by normalised URL); existing entries are kept as they are."""
    merged: dict[str, Subscription] = {}
    for subscription in existing:
        merged.setdefault(normalize_feed_url(subscription.url), subscription)
    added, duplicates, invalid = [], [], []
    for subscription in incoming:
        try:
            url = normalize_feed_url(subscription.url)
        except ValueError as error:
            invalid.append((subscription.url, str(error)))
            continue
        if url in merged:
            duplicates.append(url)
            continue
        merged[url] = replace(subscription, url=url, categories=tuple(sorted(set(subscription.categories))))
        added.append(merged[url])
    return MergeReport(tuple(merged.values()), tuple(added), tuple(duplicates), tuple(invalid))


def add_feed(
    subscriptions: Iterable[Subscription], url: str, title: str | None = None, categories: Iterable[str] = ()
) -> MergeReport:
    """Add one feed; raises ValueError for a URL that is not http/https (a duplicate is reported, not added)."""
    normalize_feed_url(url)
    return merge_feeds(subscriptions, [Subscription(url, title, tuple(categories))])


def export_opml(subscriptions: Iterable[Subscription], title: str = "wirebeam feeds") -> bytes:
    """An OPML 2.0 document: each feed sits in the folder of its first category, others go in `category`."""
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = title
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}
    for subscription in sorted(subscriptions, key=lambda s: (s.categories[:1], (s.title or "").lower(), s.url)):
        folder_path = tuple(subscription.categories[0].split("/")) if subscription.categories else ()
        attributes = {"type": "rss", "text": subscription.title or subscription.url}
        if subscription.title:
            attributes["title"] = subscription.title
        attributes["xmlUrl"] = subscription.url
        if subscription.categories[1:]:
            attributes["category"] = ",".join(f"/{path}" for path in subscription.categories[1:])
        ET.SubElement(_folder(folders, folder_path), "outline", attributes)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_feed_list(path: Path | str, subscriptions: Iterable[Subscription]) -> None:
    """Write the list to `path` atomically (a reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = export_opml(subscriptions)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def editing(path: Path | str, timeout: float = EDIT_TIMEOUT) -> Iterator[None]:
    """Hold the list's lock (a file beside it) while a command or a run reads, changes and writes the list, so that
    none loses another's change; ``filelock.Timeout`` (an ``OSError``) after ``timeout`` seconds."""
    import filelock

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(f"{path}.lock", timeout=timeout):
        yield


def add_to_feed_list(path: Path | str, url: str, title: str | None = None) -> MergeReport:
    """`wirebeam feeds add`: add a feed to the list file (created when missing)."""
    with editing(path):
        report = add_feed(read_feed_list(path), url, title)
        if report.added:
            write_feed_list(path, report.subscriptions)
    return report


def remove_from_feed_list(path: Path | str, url: str) -> Subscription | None:
    """`wirebeam feeds remove`: drop a feed from the list file; returns it, or None when it was not listed."""
    key = normalize_feed_url(url)
    with editing(path):
        subscriptions = read_feed_list(path)
        kept = [subscription for subscription in subscriptions if normalize_feed_url(subscription.url) != key]
        if len(kept) == len(subscriptions):
            return None
        write_feed_list(path, kept)
    return next(s for s in subscriptions if normalize_feed_url(s.url) == key)


def follow_moves(path: Path | str, moves: dict[str, str]) -> int:
    """Rewrite the listed URLs of feeds that moved permanently (``moves``: old URL -> the feed's URL now), keeping
    their titles and folders; a feed listed under both drops its old entry. Returns how many were rewritten."""
    with editing(path):
        return _follow_moves(path, moves)


def _follow_moves(path: Path | str, moves: dict[str, str]) -> int:
    subscriptions = read_feed_list(path)
    listed = {normalize_feed_url(subscription.url) for subscription in subscriptions}
    kept, moved = [], 0
    for subscription in subscriptions:
        new = moves.get(subscription.url)
        if new is None:
            kept.append(subscription)
            continue
        moved += 1
        if normalize_feed_url(new) not in listed:
            kept.append(replace(subscription, url=new))
            listed.add(normalize_feed_url(new))
    if moved:
        write_feed_list(path, kept)
    return moved


def import_into_feed_list(path: Path | str, opml: bytes) -> MergeReport:
    """`wirebeam feeds import`: merge another OPML document into the list file."""
    incoming = parse_opml(opml)
    with editing(path):
        report = merge_feeds(read_feed_list(path), incoming.subscriptions)
        if report.added:
            write_feed_list(path, report.subscriptions)
    return replace(report, invalid=incoming.invalid + report.invalid)


def _category_paths(categories: list[list[str]]) -> tuple[str, ...]:
    """listparser's category lists (``[["News", "World"]]``) -> sorted distinct ``News/World`` paths."""
    paths = {"/".join(part.strip() for part in path if part.strip()) for path in categories}
    return tuple(sorted(path for path in paths if path))


def _folder(folders: dict[tuple[str, ...], ET.Element], path: tuple[str, ...]) -> ET.Element:
    """The outline element for a folder path, created (with its parents) on first use."""
    if path not in folders:
        parent = _folder(folders, path[:-1])
        folders[path] = ET.SubElement(parent, "outline", {"text": path[-1], "title": path[-1]})
    return folders[path]
