"""Plain GUIDs ("123", no web address) through real runs on 127.0.0.1: two feeds giving one such GUID to two stories
store both; a feed moved, listed again under another address, or read first by an older wirebeam stores nothing
twice; re-runs add nothing."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pytest_httpserver import HTTPServer

from pipeline import ids
from pipeline.sources import live
from pipeline.sources.feedlist import Subscription, write_feed_list
from pipeline.sources.feeds import feed_address, guid_story_key
from tests.conftest import query
from tests.sources.test_live import RSS, Item, rss20
from tests.test_online_end_to_end import (
    HTML,
    PORT_PAGE,
    db,
    other_host,
    requests_to,
    run_online,
    serve_pages,
    subscribe,
)
from tests.test_online_end_to_end import pages as pages  # noqa: F401 (a pytest fixture)
from tests.test_online_end_to_end import workdir as workdir  # noqa: F401 (a pytest fixture)

HARBOUR = Item("123", "Harbour strike ends", None, "Dock workers return to work after a week on strike at the port.")
BRIDGE = Item("123", "Bridge collapses over the river", None, "Two dead as the old bridge falls into the river.")
RATES = Item("7", "Rates held", None, "The central bank held rates.")
UNTITLED = Item("8", "", None, "Fog closes the airport.")
"""Untitled and linkless, with a short summary: its article's headline is made from the summary."""
QUIET = Item("8", "", None, "Nothing happened.")
"""Another untitled story under the GUID of `UNTITLED`."""


def stored(workdir: Path) -> list[tuple[str, str]]:
    """(feed title, headline) of every stored article."""
    return query(db(workdir), "SELECT feed_title, title FROM articles ORDER BY ALL")


def serve_feed(site: HTTPServer, path: str, items: list[Item], title: str) -> None:
    site.expect_request(path).respond_with_data(rss20(items, title), content_type=RSS)


def moved(site: HTTPServer, path: str, to: str) -> None:
    site.expect_request(path).respond_with_data("", status=301, headers={"Location": site.url_for(to)})


def test_feed_address_is_one_for_http_and_https_and_keeps_the_query_that_may_name_a_feed():
    addresses = {feed_address(url) for url in ("http://News.example/rss", "https://user:pw@news.example/rss/")}
    assert addresses == {"news.example/rss"}
    assert feed_address("https://news.example/feed.php?forum=12") != feed_address("https://news.example/feed.php")


def test_two_feeds_giving_a_plain_guid_to_different_stories_in_one_run_store_both_and_a_rerun_adds_nothing(
    site: HTTPServer, pages: list[tuple[str, bytes]], workdir: Path
):
    first, second = serve_pages(site, pages[:2])
    serve_feed(site, "/a.rss", [HARBOUR, RATES, UNTITLED, Item("9", "Port reopens", first)], "Feed A")
    serve_feed(site, "/b.rss", [BRIDGE, Item("7", "Floods in the north", None), QUIET, Item("9", "Vote", second)], "B")
    serve_feed(site, "/c.rss", [HARBOUR, RATES], "Feed C")  # feed A's stories under the same GUIDs: one story each
    subscribe(workdir, site, "/a.rss", "/b.rss", "/c.rss")
    assert run_online(workdir) == 0
    expected = [
        ("B", "Bridge collapses over the river"),
        ("B", "Floods in the north"),
        ("B", "Nothing happened."),
        ("B", "Vote"),
        ("Feed A", "Fog closes the airport."),
        ("Feed A", "Harbour strike ends"),
        ("Feed A", "Port reopens"),
        ("Feed A", "Rates held"),
    ]
    assert stored(workdir) == expected, "a story was lost or stored twice"
    assert query(db(workdir), "SELECT count(DISTINCT entry_key) FROM articles") == [(8,)]
    for _ in range(2):
        assert run_online(workdir, "--poll_all") == 0
    assert stored(workdir) == expected, "a re-run stored a story again"
    assert (requests_to(site, "/news/"), requests_to(site, "/b.rss")) == (2, 3), "a stored page was read again"


