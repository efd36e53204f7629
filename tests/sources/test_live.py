"""Live feed stages (poll feeds, fetch article pages) against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.util import assert_that, equal_to
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipeline.documents import RawDocument
from pipeline.extract import ExtractArticles, extract_article
from pipeline.sources.feeds import FeedEntry, FeedState, PollPolicy, feed_state
from pipeline.sources.http import Fetcher, FetchPolicy
from pipeline.sources.live import (
    ENTRY_BUDGET,
    FEEDS,
    FeedPoll,
    FetchArticlePages,
    PollFeeds,
    ReadStoredEntries,
    StoredEntries,
    cap_new_entries,
    feed_row,
    fetch_entry_page,
    is_known,
    joined_marks,
    poll_feed,
    story_marks,
    summary_key,
)
from tests.conftest import local_test_pipeline

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
RSS, ATOM, RDF, HTML = "application/rss+xml", "application/atom+xml", "application/rdf+xml", "text/html"


@dataclass(frozen=True)
class Item:
    """One story as a feed lists it."""

    key: str
    title: str
    link: str | None
    summary: str = "A short summary of the story."
    published: str = "2025-02-01T09:30:00Z"
    content: str | None = None
    """The full text (``content:encoded``), when the feed carries it."""


def rss20(items: list[Item], title: str = "Wire Desk") -> bytes:
    """An RSS 2.0 feed of the items."""
    rfc822 = {item.key: datetime.fromisoformat(item.published.replace("Z", "+00:00")) for item in items}
    body = "".join(
        f'<item><guid isPermaLink="false">{escape(item.key)}</guid><title>{escape(item.title)}</title>'
        + (f"<link>{escape(item.link)}</link>" if item.link else "")
        + f"<description>{escape(item.summary)}</description>"
        + (f"<content:encoded>{escape(item.content)}</content:encoded>" if item.content else "")
        + f"<pubDate>{rfc822[item.key]:%a, %d %b %Y %H:%M:%S +0000}</pubDate><category>World</category></item>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(title)}</title>"
        f"<link>http://127.0.0.1/</link><description>d</description>{body}</channel></rss>"
    ).encode()


def atom(items: list[Item], title: str = "Atom Wire") -> bytes:
    """An Atom 1.0 feed of the items."""
    body = "".join(
        f"<entry><id>{escape(item.key)}</id><title>{escape(item.title)}</title>"
        + (f'<link rel="alternate" href="{escape(item.link)}"/>' if item.link else "")
        + f"<published>{item.published}</published><updated>{item.published}</updated>"
        + f"<author><name>Ana Ruiz</name></author><summary>{escape(item.summary)}</summary></entry>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:feed:{escape(title)}</id><updated>2025-02-01T10:00:00Z</updated>"
        f"{body}</feed>"
    ).encode()


def rss10(items: list[Item], title: str = "RDF Wire") -> bytes:
    """An RSS 1.0 (RDF) feed of the items; RSS 1.0 items are identified by their link."""
    body = "".join(
        f'<item rdf:about="{escape(item.link or item.key)}"><title>{escape(item.title)}</title>'
        f"<link>{escape(item.link or '')}</link><description>{escape(item.summary)}</description>"
        f"<dc:date>{item.published}</dc:date></item>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="http://127.0.0.1/rdf"><title>{escape(title)}</title><link>http://127.0.0.1/</link>'
        f"<description>d</description></channel>{body}</rdf:RDF>"
    ).encode()


def conditional(body: bytes, etag: str, content_type: str = RSS):
    """A handler answering 304 to a matching If-None-Match, else the body with its ETag."""

    def handle(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type=content_type, headers={"ETag": etag})

    return handle


STALL_SECONDS = 60.0
"""How long `stall` and `drip` hold a response by default: far beyond any limit a test sets, so the timeout a test
expects happens however slow the machine (the handler ends early when its write to the departed client fails)."""

TIMEOUTS = {"read_timeout": 1.0, "deadline": 2.0}
"""Limits for a test where `stall` must end in a timeout, `drip` at the deadline, and good fetches must succeed:
a read timeout well over `drip`'s 0.1 s between bytes, a deadline well over the read timeout."""


SLOW = ("stall.xml", "drip.xml")
"""Feeds served by `stall` and `drip`, from a server of their own (`slow_site`)."""


