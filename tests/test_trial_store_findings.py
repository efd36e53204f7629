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