def test_a_second_feed_giving_a_stored_plain_guid_to_another_story_stores_it_once_as_the_first_feed_changes_it(
    site: HTTPServer, workdir: Path
):
    serve_feed(site, "/a.rss", [HARBOUR, UNTITLED], "Feed A")
    subscribe(workdir, site, "/a.rss")
    assert run_online(workdir) == 0
    site.clear()
    retitled = Item("123", "Dockers back at work", None, "The strike is over.")  # feed A's own story, rewritten
    serve_feed(site, "/a.rss", [retitled, UNTITLED], "Feed A")
    serve_feed(site, "/b.rss", [BRIDGE, QUIET], "Feed B")
    subscribe(workdir, site, "/a.rss", "/b.rss")
    for _ in range(3):
        assert run_online(workdir, "--poll_all") == 0
    assert stored(workdir) == [
        ("Feed A", "Fog closes the airport."),
        ("Feed A", "Harbour strike ends"),
        ("Feed B", "Bridge collapses over the river"),
        ("Feed B", "Nothing happened."),
    ]
    keys = {key for (key,) in query(db(workdir), "SELECT entry_key FROM articles WHERE feed_title = 'Feed B'")}
    assert keys == {guid_story_key(guid, site.url_for("/b.rss")) for guid in ("123", "8")}


def test_a_feed_moved_twice_by_301_stores_none_of_its_plain_guid_stories_again(site: HTTPServer, workdir: Path):
    """Feed B's stories are keyed by its first address (feed A holds the GUIDs); it moves twice and rewrites them."""
    serve_feed(site, "/a.rss", [HARBOUR, UNTITLED], "Feed A")
    serve_feed(site, "/b.rss", [BRIDGE, QUIET], "Feed B")
    subscribe(workdir, site, "/a.rss", "/b.rss")
    assert run_online(workdir) == 0
    before = stored(workdir)
    assert len(before) == 4
    rewritten = [Item("123", "Bridge toll rises to three", None, "A third victim was found."), Item("8", "", None, "-")]
    for old, new in (("/b.rss", "/b-moved.rss"), ("/b-moved.rss", "/b-final.rss")):
        site.clear()
        serve_feed(site, "/a.rss", [HARBOUR, UNTITLED], "Feed A")
        moved(site, old, new)
        serve_feed(site, new, rewritten, "Feed B")
        assert run_online(workdir, "--poll_all") == 0
        assert requests_to(site, new) == 1, "the feed was not read at its new address"
        assert stored(workdir) == before, f"moved to {new}, the feed's stories were stored again"
    urls = query(db(workdir), "SELECT url, list_sort(previous_urls) FROM feeds WHERE title = 'Feed B'")
    assert urls == [(site.url_for("/b-final.rss"), sorted(site.url_for(path) for path in ("/b.rss", "/b-moved.rss")))]


@pytest.mark.parametrize("other", ["/b.rss?format=rss", "/mirror/b.xml"])
def test_a_feed_listed_again_under_another_address_stores_none_of_its_stories_again(
    site: HTTPServer, pages: list[tuple[str, bytes]], workdir: Path, other: str
):
    """With a query string added or under another path, its stories are known by what they state (headline,
    summary, page): linkless and untitled stories included, in the run that lists both and in a later run."""
    (link,) = serve_pages(site, pages[:1])
    b_items = [BRIDGE, QUIET, Item("9", "Vote", link)]
    serve_feed(site, "/a.rss", [HARBOUR, UNTITLED], "Feed A")
    serve_feed(site, "/b.rss", b_items, "Feed B")
    subscribe(workdir, site, "/a.rss", "/b.rss")
    assert run_online(workdir) == 0
    before = stored(workdir)
    assert len(before) == 5
    serve_feed(site, other.partition("?")[0], b_items, "Feed B")
    subscribe(workdir, site, "/a.rss", "/b.rss", other)
    for _ in range(2):
        assert run_online(workdir, "--poll_all") == 0
    assert stored(workdir) == before
    assert requests_to(site, urlsplit(link).path) == 1, "a stored page was read again"