def stall(seconds: float = STALL_SECONDS):
    """A handler that answers an empty feed after `seconds`."""

    def handle(_: Request) -> Response:
        time.sleep(seconds)
        return Response(rss20([]), content_type=RSS)

    return handle


def drip(_: Request) -> Response:
    """A feed body of one byte every 0.1 s for `STALL_SECONDS`."""

    def chunks():
        for _ in range(int(STALL_SECONDS * 10)):
            yield b" "
            time.sleep(0.1)

    return Response(chunks(), content_type=RSS, direct_passthrough=True)


def requests_to(server: HTTPServer, path: str) -> int:
    return sum(1 for request, _ in server.log if request.path == path)


def entry(key: str, link: str | None, feed_url: str = "http://127.0.0.1:9/feed.xml", **changes) -> FeedEntry:
    fields = {
        "entry_key": key,
        "key_source": "guid",
        "feed_url": feed_url,
        "feed_title": "Wire Desk",
        "guid": key,
        "link": link,
        "title": f"Story {key}",
        "summary": f"Summary of story {key}.",
        "content": None,
        "author": None,
        "published": NOW,
        "updated": None,
    }
    return FeedEntry(**{**fields, **changes})


@pytest.fixture
def policy(fast_policy: FetchPolicy) -> FetchPolicy:
    return fast_policy


def test_first_poll_reads_rss20_atom_and_rss10_feeds_and_stages_their_states(httpserver: HTTPServer, policy):
    link = httpserver.url_for("/news/1")
    feeds = {"/rss.xml": (rss20, RSS), "/atom.xml": (atom, ATOM), "/rdf.xml": (rss10, RDF)}
    for path, (render, content_type) in feeds.items():
        body = render([Item(f"{path}-1", f"Story from {path}", link)])
        httpserver.expect_request(path).respond_with_handler(conditional(body, f'"{path}"', content_type))
    states = [FeedState(url=httpserver.url_for(path)) for path in feeds]
    with local_test_pipeline() as pipeline:
        polled = pipeline | PollFeeds(states, policy, PollPolicy(), "run-1")
        titles = polled.entries | "Titles" >> beam.Map(lambda e: (e.feed_url.rsplit("/", 1)[1], e.title, e.link))
        rows = polled[FEEDS] | "Rows" >> beam.Map(
            lambda r: (r.url.rsplit("/", 1)[1], r.last_status, r.etag, r.entry_count)
        )
        assert_that(
            titles,
            equal_to([(path[1:], f"Story from {path}", link) for path in feeds]),
            label="one entry per feed, with its feed URL",
        )
        assert_that(rows, equal_to([(path[1:], 200, f'"{path}"', 1) for path in feeds]), label="states with validators")
        assert_that(polled.rejects, equal_to([]), label="no rejects")


def test_second_poll_is_answered_304_and_parses_nothing_then_a_changed_etag_brings_new_entries(
    httpserver: HTTPServer, policy: FetchPolicy
):
    first = [Item("a", "A", httpserver.url_for("/a"))]
    versions = {'"v1"': rss20(first), '"v2"': rss20([Item("b", "B", httpserver.url_for("/b")), *first])}
    current = ['"v1"']

    def handle(request: Request) -> Response:
        if request.headers.get("If-None-Match") == current[0]:
            return Response(status=304, headers={"ETag": current[0]})
        return Response(versions[current[0]], content_type=RSS, headers={"ETag": current[0]})

    httpserver.expect_request("/feed.xml").respond_with_handler(handle)
    fetcher, poll_policy = Fetcher(policy), PollPolicy()
    first_poll = poll_feed(fetcher, FeedState(url=httpserver.url_for("/feed.xml")), NOW, poll_policy)
    second_poll = poll_feed(fetcher, first_poll.state, NOW, poll_policy)
    current[0] = '"v2"'
    third_poll = poll_feed(fetcher, second_poll.state, NOW, poll_policy)

    assert [e.title for e in first_poll.entries] == ["A"] and first_poll.state.etag == '"v1"'
    assert second_poll.entries == () and second_poll.entry_count is None and second_poll.state.last_status == 304
    assert feed_row(second_poll, 1, "run-2").entry_count == 1, "a 304 keeps the entry count"
    assert [e.title for e in third_poll.entries] == ["B", "A"] and third_poll.state.etag == '"v2"'
    assert feed_state(feed_row(third_poll, 1, "run-3")) == third_poll.state, "a row holds the whole state"


