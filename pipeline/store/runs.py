"""The ``runs`` table: one row per run (its one writer), and what later runs read back from it."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipeline.store.connection import connect
from schemas.models import Run

WRITES = ("runs",)
"""The tables this module is the one writer of."""


def insert_run(connection: duckdb.DuckDBPyConnection, run: Run) -> None:
    """Record a run (its columns come from the model)."""
    from schemas.generate import column_names, to_row

    row = to_row(run)
    names = column_names("runs")
    connection.execute(
        f"INSERT OR REPLACE INTO runs ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        [row[name] for name in names],
    )


def record_run(db_path: str | Path, run: Run) -> None:
    """Record a run on a connection of its own (a run that failed before or during its load)."""
    with connect(db_path) as connection:
        insert_run(connection, run)


def last_completed_options(db_path: Path) -> dict | None:
    """The options of the database's last completed run; None without one (or for a file that is not a wirebeam
    database yet)."""
    if not db_path.exists():
        return None
    try:
        with connect(db_path, read_only=True) as connection:
            row = connection.execute(
                "SELECT options FROM runs WHERE status = 'completed' ORDER BY started_at DESC LIMIT 1"
            ).fetchone()
    except duckdb.Error:
        return None
    return json.loads(row[0]) if row else None
