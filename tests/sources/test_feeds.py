"""Feed parsing and polling state, including polls against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipeline.live_plan import rescheduled
from pipeline.sources.feeds import (
    FeedReject,
    FeedState,
    ParsedFeed,
    PollPolicy,
    due_feeds,
    next_state,
    parse_feed,
)
from pipeline.sources.http import Fetcher, FetchPolicy
from tests.sources.test_live import drip, stall

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
FEED_URL = "http://127.0.0.1:9/feed.xml"
RSS = "application/rss+xml"


def rss20(items: list[dict[str, str]], title: str = "Wire Desk") -> bytes:
    """An RSS 2.0 document; each item maps an element (``guid``, ``link``, ``guid isPermaLink="false"``) to text."""
    body = "".join(
        "<item>" + "".join(f"<{tag}>{text}</{tag.split()[0]}>" for tag, text in item.items()) + "</item>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://127.0.0.1/</link>{body}</channel></rss>"
    ).encode()


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom Wire</title><id>urn:uuid:feed</id><updated>2025-02-01T10:00:00Z</updated>
  <entry>
    <title>Ministers agree budget</title><id>urn:uuid:1</id>
    <link rel="alternate" href="/news/budget"/>
    <published>2025-02-01T09:30:00+01:00</published><updated>2025-02-01T10:00:00Z</updated>
    <author><name>Ana Ruiz</name></author>
    <category term="politics"/><category term="economy"/>
    <summary type="html">&lt;p&gt;The cabinet &lt;b&gt;agreed&lt;/b&gt; the budget.&lt;/p&gt;</summary>
    <content type="html">&lt;p&gt;Full text.&lt;/p&gt;&lt;p&gt;Second paragraph.&lt;/p&gt;</content>
  </entry>
</feed>"""

RSS10 = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://127.0.0.1/rdf">
    <title>RDF Wire</title><link>http://127.0.0.1/</link><description>d</description>
    <items><rdf:Seq><rdf:li rdf:resource="http://127.0.0.1/news/flood"/></rdf:Seq></items>
  </channel>
  <item rdf:about="http://127.0.0.1/news/flood">
    <title>River floods town</title><link>http://127.0.0.1/news/flood</link>
    <description>Water rose overnight.</description>
    <dc:date>2025-02-02T06:00:00Z</dc:date><dc:creator>Li Wei</dc:creator><dc:subject>weather</dc:subject>
  </item>
