"""Live feeds inside the Beam pipeline: poll the due feeds, then fetch the new entries' article pages.

    feed states ─> PollFeeds ─> entries ─> FetchArticlePages ─> RawDocuments (-> ExtractArticles ...)
                      ├──> feeds (``schemas.Feed`` rows: the feeds' next states, staged like articles)
                      └──> rejects (stage ``feed``)            ├──> rejects (stage ``fetch``)
                                                               └──> entry_reads (the entries whose pages were read)

The launcher reads the feed states and the keys of stored entries from DuckDB before the pipeline starts and
passes them in as plain values (`LivePlan`); no DoFn touches the database. Feeds and pages are keyed by
`host_key` and grouped, so one host is served by one DoFn call at a time and its politeness rules (minimum
interval, robots.txt, Retry-After) hold on a distributed runner too. Each DoFn makes its `Fetcher` in
``setup()``.

An entry whose page cannot be fetched still becomes an article, from the entry's own content or summary, with
``fallback_reason`` set, and the failure is a reject; ``ExtractArticles`` does the same when a fetched page holds
no article (the page document carries the entry's text in ``meta["fallback_text"]``).
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from functools import lru_cache

import apache_beam as beam
import lxml.html
from lxml import etree

from pipeline.documents import SHARED_PAGE, RawDocument
from pipeline.errors import REJECTS, UNEXPECTED_ERROR, count_reject, make_reject, unexpected
from pipeline.extract import title_from_text
from pipeline.normalize import canonical_url, normalized_content
from pipeline.outputs import SplitOutputs, Tagged
from pipeline.sources.feeds import (
    ENTRY_BUDGET,
    FEED_STAGE,
    FETCH_STAGE,
    GUID_CHARS,
    FeedEntry,
    FeedReject,
    FeedState,
    ParsedFeed,
    PollPolicy,
    feed_address,
    guid_story_key,
    next_state,
    parse_feed,
    plain_guid,
)
from pipeline.sources.http import HOST_BUDGET, Fetcher, FetchPolicy, FetchResult, host_key
from pipeline.sources.sanitize import without_credentials
from pipeline.staging import ReadParquet
from schemas.models import EntryRead, Feed, Reject

LOGGER = logging.getLogger(__name__)

FEEDS = "feeds"
"""Tag of `PollFeeds`' output of next feed states."""
ENTRY_READS = "entry_reads"
"""Tag of `FetchArticlePages`' output of ``EntryRead`` rows: the entries whose pages the run fetched."""
NO_LINK = "entry_without_link"
METRICS_NAMESPACE = "wirebeam.live"


@dataclass(frozen=True)
class LivePlan:
    """What one run polls and fetches, read by the launcher before the pipeline starts."""

    feeds: tuple[FeedState, ...]
    """The feeds due now."""
    fetch_policy: FetchPolicy = field(default_factory=FetchPolicy)
    poll_policy: PollPolicy = field(default_factory=PollPolicy)
    stored_entries: str | None = None
    """Parquet file of the stored articles' ``entry_key``, ``canonical_url``, ``title``, ``summary``, ``feed_url``,
    ``feed_title`` and ``read_at`` (``ReadStoredEntries``): see `is_known`. None when nothing is stored."""
    entry_counts: dict[str, int] = field(default_factory=dict)
    """Feed URL -> entries in its last fetched copy, kept when a poll parses nothing."""
    show_progress: bool = False
    refetch: tuple[FeedEntry, ...] = ()
    """Entries of stored fallback articles whose pages are due to be fetched again (``pipeline.store.refetch``)."""


@dataclass(frozen=True)
class FeedPoll:
    """One poll of one feed: the feed's next state, the entries read and what went wrong."""

    state: FeedState
    entries: tuple[FeedEntry, ...] = ()
    rejects: tuple[Reject, ...] = ()
    entry_count: int | None = None
    """Entries in the fetched copy; None when nothing was parsed (304 or a failure)."""


def poll_feed(fetcher: Fetcher, state: FeedState, now: datetime, policy: PollPolicy) -> FeedPoll:
    """Poll one feed: a conditional GET, then parse a changed body; failures go to rejects and the state."""
    result = fetcher.fetch(state.url, etag=state.etag, last_modified=state.last_modified, kind="feed")
    if not result.ok:
        reject = make_reject(state.url, FEED_STAGE, result.reason or "fetch_failed", result.detail)
        return FeedPoll(next_state(state, result, now, policy=policy), rejects=(reject,))
    if result.not_modified:
        return FeedPoll(next_state(state, result, now, policy=policy))
    parsed = parse_feed(result.body, result.final_url, result.content_type)
    polled = next_state(state, result, now, parsed, policy)
    if isinstance(parsed, FeedReject):
        reject = make_reject(state.url, FEED_STAGE, parsed.reason, parsed.detail, result.body)
        return FeedPoll(polled, rejects=(reject,), entry_count=0)
    if parsed.warnings and not polled.consecutive_failures:  # a usable but malformed feed: ok, with its warning
        polled = replace(polled, last_error=parsed.warnings[0][:300])
    return FeedPoll(
        polled,
        entries=tuple(replace(entry, feed_url=polled.url) for entry in parsed.entries),
        rejects=_parse_warnings(polled.url, parsed),
        entry_count=len(parsed.entries),
    )


