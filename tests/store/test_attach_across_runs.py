"""Which stored event a new run's events join (``matching.attach_best_first``), on real DuckDB files: the same
decision one run over all the articles makes."""

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


def test_a_report_of_another_event_stays_out_of_a_stored_event_its_new_report_joined_first(tmp_path):
    """Wildfires, undated: a new report of fire b joins b's stored reports; a report of fire a (its other reports
    left out) is close enough to b's stored reports to join them alone, but not to b's new report, which joined
    first, so it stays out, as one run over all of them groups it (attaching each new event on its own joined
    both)."""
    items = [
        item
        for item in story_items("wildfires", with_dates=False)
        if item.label != "wildfires-a" or item.item_id == "wildfires-a-1"
    ]
    later = {"wildfires-a-1", "wildfires-b-3"}
    one, windowed = tmp_path / "one.duckdb", tmp_path / "windowed.duckdb"
    run(items, tmp_path / "all", one)
    run([item for item in items if item.item_id not in later], tmp_path / "first", windowed)
    run([item for item in items if item.item_id in later], tmp_path / "second", windowed)
    fire_b = {f"wildfires-b-{number}" for number in range(1, 5)}
    assert fire_b in groups(windowed) and {"wildfires-a-1"} in groups(windowed)
    assert groups(windowed) == groups(one)
    assert_events_match_articles(windowed)
