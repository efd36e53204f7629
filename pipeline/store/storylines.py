"""The ``storylines`` table and the storyline of each stored article and event: its one writer.

A run's storylines come from its grouping stage (``articles.storyline_id``, ``pipeline.events.cluster``). Across
runs, a new storyline one of whose events joined a stored event joins that event's storyline
(``join_stored_storylines``, after cross-run matching); then the touched storylines' rows are recomputed from their
events (``refresh_storylines``, after the events).
"""

from __future__ import annotations

import duckdb

_JOIN_STORED = """
UPDATE staged_articles SET storyline_id = j.stored_storyline_id
FROM (
    SELECT s.storyline_id AS staged_storyline_id,
           arg_min(coalesce(e.storyline_id, 'sl_' || e.event_id[4:]), e.event_id) AS stored_storyline_id
    FROM staged_articles s JOIN events e USING (event_id)
    WHERE s.storyline_id IS NOT NULL
    GROUP BY s.storyline_id
) j
WHERE staged_articles.storyline_id = j.staged_storyline_id
"""

_STORED_EVENT_STORYLINE = """
UPDATE staged_articles SET storyline_id = coalesce(e.storyline_id, 'sl_' || e.event_id[4:])
FROM events e WHERE staged_articles.event_id = e.event_id AND staged_articles.storyline_id IS NULL
"""

_REFRESH = """
INSERT OR REPLACE INTO storylines BY NAME
WITH touched AS (
    SELECT DISTINCT storyline_id FROM events WHERE event_id IN (SELECT event_id FROM touched_events)
),
members AS (
    SELECT e.* FROM events e JOIN touched USING (storyline_id)
)
SELECT m.storyline_id,
       arg_min(m.title, (-m.article_count, m.first_published_at, m.event_id)) AS title,
       min(m.first_published_at) AS first_published_at, max(m.last_published_at) AS last_published_at,
       count(*) AS event_count, sum(m.article_count) AS article_count,
       coalesce(any_value(s.created_run_id), $run_id) AS created_run_id, $run_id AS updated_run_id
FROM members m LEFT JOIN storylines s USING (storyline_id)
GROUP BY m.storyline_id
"""


def join_stored_storylines(connection: duckdb.DuckDBPyConnection) -> None:
    """Staged storylines with an event that is now a stored one take that event's storyline (the earliest such
    event's, by ID); staged articles of a stored event without a storyline take the event's."""
    connection.execute(_JOIN_STORED)
    connection.execute(_STORED_EVENT_STORYLINE)


def refresh_storylines(connection: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Recompute the rows of the storylines of the run's touched events (``touched_events``) from their events."""
    connection.execute(_REFRESH, {"run_id": run_id})