def test_failing_feeds_become_feed_rejects_and_failed_states_while_other_feeds_go_on(
    httpserver: HTTPServer, slow_site: HTTPServer, policy: FetchPolicy
):
    httpserver.expect_request("/ok.xml").respond_with_data(rss20([Item("ok", "Fine", "http://x/1")]), content_type=RSS)
    httpserver.expect_request("/missing.xml").respond_with_data("gone", status=404)
    httpserver.expect_request("/broken.xml").respond_with_data("oops", status=500)
    slow_site.expect_request("/stall.xml").respond_with_handler(stall())
    slow_site.expect_request("/drip.xml").respond_with_handler(drip)
    httpserver.expect_request("/bad.xml").respond_with_data(b"<rss><channel><item><title>bro", content_type=RSS)
    httpserver.expect_request("/empty.xml").respond_with_data(rss20([]), content_type=RSS)
    expected = {
        "missing.xml": "http_404",
        "broken.xml": "http_5xx",
        "stall.xml": "timeout",
        "drip.xml": "deadline_exceeded",
        "bad.xml": "malformed_feed",
    }
    paths = ["ok.xml", "empty.xml", *expected]
    states = [FeedState(url=(slow_site if path in SLOW else httpserver).url_for(f"/{path}")) for path in paths]
    with local_test_pipeline() as pipeline:
        polled = pipeline | PollFeeds(states, replace(policy, **TIMEOUTS), PollPolicy(), "run-1")
        assert_that(polled.entries | beam.Map(lambda e: e.title), equal_to(["Fine"]), label="good feed read")
        assert_that(
            polled.rejects | beam.Map(lambda r: (r.source_ref.rsplit("/", 1)[1], r.stage, r.reason)),
            equal_to(
                [(path, "feed", reason) for path, reason in expected.items()] + [("empty.xml", "feed", "empty_feed")]
            ),
            label="one feed reject per failing feed",
        )
        assert_that(
            polled[FEEDS] | beam.Map(lambda r: (r.url.rsplit("/", 1)[1], r.consecutive_failures, r.last_error)),
            equal_to(
                [("ok.xml", 0, None), ("empty.xml", 0, "empty_feed")]
                + [(path, 1, reason) for path, reason in expected.items()]
            ),
            label="failures are in the feeds' states",
        )


LONG_SUMMARY = "Shares in Asia and Europe opened higher on Monday after a quiet weekend of trading."


def _stored_entries(path, rows: list[tuple]) -> str:
    """A Parquet file of stored entries as ``export_stored_entries`` writes it: (entry key, canonical URL, title),
    (entry key, canonical URL, title, summary) or (entry key, canonical URL, title, summary, feed URL)."""
    keys, urls, titles, summaries, feeds = zip(*[(*row, None, None)[:5] for row in rows], strict=True)
    columns = {"entry_key": keys, "canonical_url": urls, "title": titles, "summary": summaries, "feed_url": feeds}
    table = {name: pa.array(values, pa.string()) for name, values in columns.items()}
    table["read_at"] = pa.array([None] * len(rows), pa.timestamp("us", tz="UTC"))
    pq.write_table(pa.table(table), path)
    return str(path)


def test_stored_entries_are_read_from_a_parquet_file_into_one_side_input_value(tmp_path):
    path = _stored_entries(
        tmp_path / "entries.parquet",
        [
            ("k1", "https://a.example/1", "One", LONG_SUMMARY, "https://a.example/feed"),
            (None, "https://a.example/2", "Two!", "Read more."),
            ("k3", None, "Three"),
            ("k3", None, None),  # a read (``entry_reads``) of an older wirebeam's: no story
            ("k4", None, None, None, "https://a.example/feed"),  # a read of a feed: the feed's story
        ],
    )
    pages = {"https://a.example/1": frozenset({"one"}), "https://a.example/2": frozenset({"two"})}
    summaries = {"https://a.example/1": frozenset({summary_key(LONG_SUMMARY)})}
    stories = {
        "k1": (
            (
                "k1",
                joined_marks(
                    story_marks(["https://a.example/feed"], "https://a.example/1", "one", summary_key(LONG_SUMMARY))
                ),
            ),
        ),
        "k3": (("k3", joined_marks(story_marks([], None, "three", None))),),
        "k4": (("k4", joined_marks(story_marks(["https://a.example/feed"], None, "", None))),),
    }
    expected = StoredEntries(
        frozenset({"k1", "k3", "k4"}), pages, summaries, {}, {"https://a.example/1": {"k1"}}, stories
    )
    with local_test_pipeline() as pipeline:
        assert_that(pipeline | "Stored" >> ReadStoredEntries(path), equal_to([expected]), label="from the file")
        assert_that(pipeline | "None" >> ReadStoredEntries(None), equal_to([StoredEntries()]), label="no file")


