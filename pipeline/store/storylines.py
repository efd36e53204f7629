"""Storylines: the stored storylines a run's events may join, and the ``storylines`` rows of the storylines a run
touched; this module is the one writer of ``storylines``.

A run's storylines come from its grouping stage (``pipeline.events.cluster.cluster_levels``). Across runs, which
stored storyline a new one joins is decided with the rest of cross-run matching (``pipeline.store.matching.resolve``)
from the storylines of the stored events involved (``stored_storylines``); then the touched storylines' rows are
recomputed from their events (``refresh_storylines``, after the events).
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa

from pipeline import ids
from pipeline.store.statements import registered, sql

WRITES = ("storylines",)
"""The tables this module is the one writer of."""


def stored_storylines(connection: duckdb.DuckDBPyConnection, event_ids: Iterable[str]) -> dict[str, str]:
    """Stored event ID -> its storyline, for those of ``event_ids`` that are stored; an event stored before
    storylines stands for a storyline of its own."""
    named = pa.table({"event_id": pa.array(sorted(set(event_ids)), pa.string())})
    with registered(connection, "named_events", named):
        rows = connection.execute(sql("event_storylines")).fetchall()
    return {event_id: storyline or ids.storyline_id(ids.first_article_id(event_id)) for event_id, storyline in rows}


def refresh_storylines(connection: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Recompute the rows of the storylines the run's touched events (``touched_events``) belong to or belonged to
    from their events; one left without events (its events merged into another storyline's) is removed."""
    connection.execute(sql("touched_storylines"))
    connection.execute(sql("drop_empty_storylines"))
    connection.execute(sql("refresh_storylines"), {"run_id": run_id})
