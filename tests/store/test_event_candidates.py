"""Which stored events a new event is scored against (``*_candidate_keys.sql``), on real DuckDB files."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from benchmarks.events import Item, write_seed_jsonl
from pipeline.cli import main
from pipeline.events.blocking import MAX_BLOCK_SIZE
from pipeline.store.connection import connect
from pipeline.store.matching import MIN_SHARED_KEYS, candidate_events
from tests.conftest import assert_events_match_articles, query, story_items


def run(seeds: Path, db: Path) -> int:
    return main(["run", "--offline", "--seeds", str(seeds), "--db", str(db)])


def write_items(items: list[Item], directory: Path) -> Path:
    directory.mkdir()
    write_seed_jsonl(items, directory / "items.jsonl")
    return directory


@pytest.fixture
def storms_db(tmp_path: Path) -> Path:
    """Four storms on one coast, stored by a real run."""
    db = tmp_path / "storms.duckdb"
    assert run(write_items(story_items("storms"), tmp_path / "storms"), db) == 0
    return db


def candidates_of(db: Path, stored_keys: dict[str, list[str]], new_keys: list[list[str]]) -> list[str]:
    """Give every stored article of each stored event (by its first article's URL ending) the event's keys, stage
    one new event of articles with ``new_keys``, and return its candidates, as the URL endings of their first
    articles, in the query's order."""
    connection = connect(db)
    try:
        first = dict(
            connection.execute("SELECT min(split_part(url, '/', -1)), event_id FROM articles GROUP BY 2").fetchall()
        )
        for name, keys in stored_keys.items():
            connection.execute(
                "UPDATE article_features SET blocking_keys = ? "
                "WHERE article_id IN (SELECT article_id FROM articles WHERE event_id = ?)",
                [keys, first[name]],
            )
        connection.execute("CREATE TEMP TABLE staged_articles (article_id VARCHAR, event_id VARCHAR)")
        connection.execute("CREATE TEMP TABLE staged_article_features (article_id VARCHAR, blocking_keys VARCHAR[])")
        for number, keys in enumerate(new_keys):
            connection.execute("INSERT INTO staged_articles VALUES (?, 'ev_new')", [f"new-{number}"])
            connection.execute("INSERT INTO staged_article_features VALUES (?, ?)", [f"new-{number}", keys])
        found = candidate_events(connection, ["ev_new"])
    finally:
        connection.close()
    name_of = {event_id: name for name, event_id in first.items()}
    return [name_of[event_id] for event_id in found.get("ev_new", [])]


def test_a_new_event_is_scored_against_stored_events_sharing_enough_keys_most_shared_first(storms_db):
    keys = [f"key{n}" for n in range(MIN_SHARED_KEYS + 1)]
    stored = {
        "storms-a-1": keys[:MIN_SHARED_KEYS],
        "storms-b-1": keys[: MIN_SHARED_KEYS - 1],
        "storms-c-1": keys,
        "storms-d-1": ["other", "keys", "entirely"],
    }
    # the new event's keys are those of all its articles
    new = [keys[:1], keys[1:]]
    assert candidates_of(storms_db, stored, new) == ["storms-c-1", "storms-a-1"]


def test_a_stored_event_sharing_fewer_keys_is_not_a_candidate_however_rare(storms_db):
    keys = [f"key{n}" for n in range(MIN_SHARED_KEYS - 1)]
    stored = {"storms-a-1": keys, "storms-b-1": keys[:1], "storms-c-1": ["x"], "storms-d-1": ["y"]}
    assert candidates_of(storms_db, stored, [keys]) == []


def fillers(count: int, after: datetime) -> list[Item]:
    """``count`` unrelated later reports that share the words of a storm's recovery (Panhandle, Gulf County,
    disaster declaration, recovery), each with words of its own."""
    rng = random.Random(7)
    items = []
    for number in range(count):
        own = " ".join("".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(4)) for _ in range(40))
        title = f"Panhandle recovery grant {number} approved for Gulf County disaster declaration projects"
        text = (
            f"Gulf County commissioners approved Panhandle recovery grant number {number} on Tuesday under the "
            f"federal disaster declaration. Recovery officials said the money goes to {own}."
        )
        url = f"https://grants.example/{number}"
        items.append(Item(f"grant-{number}", title, text, after + timedelta(hours=number), "grants", url, "Ledger"))
    return items


def test_a_late_report_finds_its_stored_event_though_many_later_articles_share_its_common_keys(tmp_path):
    """The storms and more than a block's worth of later grant reports sharing the late report's common keys are
    stored; the late report of the second storm still joins that storm's event in a later run."""
    items = story_items("storms")
    late = next(item for item in items if item.item_id == "storms-b-4")
    stored = [item for item in items if item is not late] + fillers(
        MAX_BLOCK_SIZE + 16, datetime(2026, 11, 1, tzinfo=timezone.utc)
    )
    db = tmp_path / "db.duckdb"
    assert run(write_items(stored, tmp_path / "first"), db) == 0
    assert run(write_items([late], tmp_path / "later"), db) == 0
    holders = query(
        db,
        "WITH k AS (SELECT unnest(blocking_keys) AS key FROM article_features JOIN articles USING (article_id) "
        "WHERE url LIKE '%storms-b-4') SELECT max(n) FROM (SELECT count(*) AS n FROM article_features, k "
        "WHERE list_contains(blocking_keys, k.key) GROUP BY k.key)",
    )
    assert holders[0][0] > MAX_BLOCK_SIZE, "a key of the late report is held by more stored articles than a block"
    rows = query(db, "SELECT list(split_part(url, '/', -1)) FROM articles GROUP BY event_id")
    assert {f"storms-b-{n}" for n in range(1, 5)} in [set(ids) for (ids,) in rows]
    assert_events_match_articles(db)
