"""Migrations of stored rows: a database holding rows in an older format is brought up to date when opened."""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pyarrow as pa
import pytest

from pipeline import ids
from pipeline.cli import EXIT_ERROR, EXIT_USAGE, main
from pipeline.store.connection import connect
from schemas.generate import arrow_schema, to_row
from schemas.models import Article
from tests.conftest import query

NOW = datetime(2024, 4, 9, tzinfo=timezone.utc)


def _article(article_id: str, origin: str, entry_key: str | None, url: str | None = None) -> Article:
    return Article(
        article_id=article_id,
        url=url,
        origin=origin,
        source_ref=f"saved/feed.xml#{article_id}",
        title="Harbour council votes on ferry pier",
        content_kind="title_only",
        word_count=6,
        content_hash=f"hash-{article_id}",
        event_id=ids.event_id(article_id),
        entry_key=entry_key,
        run_id="old-run",
        ingested_at=NOW,
    )


def test_raw_entry_keys_of_saved_feeds_become_the_key_a_live_feed_derives(tmp_path):
    db = tmp_path / "old.duckdb"
    live_key = ids.entry_key("urn:live:1", "https://x.test/1", "")[0]
    hashed_seed_key = ids.entry_key("urn:new:2", None, "")[0]
    old_rows = [
        _article("guid", "seed", "tag:x.test,2024:story-7", "https://x.test/story-7"),
        _article("link", "seed", "https://x.test/story-8", "https://x.test/story-8"),
        _article("hashed", "seed", hashed_seed_key),
        _article("live", "feed", live_key),
        _article("plain", "seed", None),
    ]
    with connect(db) as connection:  # a database of an older version: raw GUIDs (else links) as seed entry keys
        table = pa.Table.from_pylist([to_row(row) for row in old_rows], schema=arrow_schema("articles"))
        connection.register("old_rows", table)
        connection.execute("INSERT INTO articles BY NAME SELECT * FROM old_rows")

    connect(db).close()  # any writable connection migrates

    keys = dict(query(db, "SELECT article_id, entry_key FROM articles"))
    assert keys == {
        "guid": ids.entry_key("tag:x.test,2024:story-7", "https://x.test/story-7", "")[0],
        "link": ids.entry_key("https://x.test/story-8", "https://x.test/story-8", "")[0],
        "hashed": hashed_seed_key,
        "live": live_key,
        "plain": None,
    }
    before = query(db, "SELECT article_id, entry_key FROM articles ORDER BY 1")
    connect(db).close()
    assert query(db, "SELECT article_id, entry_key FROM articles ORDER BY 1") == before, "a second open changes nothing"


@pytest.mark.parametrize(
    "their_table",
    [
        "articles (id INTEGER, foo VARCHAR)",
        "articles (article_id INTEGER, title VARCHAR)",
        "articles (article_id VARCHAR, title VARCHAR)",  # wirebeam's key name, but not a primary key
    ],
)
def test_another_programs_table_under_a_wirebeam_name_is_refused_and_left_as_it_was(
    seeds_dir, tmp_path, capsys, their_table
):
    db = tmp_path / "other.duckdb"
    with duckdb.connect(str(db)) as connection:
        connection.execute(f"CREATE TABLE {their_table}")
        connection.execute("INSERT INTO articles VALUES (1, 'theirs')")

    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db)]) == EXIT_USAGE

    assert "table 'articles' that wirebeam did not make" in capsys.readouterr().err
    assert query(db, "SELECT table_name FROM information_schema.tables") == [("articles",)]
    assert [tuple(map(str, row)) for row in query(db, "SELECT * FROM articles")] == [("1", "theirs")]


def test_a_file_that_is_no_database_fails_in_one_line_without_tracebacks(seeds_dir, tmp_path, capsys):
    db = tmp_path / "notes.duckdb"
    db.write_text("not a database\n")

    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db)]) == EXIT_ERROR

    err = capsys.readouterr().err
    assert "not a valid DuckDB database file" in err
    assert "Traceback" not in err
    assert db.read_text() == "not a database\n"