def safe_poll_feed(fetcher: Fetcher, state: FeedState, now: datetime, policy: PollPolicy) -> FeedPoll:
    """`poll_feed`, with any error it did not foresee made a failed poll of this feed alone (a reject, and the
    feed backs off), so that one hostile feed never stops the others."""
    try:
        return poll_feed(fetcher, state, now, policy)
    except Exception as error:
        unexpected(error, state.url)
        detail = f"{type(error).__name__}: {str(error)[:500]}"
        failed = FetchResult(url=state.url, final_url=state.url, reason=UNEXPECTED_ERROR, detail=detail)
        return FeedPoll(
            next_state(state, failed, now, policy=policy),
            rejects=(make_reject(state.url, FEED_STAGE, UNEXPECTED_ERROR, detail),),
        )


def _parse_warnings(url: str, parsed: ParsedFeed) -> tuple[Reject, ...]:
    """Entries the parser skipped and a malformed-but-usable feed, as rejects of the feed stage."""
    skipped = [make_reject(url, FEED_STAGE, item.reason, item.detail) for item in parsed.skipped]
    warnings = [
        make_reject(url, FEED_STAGE, reason, f"{detail.strip()} (kept {len(parsed.entries)} entries)")
        for reason, _, detail in (warning.partition(":") for warning in parsed.warnings)
    ]
    return tuple(skipped + warnings)


def with_guid_stories(poll: FeedPoll, stored: StoredEntries) -> FeedPoll:
    """The poll, each entry of a plain GUID (`plain_guid`) keyed as the story it is (`guid_story`) in the feed
    of the polled state (its URL now and every URL it moved from)."""
    urls = (poll.state.url, *poll.state.previous_urls)
    return replace(poll, entries=tuple(guid_story(entry, urls, stored) for entry in poll.entries))


def guid_story(entry: FeedEntry, feed_urls: Iterable[str], stored: StoredEntries) -> FeedEntry:
    """The entry keyed as the story it is among the stored stories of its plain GUID (`StoredEntries.guid_stories`:
    under the GUID's own key or another feed's `guid_story_key`). A stored story that shares a mark with the entry
    (`story_marks`: one of the feed's addresses, the page, the headline or the summary) is it, one of the same feed
    first: an entry of a feed moved or listed under another address is still known. No such story: a new one, under
    the GUID's own key while no story holds it, else under its feed's `guid_story_key`. Other entries unchanged."""
    if not plain_guid(entry):
        return entry
    marks = entry_story(entry, feed_urls)
    stories = stored.guid_stories.get(entry.entry_key[:GUID_CHARS], ())
    told = [(key, story) for key, story in stories if tells(story, marks)]
    if told:
        feeds = story_marks(feed_urls, None, "", None)
        return replace(entry, entry_key=min(told, key=lambda told: (not tells(told[1], feeds), told[0]))[0])
    if entry.entry_key not in stored.entry_keys:
        return entry
    return replace(entry, entry_key=guid_story_key(entry.guid, entry.feed_url))


MARK_BYTES = 8
"""The size of one mark of a story (`story_marks`)."""


def story_marks(
    feed_urls: Iterable[str | None], page: str | None, headline: str, summary: str | None, feed_title: str | None = None
) -> frozenset:
    """What tells a story of a plain GUID from another, as short digests (`MARK_BYTES`): the addresses of its feeds
    (`feed_address`: a feed listed under http and https is one), each feed's host with its ``feed_title`` (the feed
    listed again under another path or query, `_channel_mark`), its canonical ``page``, its ``headline`` folded
    (`headline_key`) and its ``summary`` if it is long enough to tell stories apart (`summary_key`)."""
    feed_urls = [url for url in feed_urls if url]
    marks = [_feed_mark(url) for url in feed_urls]
    marks += [_channel_mark(url, feed_title) for url in feed_urls] if feed_title and feed_title.strip() else []
    marks += [_mark("page", page)] if page else []
    marks += [_mark("headline", headline)] if headline else []
    marks += [_mark("summary", summary)] if summary is not None else []
    return frozenset(marks)


def tells(story: bytes, marks: frozenset) -> bool:
    """Whether a stored story (its marks joined) is the story of ``marks`` (`same_story`)."""
    return same_story(frozenset(_marks_of(story)), marks)


def same_story(one: Iterable[bytes], other: frozenset) -> bool:
    """Whether two sets of `story_marks` tell one story: they share a mark, and not only the headline when both have
    a summary (a headline such as "Morning briefing" names many stories; their differing summaries tell them apart)."""
    shared = other.intersection(one)
    if any(mark[:1] != _KINDS["headline"] for mark in shared):
        return True
    return bool(shared) and not all(any(mark[:1] == _KINDS["summary"] for mark in marks) for marks in (one, other))


_KINDS = {"feed": b"f", "channel": b"c", "page": b"p", "headline": b"h", "summary": b"s"}
"""The first byte of a mark (`story_marks`): what it marks."""


def _mark(kind: str, value: str) -> bytes:
    digest = hashlib.blake2b(f"{kind}\x1f{value}".encode(), digest_size=MARK_BYTES - 1).digest()
    return _KINDS[kind] + digest


@lru_cache(maxsize=4096)
def _feed_mark(url: str) -> bytes:
    return _mark("feed", feed_address(url))


@lru_cache(maxsize=4096)
def _channel_mark(url: str, feed_title: str) -> bytes:
    """The feed's host (and port) with its title folded: what stays of a feed listed under another path or query."""
    return _mark("channel", f"{feed_address(url).partition('/')[0]}\x1f{' '.join(feed_title.split()).casefold()}")


