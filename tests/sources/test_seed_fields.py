"""Seed records through a real run into DuckDB: metadata values that are not text, saved feeds' GUIDs, dates."""

import json

from pipeline.cli import main
from tests.conftest import query

BODY = "Port workers walked out on Monday over pay. " * 12


def test_numeric_source_and_author_ids_keep_the_record_as_text_and_odd_metadata_is_dropped_with_a_flag(tmp_path):
    records = [
        {"title": "Port strike begins", "text": BODY, "author": 42, "source": 7, "language": 3},
        {"title": "Port strike ends", "text": BODY.replace("walked out", "returned"), "url": {"href": "x"}},
        {"title": 2024, "text": BODY},
    ]
    seed, db = tmp_path / "export.jsonl", tmp_path / "db.duckdb"
    seed.write_text("\n".join(map(json.dumps, records)))
    assert main(["run", "--offline", "--seeds", str(seed), "--db", str(db)]) == 0
    rows = query(db, "SELECT title, author, source, language, url FROM articles ORDER BY title")
    assert rows == [("Port strike begins", "42", "7", "en", None), ("Port strike ends", None, None, "en", None)]
    rejects = query(db, "SELECT source_ref, reason, detail FROM rejects ORDER BY source_ref, detail")
    assert [(ref, reason) for ref, reason, _ in rejects] == [
        ("export.jsonl#1", "field_not_text"),
        ("export.jsonl#1", "field_not_text"),
        ("export.jsonl#1", "field_not_text"),
        ("export.jsonl#2", "field_not_text"),
        ("export.jsonl#3", "invalid_record"),
    ]
    assert [detail for _, _, detail in rejects][:3] == [
        "'author' 42 is a number: stored as text",
        "'language' must be text, got int 3: stored as null",
        "'source' 7 is a number: stored as text",
    ]