</rdf:RDF>"""


def test_rss20_entries_are_parsed_with_utc_dates_categories_and_text():
    body = rss20(
        [
            {
                "title": "Quake hits coast",
                "link": "http://127.0.0.1/news/quake",
                'guid isPermaLink="false"': "quake-1",
                "pubDate": "Sat, 01 Feb 2025 10:00:00 +0200",
                "category": "World",
                "author": "desk@example.org (Desk)",
                "description": "&lt;p&gt;A &lt;b&gt;strong&lt;/b&gt; quake.&lt;/p&gt;&lt;p&gt;No tsunami.&lt;/p&gt;",
            }
        ]
    )
    parsed = parse_feed(body, FEED_URL, RSS)
    assert isinstance(parsed, ParsedFeed) and parsed.version == "rss20" and parsed.title == "Wire Desk"
    (entry,) = parsed.entries
    assert entry.title == "Quake hits coast" and entry.link == "http://127.0.0.1/news/quake"
    assert entry.guid == "quake-1" and entry.key_source == "guid"
    assert entry.published == datetime(2025, 2, 1, 8, 0, tzinfo=timezone.utc)
    assert entry.updated is None, "a missing updated date is not copied from published"
    assert entry.summary == "A strong quake.\nNo tsunami."
    assert entry.categories == ("World",) and entry.author == "Desk"
    assert entry.feed_title == "Wire Desk" and entry.feed_url == FEED_URL
    assert parsed.warnings == () and parsed.skipped == ()


def test_atom_entries_are_parsed_with_resolved_links_and_content():
    parsed = parse_feed(ATOM, "http://127.0.0.1/atom.xml", "application/atom+xml")
    assert isinstance(parsed, ParsedFeed) and parsed.version == "atom10"
    (entry,) = parsed.entries
    assert entry.link == "http://127.0.0.1/news/budget", "relative links resolve against the feed URL"
    assert entry.guid == "urn:uuid:1" and entry.author == "Ana Ruiz"
    assert entry.published == datetime(2025, 2, 1, 8, 30, tzinfo=timezone.utc)
    assert entry.updated == datetime(2025, 2, 1, 10, 0, tzinfo=timezone.utc)
    assert entry.categories == ("politics", "economy")
    assert entry.summary == "The cabinet agreed the budget."
    assert entry.content == "Full text.\nSecond paragraph."


def test_rss10_entries_are_parsed():
    parsed = parse_feed(RSS10, "http://127.0.0.1/rdf", "application/rdf+xml")
    assert isinstance(parsed, ParsedFeed) and parsed.version == "rss10" and parsed.title == "RDF Wire"
    (entry,) = parsed.entries
    assert entry.link == "http://127.0.0.1/news/flood" and entry.title == "River floods town"
    assert entry.author == "Li Wei" and entry.categories == ("weather",)
    assert entry.summary == "Water rose overnight."
    assert datetime(2025, 2, 2, 6, 0, tzinfo=timezone.utc) in (entry.published, entry.updated)


def test_entries_without_link_or_date_are_kept_with_none():
    parsed = parse_feed(
        rss20(
            [
                {"title": "Headline only", "description": "Short note."},
                {'guid isPermaLink="false"': "g-2", "title": "No link"},
                {"guid": "http://127.0.0.1/permalink", "title": "Permalink guid"},
            ]
        ),
        FEED_URL,
        RSS,
    )
    assert isinstance(parsed, ParsedFeed)
    no_guid, with_guid, permalink = parsed.entries
    assert no_guid.link is None and no_guid.published is None and no_guid.updated is None
    assert no_guid.key_source == "content" and no_guid.summary == "Short note."
    assert with_guid.link is None and with_guid.guid == "g-2" and with_guid.key_source == "guid"
    assert permalink.link == "http://127.0.0.1/permalink", "an RSS permalink GUID is the entry's link"


def test_entry_keys_are_stable_and_prefer_guid_then_link_then_content():
    items = [
        {"guid": "same-guid", "link": "http://127.0.0.1/a", "title": "One"},
        {"link": "http://127.0.0.1/b", "title": "Two"},
        {"title": "Three", "description": "text"},
    ]
    first = parse_feed(rss20(items), FEED_URL, RSS)
    again = parse_feed(rss20(items, title="Renamed"), FEED_URL, RSS)
    assert isinstance(first, ParsedFeed) and isinstance(again, ParsedFeed)
    assert [e.key_source for e in first.entries] == ["guid", "link", "content"]
    assert [e.entry_key for e in first.entries] == [e.entry_key for e in again.entries]
    assert len({e.entry_key for e in first.entries}) == 3


def test_same_story_linked_from_two_feeds_has_one_link_key():
    story = {"link": "http://127.0.0.1/news/shared", "title": "Shared story"}
    one = parse_feed(rss20([story], title="Feed one"), "http://127.0.0.1/one.xml", RSS)
    two = parse_feed(rss20([story], title="Feed two"), "http://127.0.0.1/two.xml", RSS)
    assert isinstance(one, ParsedFeed) and isinstance(two, ParsedFeed)
    assert one.entries[0].entry_key == two.entries[0].entry_key
    assert (one.entries[0].feed_title, two.entries[0].feed_title) == ("Feed one", "Feed two")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<rss version='2.0'><channel><item><title>x</ti", "malformed_feed"),
        (b"this is not xml at all <<<", "malformed_feed"),
        (b"<html><body><p>A web page</p></body></html>", "not_a_feed"),
        (rss20([]), "empty_feed"),
        (b"   ", "empty_feed"),
    ],
)
def test_unusable_feeds_are_rejected_with_a_reason(body: bytes, reason: str):
    result = parse_feed(body, FEED_URL, RSS)
    assert isinstance(result, FeedReject) and result.reason == reason and result.url == FEED_URL


def test_bozo_feed_with_usable_entries_is_kept_with_a_warning():
    body = rss20([{"title": "Good", "link": "http://127.0.0.1/good"}]).replace(b"</channel></rss>", b"<item><ti")
    parsed = parse_feed(body, FEED_URL, RSS)
    assert isinstance(parsed, ParsedFeed)
    assert [e.title for e in parsed.entries] == ["Good"]
    assert parsed.warnings and parsed.warnings[0].startswith("malformed_feed")
    assert [s.reason for s in parsed.skipped] == ["empty_entry"], "the broken item is reported, not dropped"


def _feed_handler(versions: dict[str, bytes], current: list[str]):
    """A feed endpoint with ETag validation: 304 when If-None-Match names the current version."""

    def handle(request: Request) -> Response:
        etag = f'"{current[0]}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(versions[current[0]], content_type=RSS, headers={"ETag": etag})

    return handle


def test_polls_first_fetch_then_304_then_changed_etag_with_new_entries(
    httpserver: HTTPServer, fast_policy: FetchPolicy
):
    first_items = [{"guid": "a", "title": "A", "link": httpserver.url_for("/a")}]
    versions = {
        "v1": rss20(first_items),
        "v2": rss20([{"guid": "b", "title": "B", "link": httpserver.url_for("/b")}, *first_items]),
    }
    current = ["v1"]
    httpserver.expect_request("/feed.xml").respond_with_handler(_feed_handler(versions, current))
    fetcher = Fetcher(fast_policy)
    state = FeedState(url=httpserver.url_for("/feed.xml"))
    seen: set[str] = set()

    def poll(state: FeedState, now: datetime) -> tuple[FeedState, list[str]]:
        result = fetcher.fetch(state.url, state.etag, state.last_modified, kind="feed")
        if result.not_modified:
            return next_state(state, result, now), []
        parsed = parse_feed(result.body, result.final_url, result.content_type)
        assert isinstance(parsed, ParsedFeed)
        new = [e.title for e in parsed.entries if e.entry_key not in seen]
        seen.update(e.entry_key for e in parsed.entries)
        return next_state(state, result, now, parsed), new

    state, new = poll(state, NOW)
    assert new == ["A"] and state.etag == '"v1"' and state.last_status == 200 and state.title == "Wire Desk"
    state, new = poll(state, NOW + timedelta(minutes=15))
    assert new == [] and state.last_status == 304 and state.etag == '"v1"'
    assert state.last_success_at == NOW + timedelta(minutes=15) and state.consecutive_failures == 0
    current[0] = "v2"
    state, new = poll(state, NOW + timedelta(minutes=30))
    assert new == ["B"] and state.etag == '"v2"'
    assert state.next_poll_at == NOW + timedelta(minutes=45)


@pytest.mark.parametrize(("status", "reason"), [(404, "http_404"), (500, "http_5xx")])
def test_failing_feed_backs_off_exponentially(
    httpserver: HTTPServer, fast_policy: FetchPolicy, status: int, reason: str
):
    httpserver.expect_request("/gone.xml").respond_with_data("no", status=status)
    fetcher = Fetcher(fast_policy)
    policy = PollPolicy(interval=timedelta(minutes=10), max_backoff=timedelta(hours=1))
    state = FeedState(url=httpserver.url_for("/gone.xml"))
    delays = []
    for poll in range(4):
        now = NOW + timedelta(hours=poll)
        state = next_state(state, fetcher.fetch(state.url, kind="feed"), now, policy=policy)
        delays.append(state.next_poll_at - now)
    assert state.consecutive_failures == 4 and state.last_error == reason and state.last_status == status
    assert delays == [timedelta(minutes=20), timedelta(minutes=40), timedelta(hours=1), timedelta(hours=1)]
    assert state.last_success_at is None


def test_timeout_and_slow_body_feeds_are_recorded_as_failures(slow_site: HTTPServer, fast_policy: FetchPolicy):
    slow_site.expect_request("/stall.xml").respond_with_handler(stall())
    slow_site.expect_request("/drip.xml").respond_with_handler(drip)
    limits = {"/stall.xml": {"read_timeout": 0.3}, "/drip.xml": {"deadline": 0.6}}
    errors = []
    for path, limit in limits.items():
        state = FeedState(url=slow_site.url_for(path))
        state = next_state(state, Fetcher(replace(fast_policy, **limit)).fetch(state.url, kind="feed"), NOW)
        errors.append((state.last_error, state.consecutive_failures))
    assert errors == [("timeout", 1), ("deadline_exceeded", 1)]


def test_429_retry_after_sets_the_next_poll(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_request("/busy.xml").respond_with_data("", status=429, headers={"Retry-After": "7200"})
    result = Fetcher(fast_policy).fetch(httpserver.url_for("/busy.xml"), kind="feed")
    state = next_state(FeedState(url=result.url, etag='"old"'), result, NOW)
    assert result.reason == "rate_limited"
    assert state.last_error == "rate_limited" and state.next_poll_at == NOW + timedelta(hours=2)
    assert state.etag == '"old"', "validators survive a failed poll"


def test_permanent_redirect_updates_the_feed_url(httpserver: HTTPServer, fast_policy: FetchPolicy):
    new_url = httpserver.url_for("/new.xml")
    httpserver.expect_request("/old.xml").respond_with_data("", status=301, headers={"Location": new_url})
    httpserver.expect_request("/new.xml").respond_with_data(rss20([{"title": "t"}]), content_type=RSS)
    result = Fetcher(fast_policy).fetch(httpserver.url_for("/old.xml"), kind="feed")
    state = next_state(FeedState(url=result.url), result, NOW, parse_feed(result.body, result.final_url))
    assert state.url == new_url and state.previous_urls == (httpserver.url_for("/old.xml"),)


def test_malformed_feed_is_a_failure_and_its_etag_is_not_stored(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_request("/bad.xml").respond_with_data(
        b"<rss><channel><item><title>bro", content_type=RSS, headers={"ETag": '"bad"'}
    )
    result = Fetcher(fast_policy).fetch(httpserver.url_for("/bad.xml"), kind="feed")
    parsed = parse_feed(result.body, result.final_url, result.content_type)
    state = next_state(FeedState(url=result.url), result, NOW, parsed)
    assert isinstance(parsed, FeedReject) and parsed.reason == "malformed_feed"
    assert state.last_error == "malformed_feed" and state.consecutive_failures == 1 and state.etag is None


def test_empty_feed_is_recorded_without_counting_as_a_failure(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_request("/empty.xml").respond_with_data(rss20([]), content_type=RSS, headers={"ETag": '"e"'})
    result = Fetcher(fast_policy).fetch(httpserver.url_for("/empty.xml"), kind="feed")
    parsed = parse_feed(result.body, result.final_url, result.content_type)
    state = next_state(FeedState(url=result.url, consecutive_failures=3), result, NOW, parsed)
    assert state.last_error == "empty_feed" and state.consecutive_failures == 0 and state.etag == '"e"'


def test_feed_entries_link_to_real_article_pages_that_are_fetched(
    httpserver: HTTPServer, fast_policy: FetchPolicy, article_pages: list[tuple[str, bytes]]
):
    items = []
    for name, html in article_pages:
        httpserver.expect_request(f"/articles/{name}").respond_with_data(html, content_type="text/html")
        items.append({"guid": name, "title": name, "link": f"/articles/{name}"})
    httpserver.expect_request("/feed.xml").respond_with_data(rss20(items), content_type=RSS)
    fetcher = Fetcher(fast_policy)
    feed = fetcher.fetch(httpserver.url_for("/feed.xml"), kind="feed")
    parsed = parse_feed(feed.body, feed.final_url, feed.content_type)
    assert isinstance(parsed, ParsedFeed) and len(parsed.entries) == len(article_pages)
    pages = [fetcher.fetch(entry.link) for entry in parsed.entries]
    assert all(page.ok for page in pages)
    assert [page.text for page in pages] == [html.decode("utf-8") for _, html in article_pages]


def test_due_feeds_are_the_unscheduled_and_overdue_ones_oldest_first():
    states = [
        FeedState(url="http://a", next_poll_at=NOW + timedelta(minutes=1)),
        FeedState(url="http://b", next_poll_at=NOW - timedelta(minutes=5)),
        FeedState(url="http://c"),
        FeedState(url="http://d", next_poll_at=NOW),
    ]
    assert [s.url for s in due_feeds(states, NOW)] == ["http://c", "http://b", "http://d"]


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        due_feeds([], datetime(2025, 1, 1))


def test_invalid_poll_policy_is_refused():
    with pytest.raises(ValueError, match="max_backoff"):
        PollPolicy(interval=timedelta(hours=2), max_backoff=timedelta(hours=1))


def test_a_shorter_poll_interval_takes_effect_at_once_but_a_backoff_stays():
    polled = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)
    healthy = FeedState(url="http://a/", last_polled_at=polled, next_poll_at=polled + timedelta(minutes=15))
    failing = replace(healthy, url="http://b/", consecutive_failures=2, next_poll_at=polled + timedelta(hours=1))
    fresh = FeedState(url="http://c/")
    states = rescheduled([healthy, failing, fresh], timedelta(seconds=30))
    assert [state.next_poll_at for state in states] == [polled + timedelta(seconds=30), failing.next_poll_at, None]


def test_a_feed_refused_for_its_private_address_is_no_failure_and_stays_due(
    httpserver: HTTPServer, fast_policy: FetchPolicy
):
    httpserver.expect_request("/local.xml").respond_with_data(rss20([{"title": "a", "link": "/a"}]), content_type=RSS)
    url = httpserver.url_for("/local.xml")
    refusing = Fetcher(replace(fast_policy, allow_private_networks=False))
    refused = next_state(FeedState(url=url), refusing.fetch(url, kind="feed"), NOW)
    assert (refused.last_error, refused.consecutive_failures, refused.next_poll_at) == ("private_address", 0, None)
    assert due_feeds([refused], NOW) == [refused], "polled by the next run that allows private addresses"
    result = Fetcher(fast_policy).fetch(url, kind="feed")
    polled = next_state(refused, result, NOW, parse_feed(result.body, result.final_url, result.content_type))
    assert polled.last_error is None and polled.last_success_at == NOW
