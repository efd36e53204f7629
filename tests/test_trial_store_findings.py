"""The new-user trial's store, dedup and sources findings on seed files, each through ``wirebeam run`` on a real
DuckDB file (the live-feed ones are in ``tests/test_online_end_to_end.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.conftest import query


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "seeds").mkdir()
    return tmp_path


def db(workdir: Path) -> Path:
    return workdir / "wirebeam.duckdb"


def run_offline(workdir: Path) -> int:
    return main(["run", "--offline", "--seeds", str(workdir / "seeds"), "--db", str(db(workdir))])


STORM = (
    "A storm brought heavy rain and strong winds to the northern coast on Monday, closing schools and ports, "
    "and the weather service warned of flooding in low-lying towns through the night."
)


def test_a_record_that_is_another_records_article_is_a_reject_naming_the_article_kept(workdir: Path):
    record = {"title": "Storm hits the northern coast", "text": STORM, "url": "https://news.example/storm"}
    (workdir / "seeds" / "a.json").write_text(json.dumps(record))
    (workdir / "seeds" / "b.json").write_text(json.dumps({**record, "published": "2026-11-19T08:00:00Z"}))
    assert run_offline(workdir) == 0
    assert query(db(workdir), "SELECT source_ref FROM articles") == [("b.json#0",)], "the dated record is the one kept"
    rejects = query(db(workdir), "SELECT source_ref, stage, reason, detail FROM rejects")
    assert [row[:3] for row in rejects] == [("a.json#0", "deduplicate", "same_article")], "a.json#0 vanished"
    assert "b.json#0" in rejects[0][3]


def test_placeholder_dates_are_stored_as_null_with_a_flag(workdir: Path):
    records = [
        {"title": f"Budget vote number {n} in Springfield", "text": f"{STORM} Vote {n}.", "published": published}
        for n, published in enumerate(["1970-01-01", "2099-01-01T00:00:00Z", 0, "2026-11-19T10:00:00Z"])
    ]
    (workdir / "seeds" / "dates.jsonl").write_text("\n".join(map(json.dumps, records)))
    assert run_offline(workdir) == 0
    stored = query(db(workdir), "SELECT source_ref, published_at IS NULL FROM articles ORDER BY 1")
    assert stored == [(f"dates.jsonl#{line}", line < 4) for line in (1, 2, 3, 4)], "a placeholder date was kept"
    flags = query(db(workdir), "SELECT source_ref, reason FROM rejects ORDER BY 1")
    assert flags == [(f"dates.jsonl#{line}", "placeholder_date") for line in (1, 2, 3)]


def test_a_placeholder_day_written_in_a_time_zone_is_stored_as_null(workdir: Path):
    dates = ["1900-01-01T00:00:00+01:00", "2099-01-01T00:00:00+09:00", "2026-11-19T00:30:00+01:00"]
    records = [
        {"title": f"Budget vote number {n} in Springfield", "text": f"{STORM} Vote {n}.", "published": published}
        for n, published in enumerate(dates)
    ]
    (workdir / "seeds" / "zones.jsonl").write_text("\n".join(map(json.dumps, records)))
    assert run_offline(workdir) == 0
    stored = query(db(workdir), "SELECT source_ref, strftime(published_at, '%Y-%m-%d %H:%M') FROM articles ORDER BY 1")
    assert stored == [("zones.jsonl#1", None), ("zones.jsonl#2", None), ("zones.jsonl#3", "2026-11-18 23:30")]
    flags = query(db(workdir), "SELECT source_ref, reason FROM rejects ORDER BY 1")
    assert flags == [("zones.jsonl#1", "placeholder_date"), ("zones.jsonl#2", "placeholder_date")]


def saved_feed(*items: tuple[str, str]) -> str:
    """An RSS 2.0 file of ``(title, pubDate)`` items."""
    body = "".join(
        f"<item><guid>https://news.example/{n}</guid><title>{title}</title><description>{STORM}</description>"
        f"<pubDate>{date}</pubDate></item>"
        for n, (title, date) in enumerate(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Saved</title>{body}</channel></rss>'


def test_a_saved_feeds_entry_keeps_its_date_flags(workdir: Path):
    (workdir / "seeds" / "saved.xml").write_text(
        saved_feed(
            ("Storm hits the northern coast", "yesterday"),
            ("Ports close as the storm nears", "Thu, 01 Jan 1970 00:00:00 GMT"),
            ("Schools reopen after the storm", "Thu, 19 Nov 2026 10:00:00 GMT"),
        )
    )
    assert run_offline(workdir) == 0
    stored = query(db(workdir), "SELECT source_ref, published_at IS NULL FROM articles ORDER BY 1")
    assert stored == [("saved.xml#0", True), ("saved.xml#1", True), ("saved.xml#2", False)]
    flags = query(db(workdir), "SELECT source_ref, reason FROM rejects ORDER BY 1")
    assert flags == [("saved.xml#0", "unparseable_date"), ("saved.xml#1", "placeholder_date")], "a flag was dropped"


TOKYO = (
    "東京都は十九日、大雨による土砂災害の危険が高まったとして、多摩地域の住民約二万人に避難指示を出した。"
    "気象庁によると、雨は二十日朝まで続く見込みで、河川の氾濫にも警戒が必要だという。"
    "都は避難所を三十か所に開設し、高齢者らの早めの避難を呼びかけている。"
)
TOKYO_EDITED = (
    "東京都は十九日、大雨による土砂災害の危険が高まったとして、多摩地域の住民およそ二万人に避難指示を出しました。"
    "気象庁によれば、雨は二十日の朝まで続く見込みで、河川の氾濫にも警戒が必要だということです。"
    "都は避難所を三十か所に開設し、高齢者らに早めの避難を呼びかけている。"
)


def test_a_lightly_edited_japanese_copy_is_a_near_duplicate(workdir: Path):
    original = {"title": "東京都、多摩地域に避難指示", "text": TOKYO, "published": "2026-11-19T08:00:00Z"}
    copy = {"title": "多摩地域の住民に避難指示 東京都", "text": TOKYO_EDITED, "published": "2026-11-19T09:00:00Z"}
    (workdir / "seeds" / "a.json").write_text(json.dumps(original, ensure_ascii=False))
    (workdir / "seeds" / "b.json").write_text(json.dumps(copy, ensure_ascii=False))
    assert run_offline(workdir) == 0
    rows = query(
        db(workdir),
        "SELECT a.source_ref, o.source_ref FROM articles a LEFT JOIN articles o ON o.article_id = a.near_duplicate_of "
        "ORDER BY 1",
    )
    assert rows == [("a.json#0", None), ("b.json#0", "a.json#0")], "each Japanese sentence was one word"


def atom_entries(*dates: tuple[str, str]) -> str:
    """An Atom document of entries stating ``(published, updated)``."""
    body = "".join(
        f"<entry><id>urn:e:{n}</id><title>Storm story {n} on the coast</title><summary>{STORM}</summary>"
        f"<published>{published}</published><updated>{updated}</updated></entry>"
        for n, (published, updated) in enumerate(dates)
    )
    return f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Saved</title>{body}</feed>'


def test_a_saved_feeds_entry_is_dated_by_its_updated_date_when_its_published_one_is_a_placeholder(workdir: Path):
    (workdir / "seeds" / "saved.xml").write_text(
        atom_entries(
            ("1970-01-01T00:00:00Z", "2026-11-19T10:00:00Z"),
            ("1970-01-01T00:00:00Z", "yesterday"),
        )
    )
    assert run_offline(workdir) == 0
    stored = query(db(workdir), "SELECT source_ref, strftime(published_at, '%Y-%m-%d %H:%M') FROM articles ORDER BY 1")
    assert stored == [("saved.xml#0", "2026-11-19 10:00"), ("saved.xml#1", None)], "a good updated date was dropped"
    flags = query(db(workdir), "SELECT source_ref, reason FROM rejects ORDER BY 1")
    assert flags == [("saved.xml#1", "placeholder_date")], "only the date that would have been stored is flagged"