def entry_story(entry: FeedEntry, feed_urls: Iterable[str]) -> frozenset:
    """`story_marks` of an entry read from the feed of ``feed_urls``; an untitled entry's headline is the one its
    article is given (`title_from_text` of its content, else its summary)."""
    untitled = entry.content or entry.summary
    headline = entry.title or (title_from_text(untitled) if untitled else None)
    page, summary = canonical_url(entry.link), summary_key(entry.summary)
    return story_marks(feed_urls, page, headline_key(headline), summary, entry.feed_title)


def cap_new_entries(poll: FeedPoll, stored: StoredEntries, limit: int) -> FeedPoll:
    """The poll with at most ``limit`` new entries, the newest. When some are left, the feed's validators are
    dropped and it is due again at once, so that the next run re-reads it and takes the next ones."""
    new = [entry for entry in poll.entries if not is_known(entry, stored)]
    if len(new) <= limit:
        return poll
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    newest = sorted(new, key=lambda entry: (entry.published or entry.updated or oldest, entry.entry_key))[-limit:]
    state = replace(
        poll.state,
        etag=None,
        last_modified=None,
        next_poll_at=poll.state.last_polled_at,
        last_error=f"{ENTRY_BUDGET}: {len(new) - limit} new entries left for the next run",
    )
    return replace(poll, state=state, entries=tuple(newest))


def feed_row(poll: FeedPoll, previous_entry_count: int, run_id: str) -> Feed:
    """The ``feeds`` table row after a poll; a poll that parsed nothing keeps the previous entry count."""
    state = asdict(poll.state)
    return Feed(
        **{**state, "previous_urls": list(state["previous_urls"])},
        entry_count=previous_entry_count if poll.entry_count is None else poll.entry_count,
        updated_run_id=run_id,
    )


@dataclass(frozen=True)
class StoredEntries:
    """The entry keys of stored articles (with when each was last read), and the headline keys (`headline_key`),
    summary keys (`summary_key`) and entry keys stored under each canonical URL; the stories of entry keys."""

    entry_keys: frozenset[str] = frozenset()
    pages: dict[str, frozenset[str]] = field(default_factory=dict)
    summaries: dict[str, frozenset[str]] = field(default_factory=dict)
    read_at: dict[str, datetime] = field(default_factory=dict)
    page_entries: dict[str, frozenset[str]] = field(default_factory=dict)
    guid_stories: dict[str, tuple[tuple[str, bytes], ...]] = field(default_factory=dict)
    """The opening of an entry key (`GUID_CHARS`) -> ``(key, story)`` of the stored keys opening so, in order, a
    story the `story_marks` of the key's articles and the feeds of its reads joined: a plain GUID's stories open as
    its own key (`guid_story_key`)."""

    def owns(self, entry: FeedEntry, page: str) -> bool:
        """Whether the entry's stored article is the one stored from ``page``."""
        return entry.entry_key in self.page_entries.get(page, ())


_Sets = dict[str, set[str]]
_Stored = tuple[dict[str, datetime | None], _Sets, _Sets, _Sets, dict[str, bytes]]


def _later(one: datetime | None, other: datetime | None) -> datetime | None:
    return max((when for when in (one, other) if when is not None), default=None)


def _merge_into(target: dict[str, set[str]], more: dict[str, set[str]]) -> None:
    for url, values in more.items():
        target.setdefault(url, set()).update(values)


class _CollectStoredEntries(beam.CombineFn):
    def create_accumulator(self) -> _Stored:
        return {}, {}, {}, {}, {}

    def add_input(self, accumulator: _Stored, row: dict) -> _Stored:
        keys, pages, summaries, page_entries, stories = accumulator
        url, title = row["canonical_url"], row.get("title")
        headline, summary = headline_key(title), summary_key(row.get("summary"))
        if (key := row["entry_key"]) is not None:
            read_at = row.get("read_at")
            read_at = read_at.replace(tzinfo=timezone.utc) if read_at and read_at.tzinfo is None else read_at
            keys[key] = _later(keys.get(key), read_at)
            if title is not None or row.get("feed_url"):  # an article, or a read of a known feed (``entry_reads``)
                stories[key] = stories.get(key, b"") + b"".join(
                    story_marks((row.get("feed_url"),), url, headline, summary, row.get("feed_title"))
                )
        if url is not None:
            pages.setdefault(url, set()).add(headline)
            if summary is not None:
                summaries.setdefault(url, set()).add(summary)
            if key is not None:
                page_entries.setdefault(url, set()).add(key)
        return accumulator

    def merge_accumulators(self, accumulators: Iterable[_Stored]) -> _Stored:
        keys: dict[str, datetime | None] = {}
        pages: dict[str, set[str]] = {}
        summaries: dict[str, set[str]] = {}
        page_entries: dict[str, set[str]] = {}
        stories: dict[str, bytes] = {}
        for more_keys, more_pages, more_summaries, more_page_entries, more_stories in accumulators:
            for key, read_at in more_keys.items():
                keys[key] = _later(keys.get(key), read_at)
            _merge_into(pages, more_pages)
            _merge_into(summaries, more_summaries)
            _merge_into(page_entries, more_page_entries)
            for key, story in more_stories.items():
                stories[key] = stories.get(key, b"") + story
        return keys, pages, summaries, page_entries, stories

    def extract_output(self, accumulator: _Stored) -> StoredEntries:
        keys, pages, summaries, page_entries, stories = accumulator
        guid_stories: dict[str, list[tuple[str, bytes]]] = {}
        for key in sorted(stories):
            guid_stories.setdefault(key[:GUID_CHARS], []).append((key, joined_marks(_marks_of(stories[key]))))
        return StoredEntries(
            frozenset(keys),
            {url: frozenset(headlines) for url, headlines in pages.items()},
            {url: frozenset(digests) for url, digests in summaries.items()},
            {key: read_at for key, read_at in keys.items() if read_at is not None},
            {url: frozenset(entries) for url, entries in page_entries.items()},
            {opening: tuple(stories) for opening, stories in guid_stories.items()},
        )