def test_an_entry_is_known_by_its_key_or_by_its_page_under_the_same_headline_or_summary():
    page = "http://127.0.0.1:9/live"
    summaries = {page: frozenset({summary_key(LONG_SUMMARY)})}
    stored = StoredEntries(frozenset({"k1"}), {page: frozenset({"markets open higher"})}, summaries)
    live = "http://127.0.0.1:9/live?utm_source=rss"
    assert is_known(entry("k1", "http://127.0.0.1:9/elsewhere"), stored)
    assert is_known(entry("k2", live, title="Markets open higher"), stored), "another GUID, the same article"
    assert is_known(entry("k3", live, title="Markets open higher - Wire Desk"), stored), "the headline with a suffix"
    assert not is_known(entry("k4", live, title="Oil falls at noon"), stored), "its own GUID and headline"
    assert is_known(entry("k5", live, title="Oil falls at noon", key_source="link"), stored), "keyed by the page"
    assert not is_known(entry("k6", "http://127.0.0.1:9/other", title="Markets open higher"), stored)
    retitled = entry("k7", live, title="Stocks rally at the open", summary=f"  {LONG_SUMMARY.upper()} ")
    assert is_known(retitled, stored), "a new GUID and a new headline over the same summary: the same article"
    assert not is_known(entry("k8", live, title="Oil falls at noon", summary="Read more."), stored), "too short"


def test_a_linkless_entry_of_a_feed_with_credentials_names_the_feed_without_them(policy: FetchPolicy):
    private = "http://reader:s3cret@127.0.0.1:9/private.xml"
    with local_test_pipeline() as pipeline:
        pages = pipeline | beam.Create([entry("p1", None, feed_url=private)]) | FetchArticlePages(policy)
        source = "http://127.0.0.1:9/private.xml#p1"
        assert_that(pages["documents"] | beam.Map(lambda d: d.source_ref), equal_to([source]), label="article")
        assert_that(
            pages["rejects"] | beam.Map(lambda r: (r.source_ref, r.reason)),
            equal_to([(source, "entry_without_link")]),
            label="its reject",
        )


def test_new_entries_pages_are_fetched_once_per_page_and_stored_entries_are_skipped(
    httpserver: HTTPServer, policy: FetchPolicy, article_pages: list[tuple[str, bytes]], tmp_path
):
    (name_a, page_a), (name_b, page_b), (name_c, page_c) = article_pages[:3]
    for name, page in ((name_a, page_a), (name_b, page_b), (name_c, page_c)):
        httpserver.expect_request(f"/{name}").respond_with_data(page, content_type=HTML)
    link_a, link_b, link_c = (httpserver.url_for(f"/{name}") for name in (name_a, name_b, name_c))
    entries = [
        entry("a", link_a, feed_url="http://127.0.0.1:9/one.xml"),
        entry("a", link_a, feed_url="http://127.0.0.1:9/two.xml"),  # the same story in a second feed
        entry("b-in-two", link_b, feed_url="http://127.0.0.1:9/two.xml", title="Story b"),
        entry("b", link_b, feed_url="http://127.0.0.1:9/one.xml"),  # another GUID, the same page and headline
        entry("stored", link_c),
    ]
    stored = _stored_entries(tmp_path / "entries.parquet", [("stored", None, "Story stored")])
    with local_test_pipeline() as pipeline:
        pages = pipeline | beam.Create(entries) | FetchArticlePages(policy, stored_entries=stored)
        assert_that(
            pages["documents"] | beam.Map(lambda d: (d.source_ref, d.body_format, d.meta["feed_url"], len(d.body))),
            equal_to(
                [
                    (link_a, "html", "http://127.0.0.1:9/one.xml", len(page_a.decode())),
                    (link_b, "html", "http://127.0.0.1:9/one.xml", len(page_b.decode())),
                ]
            ),
            label="one document per new page",
        )
        assert_that(
            pages["rejects"] | beam.Map(lambda r: (r.source_ref, r.reason)),
            equal_to([(link_b, "shared_page")]),
            label="an entry repeating a page's article has a row",
        )
    assert [requests_to(httpserver, f"/{name}") for name in (name_a, name_b, name_c)] == [1, 1, 0]


