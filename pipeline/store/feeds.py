"""The ``feeds`` table: each polled feed's state (its one writer), read back to plan the next polls; and the
``entry_reads`` table: when each fetched entry was last read (``pipeline.sources.live.updated_since_read``).

``merge_feed_states`` runs in the loader's transaction; the ``wirebeam feeds`` commands change single rows.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import duckdb

from pipeline.store.connection import connect
from pipeline.store.staged import stage
from pipeline.store.statements import has_table, rows, sql

if TYPE_CHECKING:
    from schemas.models import Feed

WRITES = ("feeds", "entry_reads")
"""The tables this module is the one writer of."""


def _feed_rows(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    return rows(connection, "SELECT * FROM feeds") if has_table(connection, "feeds") else []


def read_feed_rows(connection: duckdb.DuckDBPyConnection) -> dict[str, Feed]:
    """Stored feed states by URL."""
    from schemas.models import Feed

    return {row["url"]: Feed(**row) for row in _feed_rows(connection)}


def stored_feeds(db_path: str | Path) -> dict[str, SimpleNamespace]:
    """Stored feed states by URL, for display: the ``Feed`` columns as attributes, read through a read-only
    connection of their own, without loading the models (``wirebeam feeds list`` starts faster)."""
    with connect(db_path, read_only=True) as connection:
        return {row["url"]: SimpleNamespace(**row) for row in _feed_rows(connection)}


def forget_feed(connection: duckdb.DuckDBPyConnection, url: str) -> int:
    """Delete a feed's state (its articles stay); returns the rows deleted."""
    return len(connection.execute("DELETE FROM feeds WHERE url = ? RETURNING url", [url]).fetchall())


def set_disabled(connection: duckdb.DuckDBPyConnection, url: str, disabled: bool) -> None:
    """Disable or enable a feed (a feed never polled gets a row of its own)."""
    connection.execute(sql("set_feed_disabled"), {"url": url, "disabled": disabled})


def poll_at_next_run(connection: duckdb.DuckDBPyConnection, url: str | None) -> int:
    """Make one feed (or, with ``url`` None, every feed) due at the next run; returns how many."""
    condition, parameters = ("url = ?", [url]) if url else ("TRUE", [])
    query = f"UPDATE feeds SET next_poll_at = NULL WHERE {condition} RETURNING url"
    return len(connection.execute(query, parameters).fetchall())


def merge_feed_states(connection: duckdb.DuckDBPyConnection, staging_dir: str | Path) -> dict[str, dict]:
    """Replace the polled feeds' rows (and rows under URLs they moved from) with the run's staged states, and the
    entries' last reads with the run's.

    Call after the run's new articles and rejects are settled in ``staged_articles`` and ``staged_rejects``;
    returns the run's counts per feed, a feed its host's time budget left unpolled included (status None, error
    ``host_budget``).
    """
    from pipeline.sources.feeds import FEED_STAGE
    from pipeline.sources.http import HOST_BUDGET

    stage(connection, staging_dir, "feeds")
    connection.execute(sql("delete_polled_feeds"))
    connection.execute(sql("insert_polled_feeds"))
    stage(connection, staging_dir, "entry_reads")
    connection.execute(sql("insert_entry_reads"))
    counts = {
        url: {"status": status, "error": error, "entries": entries, "articles_new": new, "fallbacks": fallbacks}
        for url, status, error, entries, new, fallbacks in connection.execute(sql("feed_counts")).fetchall()
    }
    deferred = connection.execute(sql("feeds_deferred"), {"stage": FEED_STAGE, "reason": HOST_BUDGET}).fetchall()
    untouched = {"status": None, "error": HOST_BUDGET, "entries": 0, "articles_new": 0, "fallbacks": 0}
    return counts | {url: dict(untouched) for (url,) in deferred if url not in counts}