def joined_marks(marks: Iterable[bytes]) -> bytes:
    """A story as `StoredEntries.guid_stories` holds it: its distinct marks (`story_marks`) in order, joined."""
    return b"".join(sorted(set(marks)))


def _marks_of(story: bytes) -> Iterator[bytes]:
    return (story[start : start + MARK_BYTES] for start in range(0, len(story), MARK_BYTES))


class ReadStoredEntries(beam.PTransform):
    """A Parquet file with columns ``entry_key``, ``canonical_url``, ``title``, ``summary``, ``feed_url``,
    ``feed_title`` and ``read_at`` (None: nothing stored) -> one ``StoredEntries``, for a side input. The file is
    read by the workers, so the job graph stays small however large the database."""

    def __init__(self, path: str | None):
        super().__init__()
        self._path = path

    def expand(self, pbegin):
        if self._path is None:
            return pbegin | "NothingStored" >> beam.Create([StoredEntries()])
        return (
            pbegin
            | "ReadStored"
            >> ReadParquet(
                self._path,
                columns=["entry_key", "canonical_url", "title", "summary", "feed_url", "feed_title", "read_at"],
            )
            | "CollectStored" >> beam.CombineGlobally(_CollectStoredEntries())
        )


def headline_key(title: str | None) -> str:
    """A headline folded for comparison (case, punctuation and spacing ignored)."""
    return normalized_content(title or "")


def same_headline(one: str | None, other: str | None) -> bool:
    """Whether two headlines name one article: equal when folded, or one holds the other ("Story" and
    "Story - Wire Desk"); an empty headline tells nothing apart, so it matches."""
    one, other = headline_key(one), headline_key(other)
    return not one or not other or one in other or other in one


SUMMARY_MIN_WORDS = 8
"""A summary of this many words or more tells articles apart; a shorter one ("Read more.") does not."""


def summary_key(summary: str | None) -> str | None:
    """A short digest of a summary folded for comparison; None when the summary is too short to tell articles
    apart (`SUMMARY_MIN_WORDS`)."""
    folded = normalized_content(summary or "")
    if len(folded.split()) < SUMMARY_MIN_WORDS:
        return None
    return hashlib.blake2b(folded.encode(), digest_size=8).hexdigest()


def same_entry(entry: FeedEntry, other: FeedEntry) -> bool:
    """Whether two entries linking one page are one article: the same headline (`same_headline`), or the same
    summary under another headline (a feed that gave an entry a new GUID and a new headline)."""
    summary = summary_key(entry.summary)
    return same_headline(entry.title, other.title) or (summary is not None and summary == summary_key(other.summary))


def owns_its_identity(entry: FeedEntry) -> bool:
    """Whether the entry is identified by a GUID of its own, so that it can be another article than the page it
    links (an entry keyed by its link is that page)."""
    return entry.key_source == "guid"


def updated_since_read(entry: FeedEntry, stored: StoredEntries) -> bool:
    """Whether the feed says a stored entry changed after it was last read (its ``updated`` time is later than its
    page's last fetch, `entry_read`): it is read again, once, and its new text stored as the deduplication rules
    have it (another version of the page: a copy of the first, ``duplicate_of``; the same text: nothing new)."""
    read_at = stored.read_at.get(entry.entry_key)
    return read_at is not None and entry.updated is not None and entry.updated > read_at


def entry_read(entry: FeedEntry) -> EntryRead:
    """The record that the entry's page was fetched now (or at its stated ``updated`` time, if that is later: a
    clock ahead of ours must not make it updated again at every run)."""
    now = datetime.now(timezone.utc)
    return EntryRead(
        entry_key=entry.entry_key, read_at=max(now, entry.updated or now), feed_url=without_credentials(entry.feed_url)
    )


def is_known(entry: FeedEntry, stored: StoredEntries) -> bool:
    """Whether the entry is already stored or read: its key is (and it was not updated since, `updated_since_read`;
    an entry read that ended as no article, such as a repeat of a stored one, is known by its read), or it
    links a stored page under that page's headline or summary (the same article under another GUID, see
    `same_entry`). An entry with a GUID of its own, another headline and another summary linking a stored page is
    new (`SHARED_PAGE`)."""
    if entry.entry_key in stored.entry_keys:
        return not updated_since_read(entry, stored)
    url = canonical_url(entry.link)
    headlines = stored.pages.get(url)
    if headlines is None:
        return False
    if not owns_its_identity(entry) or any(same_headline(entry.title, headline) for headline in headlines):
        return True
    return summary_key(entry.summary) in stored.summaries.get(url, frozenset())


def _entry_meta(entry: FeedEntry, url: str | None) -> dict:
    return {
        "title": entry.title,
        "url": url,
        "summary": entry.summary,
        "published": entry.published or entry.updated,
        "author": entry.author,
        "categories": list(entry.categories),
        "feed_url": entry.feed_url,
        "feed_title": entry.feed_title,
        "entry_key": entry.entry_key,
    }


def _source_ref(entry: FeedEntry) -> str:
    """Where an entry's article and rejects say it came from: its link, else its feed's URL (credentials dropped: a
    private feed's ``user:password@`` stays in the feed list) and its key."""
    return entry.link or f"{without_credentials(entry.feed_url)}#{entry.entry_key}"


