"""Seed readers: local files (.txt, .html, .json, .jsonl, saved RSS/Atom feeds) -> ``RawDocument``s.

``read_seed_file(path, data)`` is the pure function; ``ReadSeeds`` matches the files of a seeds directory with
Beam's ``fileio`` (so it works on any file system Beam knows) and emits documents plus rejects.
"""

from __future__ import annotations

import errno
import json
import logging
import math
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

import apache_beam as beam
import feedparser
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from pipeline.documents import RawDocument
from pipeline.errors import REJECTS, RejectedInput, emit_reject, unexpected
from pipeline.ids import entry_key
from pipeline.outputs import SplitOutputs
from pipeline.sources.sanitize import (
    Flag,
    checked_date,
    clean_text,
    clean_value,
    entry_date,
    entry_page_link,
    fix_char_references,
    guids_without_url,
    truncated,
)
from pipeline.text import NotText, declared_charsets, decode, evident_codec, html_to_text

LOGGER = logging.getLogger(__name__)

STAGE = "read"
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
FEED_LIST_SUFFIXES = {".opml", ".toml"}
"""Feed lists live beside the seeds but are configuration, not articles."""

MAX_SEED_BYTES = 50 * 1024 * 1024
MAX_HEADLINE_LINE_CHARS = 1_000
"""A text file whose first line is longer has no headline line: the whole file is its body."""
_FIELD_ALIASES = {
    "title": ("title", "headline"),
    "text": ("text", "body", "content", "articleBody"),
    "html": ("html",),
    "summary": ("summary", "description", "standfirst"),
    "url": ("url", "link"),
    "published": ("published", "published_at", "date", "pubDate", "timestamp"),
    "source": ("source", "publisher", "outlet", "site_name"),
    "author": ("author", "byline"),
    "language": ("language", "lang"),
    "categories": ("categories", "tags", "category"),
}


def decode_file(data: bytes) -> str:
    """Text of a seed file (see :func:`pipeline.text.decode`, a ``<meta>`` charset counting as declared);
    empty, binary or undecodable files are rejected."""
    if not data.strip():
        raise RejectedInput("empty_file", "the file has no content")
    try:
        return clean_text(decode(data, declared_charsets(data)).text)
    except NotText as error:
        raise RejectedInput(error.reason, error.detail) from error


def _pick(record: dict, field: str) -> object:
    for alias in _FIELD_ALIASES[field]:
        value = record.get(alias)
        if value not in (None, "", []):
            return value
    return None


_CONTENT_FIELDS = ("title", "text", "html")
"""The article's own words: one that is not text makes the record no article (``invalid_record``)."""
_ID_FIELDS = ("source", "author")
"""Fields exports often fill with a numeric ID: a number is kept as its text (``42`` -> ``"42"``), with a flag."""
_META_FIELDS = ("summary", "url", "source", "author", "language")
FIELD_NOT_TEXT = "field_not_text"


def _checked(fields: dict) -> tuple[dict, list[Flag]]:
    """The record's fields and the flags of metadata values that are not text: a number in an ID field is kept as
    its text, any other such value (a numeric URL or language, an object, a list, a boolean) is dropped; a
    content field (title, text, html) that is not text rejects the record."""
    for name in _CONTENT_FIELDS:
        value = fields[name]
        if value is not None and not isinstance(value, str):
            raise RejectedInput("invalid_record", f"'{name}' must be text, got {_shown(value)}")
    flags = []
    for name in _META_FIELDS:
        value = fields[name]
        if value is None or isinstance(value, str):
            continue
        if name in _ID_FIELDS and _is_number(value):
            fields[name] = json.dumps(value)
            flags.append(Flag(FIELD_NOT_TEXT, f"'{name}' {fields[name]} is a number: stored as text"))
        else:
            fields[name] = None
            flags.append(Flag(FIELD_NOT_TEXT, f"'{name}' must be text, got {_shown(value)}: stored as null"))
    published = fields["published"]
    if published is not None and not isinstance(published, str | int | float):
        fields["published"] = None
        flags.append(Flag(FIELD_NOT_TEXT, f"'published' must be a date, got {_shown(published)}: stored as null"))
    categories = fields["categories"]
    if categories is not None and not (isinstance(categories, list) and all(isinstance(c, str) for c in categories)):
        kept = [json.dumps(c) if _is_number(c) else c for c in categories] if isinstance(categories, list) else []
        fields["categories"] = [c for c in kept if isinstance(c, str)] or None
        flags.append(Flag(FIELD_NOT_TEXT, f"'categories' must be a list of text, got {_shown(categories)}"))
    return fields, flags


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _shown(value: object) -> str:
    return f"{type(value).__name__} {json.dumps(value)[:40]}"