def test_entries_with_their_own_guid_and_headline_sharing_a_page_are_each_an_article_and_the_page_fetched_once(
    httpserver: HTTPServer, policy: FetchPolicy, article_pages: list[tuple[str, bytes]], tmp_path
):
    (name, page), (stored_name, _) = article_pages[:2]
    httpserver.expect_request(f"/{name}").respond_with_data(page, content_type=HTML)
    link, stored_link = httpserver.url_for(f"/{name}"), httpserver.url_for(f"/{stored_name}")
    entries = [
        entry("update-1", link, title="Live: markets open higher", summary=LONG_SUMMARY, published=NOW),
        entry("update-2", f"{link}#post-2", title="Oil falls at noon", content="Brent fell 3%.", published=NOW),
        entry("update-3", link, title="Central bank holds rates", published=NOW + timedelta(hours=1)),
        entry("late", stored_link, title="A new update on a stored live page"),
        entry("rekeyed", link, title="Stocks rally", summary=LONG_SUMMARY, published=NOW + timedelta(hours=2)),
    ]
    stored = _stored_entries(tmp_path / "entries.parquet", [("first", stored_link, "Live: the stored page")])
    with local_test_pipeline() as pipeline:
        pages = pipeline | beam.Create(entries) | FetchArticlePages(policy, stored_entries=stored)
        articles = pages["documents"] | ExtractArticles()
        assert_that(
            articles.articles | beam.Map(lambda a: (a.entry_key, a.url, a.fallback_reason, a.text is not None)),
            equal_to(
                [
                    ("update-1", link, None, True),
                    ("update-2", f"{link}#post-2", "shared_page", True),
                    ("update-3", link, "shared_page", False),
                    ("late", stored_link, "shared_page", False),
                ]
            ),
            label="each entry its own article; the first owns the page",
        )
        assert_that(
            pages["rejects"]
            | beam.Map(lambda r: (r.source_ref, r.reason, "rekeyed repeats entry update-1" in r.detail)),
            equal_to([(link, "shared_page", True)]),
            label="an entry repeating another's summary under a new GUID and headline is that article, with a row",
        )
    assert requests_to(httpserver, f"/{name}") == 1, "the page is fetched once"
    assert requests_to(httpserver, f"/{stored_name}") == 0, "a stored page is not fetched again"


def test_unfetchable_pages_fall_back_to_the_entry_text_with_a_fetch_reject(httpserver: HTTPServer, policy):
    httpserver.expect_request("/missing").respond_with_data("gone", status=404)
    httpserver.expect_request("/huge").respond_with_data(b"<p>" + b"x" * 300_000 + b"</p>", content_type=HTML)
    httpserver.expect_request("/loop-a").respond_with_data("", status=302, headers={"Location": "/loop-b"})
    httpserver.expect_request("/loop-b").respond_with_data("", status=302, headers={"Location": "/loop-a"})
    cases = {
        httpserver.url_for("/missing"): "http_404",
        httpserver.url_for("/huge"): "too_large",
        httpserver.url_for("/loop-a"): "redirect_loop",
        "ftp://127.0.0.1/story.txt": "bad_scheme",
    }
    fetcher = Fetcher(replace(policy, max_body_bytes=200_000))
    for number, (link, reason) in enumerate(cases.items()):
        document, reject = fetch_entry_page(fetcher, entry(str(number), link, content="Full text from the feed."))
        assert (reject.stage, reject.reason, reject.source_ref) == ("fetch", reason, link)
        assert document.body_format == "text" and document.body == "Full text from the feed."
        assert document.meta["fallback_reason"] == reason and document.meta["summary"] == f"Summary of story {number}."
    document, reject = fetch_entry_page(fetcher, entry("no-link", None))
    assert (reject.reason, document.body_format, document.meta["fallback_reason"]) == (
        "entry_without_link",
        "none",
        "entry_without_link",
    )
    article = extract_article(document)
    assert article.summary == "Summary of story no-link." and article.fallback_reason == "entry_without_link"


