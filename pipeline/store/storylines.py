"""Storylines: the ``storylines`` rows of the storylines a run touched, and the staged run's storylines joined to
stored ones; this module is the one writer of ``storylines`` (and of the staged articles' ``storyline_id``).

A run's storylines come from its grouping stage (``pipeline.events.cluster.cluster_levels``). Across runs, a new
storyline one of whose events joined a stored event, or reaches the storyline thresholds with one, joins that
event's storyline (``join_stored_storylines``, after cross-run matching); then the touched storylines' rows are
recomputed from their events (``refresh_storylines``, after the events).
"""

from __future__ import annotations

import duckdb

from pipeline.store.statements import sql

WRITES = ("storylines",)
"""The tables this module is the one writer of."""

_STORYLINE_MATCHES = "CREATE TEMP TABLE IF NOT EXISTS storyline_matches (event_id VARCHAR, stored_event_id VARCHAR)"


def record_storyline_matches(connection: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str]]) -> None:
    """Remember ``(staged event, stored event)`` pairs of new events that joined no stored event but reach the
    storyline thresholds with one (``events.cluster.attach``): their storylines join."""
    connection.execute(_STORYLINE_MATCHES)
    if pairs:
        connection.executemany("INSERT INTO storyline_matches VALUES (?, ?)", pairs)


def join_stored_storylines(connection: duckdb.DuckDBPyConnection) -> None:
    """Staged storylines with an event that is now a stored one, or that reaches the storyline thresholds with one
    (``record_storyline_matches``), take that event's storyline; staged articles of a stored event without a
    storyline take the event's."""
    connection.execute(_STORYLINE_MATCHES)
    connection.execute(sql("join_stored_storylines"))
    connection.execute(sql("stored_event_storylines"))


def refresh_storylines(connection: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Recompute the rows of the storylines of the run's touched events (``touched_events``) from their events."""
    connection.execute(sql("refresh_storylines"), {"run_id": run_id})
