"""Feed polling state and entry parsing (RSS 2.0, Atom, RSS 1.0 via feedparser).

Pure functions, no I/O:

- `parse_feed(body, url)` turns a fetched body into a `ParsedFeed` of `FeedEntry` records, or a `FeedReject`
  with a reason (`malformed_feed`, `not_a_feed`, `empty_feed`). feedparser never raises on a broken feed but
  sets ``bozo``; a bozo feed with usable entries is kept with a warning, one without is rejected.
- `next_state(state, fetch_result, now)` advances a feed's `FeedState` after a poll: validators for the next
  conditional GET, failure count, exponential backoff, Retry-After, permanent redirects.
- `due_feeds(states, now)` picks the feeds to poll now.
"""

from __future__ import annotations

import calendar
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import feedparser

from pipeline.ids import ENTRY_KEY_CHARS, digest, entry_key
from pipeline.sources.feedlist import MALFORMED_FEED
from pipeline.sources.http import PRIVATE_ADDRESS, RATE_LIMITED, FetchResult
from pipeline.sources.sanitize import (
    Flag,
    checked_reading,
    clean_text,
    entry_date,
    entry_page_link,
    fix_char_references,
    guids_without_url,
    is_web_url,
    truncated,
)
from pipeline.text import html_to_text

if TYPE_CHECKING:
    from schemas.models import Feed

LOGGER = logging.getLogger(__name__)

FEED_STAGE = "feed"
"""Stage of the rejects of polling a feed."""
FETCH_STAGE = "fetch"
"""Stage of the rejects of fetching an entry's page."""

NOT_A_FEED = "not_a_feed"
EMPTY_FEED = "empty_feed"
INVALID_ENTRY = "invalid_entry"
EMPTY_ENTRY = "empty_entry"
"""An entry with no id, link, title, summary or content: reported in `ParsedFeed.skipped`."""
SHARED_GUID = "shared_guid"
"""A GUID that entries of one feed with other content share: it identifies none of them (`unique_keys`)."""

HEALTHY_REJECTS = frozenset({EMPTY_FEED})
"""Parse outcomes that say nothing is wrong with the feed: recorded, but not counted as failures."""
ENTRY_BUDGET = "entry_budget"
"""The note of a good poll whose new entries were more than a run takes (``entry_budget: 12 new entries left``)."""


def failed_poll(error: str | None) -> bool:
    """Whether a poll's recorded error says the feed failed, not a note beside a good poll (an empty feed, a backlog
    over the run's entry budget)."""
    return bool(error) and error.split(":", 1)[0] not in HEALTHY_REJECTS | {ENTRY_BUDGET}


@dataclass(frozen=True)
class FeedEntry:
    """One feed item, with the feed it came from; dates are UTC or None, never guessed."""

    entry_key: str
    """Stable identity: a hash of the GUID, else of the link, else of the entry's text."""
    key_source: str
    """What `entry_key` was made from: ``guid``, ``link`` or ``content``."""
    feed_url: str
    feed_title: str | None
    guid: str | None
    link: str | None
    title: str | None
    summary: str | None
    """Plain text of the entry's summary/description."""
    content: str | None
    """Plain text of the entry's full content, when the feed carries it."""
    author: str | None
    published: datetime | None
    updated: datetime | None
    categories: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = ()
    """What was changed to keep the entry, each a reject beside it: a date stored as null (unparseable, absurd,
    placeholder; `entry_date`), a field cut to its limit (`truncated`), a GUID other entries of the feed share
    (`unique_keys`)."""