def page_document(entry: FeedEntry, page: FetchResult) -> RawDocument:
    """The fetched page of an entry, at the address it was fetched from (credentials a redirect put in dropped); its
    own text rides along for when the page holds no article."""
    return _page_of(entry, page.text or "", without_credentials(page.final_url))


def _page_of(entry: FeedEntry, html: str, url: str | None) -> RawDocument:
    meta = {**_entry_meta(entry, url), "fallback_text": entry.content or ""}
    return RawDocument(_source_ref(entry), "feed", "html", html, meta)


_PAGE_TITLES = etree.XPath(
    "//meta[@property='og:title' or @name='twitter:title']/@content | //head/title//text() | //h1//text()"
)


def page_titles(html: str) -> list[str]:
    """The headlines a page states: its ``og:title``/``twitter:title``, ``<title>`` and ``<h1>`` texts."""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    return [title for title in map(str.strip, _PAGE_TITLES(root)) if title]


def page_owner(entries: list[FeedEntry], page: RawDocument) -> FeedEntry:
    """The entry whose article a fetched page is, among the run's entries linking it (earliest first): the first
    whose headline the page states (`same_headline` with its title or heading), else the earliest. A feed that
    puts one story's headline over another story's link must not give that page's text to the wrong headline."""
    if len(entries) > 1:
        titles = page_titles(page.body)
        for entry in entries:
            if entry.title and any(same_headline(entry.title, title) for title in titles):
                return entry
    return entries[0]


def fallback_document(entry: FeedEntry, reason: str) -> RawDocument:
    """An entry whose page is unavailable: its own content (or summary, or title), flagged with the reason."""
    meta = {**_entry_meta(entry, entry.link), "fallback_reason": reason}
    if not entry.link:
        meta["source"] = entry.feed_title
    body_format = "text" if entry.content else "none"
    return RawDocument(_source_ref(entry), "feed", body_format, entry.content or "", meta)


def fetch_entry_page(fetcher: Fetcher, entry: FeedEntry) -> tuple[RawDocument, Reject | None]:
    """The document of one new entry and, when its page could not be fetched, the reject saying why."""
    if not entry.link:
        detail = "the entry has no web link (http or https); its own text is stored"
        return fallback_document(entry, NO_LINK), make_reject(_source_ref(entry), FETCH_STAGE, NO_LINK, detail)
    page = fetcher.fetch(entry.link, kind="page")
    if page.ok:
        return page_document(entry, page), None
    reason = page.reason or "fetch_failed"
    detail = f"{page.detail}; the entry's own text is stored (feed {without_credentials(entry.feed_url)})"
    return fallback_document(entry, reason), make_reject(entry.link, FETCH_STAGE, reason, detail)


def safe_fetch_entry_page(fetcher: Fetcher, entry: FeedEntry) -> tuple[RawDocument, Reject | None]:
    """`fetch_entry_page`; an error it did not foresee makes the entry a fallback with a reject, never a crash."""
    try:
        return fetch_entry_page(fetcher, entry)
    except Exception as error:
        unexpected(error, entry.link or entry.feed_url)
        detail = f"{type(error).__name__}: {str(error)[:500]}; the entry's own text is stored"
        ref = _source_ref(entry)
        return fallback_document(entry, UNEXPECTED_ERROR), make_reject(ref, FETCH_STAGE, UNEXPECTED_ERROR, detail)


class Progress:
    """Live counts on one self-rewriting stderr line during a local run; does nothing unless enabled.

    Counts are per process: with the in-process runner that is the whole run. The launcher enables it only
    when stderr is a terminal and the runner is local.
    """

    MIN_INTERVAL = 0.2

    def __init__(self) -> None:
        self.enabled = False
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._shown_at = 0.0
        self._shown = False

    def start(self, enabled: bool) -> None:
        with self._lock:
            self.enabled = enabled
            self._counts.clear()
            self._shown = False

    def add(self, label: str, amount: int = 1) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._counts[label] = self._counts.get(label, 0) + amount
            if time.monotonic() - self._shown_at >= self.MIN_INTERVAL:
                self._write()

    def finish(self) -> None:
        """Show the final counts and end the line."""
        with self._lock:
            if self.enabled and self._counts:
                self._write()
            if self._shown:
                sys.stderr.write("\n")
                sys.stderr.flush()
            self.enabled = False

    def _write(self) -> None:
        line = " · ".join(f"{label} {count}" for label, count in self._counts.items())
        sys.stderr.write(f"\r\x1b[K{line}")
        sys.stderr.flush()
        self._shown_at = time.monotonic()
        self._shown = True


PROGRESS = Progress()


def _count(name: str, amount: int = 1) -> None:
    beam.metrics.Metrics.counter(METRICS_NAMESPACE, name).inc(amount)
    PROGRESS.add(name.replace("_", " "), amount)


def _tagged_reject(reject: Reject) -> Tagged:
    count_reject(reject)
    return Tagged(REJECTS, reject)


