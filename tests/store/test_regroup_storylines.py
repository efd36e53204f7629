"""Cross-run clustering (``matching.regroup``) of stored storylines on real DuckDB files, at the edges of what it
brings in: an event whose one article the run upgrades, and the events left out of a storyline too large to take
part."""

from __future__ import annotations

import dataclasses
from html import escape
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Response

from benchmarks.events import Item as StoryItem
from pipeline.cli import main
from pipeline.sources.feedlist import Subscription, write_feed_list
from pipeline.store import matching
from tests.conftest import assert_events_match_articles, query, story_items
from tests.sources.test_live import RSS, Item, rss20
from tests.store.test_regroup_across_runs import (
    assert_event_links_within_events,
    assert_storylines_match_events,
    frozen_model,
    groups,
    run,
)
from tests.test_online_end_to_end import FAST_FETCHES


def page(item: StoryItem) -> str:
    """The item as an article page."""
    title = escape(item.title)
    paragraphs = "".join(f"<p>{escape(part)}</p>" for part in item.text.split("\n") if part.strip())
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    )


def entry(item: StoryItem, link: str) -> Item:
    """The item as a feed entry carrying its full text (what a fallback stores when the page does not come)."""
    published = item.published.isoformat().replace("+00:00", "Z")
    return Item(item.item_id, item.title, link, item.text.split(". ")[0] + ".", published, item.text)


def run_feeds(tmp_path: Path, db: Path, model: str) -> None:
    flags = ["--seeds", str(tmp_path / "seeds"), "--db", str(db), "--feeds", str(tmp_path / "feeds.opml")]
    assert main(["run", *flags, *FAST_FETCHES, "--grouping_model", model]) == 0


def test_an_upgraded_fallback_whose_storyline_it_reaches_is_regrouped_as_in_one_run(site: HTTPServer, tmp_path):
    """Rates, dated, without b-1, from a feed: b-2's page is busy, so b-2 is stored from the entry's own text, an
    event of its own in a-1..a-3's storyline. The next run fetches the page again; the new version reaches a's
    event, so the other events of its storyline are brought in, b-2's own among them with no representatives left
    (its one article is being replaced). The load completes (it used to fail, every retry alike) and groups as one
    run over the same pages does; a third run changes nothing."""
    model = frozen_model(tmp_path, storyline_full_text=0.06, storyline_undated=0.25, storyline_headline=0.1)
    items = [item for item in story_items("rates") if item.item_id != "rates-b-1"]
    (upgraded,) = [item for item in items if item.item_id == "rates-b-2"]
    (tmp_path / "seeds").mkdir()
    busy = [Response("busy", status=503)]
    site.expect_request("/news/rates-b-2").respond_with_handler(lambda _: busy[0])
    for item in items:
        site.expect_request(f"/news/{item.item_id}").respond_with_data(page(item), content_type="text/html")
    feed = rss20([entry(item, site.url_for(f"/news/{item.item_id}")) for item in items])
    site.expect_request("/feed.xml").respond_with_data(feed, content_type=RSS)
    write_feed_list(tmp_path / "feeds.opml", [Subscription(site.url_for("/feed.xml"))])
    windowed, one = tmp_path / "windowed.duckdb", tmp_path / "one.duckdb"
    run_feeds(tmp_path, windowed, model)
    by_url = "SELECT article_id, event_id, storyline_id, fallback_reason FROM articles WHERE url LIKE ?"
    ((article, event, storyline, reason),) = query(windowed, by_url, ["%/rates-b-2"])
    assert reason == "http_5xx" and query(windowed, "SELECT count(*) FROM articles WHERE event_id = ?", [event]) == [
        (1,)
    ]
    assert query(windowed, "SELECT count(*) FROM events WHERE storyline_id = ?", [storyline]) == [(2,)], (
        "b-2's event shares a storyline with another (else nothing is brought in)"
    )

    busy[0] = Response(page(upgraded), content_type="text/html")
    run_feeds(tmp_path, windowed, model)
    assert query(windowed, "SELECT articles_upgraded FROM runs ORDER BY started_at DESC LIMIT 1") == [(1,)]
    assert query(windowed, by_url, ["%/rates-b-2"])[0][::3] == (article, None), "upgraded in place"
    run_feeds(tmp_path, one, model)
    assert groups(windowed) == groups(one)
    assert groups(windowed, "storyline") == groups(one, "storyline")
    assert_events_match_articles(windowed)
    assert_storylines_match_events(windowed)
    before = query(windowed, "SELECT article_id, event_id, storyline_id FROM articles ORDER BY 1")
    run_feeds(tmp_path, windowed, model)
    assert query(windowed, "SELECT article_id, event_id, storyline_id FROM articles ORDER BY 1") == before


