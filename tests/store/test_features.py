"""Upgrading a database: stored features of an older recipe are re-computed before a run compares with them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from benchmarks.events import write_seed_jsonl
from pipeline.cli import main
from pipeline.dedup.events import FEATURES_VERSION
from pipeline.store import features as feature_store
from pipeline.store.connection import connect
from tests.conftest import assert_events_match_articles, query, story_items

FEATURE_ROWS = "SELECT article_id, features::VARCHAR, blocking_keys, terms, features_version FROM article_features"


def run(seeds: Path, db: Path) -> int:
    return main(["run", "--offline", "--seeds", str(seeds), "--db", str(db)])


def stored_state(db: Path) -> tuple[list, list]:
    """Every feature row and every term count, in order."""
    return query(db, FEATURE_ROWS + " ORDER BY 1"), query(db, "SELECT * FROM term_stats ORDER BY 1")


def make_older(db: Path, rows: str = "true") -> None:
    """Turn the chosen feature rows into what an older wirebeam stored: a database without the version column,
    a few top terms of other weights, other term lists, and ``term_stats`` counted from those lists."""
    with duckdb.connect(str(db)) as connection:
        connection.execute("ALTER TABLE article_features DROP COLUMN features_version")
        connection.execute(
            "UPDATE article_features SET terms = list_concat(terms[1:10], ['olderterm']), "
            "features = json_object('terms', json_object('storm', 1.0), 'entities', json_object(), "
            "'first_seen', NULL, 'last_seen', NULL, 'embedding', NULL, 'n_articles', 1, 'full_text', true) "
            f"WHERE {rows}"
        )
        connection.execute("DELETE FROM term_stats")
        connection.execute(
            "INSERT INTO term_stats SELECT term, count(*) FROM (SELECT unnest(f.terms) AS term FROM article_features f "
            "JOIN articles a USING (article_id) WHERE a.duplicate_of IS NULL) GROUP BY term"
        )


@pytest.fixture
def storms_db(tmp_path: Path) -> Path:
    """A database built by this version from one story of the same-topic corpus."""
    seeds = tmp_path / "storms"
    seeds.mkdir()
    write_seed_jsonl(story_items("storms"), seeds / "storms.jsonl")
    db = tmp_path / "built.duckdb"
    assert run(seeds, db) == 0
    return db


def test_refreshed_features_are_what_this_version_computes_for_the_stored_articles(storms_db, tmp_path):
    older = tmp_path / "older.duckdb"
    shutil.copy(storms_db, older)
    make_older(older)
    features = "SELECT features::VARCHAR, terms FROM article_features ORDER BY article_id"
    assert query(older, features) != query(storms_db, features)
    stored = query(storms_db, "SELECT count(*) FROM article_features")[0][0]
    assert feature_store.refresh_stale_features(older, batch_size=4) == stored
    assert stored_state(older) == stored_state(storms_db)
    assert feature_store.refresh_stale_features(older) == 0, "nothing is left to re-compute"


def test_refresh_keeps_a_stored_embedding(storms_db, tmp_path):
    older = tmp_path / "older.duckdb"
    shutil.copy(storms_db, older)
    make_older(older)
    with duckdb.connect(str(older)) as connection:
        embedding = json.dumps({"embedding": [0.6, 0.8]})
        connection.execute("UPDATE article_features SET features = json_merge_patch(features, ?)", [embedding])
    feature_store.refresh_stale_features(older)
    refreshed = [json.loads(features) for (features,) in query(older, "SELECT features FROM article_features")]
    assert [features["embedding"] for features in refreshed] == [[0.6, 0.8]] * len(refreshed)


def test_refresh_goes_on_from_where_a_killed_one_stopped(storms_db, tmp_path):
    """Some rows already refreshed, one batch of the rest with its terms moved, the others untouched."""
    older = tmp_path / "older.duckdb"
    shutil.copy(storms_db, older)
    make_older(older, rows="article_id < '8'")
    with connect(older) as connection:
        refreshed_already = "UPDATE article_features SET features_version = ? WHERE article_id >= '8'"
        connection.execute(refreshed_already, [FEATURES_VERSION])
        batches = feature_store.stored_rows(connection, batch_size=2, also_done=(feature_store.MOVED_VERSION,))
        feature_store.in_transaction(connection, feature_store.move_term_stats, next(batches))
        batches.close()
    versions = query(older, "SELECT features_version, count(*) FROM article_features GROUP BY 1 ORDER BY 1")
    assert [version for version, _ in versions] == [feature_store.MOVED_VERSION, 1, FEATURES_VERSION]
    feature_store.refresh_stale_features(older, batch_size=3)
    assert stored_state(older) == stored_state(storms_db)


def test_a_run_on_an_older_database_attaches_a_late_report_to_its_stored_event(storms_db, tmp_path):
    """Features of an older recipe would not match the new article's; the run re-computes them first. Stored by
    two runs, the features then refresh to those of the one-run database."""
    items = story_items("storms")
    late = next(item for item in items if item.item_id == "storms-b-4")
    for name, batch in (("first", [item for item in items if item is not late]), ("later", [late])):
        (tmp_path / name).mkdir()
        write_seed_jsonl(batch, tmp_path / name / "storms.jsonl")
    db = tmp_path / "db.duckdb"
    assert run(tmp_path / "first", db) == 0
    make_older(db)
    assert run(tmp_path / "later", db) == 0
    rows = query(db, "SELECT list(split_part(url, '/', -1)) FROM articles GROUP BY event_id")
    assert {f"storms-b-{n}" for n in range(1, 5)} in [set(ids) for (ids,) in rows]
    assert query(db, "SELECT DISTINCT features_version FROM article_features") == [(FEATURES_VERSION,)]
    assert query(db, "SELECT count(*) FROM term_stats WHERE term = 'olderterm'") == [(0,)]
    assert_events_match_articles(db)
    make_older(db)
    feature_store.refresh_stale_features(db)
    assert stored_state(db) == stored_state(storms_db)