def test_the_first_run_of_one_feed_listed_twice_stores_each_story_once(site: HTTPServer, workdir: Path):
    serve_feed(site, "/a.rss", [HARBOUR, UNTITLED, RATES], "Feed A")
    subscribe(workdir, site, "/a.rss", "/a.rss?format=rss")
    assert run_online(workdir) == 0
    assert stored(workdir) == [
        ("Feed A", "Fog closes the airport."),
        ("Feed A", "Harbour strike ends"),
        ("Feed A", "Rates held"),
    ]


def test_a_plain_guid_whose_entry_was_only_read_is_not_read_again_and_another_feeds_story_under_it_is_stored(
    site: HTTPServer, workdir: Path
):
    """Feed B's entry c1 repeats a stored page through a redirect: a read (``entry_reads``), no article of its own.
    It is its feed's (read again, it would be at every run); feed C's own story under c1 is another."""
    site.expect_request("/p/port").respond_with_data(PORT_PAGE, content_type=HTML)
    site.expect_request("/r/port").respond_with_data("", status=302, headers={"Location": site.url_for("/p/port")})
    page = "Rotterdam port strike halts container traffic"
    serve_feed(site, "/a.rss", [Item("a1", page, site.url_for("/p/port"), "Dock workers strike.")], "Feed A")
    serve_feed(site, "/b.rss", [Item("c1", page, other_host(site, "/r/port"), "Dock workers strike.")], "Feed B")
    subscribe(workdir, site, "/a.rss")
    assert run_online(workdir) == 0
    subscribe(workdir, site, "/a.rss", "/b.rss")
    assert run_online(workdir, "--poll_all") == 0
    serve_feed(site, "/c.rss", [Item("c1", "Ferry service resumes", None, "Boats sail again.")], "Feed C")
    subscribe(workdir, site, "/a.rss", "/b.rss", "/c.rss")
    for _ in range(2):
        assert run_online(workdir, "--poll_all") == 0
    assert requests_to(site, "/r/port") == 1, "the repeat was read again"
    assert stored(workdir) == [("Feed A", page), ("Feed C", "Ferry service resumes")]


def _as_main_did(keyed: tuple, stored: live.StoredEntries):
    """What a wirebeam before stories of plain GUIDs did with the entries of one key: one, of the first feed URL."""
    _, entries = keyed
    yield min(entries, key=lambda entry: entry.feed_url)


def test_a_database_of_an_older_wirebeam_keeps_its_entries_and_gets_the_story_it_lost(
    site: HTTPServer, pages: list[tuple[str, bytes]], workdir: Path, monkeypatch
):
    """The older wirebeam keyed every entry by its GUID alone: feed B's story under feed A's GUID was lost. After
    the upgrade feed A's stories (linked, linkless, untitled) are known and feed B's story is stored, once."""
    (link,) = serve_pages(site, pages[:1])
    a_items = [Item("123", "Harbour strike ends", link), RATES, UNTITLED, Item("5", "", None, "Short.", content="x")]
    serve_feed(site, "/a.rss", a_items, "Feed A")
    serve_feed(site, "/b.rss", [BRIDGE], "Feed B")
    subscribe(workdir, site, "/a.rss", "/b.rss")
    with monkeypatch.context() as older:
        older.setattr(live, "with_guid_stories", lambda poll, stored: poll)
        older.setattr(live, "one_entry_per_story", _as_main_did)
        assert run_online(workdir) == 0
    keys = {key for (key,) in query(db(workdir), "SELECT entry_key FROM articles")}
    assert keys == {ids.entry_key(guid, None, "")[0] for guid in ("123", "7", "8", "5")}, "the old keys"
    before = stored(workdir)
    assert ("Feed B", BRIDGE.title) not in before, "the older wirebeam lost feed B's story"
    subscribe(workdir, site, "/a.rss", "/b.rss", "/a.rss?format=rss")
    for _ in range(2):
        assert run_online(workdir, "--poll_all") == 0
    assert stored(workdir) == sorted([*before, ("Feed B", BRIDGE.title)])
    assert requests_to(site, "/news/") == 1, "a stored page was read again"


