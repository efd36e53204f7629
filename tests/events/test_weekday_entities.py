"""Unrelated short reports stay apart: calendar words are no names (each says "on Monday" or "in December"), and
a summary of a word or two is no lead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.conftest import query

REPORTS = {
    "budget": ("Council approves new budget for schools", "The council said {when} it had approved the budget."),
    "striker": ("Striker signs contract with rival club", "The striker said {when} he had signed with the club."),
    "hospital": ("Hospital opens new cancer ward", "The hospital said {when} it had opened the ward."),
    "airline": ("Airline cancels flights after strike", "The airline said {when} it had cancelled flights."),
}


def _write_reports(directory: Path, when: str = "", tiny: str | None = None) -> None:
    """One JSON Lines record (headline and one-sentence summary) per unrelated report, each saying ``when``; with
    ``tiny``, that is every report's whole summary."""
    directory.mkdir()
    records = [
        {"title": title, "summary": tiny or summary.format(when=when), "url": f"https://news.example/{name}"}
        for name, (title, summary) in REPORTS.items()
    ]
    (directory / "reports.jsonl").write_text("\n".join(json.dumps(record) for record in records) + "\n")


def _assert_four_events(tmp_path: Path, **written: str) -> None:
    """The reports written so, through ``wirebeam run --offline``: four events, no link."""
    seeds, db = tmp_path / "seeds", tmp_path / "wb.duckdb"
    _write_reports(seeds, **written)
    assert main(["run", "--offline", "--seeds", str(seeds), "--db", str(db)]) == 0
    assert query(db, "SELECT count(*) FROM articles") == [(4,)]
    events = query(db, "SELECT list(url ORDER BY url) FROM articles GROUP BY event_id ORDER BY 1")
    assert events == [([f"https://news.example/{name}"],) for name in sorted(REPORTS)]
    assert query(db, "SELECT count(*) FROM article_links") == [(0,)]


WHEN = ["last week", "on Monday", "on Mon.", "on Monday's", "in December", "in Dec."]


@pytest.mark.parametrize("when", WHEN)
def test_unrelated_reports_sharing_a_weekday_or_a_month_are_separate_events(tmp_path, when):
    """ "last week" is the control: the same reports with no capitalised calendar word."""
    _assert_four_events(tmp_path, when=when)


@pytest.mark.parametrize("tiny", ["body", "body text"])
def test_unrelated_headlines_over_the_same_tiny_summary_are_separate_events(tmp_path, tiny):
    """Before, the word or two was each report's lead: lead cosine 1 scored every pair 0.53-0.71 against the
    headline threshold 0.5, one event."""
    _assert_four_events(tmp_path, tiny=tiny)