def test_non_utf8_page_is_decoded_from_its_declared_charset(httpserver: HTTPServer, policy: FetchPolicy):
    text = "Le ministre a déclaré à Montréal que la réforme sera votée «très bientôt» après l’été. " * 20
    html = (
        f"<html><head><title>Réforme</title></head><body><article><h1>Réforme</h1><p>{text}</p></article></body></html>"
    )
    httpserver.expect_request("/latin").respond_with_data(
        html.replace("’", "'").encode("iso-8859-1"), content_type="text/html; charset=iso-8859-1"
    )
    document, reject = fetch_entry_page(Fetcher(policy), entry("latin", httpserver.url_for("/latin")))
    assert reject is None and "déclaré à Montréal" in document.body
    assert "déclaré à Montréal" in extract_article(document).text


def test_page_without_an_article_is_stored_from_the_entry_and_rejected_by_extraction(
    httpserver: HTTPServer, policy: FetchPolicy
):
    httpserver.expect_request("/empty-page").respond_with_data("<html><body></body></html>", content_type=HTML)
    document, _ = fetch_entry_page(Fetcher(policy), entry("e", httpserver.url_for("/empty-page"), content="Body."))
    seed_page = RawDocument("page.html", "seed", "html", "<html><body></body></html>")
    with local_test_pipeline() as pipeline:
        extracted = pipeline | beam.Create([document, seed_page]) | ExtractArticles()
        assert_that(
            extracted.articles | beam.Map(lambda a: (a.title, a.text, a.summary, a.fallback_reason)),
            equal_to([("Story e", "Body.", "Summary of story e.", "no_article_found")]),
            label="the entry stands in for its page, flagged",
        )
        assert_that(
            extracted.rejects | beam.Map(lambda r: (r.source_ref, r.stage, r.reason)),
            equal_to(
                [(document.source_ref, "extract", "no_article_found"), ("page.html", "extract", "no_article_found")]
            ),
            label="both failures are recorded; only the seed page is lost",
        )


def test_a_backlog_over_the_entry_budget_is_taken_newest_first_and_the_rest_next_run():
    entries = tuple(entry(f"k{i}", f"http://127.0.0.1:9/{i}", published=NOW - timedelta(hours=i)) for i in range(5))
    state = FeedState(url="http://127.0.0.1:9/feed.xml", etag='"v1"', last_modified="x", last_polled_at=NOW)
    capped = cap_new_entries(FeedPoll(state, entries), StoredEntries(frozenset({"k0"})), limit=2)
    assert [e.entry_key for e in capped.entries] == ["k2", "k1"], "stored k0 does not count; newest new ones first"
    assert capped.state.etag is None and capped.state.last_modified is None, "the next poll re-reads the feed"
    assert capped.state.next_poll_at == NOW and capped.state.last_error.startswith(ENTRY_BUDGET)
    unchanged = FeedPoll(state, entries[:2])
    assert cap_new_entries(unchanged, StoredEntries(), limit=2) is unchanged


def test_a_hosts_feeds_are_polled_longest_due_first_within_its_time_budget_and_the_rest_wait(
    httpserver: HTTPServer, fast_policy: FetchPolicy
):
    budget = 1.5
    httpserver.expect_request("/a.xml").respond_with_handler(stall(budget + 0.1))
    for path in ("/b.xml", "/c.xml"):
        httpserver.expect_request(path).respond_with_data(rss20([]), content_type=RSS)
    due = {"/a.xml": NOW - timedelta(minutes=5), "/b.xml": NOW - timedelta(minutes=1), "/c.xml": None}
    states = [FeedState(url=httpserver.url_for(path), next_poll_at=when) for path, when in due.items()]
    policy = replace(fast_policy, max_host_seconds=budget)
    with local_test_pipeline() as pipeline:
        polled = pipeline | PollFeeds(states, policy, PollPolicy(), "run-1")
        assert_that(
            polled[FEEDS] | beam.Map(lambda row: (row.url.rsplit("/", 1)[1], row.last_status)),
            equal_to([("c.xml", 200), ("a.xml", 200)]),
            label="never polled first, then the longest due",
        )
        assert_that(
            polled.rejects | beam.Map(lambda r: (r.source_ref.rsplit("/", 1)[1], r.stage, r.reason)),
            equal_to(
                [("c.xml", "feed", "empty_feed"), ("a.xml", "feed", "empty_feed"), ("b.xml", "feed", "host_budget")]
            ),
            label="the feed left over says so and keeps its state",
        )
    assert [requests_to(httpserver, path) for path in due] == [1, 0, 1]
