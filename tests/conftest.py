"""Shared fixtures: the repository's seeds, temporary databases and a Beam TestPipeline on a local runner."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.test_pipeline import TestPipeline
from pytest_httpserver import HTTPServer

from benchmarks.events import SAME_TOPIC_DIR, Item, same_topic_items

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED_DATA = REPO.parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A file or folder of the development data in ``../shared/data``; skips the test where a clone has none."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs the development data {path} (../shared/data beside the repository)")
    return path


def story_items(story: str, with_dates: bool = True) -> list[Item]:
    """One story of the same-topic corpus (e.g. ``storms``: four storms on one coast) as labelled items."""
    return [item for item in same_topic_items(SAME_TOPIC_DIR, with_dates) if item.item_id.startswith(f"{story}-")]


def local_test_pipeline() -> TestPipeline:
    """A TestPipeline on Beam's in-process runner (the default DirectRunner would try to download Prism)."""
    return TestPipeline(runner=FnApiRunner())


@pytest.fixture(autouse=True, scope="session")
def quiet_test_servers() -> None:
    """Test HTTP servers log each request at INFO (werkzeug sets that level itself); a request a slow handler answers
    after its test ended would land in a later test's captured output. Their chatter is not wirebeam's."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A private copy of the repository's seed articles."""
    target = tmp_path / "seeds"
    target.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, target / path.name)
    return target


def own_server() -> Iterator[HTTPServer]:
    """A fresh HTTP server on 127.0.0.1, stopped afterwards; unknown paths answer 404 like a real site."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.no_handler_status_code = 404
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def site() -> Iterator[HTTPServer]:
    """A fresh HTTP server of its own."""
    yield from own_server()


@pytest.fixture
def slow_site() -> Iterator[HTTPServer]:
    """A server of its own for handlers that stall or drip: their threads outlive the fetches that gave up on them,
    and must not log requests into the shared server of a later test."""
    yield from own_server()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db" / "wirebeam.duckdb"


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of a read-only query on a database file."""
    with duckdb.connect(str(db), read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()


def table_counts(db: Path) -> dict[str, int]:
    """Row count of every wirebeam table."""
    tables = ("articles", "events", "runs", "rejects")
    return {table: query(db, f"SELECT count(*) FROM {table}")[0][0] for table in tables}


def seed_events(db: Path) -> set[frozenset[str]]:
    """The seed articles grouped by event, each article named by its file's three-digit prefix."""
    rows = query(db, "SELECT list(left(source_ref, 3)) FROM articles GROUP BY event_id")
    return {frozenset(prefixes) for (prefixes,) in rows}


def assert_events_match_articles(db: Path) -> None:
    """The events table holds exactly the events the articles name, with their member counts, and every copy
    or near-duplicate shares the event of the article it points at, which is itself an original."""
    expected = query(db, "SELECT event_id, count(*) FROM articles GROUP BY 1 ORDER BY 1")
    assert query(db, "SELECT event_id, article_count FROM events ORDER BY 1") == expected
    strays = query(
        db,
        "SELECT a.article_id FROM articles a JOIN articles o "
        "ON o.article_id = coalesce(a.duplicate_of, a.near_duplicate_of) "
        "WHERE a.event_id <> o.event_id OR o.duplicate_of IS NOT NULL",
    )
    assert strays == []