def test_a_new_feed_listed_twice_giving_a_held_plain_guid_to_another_story_stores_it_once(
    site: HTTPServer, workdir: Path
):
    """Feed C holds GUID 123's own key; feed A, new and listed under two addresses, gives 123 to another linkless
    story: each listing keys it by its own address (`guid_story_key`), and the run stores it once, as later runs."""
    serve_feed(site, "/c.rss", [HARBOUR], "Feed C")
    subscribe(workdir, site, "/c.rss")
    assert run_online(workdir) == 0
    serve_feed(site, "/a.rss", [BRIDGE, UNTITLED], "Feed A")
    serve_feed(site, "/mirror/a.xml", [BRIDGE, UNTITLED], "Feed A")
    subscribe(workdir, site, "/c.rss", "/a.rss", "/mirror/a.xml")
    expected = [("Feed A", BRIDGE.title), ("Feed A", "Fog closes the airport."), ("Feed C", HARBOUR.title)]
    for _ in range(2):
        assert run_online(workdir, "--poll_all") == 0
        assert stored(workdir) == expected, "a story was stored twice"


def test_a_feeds_reads_name_the_feed_without_its_credentials(site: HTTPServer, workdir: Path):
    site.expect_request("/p/port").respond_with_data(PORT_PAGE, content_type=HTML)
    serve_feed(site, "/private.xml", [Item("p1", "Port strike", site.url_for("/p/port"), "Dockers strike.")], "P")
    feed = site.url_for("/private.xml").replace("http://", "http://reader:s3cret@")
    write_feed_list(workdir / "feeds.opml", [Subscription(feed)])
    assert run_online(workdir) == 0
    assert query(db(workdir), "SELECT feed_url FROM entry_reads") == [(site.url_for("/private.xml"),)]


def test_another_feeds_story_under_a_stored_plain_guid_with_the_same_generic_headline_is_stored(
    site: HTTPServer, workdir: Path
):
    """Both feeds call their story under GUID 1 "Morning briefing": the summaries differ, so the stories do."""
    a_story = Item("1", "Morning briefing", None, "Feed A's briefing: rates, weather and the harbour strike today.")
    b_story = Item("1", "Morning briefing", None, "Feed B's briefing: an election, a flood and a football final today.")
    serve_feed(site, "/a.rss", [a_story], "Feed A")
    subscribe(workdir, site, "/a.rss")
    assert run_online(workdir) == 0
    serve_feed(site, "/b.rss", [b_story], "Feed B")
    subscribe(workdir, site, "/a.rss", "/b.rss")
    for _ in range(2):
        assert run_online(workdir, "--poll_all") == 0
    assert query(db(workdir), "SELECT feed_title, summary FROM articles ORDER BY 1") == [
        ("Feed A", a_story.summary),
        ("Feed B", b_story.summary),
    ]


@pytest.mark.parametrize("other", ["/b.rss?format=rss", "/mirror/b.xml"])
def test_a_feed_listed_again_under_another_address_after_editing_its_stories_stores_none_again(
    site: HTTPServer, workdir: Path, other: str
):
    """Its linkless stories' headlines and summaries changed since the last run: the feed is known by its host and
    title, so they are still its stored stories."""
    serve_feed(site, "/b.rss", [HARBOUR, UNTITLED], "Feed B")
    subscribe(workdir, site, "/b.rss")
    assert run_online(workdir) == 0
    before = stored(workdir)
    edited = [
        Item("123", "Harbour strike ends after a week", None, "The dockers are back: the strike at the port ended."),
        Item("8", "", None, "Fog closes the airport again today."),
    ]
    site.clear()
    serve_feed(site, "/b.rss", edited, "Feed B")
    serve_feed(site, other.partition("?")[0], edited, "Feed B")
    subscribe(workdir, site, "/b.rss", other)
    for _ in range(2):
        assert run_online(workdir, "--poll_all") == 0
    assert stored(workdir) == before, "an edited story was stored again"
