"""Event aggregates: the ``events`` rows of the events a run touched, recomputed from all their stored members.

Runs in the loader's transaction after the run's articles are inserted; this module is the one writer of
``events``.
"""

from __future__ import annotations

import duckdb

from pipeline.store.statements import sql

WRITES = ("events",)
"""The tables this module is the one writer of."""


def refresh_events(connection: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """List the staged run's events in ``touched_events`` (with ``is_new``) and recompute their rows: title and
    canonical article, counts and publication span; a new event is created by ``run_id``; one left without
    members is removed."""
    connection.execute(sql("touched_events"))
    connection.execute(sql("refresh_events"), {"run_id": run_id})
    connection.execute(sql("drop_empty_events"))