def document_from_record(record: object, source_ref: str) -> RawDocument:
    """A JSON record (``title``, ``text`` or ``html`` or ``summary``, ``url``, ``published``, ``source``)."""
    document, _ = _record_document(record, source_ref)
    return document


def _record_document(record: object, source_ref: str) -> tuple[RawDocument, list[Flag]]:
    """The record's document and the flags of values changed to keep it (cut fields, absurd dates)."""
    if not isinstance(record, dict):
        raise RejectedInput("invalid_record", f"expected a JSON object, got {type(record).__name__}")
    record = clean_value(record)
    fields = {field: _pick(record, field) for field in _FIELD_ALIASES}
    if isinstance(fields["source"], dict):
        fields["source"] = fields["source"].get("name") or fields["source"].get("title")
    if isinstance(fields["categories"], str):
        fields["categories"] = [fields["categories"]]
    meta, flags = _checked(fields)
    meta["published"], flag = checked_date(meta["published"])
    flags += [flag] if flag else []
    for name in ("title", "author", "source", "url", "summary", "text", "html"):
        meta[name], flag = truncated(name, meta[name])
        flags += [flag] if flag else []
    text, html = meta.pop("text"), meta.pop("html")
    text = text if text and text.strip() else None
    html = html if html and html_to_text(html) else None
    if not (meta["title"] or text or html or meta["summary"]):
        raise RejectedInput("missing_fields", "a record needs a title, text, html or summary")
    if html:
        return RawDocument(source_ref, "seed", "html", html, meta), flags
    return RawDocument(source_ref, "seed", "text" if text else "none", text or "", meta), flags


