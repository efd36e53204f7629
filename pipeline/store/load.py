"""The single DuckDB loader of a run's staging shards.

Workers never touch the database: ``pipeline.staging.WriteStaging`` writes each table's rows as Parquet shards
into the run's staging directory through Beam IO, on any runner. ``load_run`` then merges one run's shards into
DuckDB in one transaction: rows already stored are skipped (IDs are content-derived), new articles that copy stored
ones are pointed at them (``matching``), events are recomputed from their members (``events``, ``enrichments``),
and the run is recorded (``runs``). A run killed before or during the load leaves the database as it was.
This module writes ``rejects``; each other table is written by its own module (``pipeline.store``), called here in
the order the steps depend on each other.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.store import articles, features
from pipeline.store.connection import connect
from pipeline.store.enrichments import refresh_event_enrichments
from pipeline.store.events import refresh_events
from pipeline.store.feeds import merge_feed_states
from pipeline.store.matching import resolve_against_stored
from pipeline.store.refetch import copies_follow_upgrades, upgrade_refetched
from pipeline.store.runs import insert_run
from pipeline.store.staged import stage
from pipeline.store.statements import sql
from pipeline.store.storylines import refresh_storylines
from schemas.models import Run

if TYPE_CHECKING:
    from collections.abc import Callable

    from pipeline.dedup.minhash import MinHashConfig
    from pipeline.events.score import EventThresholds

LOGGER = logging.getLogger(__name__)

WRITES = ("rejects",)
"""The tables this module is the one writer of."""


def load_run(
    db_path: str | Path,
    staging_dir: str | Path,
    run: Run,
    minhash: MinHashConfig,
    thresholds: EventThresholds,
    before_commit: Callable[[], None] = lambda: None,
    wait: float = 0.0,
) -> Run:
    """Merge one run's staging shards into the database in one transaction; returns the run with its counts.

    New articles are matched against stored ones (``pipeline.store.matching``) with the run's near-duplicate
    settings and event thresholds. ``before_commit`` is called just before the commit, the run's point of no
    return (the caller stops Ctrl-C there, so a committed run is never reported as interrupted). While another
    program holds the database, waits up to ``wait`` seconds for it (``connect``), else ``DatabaseInUse``.
    """
    connection = connect(db_path, wait=wait)
    try:
        connection.begin()
        articles_read = stage(connection, staging_dir, "articles")
        stage(connection, staging_dir, "rejects")
        for table in articles.ARTICLE_DETAIL_TABLES:
            stage(connection, staging_dir, table)
        upgrade_refetched(connection, run.started_at)
        resolve_against_stored(connection, minhash, thresholds, run.run_id)
        articles.insert_staged(connection)
        features.insert_staged(connection)
        copies_follow_upgrades(connection, minhash)
        refresh_events(connection, run.run_id)
        articles.follow_event_storylines(connection)
        refresh_storylines(connection, run.run_id)
        refresh_event_enrichments(connection)
        articles.fill_language(connection)
        # the rows this run stores: a failure stored by an earlier run (a page retried, a bad file read again) is
        # that run's row, and counted there
        (rejected,) = connection.execute(sql("insert_staged_rejects"), {"run_id": run.run_id}).fetchone()
        new, upgraded, duplicates, near_duplicates, junk_bodies = connection.execute(
            sql("staged_article_counts"), {"run_id": run.run_id}
        ).fetchone()
        events_new, events_updated = connection.execute(
            "SELECT count(*) FILTER (is_new), count(*) FILTER (NOT is_new) FROM touched_events"
        ).fetchone()
        feed_counts = merge_feed_states(connection, staging_dir)
        run = run.model_copy(
            update={
                "feed_counts": feed_counts,
                "articles_read": articles_read,
                "articles_new": new,
                "articles_upgraded": upgraded,
                "exact_duplicates": duplicates,
                "near_duplicates": near_duplicates,
                "junk_bodies": junk_bodies,
                "rejected": rejected,
                "events_new": events_new,
                "events_updated": events_updated,
            }
        )
        insert_run(connection, run)
        before_commit()
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()
    return run
