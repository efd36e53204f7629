"""The new-user trial's smaller findings, each through ``wirebeam run --offline`` (or a 127.0.0.1 server) into a
real DuckDB file: what a user sees in the tables and on the terminal."""

from __future__ import annotations

import json

from pipeline.cli import main
from tests.conftest import query

STORY = {"title": "Harbour strike ends", "text": "Dock workers returned to work on Tuesday after a week-long strike."}


def _run(seeds, db, *extra: str) -> int:
    return main(["run", "--offline", "--seeds", str(seeds), "--db", str(db), *extra])


def test_a_date_no_reader_understands_is_stored_as_null_with_a_reject_row_saying_so(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    records = [
        {**STORY, "published": "the day before yesterday"},
        {**STORY, "title": "Later", "published": "2024-04-08"},
    ]
    (seeds / "a.jsonl").write_text("\n".join(json.dumps(record) for record in records))
    db = tmp_path / "wirebeam.duckdb"
    assert _run(seeds, db) == 0
    stored = query(db, "SELECT source_ref, published_at IS NULL FROM articles ORDER BY 1")
    assert stored == [("a.jsonl#1", True), ("a.jsonl#2", False)], "both kept"
    assert query(db, "SELECT source_ref, stage, reason, detail FROM rejects") == [
        (
            "a.jsonl#1",
            "read",
            "unparseable_date",
            "date 'the day before yesterday' stored as null: no date wirebeam reads",
        )
    ]


def test_a_number_where_text_belongs_is_a_clear_reject_not_a_headline(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "b.jsonl").write_text(json.dumps({"title": None, "text": 5}) + "\n" + json.dumps(STORY))
    db = tmp_path / "wirebeam.duckdb"
    assert _run(seeds, db) == 0
    assert query(db, "SELECT title FROM articles") == [("Harbour strike ends",)]
    assert query(db, "SELECT source_ref, reason, detail FROM rejects") == [
        ("b.jsonl#1", "invalid_record", "'text' must be text, got int 5")
    ]


def test_a_saved_feeds_link_to_no_web_page_is_not_stored_rewritten(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    item = "<item><guid>g-1</guid><link>file:///etc/passwd</link><title>Harbour strike ends</title>"
    item += "<description>Dock workers returned to work on Tuesday.</description></item>"
    (seeds / "saved.rss").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>{item}</channel></rss>'
    )
    db = tmp_path / "wirebeam.duckdb"
    assert _run(seeds, db) == 0
    assert query(db, "SELECT title, url FROM articles") == [("Harbour strike ends", None)]


def test_the_extractors_own_messages_about_a_page_without_article_stay_off_the_terminal(tmp_path, capfd):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "empty.html").write_text("<html><body></body></html>")
    (seeds / "story.jsonl").write_text(json.dumps(STORY))
    db = tmp_path / "wirebeam.duckdb"
    assert _run(seeds, db) == 0
    out, err = capfd.readouterr()
    assert "trafilatura" not in err and "discarding data" not in out + err, "the reject row says it"
    assert query(db, "SELECT source_ref, reason FROM rejects") == [("empty.html", "no_article_found")]
    assert main(["--verbose", "run", "--offline", "--seeds", str(seeds), "--db", str(tmp_path / "v.duckdb")]) == 0
    assert "WARNING trafilatura.core: discarding data: None" in capfd.readouterr().err, "shown with --verbose"
