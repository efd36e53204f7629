"""Feed entry keys through real runs on 127.0.0.1: a GUID that is no URL names a story only within its feed, a URL
GUID one story in any feed, and a database whose keys are of the GUID alone keeps its entries after the upgrade."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pytest_httpserver import HTTPServer

from pipeline import ids
from pipeline.sources import live
from tests.conftest import query
from tests.sources.test_live import RSS, Item, rss20
from tests.test_online_end_to_end import db, requests_to, run_online, serve_pages, subscribe
from tests.test_online_end_to_end import pages as pages  # noqa: F401 (a pytest fixture)
from tests.test_online_end_to_end import workdir as workdir  # noqa: F401 (a pytest fixture)

HARBOUR = Item("123", "Harbour strike ends", None, "Dock workers return to work after a week.")
BRIDGE = Item("123", "Bridge collapses over the river", None, "Two dead as the old bridge falls.")


def titles(workdir: Path) -> list[str]:
    return [title for (title,) in query(db(workdir), "SELECT title FROM articles ORDER BY 1")]


def test_two_feeds_giving_one_plain_guid_to_different_stories_store_both_once_even_after_a_move(
    site: HTTPServer, workdir: Path
):
    site.expect_request("/a.rss").respond_with_data(rss20([HARBOUR], "Feed A"), content_type=RSS)
    site.expect_request("/b.rss").respond_with_data(rss20([BRIDGE], "Feed B"), content_type=RSS)
    subscribe(workdir, site, "/a.rss", "/b.rss")
    assert run_online(workdir) == 0
    assert titles(workdir) == [BRIDGE.title, HARBOUR.title], "one story was lost"
    site.clear()
    site.expect_request("/a.rss").respond_with_data("", status=301, headers={"Location": site.url_for("/moved.rss")})
    site.expect_request("/moved.rss").respond_with_data(rss20([HARBOUR], "Feed A"), content_type=RSS)
    site.expect_request("/b.rss").respond_with_data(rss20([BRIDGE], "Feed B"), content_type=RSS)
    assert run_online(workdir, "--poll_all") == 0
    assert requests_to(site, "/moved.rss") == 1, "feed A was not polled at its new URL"
    assert titles(workdir) == [BRIDGE.title, HARBOUR.title], "the second run stored a story again"


def test_a_url_guid_in_two_feeds_is_one_story_and_a_plain_guid_one_story_per_feed(site: HTTPServer, workdir: Path):
    shared = Item("https://wire.example/2025/rates", "Rates held", None, "The central bank held rates at 4%.")
    site.expect_request("/a.rss").respond_with_data(rss20([shared, HARBOUR], "Feed A"), content_type=RSS)
    site.expect_request("/b.rss").respond_with_data(rss20([shared, BRIDGE], "Feed B"), content_type=RSS)
    subscribe(workdir, site, "/a.rss", "/b.rss")
    assert run_online(workdir) == 0
    assert titles(workdir) == [BRIDGE.title, HARBOUR.title, shared.title]


def test_entries_stored_under_the_guid_alone_are_not_read_again_and_another_feeds_story_under_it_is_stored(
    site: HTTPServer, pages: list[tuple[str, bytes]], workdir: Path, monkeypatch
):
    """The database an older wirebeam wrote: its first run keyed by the GUID alone, as that wirebeam did. Then feed
    A retitles its linked entry (known by its stored page) and feed B gives GUID 123 to another story."""
    first, other = serve_pages(site, pages[:2])
    own = Item("7", "Rates held", None, "The central bank held rates at 4%.")
    linked = Item("123", "Harbour strike ends", first, "Dock workers return.")
    site.expect_request("/a.rss").respond_with_data(rss20([linked, own], "Feed A"), content_type=RSS)
    subscribe(workdir, site, "/a.rss")
    with monkeypatch.context() as old:
        old.setattr(
            live, "entry_key", lambda guid, link, text, feed=None: ids.entry_key(guid, link, text), raising=False
        )
        assert run_online(workdir) == 0
    assert {key for (key,) in query(db(workdir), "SELECT entry_key FROM articles")} == {
        ids.entry_key(guid, None, "")[0] for guid in ("123", "7")
    }, "the old keys"
    stored = query(db(workdir), "SELECT count(*) FROM articles")[0][0]
    site.clear()
    serve_pages(site, pages[:2])
    retitled = Item("123", "Dockers back at work", first, "Dock workers return.")
    site.expect_request("/a.rss").respond_with_data(rss20([retitled, own], "Feed A"), content_type=RSS)
    site.expect_request("/b.rss").respond_with_data(
        rss20([Item("123", "Bridge collapses over the river", other, "Two dead.")], "Feed B"), content_type=RSS
    )
    subscribe(workdir, site, "/a.rss", "/b.rss")
    for _ in range(2):
        assert run_online(workdir, "--poll_all") == 0
    assert requests_to(site, urlsplit(first).path) == 0, "a stored entry was read again"
    rows = query(db(workdir), "SELECT feed_title, count(*) FROM articles GROUP BY 1 ORDER BY 1")
    assert rows == [("Feed A", stored), ("Feed B", 1)]