class _FetchingDoFn(beam.DoFn):
    """A DoFn with a `Fetcher` made in ``setup()``; progress is switched on in the worker that runs it."""

    def __init__(self, fetch_policy: FetchPolicy, show_progress: bool):
        self._fetch_policy = fetch_policy
        self._show_progress = show_progress
        self._fetcher: Fetcher | None = None

    def setup(self) -> None:
        self._fetcher = Fetcher(self._fetch_policy)
        if self._show_progress and not PROGRESS.enabled:
            PROGRESS.start(True)

    def teardown(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()


class _PollHostFeeds(_FetchingDoFn):
    def __init__(self, fetch_policy: FetchPolicy, poll_policy: PollPolicy, entry_counts: dict, run_id: str, progress):
        super().__init__(fetch_policy, progress)
        self._poll_policy = poll_policy
        self._entry_counts = entry_counts
        self._run_id = run_id

    def process(self, host_states: tuple[str, Iterable[FeedState]], stored: StoredEntries) -> Iterator:
        _, states = host_states
        started = time.monotonic()
        for state in poll_order(states):
            over = over_host_budget(self._fetch_policy, 0, time.monotonic() - started)
            if over:  # its state stays as it was: still due, and among the first polled by the next run
                _count("feeds_deferred")
                detail = f"not polled: {over}; polled at the next run"
                yield _tagged_reject(make_reject(state.url, FEED_STAGE, HOST_BUDGET, detail))
                continue
            poll = safe_poll_feed(self._fetcher, state, datetime.now(timezone.utc), self._poll_policy)
            poll = cap_new_entries(with_guid_stories(poll, stored), stored, self._poll_policy.max_new_entries)
            _count("feeds_polled")
            if poll.state.consecutive_failures:
                _count("feeds_failed")
            elif poll.state.last_status == 304:
                _count("feeds_unchanged")
            _count("entries_found", len(poll.entries))
            for reject in poll.rejects:
                yield _tagged_reject(reject)
            yield Tagged(FEEDS, feed_row(poll, self._entry_counts.get(state.url, 0), self._run_id))
            yield from poll.entries


def poll_order(states: Iterable[FeedState]) -> list[FeedState]:
    """One host's feeds in the order they are polled: longest due first (never polled first of all), then by URL;
    the host's time budget (``FetchPolicy.max_host_seconds``) leaves the last ones to the next run."""
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    return sorted(states, key=lambda state: (state.next_poll_at or oldest, state.url))


class PollFeeds(beam.PTransform):
    """Feed states (plain values) -> ``FeedEntry``s (``entries``), ``Feed`` rows (``feeds``), rejects.

    The feeds of one host are polled one after another within the host's time budget; a feed left over is not
    polled (a ``host_budget`` reject of stage ``feed`` says so) and keeps its state, so the next run polls it first.
    """

    def __init__(
        self,
        feeds: Iterable[FeedState],
        fetch_policy: FetchPolicy,
        poll_policy: PollPolicy,
        run_id: str,
        entry_counts: dict[str, int] | None = None,
        show_progress: bool = False,
        stored_entries: str | None = None,
    ):
        """``stored_entries`` (see ``ReadStoredEntries``) identify stored articles: they do not count against the
        poll policy's entry budget."""
        super().__init__()
        self._stored_entries = stored_entries
        self._feeds = sorted(feeds, key=lambda state: state.url)
        if len({state.url for state in self._feeds}) != len(self._feeds):
            raise ValueError("PollFeeds got the same feed URL twice")
        self._fetch_policy = fetch_policy
        self._poll_policy = poll_policy
        self._run_id = run_id
        self._entry_counts = dict(entry_counts or {})
        self._show_progress = show_progress

    def expand(self, pbegin):
        poll = _PollHostFeeds(
            self._fetch_policy, self._poll_policy, self._entry_counts, self._run_id, self._show_progress
        )
        stored = pbegin | "StoredEntries" >> ReadStoredEntries(self._stored_entries)
        return (
            pbegin
            | "FeedStates" >> beam.Create(self._feeds, reshuffle=False)
            | "KeyFeedsByHost" >> beam.Map(lambda state: (host_key(state.url), state))
            | "GroupFeedsByHost" >> beam.GroupByKey()
            | "PollHostFeeds" >> beam.ParDo(poll, stored=beam.pvalue.AsSingleton(stored))
            | "PollOutputs" >> SplitOutputs(REJECTS, FEEDS, main="entries")
        )


PAGES = "pages"
"""Tag of `_FetchHostPages`' output of fetched pages, ``(entry, document)``: one article per page across hosts
(`one_article_per_page`)."""


def fetch_order(entry: FeedEntry) -> tuple:
    """Sort key of the entries linking one page: earliest first (undated first), then by link, feed and key."""
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    return (entry.published or entry.updated or oldest, entry.link or "", entry.feed_url, entry.entry_key)


class _FetchHostPages(_FetchingDoFn):
    def process(self, host_entries: tuple[str, Iterable[FeedEntry]], stored: StoredEntries) -> Iterator:
        _, entries = host_entries
        owners: dict[str, FeedEntry] = {}
        """Page key -> the entry of this run whose article the page is."""
        started, pages = time.monotonic(), 0
        # new entries first: stored ones read again (updated, or due a refetch) get what is left of the budget
        order = sorted(entries, key=lambda entry: (entry.entry_key in stored.entry_keys, fetch_order(entry)))
        linking: dict[str | None, list[FeedEntry]] = {}
        for entry in order:
            linking.setdefault(canonical_url(entry.link) or entry.link, []).append(entry)
        for entry in order:
            for flag in entry.flags:  # a value changed to keep the entry, flagged beside its article
                yield _tagged_reject(make_reject(_source_ref(entry), FETCH_STAGE, flag.reason, flag.detail))
            page_key = canonical_url(entry.link) or entry.link
            if owners.get(page_key) is not None and owners[page_key].entry_key == entry.entry_key:
                continue  # a later entry that its page's headline made the owner: stored with the page already
            shared = shared_page(entry, owners.get(page_key), stored)
            if shared is not None:
                yield from shared
                continue
            if page_key:
                owners[page_key] = entry
            over = over_host_budget(self._fetch_policy, pages, time.monotonic() - started)
            if over and updated_since_read(entry, stored):  # no read recorded: read again at the next run
                _count("rereads_deferred")
                continue
            if over and entry.link:
                _count("pages_deferred")
                detail = f"{over}; the entry's own text is stored and its page fetched at the next run"
                yield _tagged_reject(make_reject(entry.link, FETCH_STAGE, HOST_BUDGET, detail))
                yield fallback_document(entry, HOST_BUDGET)
                continue
            pages += 1 if entry.link else 0
            document, reject = safe_fetch_entry_page(self._fetcher, entry)
            if entry.link:
                yield Tagged(ENTRY_READS, entry_read(entry))
            if reject is not None:
                _count("page_fallbacks")
                yield _tagged_reject(reject)
                yield document
                continue
            _count("pages_fetched")
            landed = canonical_url(document.meta["url"]) or page_key
            if (earlier := owners.get(landed)) is not None and landed != page_key:
                yield from shared_page(entry, earlier, stored)  # a redirect to a page fetched before
                continue
            if landed != page_key and (stored_page := shared_page(entry, None, stored, landed)) is not None:
                yield from stored_page  # a redirect to a stored page: its article is stored already
                continue
            if page_key and (owner := page_owner(linking[page_key], document)) is not entry:
                owners[page_key] = owner
                yield from shared_page(entry, owner, stored)
                document = _page_of(owner, document.body, document.meta["url"])
            owners[landed] = owners.get(page_key, entry)
            yield Tagged(PAGES, (owners[landed], document))


def _landed_page(page: tuple[FeedEntry, RawDocument]) -> tuple[str, tuple[FeedEntry, RawDocument]]:
    _, document = page
    return canonical_url(document.meta["url"]) or document.source_ref, page


def one_article_per_page(landed: tuple[str, Iterable[tuple[FeedEntry, RawDocument]]]) -> Iterator:
    """The fetched pages of one landed URL -> one page document, of the entry whose article it is (`page_owner`),
    and what becomes of the other entries (`shared_page`). Entries of several hosts reach one page through
    redirects; each host's worker fetched it for its own entry, and one page read twice would be one article ID:
    the later entries would vanish."""
    _, pages = landed
    pages = sorted(pages, key=lambda page: fetch_order(page[0]))
    document = pages[0][1]
    owner = page_owner([entry for entry, _ in pages], document)
    yield document if owner is pages[0][0] else _page_of(owner, document.body, document.meta["url"])
    for entry, _ in pages:
        if entry is not owner:
            yield from shared_page(entry, owner, StoredEntries())


def repeats_stored(entry: FeedEntry, page: str, stored: StoredEntries) -> bool:
    """Whether the entry states the headline or summary of an article stored from ``page``."""
    summary = summary_key(entry.summary)
    return any(same_headline(entry.title, headline) for headline in stored.pages.get(page, ())) or (
        summary is not None and summary in stored.summaries.get(page, frozenset())
    )


def shared_page(
    entry: FeedEntry, owner: FeedEntry | None, stored: StoredEntries, page: str | None = None
) -> list | None:
    """What becomes of an entry whose page (its link's, or ``page`` it was redirected to) another entry owns
    (``owner``, earlier in this run, or a stored article of another entry: an entry stored from its own text and
    read again because its feed updated it stays its own article, `StoredEntries.owns`).

    None when it owns its page (fetch it, once per run). An entry with a GUID of its own and another headline and
    summary is its own article from its own text (`SHARED_PAGE`), the page not fetched again; one that repeats the
    owner's headline or summary (`same_entry`, `repeats_stored`) is that article under another GUID: a reject row
    says one article stands for both."""
    page = page or canonical_url(entry.link)
    stored_page = page in stored.pages and not stored.owns(entry, page)
    if owner is None and not stored_page:
        return None
    same = same_entry(entry, owner) if owner is not None else repeats_stored(entry, page, stored)
    if owns_its_identity(entry) and not same:
        _count("entries_sharing_a_page")
        return [fallback_document(entry, SHARED_PAGE)]
    _count("entries_same_page")
    other = f"entry {owner.guid or owner.entry_key}" if owner else "a stored article"
    detail = f"entry {entry.guid or entry.entry_key} repeats {other} linking the same page: one article stands for both"
    return [_tagged_reject(make_reject(_source_ref(entry), FETCH_STAGE, SHARED_PAGE, detail))]


def over_host_budget(policy: FetchPolicy, pages: int, seconds: float) -> str | None:
    """Why one host gets no more page fetches in this run (its page or time budget is spent), else None."""
    if pages >= policy.max_pages_per_host:
        return f"{pages} pages fetched from this host in this run, the budget is {policy.max_pages_per_host}"
    if seconds >= policy.max_host_seconds:
        return f"{seconds:.0f} s spent on this host in this run, the budget is {policy.max_host_seconds:.0f} s"
    return None


def story_group(entry: FeedEntry) -> str:
    """What `one_entry_per_story` groups an entry by: an entry of a plain GUID (`plain_guid`) by its key's opening
    (`GUID_CHARS`), so that every story of the GUID meets there whichever feed keyed it; any other by its key."""
    return f"guid:{entry.entry_key[:GUID_CHARS]}" if plain_guid(entry) else entry.entry_key


def one_entry_per_story(keyed: tuple[str, Iterable[FeedEntry]], stored: StoredEntries) -> Iterator[FeedEntry]:
    """The entries of one group (`story_group`), one per story: the same entry read from several feeds is the one
    from the first feed URL. Entries of a plain GUID that share a mark (`same_story`) are one story, and each story
    takes one key: the stored key one of its entries has (`guid_story`), else its first entry's key (the GUID's own
    key while no stored story holds it) while no earlier story of this run (`fetch_order`) holds it, else the
    `guid_story_key` of its first feed URL, as the next run finds it."""
    _, entries = keyed
    entries = sorted(entries, key=fetch_order)
    if not plain_guid(entries[0]):
        yield min(entries, key=lambda entry: entry.feed_url)
        return
    stories: list[tuple[set[bytes], list[FeedEntry], set[str]]] = []
    for entry in entries:
        marks = entry_story(entry, (entry.feed_url,))
        held = {entry.entry_key} & stored.entry_keys
        story = next((s for s in stories if not (held and s[2] - held) and same_story(s[0], marks)), None)
        if story is None:
            story = (set(), [], set())
            stories.append(story)
        story[0].update(marks)
        story[1].append(entry)
        story[2].update(held)
    taken: set[str] = set()
    for _, same, held in stories:
        first = min(same, key=lambda entry: entry.feed_url)
        free = first.entry_key not in stored.entry_keys and first.entry_key not in taken
        key = next(iter(held)) if held else first.entry_key if free else guid_story_key(first.guid, first.feed_url)
        taken.add(key)
        yield replace(first, entry_key=key)


class _DropKnown(beam.DoFn):
    def process(self, entry: FeedEntry, stored: StoredEntries) -> Iterator[FeedEntry]:
        if is_known(entry, stored):
            _count("entries_stored_before")
        else:
            _count("entries_new")
            yield entry


class FetchArticlePages(beam.PTransform):
    """``FeedEntry``s -> ``RawDocument``s of new entries (``documents``), rejects of stage ``fetch`` and the
    entries whose pages were fetched (``entry_reads``, `entry_read`).

    Entries already stored are dropped (counted in metrics), an entry read from several feeds is fetched once,
    and pages are fetched per host; a page that entries of several hosts reach (through redirects) is one
    article (`one_article_per_page`). The pages are grouped by URL, which spreads extraction over the workers.
    """

    def __init__(
        self,
        fetch_policy: FetchPolicy,
        stored_entries: str | None = None,
        show_progress: bool = False,
        refetch: Iterable[FeedEntry] = (),
    ):
        """``stored_entries``: see ``ReadStoredEntries``; ``refetch``: entries of stored articles whose pages are
        fetched again although they are known."""
        super().__init__()
        self._fetch_policy = fetch_policy
        self._stored_entries = stored_entries
        self._show_progress = show_progress
        self._refetch = tuple(refetch)

    def expand(self, entries):
        fetch = _FetchHostPages(self._fetch_policy, self._show_progress)
        stored = beam.pvalue.AsSingleton(entries.pipeline | "StoredEntries" >> ReadStoredEntries(self._stored_entries))
        new = entries | "DropKnownEntries" >> beam.ParDo(_DropKnown(), stored=stored)
        refetch = entries.pipeline | "RefetchEntries" >> beam.Create(self._refetch, reshuffle=False)
        fetched = (
            (new, refetch)
            | "NewAndRefetched" >> beam.Flatten()
            | "KeyByStory" >> beam.Map(lambda entry: (story_group(entry), entry))
            | "GroupByStory" >> beam.GroupByKey()
            | "OneEntryPerStory" >> beam.FlatMap(one_entry_per_story, stored=stored)
            | "KeyPagesByHost" >> beam.Map(lambda entry: (host_key(entry.link or entry.feed_url), entry))
            | "GroupPagesByHost" >> beam.GroupByKey()
            | "FetchHostPages" >> beam.ParDo(fetch, stored=stored)
            | "FetchOutputs" >> SplitOutputs(REJECTS, PAGES, ENTRY_READS, main="documents")
        )
        pages = (
            fetched[PAGES]
            | "KeyByLandedPage" >> beam.Map(_landed_page)
            | "GroupByLandedPage" >> beam.GroupByKey()  # also spreads the pages' extraction over the workers
            | "OneArticlePerPage" >> beam.FlatMap(one_article_per_page)
            | "PageOutputs" >> SplitOutputs(REJECTS, main="documents")
        )
        documents = (fetched.documents, pages.documents) | "AllDocuments" >> beam.Flatten()
        rejects = (fetched[REJECTS], pages[REJECTS]) | "AllRejects" >> beam.Flatten()
        return {"documents": documents, REJECTS: rejects, ENTRY_READS: fetched[ENTRY_READS]}


class ReadLiveFeeds(beam.PTransform):
    """A run's `LivePlan` -> new entries' ``RawDocument``s (``documents``), ``Feed`` rows (``feeds``), rejects and
    ``EntryRead`` rows (``entry_reads``)."""

    def __init__(self, plan: LivePlan, run_id: str):
        super().__init__()
        self._plan = plan
        self._run_id = run_id

    def expand(self, pbegin):
        plan = self._plan
        polled = pbegin | "PollFeeds" >> PollFeeds(
            plan.feeds,
            plan.fetch_policy,
            plan.poll_policy,
            self._run_id,
            plan.entry_counts,
            plan.show_progress,
            plan.stored_entries,
        )
        pages = polled.entries | "FetchArticlePages" >> FetchArticlePages(
            plan.fetch_policy, plan.stored_entries, plan.show_progress, plan.refetch
        )
        rejects = (polled[REJECTS], pages[REJECTS]) | "LiveRejects" >> beam.Flatten()
        return {
            "documents": pages["documents"],
            FEEDS: polled[FEEDS],
            REJECTS: rejects,
            ENTRY_READS: pages[ENTRY_READS],
        }
