"""Cross-run clustering (``matching.regroup``) on real DuckDB files: a run's new reports clustered with the stored
members of the events they may join give what one run over all the articles gives, and a stored event splits
when later reports tell its events apart."""

from __future__ import annotations

from pathlib import Path

from benchmarks.events import Item, write_seed_jsonl
from pipeline.cli import main
from tests.conftest import assert_events_match_articles, query, story_items


def run(items: list[Item], directory: Path, db: Path) -> None:
    directory.mkdir()
    write_seed_jsonl(items, directory / "items.jsonl")
    assert main(["run", "--offline", "--seeds", str(directory), "--db", str(db)]) == 0


def groups(db: Path) -> set[frozenset[str]]:
    """The stored events, each as the item IDs (URL endings) of its articles."""
    rows = query(db, "SELECT list(split_part(url, '/', -1)) FROM articles GROUP BY event_id")
    return {frozenset(item_ids) for (item_ids,) in rows}


def everything(db: Path) -> dict[str, list[tuple]]:
    """Every row that grouping writes, but the runs' own."""
    return {
        "articles": query(db, "SELECT article_id, event_id, storyline_id FROM articles ORDER BY 1"),
        "events": query(db, "SELECT * EXCLUDE (updated_run_id) FROM events ORDER BY 1"),
        "storylines": query(db, "SELECT * EXCLUDE (updated_run_id) FROM storylines ORDER BY 1"),
        "links": query(db, "SELECT link_id FROM article_links ORDER BY 1"),
    }


def test_a_stored_event_that_merged_two_fires_splits_when_later_reports_tell_them_apart(tmp_path):
    """Wildfires, undated: without a-2 (and d-1) the first run puts fire a's two other reports with fire b's;
    the second run's a-2, clustered with that stored event's reports, parts them as one run does. The part holding
    the event's first article keeps its ID; the database stays consistent; the second run again adds nothing."""
    items = story_items("wildfires", with_dates=False)
    later = {"wildfires-a-2", "wildfires-d-1"}
    one, windowed = tmp_path / "one.duckdb", tmp_path / "windowed.duckdb"
    run(items, tmp_path / "all", one)
    run([item for item in items if item.item_id not in later], tmp_path / "first", windowed)
    merged = {"wildfires-a-1", "wildfires-a-3", *(f"wildfires-b-{number}" for number in range(1, 5))}
    assert merged in groups(windowed), "the first run alone merges the two fires (else this tests nothing)"
    (stored_event,) = query(windowed, "SELECT DISTINCT event_id FROM articles WHERE url LIKE '%wildfires-b-1'")
    run([item for item in items if item.item_id in later], tmp_path / "second", windowed)
    fire_a = {"wildfires-a-1", "wildfires-a-2", "wildfires-a-3"}
    assert fire_a in groups(windowed)
    assert groups(windowed) == groups(one)
    assert_events_match_articles(windowed)
    first_article = stored_event[0].removeprefix("ev_")
    assert query(windowed, "SELECT event_id FROM articles WHERE article_id = ?", [first_article]) == [stored_event]
    assert query(
        windowed,
        "SELECT count(*) FROM storylines WHERE event_count <> (SELECT count(*) FROM events e "
        "WHERE e.storyline_id = storylines.storyline_id)",
    ) == [(0,)]
    before = everything(windowed)
    run([item for item in items if item.item_id in later], tmp_path / "again", windowed)
    assert everything(windowed) == before