def reports_as_events(tmp_path: Path) -> str:
    """``--grouping_model`` whose reports are one event only when nearly the same and whose dated full texts are one
    storyline from a mean score of 0.1: storms become storylines of one-report events."""
    return frozen_model(tmp_path, full_text=0.99, headline=0.99, storyline_full_text=0.1)


def test_events_left_out_of_a_storyline_merged_into_another_take_its_id_in_the_runs_storyline_remap(
    tmp_path, monkeypatch
):
    """Storms, dated, each report an event, storm a's third report held back: storm b's four events are one
    storyline and storm d's two another. With no other events of a reached storyline taking part
    (``MAX_STORYLINE_EVENTS`` 0, as for a storyline of more than 20 events) both stay whole. The next run's a-3
    reaches b-1 and d-2 and joins the two storylines into one under d's ID; b's events left out move with it. That
    run also holds an exact copy of b-2 (a left-out event's article) and a headline it puts in the copy's
    storyline, which shares too few blocking keys with b-2 to be clustered across runs: the headline follows its
    run storyline into b-2's new one (it used to take b's old ID, a storyline then holding only it)."""
    monkeypatch.setattr(matching, "MAX_STORYLINE_EVENTS", 0)
    model = reports_as_events(tmp_path)
    items = story_items("storms")
    held_back = [item for item in items if item.item_id == "storms-a-3"]
    db = tmp_path / "windowed.duckdb"
    run([item for item in items if item not in held_back], tmp_path / "first", db, "--grouping_model", model)
    storyline = "SELECT storyline_id FROM articles WHERE url LIKE ?"
    ((storm_b,),) = query(db, storyline, ["%/storms-b-2"])
    ((storm_d,),) = query(db, storyline, ["%/storms-d-1"])
    assert query(db, "SELECT count(*) FROM events WHERE storyline_id = ?", [storm_b]) == [(4,)]
    assert query(db, "SELECT count(*) FROM events WHERE storyline_id = ?", [storm_d]) == [(2,)]
    (original,) = [item for item in items if item.item_id == "storms-b-2"]
    copy = dataclasses.replace(original, item_id="storms-b-2-copy", url=original.url + "-copy")
    headline = dataclasses.replace(
        original, item_id="storms-b-2-headline", title="Port St. Joe mourns", text=None, url=original.url + "-headline"
    )
    run([*held_back, copy, headline], tmp_path / "second", db, "--grouping_model", model)
    assert query(db, "SELECT duplicate_of IS NOT NULL FROM articles WHERE url LIKE ?", ["%/storms-b-2-copy"]) == [
        (True,)
    ]
    for report in ("storms-b-2", "storms-b-4", "storms-b-2-copy", "storms-b-2-headline"):
        assert query(db, storyline, [f"%/{report}"]) == [(storm_d,)], report
    assert query(db, "SELECT count(*) FROM storylines WHERE storyline_id = ?", [storm_b]) == [(0,)]
    assert_events_match_articles(db)
    assert_storylines_match_events(db)
    assert_event_links_within_events(db)