def _records_of(value: object) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        lists = [v for v in value.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if len(lists) == 1 and not _pick(value, "title"):
            return lists[0]
    return [value]


def _entry_document(
    entry: dict, source_ref: str, feed_title: str | None, no_links: frozenset[str]
) -> tuple[RawDocument | None, Flag | None]:
    """A saved feed's entry as a document (None: it has no text), and the flag of a date stored as null."""
    content = entry.get("content")
    body = clean_text(content[0].get("value", "") or "") if content else ""
    # dict.get: feedparser's own get() answers "updated" with the published date when there is none.
    published, flag = entry_date((checked_date(dict.get(entry, "published")), checked_date(dict.get(entry, "updated"))))
    guid, link = entry.get("id"), entry.get("link")
    meta = {
        "title": entry.get("title"),
        "url": entry_page_link(link, bool(entry.get("guidislink")), no_links),
        "summary": entry.get("summary"),
        "published": published,
        "source": feed_title,
        "author": entry.get("author"),
        "categories": [tag.get("term") for tag in entry.get("tags", []) if tag.get("term")],
        "feed_title": feed_title,
        "entry_key": entry_key(guid, link, "\n".join(str(entry.get(k) or "") for k in ("title", "summary")))[0],
    }
    meta = {name: clean_value(value) for name, value in meta.items()}
    if not (meta["title"] or body or meta["summary"]):
        return None, None
    has_body = bool(body and html_to_text(body))
    return RawDocument(source_ref, "seed", "html" if has_body else "none", body if has_body else "", meta), flag


def _feed_documents(data: bytes, source_ref: str) -> Iterator[RawDocument | RejectedInput]:
    """Entries of a saved feed; a broken feed shows as ``bozo`` with no entries, a broken entry is rejected."""
    try:
        parsed = feedparser.parse(fix_char_references(data))
    except Exception as error:  # feedparser is not supposed to raise; when it does, the file is the reject
        raise RejectedInput("malformed_feed", f"{type(error).__name__}: {error}") from error
    feed_title = clean_value(parsed.feed.get("title"))
    no_links = guids_without_url(data, "")
    documents: list[RawDocument | RejectedInput | None] = []
    for index, entry in enumerate(parsed.entries):
        ref = f"{source_ref}#{index}"
        try:
            document, flag = _entry_document(entry, ref, feed_title, no_links)
        except Exception as error:  # one entry must not cost the others
            documents.append(RejectedInput("invalid_entry", f"{type(error).__name__}: {error}", ref))
            continue
        missing = RejectedInput("missing_fields", "the entry has no title, content or summary", ref)
        documents += [RejectedInput(flag.reason, flag.detail, ref)] if flag and document else []
        documents.append(document or missing)
    if not any(isinstance(document, RawDocument) for document in documents):
        yield from (document for document in documents if document.reason != "missing_fields")
        reason = "malformed_feed" if parsed.bozo else "empty_feed"
        raise RejectedInput(reason, str(parsed.get("bozo_exception", "the feed has no usable entries")))
    yield from documents


def _text_documents(text: str, relative_path: str) -> Iterator[RawDocument | RejectedInput]:
    """A plain-text article; a first line too long for a headline makes the whole file its body."""
    text, flag = truncated("text", text)
    if flag:
        yield RejectedInput(flag.reason, flag.detail, relative_path)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    if len(first_line) > MAX_HEADLINE_LINE_CHARS:
        yield RawDocument(relative_path, "seed", "text", text, {})
    else:
        yield RawDocument(relative_path, "seed", "text_file", text)


def read_seed_file(relative_path: str, data: bytes) -> Iterator[RawDocument | RejectedInput]:
    """The documents in one seed file; a bad record inside a multi-record file yields a ``RejectedInput``, and
    so does a value changed to keep its record (a flag: the record is yielded too).

    Raises ``RejectedInput`` when the whole file is unusable.
    """
    suffix = PurePosixPath(relative_path).suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES | FEED_SUFFIXES:
        raise RejectedInput("unsupported_file_type", f"no reader for '{suffix or 'no extension'}' files")
    if len(data) > MAX_SEED_BYTES:
        raise RejectedInput("file_too_large", f"{len(data)} bytes, the limit is {MAX_SEED_BYTES}")
    if suffix in JSONL_SUFFIXES:
        yield from _jsonl_documents(data, relative_path)
        return
    if suffix in FEED_SUFFIXES:
        if not data.strip():
            raise RejectedInput("empty_file", "the file has no content")
        yield from _feed_documents(data, relative_path)
        return
    text = decode_file(data)
    if suffix in TEXT_SUFFIXES:
        yield from _text_documents(text, relative_path)
    elif suffix in HTML_SUFFIXES:
        yield RawDocument(relative_path, "seed", "html", text, {})
    else:
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise RejectedInput("invalid_json", _json_error(error)) from error
        for index, record in enumerate(_records_of(value)):
            yield from _record_or_reject(record, f"{relative_path}#{index}")


def _json_error(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return str(error)[:300]


def _record_or_reject(record: object, source_ref: str) -> Iterator[RawDocument | RejectedInput]:
    try:
        document, flags = _record_document(record, source_ref)
    except RejectedInput as error:
        yield RejectedInput(error.reason, error.detail, source_ref)
        return
    except Exception as error:  # nothing about one record may cost the others
        yield RejectedInput("invalid_record", f"{type(error).__name__}: {str(error)[:300]}", source_ref)
        return
    yield from (RejectedInput(flag.reason, flag.detail, source_ref) for flag in flags)
    yield document


def _jsonl_documents(data: bytes, relative_path: str) -> Iterator[RawDocument | RejectedInput]:
    """One record per line; each line is decoded on its own, so a bad line costs only itself. Lines end at
    ``\\n`` only: U+2028 and other Unicode separators are valid inside a JSON string."""
    if not data.strip():
        raise RejectedInput("empty_file", "the file has no content")
    wide = evident_codec(data)
    if wide and wide != "utf-8-sig":
        lines = [(line, None) for line in decode_file(data).split("\n")]
    else:
        lines = [_decode_line(line) for line in data.split(b"\n")]
    for number, (line, problem) in enumerate(lines, start=1):
        source_ref = f"{relative_path}#{number}"
        if problem:
            yield RejectedInput(problem.reason, problem.detail, source_ref)
        elif line.strip():
            yield from _jsonl_line(line, source_ref)


def _decode_line(raw: bytes) -> tuple[str, RejectedInput | None]:
    if not raw.strip():
        return "", None
    try:
        return decode_file(raw), None
    except RejectedInput as error:
        return "", error


def _jsonl_line(line: str, source_ref: str) -> Iterator[RawDocument | RejectedInput]:
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as error:
        yield RejectedInput("invalid_json", _json_error(error), source_ref)
        return
    yield from _record_or_reject(record, source_ref)


def is_seed_path(relative_path: str) -> bool:
    """Whether a matched file is an input: not hidden, not a feed list."""
    parts = PurePosixPath(relative_path).parts
    if any(part.startswith(".") for part in parts):
        return False
    return PurePosixPath(relative_path).suffix.lower() not in FEED_LIST_SUFFIXES


def display_path(path: str) -> str:
    """A path as text that can be stored: bytes that are not UTF-8 (kept by ``os`` as surrogates) become U+FFFD."""
    return os.fsencode(path).decode("utf-8", errors="replace")


@dataclass(frozen=True)
class LocalSeed:
    """A regular file found under a local seeds directory."""

    path: str
    relative_path: str


def _local_problem(path: str) -> RejectedInput | None:
    """Why a directory entry is not a readable regular file (None when it is one)."""
    try:
        target = os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return RejectedInput("symlink_loop", "the link resolves to itself")
        if os.path.islink(path):
            target_name = display_path(os.readlink(path))
            return RejectedInput("dangling_link", f"the link points to {target_name!r}, which does not exist")
        return RejectedInput("unreadable_file", error.strerror or str(error))
    if stat.S_ISDIR(target.st_mode):
        return RejectedInput("linked_directory", "links to directories are not followed")
    if not stat.S_ISREG(target.st_mode):
        return RejectedInput("not_a_regular_file", f"a {_file_kind(target.st_mode)}, not a file")
    return None


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "named pipe"), (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"))
    return next((name for check, name in kinds if check(mode)), "socket")


def list_local_seeds(seeds_dir: str) -> Iterator[LocalSeed | tuple[str, RejectedInput]]:
    """Every seed below a local directory, in name order, or ``(relative path, why)`` for an entry that is no
    readable regular file. Names are matched literally (``[x]`` in a path is no pattern). A file given instead of
    a directory is the one seed, named by its file name."""
    if os.path.isfile(seeds_dir):
        yield LocalSeed(seeds_dir, display_path(os.path.basename(seeds_dir)))
        return
    if not os.path.isdir(seeds_dir):
        return  # a feeds-only run: the launcher allows a missing seeds directory only then
    failures: list[OSError] = []
    for directory, subdirectories, files in os.walk(seeds_dir, onerror=failures.append):
        subdirectories[:] = sorted(name for name in subdirectories if not name.startswith("."))
        linked = [name for name in subdirectories if os.path.islink(os.path.join(directory, name))]
        for name in sorted([*files, *linked]):
            path = os.path.join(directory, name)
            relative_path = display_path(os.path.relpath(path, seeds_dir).replace(os.sep, "/"))
            if not is_seed_path(relative_path):
                continue
            problem = _local_problem(path)
            yield (relative_path, problem) if problem else LocalSeed(path, relative_path)
    for error in failures:
        relative_path = display_path(os.path.relpath(error.filename or seeds_dir, seeds_dir))
        yield relative_path, RejectedInput("unreadable_directory", error.strerror or str(error))


def read_local_seed(path: str) -> bytes:
    """A seed file's bytes, at most ``MAX_SEED_BYTES``; checked to be a regular file once opened (it may have
    changed since it was listed), so a pipe or a device is never read from."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise RejectedInput("unreadable_file", error.strerror or str(error)) from error
    with os.fdopen(descriptor, "rb") as file:
        mode = os.fstat(file.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise RejectedInput("not_a_regular_file", f"a {_file_kind(mode)}, not a file")
        data = file.read(MAX_SEED_BYTES + 1)
    if len(data) > MAX_SEED_BYTES:
        raise RejectedInput("file_too_large", f"over {MAX_SEED_BYTES} bytes")
    return data


def _parsed(relative_path: str, data: bytes) -> Iterator:
    """``read_seed_file`` as DoFn outputs; nothing it raises escapes."""
    try:
        for item in read_seed_file(relative_path, data):
            if isinstance(item, RejectedInput):
                yield emit_reject(item.source_ref or relative_path, STAGE, item)
            else:
                yield item
    except RejectedInput as error:
        yield emit_reject(relative_path, STAGE, error, data)
    except Exception as error:  # one bad file must not stop the run: it becomes a reject
        yield emit_reject(relative_path, STAGE, unexpected(error, relative_path), data)


class _ListLocalSeeds(beam.DoFn):
    """A seeds directory -> its seeds, and ``(relative path, reason, detail)`` of entries that are no files;
    only those in ``only`` (relative paths) when given."""

    def __init__(self, only: frozenset[str] | None = None):
        self._only = only

    def process(self, seeds_dir: str):
        for item in list_local_seeds(seeds_dir):
            relative_path = item.relative_path if isinstance(item, LocalSeed) else item[0]
            if self._only is not None and relative_path not in self._only:
                continue
            yield item if isinstance(item, LocalSeed) else (item[0], item[1].reason, item[1].detail)


class _ParseLocalSeed(beam.DoFn):
    def process(self, seed: LocalSeed | tuple[str, str, str]):
        if not isinstance(seed, LocalSeed):
            relative_path, reason, detail = seed
            yield emit_reject(relative_path, STAGE, RejectedInput(reason, detail))
            return
        try:
            data = read_local_seed(seed.path)
        except RejectedInput as error:
            yield emit_reject(seed.relative_path, STAGE, error)
            return
        yield from _parsed(seed.relative_path, data)


class _ParseSeedFile(beam.DoFn):
    def __init__(self, seeds_dir: str):
        self._seeds_dir = seeds_dir

    def process(self, readable_file: fileio.ReadableFile):
        relative_path = display_path(os.path.relpath(readable_file.metadata.path, self._seeds_dir).replace(os.sep, "/"))
        if not is_seed_path(relative_path):
            return
        try:
            with readable_file.open() as file:
                data = file.read(MAX_SEED_BYTES + 1)
        except OSError as error:
            yield emit_reject(relative_path, STAGE, RejectedInput("unreadable_file", str(error)))
            return
        yield from _parsed(relative_path, data)


class ReadSeeds(beam.PTransform):
    """Seeds directory -> ``RawDocument``s (main) and ``Reject``s (``rejects``), every file below it.

    A local directory is walked here (every entry that is no regular file is a reject); any other location is
    matched through Beam's file systems. ``only`` (relative paths below a local directory) reads just those
    entries: one window of a large input (``pipeline.run``).
    """

    def __init__(self, seeds_dir: str, only: frozenset[str] | None = None):
        super().__init__()
        self._seeds_dir = seeds_dir
        self._only = only

    def expand(self, pbegin):
        if FileSystems.get_scheme(self._seeds_dir) is None:
            return (
                pbegin
                | "SeedsDir" >> beam.Create([self._seeds_dir])
                | "ListSeedFiles" >> beam.ParDo(_ListLocalSeeds(self._only))
                | "SpreadSeedFiles" >> beam.Reshuffle()
                | "ParseSeedFiles" >> beam.ParDo(_ParseLocalSeed())
                | "SeedOutputs" >> SplitOutputs(REJECTS, main="documents")
            )
        pattern = FileSystems.join(self._seeds_dir, "**")
        return (
            pbegin
            | "MatchSeedFiles" >> fileio.MatchFiles(pattern, fileio.EmptyMatchTreatment.ALLOW)
            | "OpenSeedFiles" >> fileio.ReadMatches(compression=CompressionTypes.UNCOMPRESSED)
            | "ParseSeedFiles" >> beam.ParDo(_ParseSeedFile(self._seeds_dir))
            | "SeedOutputs" >> SplitOutputs(REJECTS, main="documents")
        )