@dataclass(frozen=True)
class FeedReject:
    """A feed or entry that could not be used, with a short snake_case reason."""

    url: str
    reason: str
    detail: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its usable entries, entries skipped (with reasons) and parser warnings."""

    url: str
    title: str | None
    link: str | None
    version: str
    """feedparser's format name: ``rss20``, ``atom10``, ``rss10`` ..."""
    entries: tuple[FeedEntry, ...]
    skipped: tuple[FeedReject, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PollPolicy:
    """How often feeds are polled and how failing feeds back off."""

    interval: timedelta = timedelta(minutes=15)
    max_backoff: timedelta = timedelta(hours=24)
    backoff_factor: float = 2.0
    max_new_entries: int = 100
    """New entries taken from one feed per run; a longer backlog is read over the next runs."""

    def __post_init__(self) -> None:
        if self.max_new_entries < 1:
            raise ValueError(f"PollPolicy.max_new_entries must be >= 1, got {self.max_new_entries}")
        if self.interval <= timedelta(0):
            raise ValueError(f"PollPolicy.interval must be positive, got {self.interval}")
        if self.max_backoff < self.interval:
            raise ValueError("PollPolicy.max_backoff must be at least the interval")
        if self.backoff_factor < 1:
            raise ValueError(f"PollPolicy.backoff_factor must be >= 1, got {self.backoff_factor}")


@dataclass(frozen=True)
class FeedState:
    """What we remember about one feed between polls (one row of the `feeds` table)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_status: int | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    next_poll_at: datetime | None = None
    """None: poll at the next opportunity."""
    title: str | None = None
    previous_urls: tuple[str, ...] = field(default=())
    """URLs this feed had before permanent redirects, oldest first."""


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed | FeedReject:
    """Parse a feed body fetched from `url`; relative links are resolved against `url`."""
    if not url:
        raise ValueError("parse_feed needs the feed URL")
    if not body.strip():
        return FeedReject(url, EMPTY_FEED, "empty body")
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    try:
        parsed = feedparser.parse(io.BytesIO(fix_char_references(body)), response_headers=headers)
    except Exception as error:  # feedparser is not meant to raise; when it does, this feed is the reject
        return FeedReject(url, MALFORMED_FEED, f"the feed parser failed: {type(error).__name__}: {error}")
    version = parsed.get("version") or ""
    feed_title = _clean(parsed.feed.get("title"))
    entries: list[FeedEntry] = []
    skipped: list[FeedReject] = []
    no_links = guids_without_url(body, url)
    for index, raw in enumerate(parsed.entries):
        try:
            entry = _entry(raw, url, feed_title, no_links)
        except Exception as error:  # one hostile entry must not cost the feed's others
            skipped.append(FeedReject(url, INVALID_ENTRY, f"entry {index}: {type(error).__name__}: {error}"))
            continue
        if entry is None:
            skipped.append(FeedReject(url, EMPTY_ENTRY, f"entry {index} has no id, link, title or text"))
        else:
            entries.append(entry)
    entries = unique_keys(entries)
    problem = str(parsed.get("bozo_exception", "")) if parsed.get("bozo") else None
    if not entries:
        if problem:
            return FeedReject(url, MALFORMED_FEED, problem)
        if not version:
            return FeedReject(url, NOT_A_FEED, "no RSS or Atom document found")
        return FeedReject(url, EMPTY_FEED, f"{version} feed without entries")
    warnings = (f"{MALFORMED_FEED}: {problem}",) if problem else ()
    if problem:
        LOGGER.warning("feed %s is malformed (%s); kept %d entries", url, problem, len(entries))
    return ParsedFeed(
        url=url,
        title=feed_title,
        link=parsed.feed.get("link"),
        version=version,
        entries=tuple(entries),
        skipped=tuple(skipped),
        warnings=warnings,
    )


def next_state(
    state: FeedState,
    result: FetchResult,
    now: datetime,
    parsed: ParsedFeed | FeedReject | None = None,
    policy: PollPolicy | None = None,
) -> FeedState:
    """The feed's state after a poll that gave `result` (and, for a 200, `parsed`).

    Success (304, or 200 with entries or an empty feed) resets the failure count and stores the validators.
    A fetch or parse failure increments it and schedules the next poll after ``interval * factor**failures``
    (capped), never before a server's Retry-After. A feed refused for its private address (a policy of this run, not
    a failure) stays due. A permanent redirect replaces the URL. A malformed body's validators are not stored, so the
    next poll fetches and judges it again.
    """
    _check_aware(now)
    policy = policy or PollPolicy()
    polled = replace(state, last_polled_at=now, last_status=result.status)
    if result.permanent_redirect_url and result.permanent_redirect_url != state.url:
        LOGGER.info("feed %s moved permanently to %s", state.url, result.permanent_redirect_url)
        polled = replace(polled, url=result.permanent_redirect_url, previous_urls=(*state.previous_urls, state.url))
    error = result.reason or (parsed.reason if isinstance(parsed, FeedReject) else None)
    if error is None or error in HEALTHY_REJECTS:
        return _succeeded(polled, result, now, parsed, error, policy)
    if error == PRIVATE_ADDRESS:  # refused here, not a failure of the feed: due again when addresses are allowed
        return replace(polled, last_error=error, next_poll_at=None)
    failures = state.consecutive_failures + 1
    delay = min(policy.max_backoff, policy.interval * policy.backoff_factor**failures)
    if result.retry_after is not None:
        delay = max(delay, timedelta(seconds=result.retry_after))
    elif error == RATE_LIMITED:
        delay = max(delay, policy.interval * policy.backoff_factor)
    return replace(polled, consecutive_failures=failures, last_error=error, next_poll_at=now + delay)


def due_feeds(states: Iterable[FeedState], now: datetime) -> list[FeedState]:
    """Feeds whose next poll time has come (or was never set), longest-waiting first."""
    _check_aware(now)
    due = [state for state in states if state.next_poll_at is None or state.next_poll_at <= now]
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    return sorted(due, key=lambda state: (state.next_poll_at or oldest, state.url))


def _succeeded(
    state: FeedState,
    result: FetchResult,
    now: datetime,
    parsed: ParsedFeed | FeedReject | None,
    note: str | None,
    policy: PollPolicy,
) -> FeedState:
    updated = replace(
        state,
        last_success_at=now,
        consecutive_failures=0,
        last_error=note,
        next_poll_at=now + policy.interval,
    )
    if result.not_modified:
        return updated
    title = parsed.title if isinstance(parsed, ParsedFeed) and parsed.title else state.title
    return replace(updated, etag=result.etag, last_modified=result.last_modified, title=title)


def _entry(
    raw: feedparser.FeedParserDict, feed_url: str, feed_title: str | None, no_links: frozenset[str] = frozenset()
) -> FeedEntry | None:
    """A feedparser entry as a `FeedEntry`, keyed by what it states; a link that is only a GUID of ``no_links`` (its
    page would be the feed's URL with the GUID put in, a 404 at best) or no web address (`page_link`) is no link."""
    guid = _clean(raw.get("id"))
    link = _clean(raw.get("link"))
    title = _clean(raw.get("title"))
    summary = _text_of(raw.get("summary_detail")) or html_to_text(raw.get("summary"))
    content = next((text for text in map(_text_of, raw.get("content") or []) if text), None)
    if not (guid or link or title or summary or content):
        return None
    key, source = entry_key(guid, link, _entry_text(title, summary, content))
    link = entry_page_link(link, bool(raw.get("guidislink")), no_links)
    # dict.get: feedparser's own get() answers "updated" with the published date when there is none.
    published = checked_reading(dict.get(raw, "published"), _utc(dict.get(raw, "published_parsed")))
    updated = checked_reading(dict.get(raw, "updated"), _utc(dict.get(raw, "updated_parsed")))
    _, date_flag = entry_date((published, updated))
    author = _clean((raw.get("author_detail") or {}).get("name")) or _clean(raw.get("author"))
    stated = {"title": title, "summary": summary, "content": content, "author": author}
    cut = {name: truncated(name, value) for name, value in stated.items()}
    flags = [flag for flag in (date_flag, *(flag for _, flag in cut.values())) if flag]
    return FeedEntry(
        entry_key=key,
        key_source=source,
        feed_url=feed_url,
        feed_title=feed_title,
        guid=guid,
        link=link,
        **{name: value for name, (value, _) in cut.items()},
        published=published[0],
        updated=updated[0],
        categories=_categories(raw.get("tags") or []),
        flags=tuple(flags),
    )


def _entry_text(*parts: str | None) -> str:
    return "\n".join(part or "" for part in parts)


def unique_keys(entries: list[FeedEntry]) -> list[FeedEntry]:
    """The feed's entries, those that share a GUID with others of other content keyed by their content instead
    (``key_source`` ``content``, flagged `SHARED_GUID`): keyed by it all but one would be lost. The oldest story of
    a GUID keeps it (``_oldest``), so a story's key does not change when another joins or leaves its GUID in a
    later poll (it would be stored again). Entries repeating one GUID with the same content stay one entry."""
    stories: dict[str, dict[tuple, int]] = {}
    for position, entry in enumerate(entries):
        if entry.key_source == "guid":
            stories.setdefault(entry.entry_key, {}).setdefault(_story(entry), position)
    keeps = {key: _oldest(told, entries) for key, told in stories.items() if len(told) > 1}
    return [
        _keyed_by_content(entry, len(stories[entry.entry_key]))
        if entry.entry_key in keeps and _story(entry) != keeps[entry.entry_key]
        else entry
        for entry in entries
    ]


def _oldest(told: dict[tuple, int], entries: list[FeedEntry]) -> tuple:
    """The story of a shared GUID that keeps it: the earliest published, else (undated) the last in the feed (a
    feed lists its newest first)."""

    def age(story: tuple) -> tuple:
        published = entries[told[story]].published
        return (published is None, published.timestamp() if published else 0.0, -told[story])

    return min(told, key=age)


def _story(entry: FeedEntry) -> tuple:
    return entry.link, entry.title, entry.summary, entry.content


def _keyed_by_content(entry: FeedEntry, stories: int) -> FeedEntry:
    key, source = entry_key(None, None, _entry_text(*_story(entry)))
    detail = f"GUID {entry.guid[:200]!r} is shared by {stories} entries of the feed with other content: keyed by text"
    return replace(entry, entry_key=key, key_source=source, flags=(*entry.flags, Flag(SHARED_GUID, detail)))


GUID_CHARS = ENTRY_KEY_CHARS // 2
"""The opening of an entry key that a plain GUID's stories share (`guid_story_key`)."""


def plain_guid(entry: FeedEntry) -> bool:
    """Whether the entry is keyed by a GUID that is no web address ("123", "post-7", "tag:..."): such a GUID names a
    story only within its feed, and two feeds may give it to two stories; a URL GUID names one page anywhere."""
    return entry.key_source == "guid" and bool(entry.guid) and not is_web_url(entry.guid)


def guid_story_key(guid: str, feed_url: str) -> str:
    """The key of a story that a plain GUID names in the feed at ``feed_url`` when another story holds the GUID's
    own key (`entry_key`): it opens as that key does (`GUID_CHARS`), so the stories of one GUID are found by it."""
    own = entry_key(guid, None, "")[0]
    return own[:GUID_CHARS] + digest("guid", guid, feed_address(feed_url), chars=ENTRY_KEY_CHARS - GUID_CHARS)


def feed_address(url: str) -> str:
    """A feed URL without its scheme, credentials and fragment, host lower case: the listings of one feed under
    http and https share it. The query stays: it may name the feed (``feed.php?forum=12``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = f"?{parts.query}" if parts.query else ""
    return parts.netloc.rpartition("@")[2].lower() + (parts.path.rstrip("/") or "/") + query


def _categories(tags: list[dict]) -> tuple[str, ...]:
    """Distinct category terms in feed order."""
    terms = (_clean(tag.get("term")) for tag in tags)
    return tuple(dict.fromkeys(term for term in terms if term))


def _text_of(detail: dict | None) -> str | None:
    """Plain text of a feedparser text construct (``{"type": ..., "value": ...}``)."""
    if not detail:
        return None
    value = detail.get("value")
    if detail.get("type", "text/html") == "text/plain":
        return _clean(value)
    return html_to_text(value)


def _utc(parsed_time: object) -> datetime | None:
    """feedparser's UTC struct_time -> aware datetime; None when absent or out of range."""
    if parsed_time is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed_time), tz=timezone.utc)
    except (OverflowError, ValueError, TypeError, OSError):
        return None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return clean_text(value).strip() or None


def _check_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be a timezone-aware datetime (UTC)")


def feed_state(row: Feed) -> FeedState:
    """The polling state stored in a ``feeds`` row (each ``FeedState`` field is the column of that name)."""
    values = {item.name: getattr(row, item.name) for item in fields(FeedState)}
    return FeedState(**{**values, "previous_urls": tuple(row.previous_urls)})
