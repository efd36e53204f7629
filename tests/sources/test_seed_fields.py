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


def test_a_saved_feeds_guid_that_is_no_url_is_no_link_as_in_a_live_feed(tmp_path):
    items = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><description>{title}: {BODY}</description></item>"
        for guid, title in (("abc-123", "Harbour strike ends"), ("https://wire.example/7", "Rates held"))
    )
    seed, db = tmp_path / "saved.rss", tmp_path / "db.duckdb"
    seed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>')
    assert main(["run", "--offline", "--seeds", str(seed), "--db", str(db)]) == 0
    assert query(db, "SELECT title, url FROM articles ORDER BY 1") == [
        ("Harbour strike ends", None),
        ("Rates held", "https://wire.example/7"),
    ], "the GUID abc-123 was stored as the url 'abc-123'"


def test_an_html_seeds_json_ld_publication_time_and_offset_are_kept(tmp_path):
    ld = '{"@type": "NewsArticle", "headline": "Port strike begins", "datePublished": "2026-08-12T07:45:00+02:00"}'
    paragraphs = "".join(f"<p>{sentence}</p>" for sentence in BODY.split(". ") if sentence)
    head = (
        '<title>Port strike begins</title><link rel="canonical" href="https://harbour.example/2026/08/12/port-strike">'
        f'<script type="application/ld+json">{ld}</script>'
    )
    html = f"<html><head>{head}</head><body><article><h1>Port strike begins</h1>{paragraphs}</article></body></html>"
    seed, db = tmp_path / "story.html", tmp_path / "db.duckdb"
    seed.write_text(html)
    assert main(["run", "--offline", "--seeds", str(seed), "--db", str(db)]) == 0
    (published,) = query(db, "SELECT strftime(published_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') FROM articles")[0]
    assert published == "2026-08-12 05:45", "the page's time of day and offset were lost (stored as midnight UTC)"
