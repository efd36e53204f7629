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
