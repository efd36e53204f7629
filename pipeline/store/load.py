"""The single DuckDB loader of a run's staging shards.

Workers never touch the database: ``pipeline.staging.WriteStaging`` writes each table's rows as Parquet shards
into the run's staging directory through Beam IO, on any runner. ``load_run`` then merges one run's shards into
DuckDB in one transaction: rows already stored are skipped (IDs are content-derived), new articles that copy stored
ones are pointed at them (``matching``), events are recomputed from their members (``events``, ``enrichments``),
and the run is recorded (``runs``). A run killed before or during the load leaves the database as it was.
This module writes ``articles``, the article-level tables and ``rejects``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipeline.store.connection import connect, registered
from schemas.enrichment import ARTICLE_ENRICHMENT_TABLES
from schemas.models import Run

if TYPE_CHECKING:
    from pipeline.dedup.minhash import MinHashConfig
    from pipeline.events.score import EventThresholds

LOGGER = logging.getLogger(__name__)

ARTICLE_DETAIL_TABLES = (
    "article_signatures",
    "article_features",
    "article_links",
    *ARTICLE_ENRICHMENT_TABLES,
    "article_paragraphs",
)
"""Tables whose rows belong to an article and are stored only with a newly stored article."""
ORIGINALS_ONLY_TABLES = ("article_signatures", "article_features")
"""Matching keys are kept for originals only: a later copy matches the original, never a copy of it."""

_FILL_LANGUAGE = """
UPDATE articles SET language = s.language FROM article_enrichments s
WHERE articles.article_id = s.article_id AND articles.language IS NULL AND s.language IS NOT NULL
  AND articles.event_id IN (SELECT event_id FROM touched_events)
"""
"""The detected language fills ``articles.language`` where the source did not state one."""


def stage(connection: duckdb.DuckDBPyConnection, staging_dir: str | Path, table: str) -> int:
    """Copy a table's shards (local or in an object store) into a temporary table shaped like the real one;
    returns the row count."""
    from pipeline.staging import read_shard, shard_paths

    staged = f"staged_{table}"
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {staged} AS SELECT * FROM {table} LIMIT 0")
    for path in shard_paths(str(staging_dir), table):
        shard = read_shard(path)
        with registered(connection, "staging_shard", shard):
            connection.execute(f"INSERT INTO {staged} BY NAME SELECT * FROM staging_shard")
    return connection.execute(f"SELECT count(*) FROM {staged}").fetchone()[0]


def load_run(
    db_path: str | Path,
    staging_dir: str | Path,
    run: Run,
    minhash: MinHashConfig,
    thresholds: EventThresholds,
) -> Run:
    """Merge one run's staging shards into the database in one transaction; returns the run with its counts.

    New articles are matched against stored ones (``pipeline.store.matching``) with the run's near-duplicate
    settings and event thresholds.
    """
    from pipeline.store.enrichments import refresh_event_enrichments
    from pipeline.store.events import refresh_events
    from pipeline.store.features import update_term_stats
    from pipeline.store.feeds import merge_feed_states
    from pipeline.store.matching import resolve_against_stored
    from pipeline.store.refetch import copies_follow_upgrades, upgrade_refetched
    from pipeline.store.runs import insert_run
    from pipeline.store.storylines import refresh_storylines
    from schemas.generate import primary_key

    connection = connect(db_path)
    try:
        connection.begin()
        articles_read = stage(connection, staging_dir, "articles")
        rejected = stage(connection, staging_dir, "rejects")
        for table in ARTICLE_DETAIL_TABLES:
            stage(connection, staging_dir, table)
        upgrade_refetched(connection, ARTICLE_DETAIL_TABLES, run.started_at)
        resolve_against_stored(connection, minhash, thresholds, run.run_id)
        connection.execute("INSERT INTO articles BY NAME SELECT * FROM staged_articles")
        for table in ARTICLE_DETAIL_TABLES:
            originals_only = " WHERE duplicate_of IS NULL" if table in ORIGINALS_ONLY_TABLES else ""
            connection.execute(
                f"INSERT OR IGNORE INTO {table} BY NAME SELECT * FROM staged_{table} "
                f"WHERE article_id IN (SELECT article_id FROM staged_articles{originals_only}) "
                f"QUALIFY row_number() OVER (PARTITION BY {primary_key(table)}) = 1"
            )
        update_term_stats(connection)
        copies_follow_upgrades(connection)
        refresh_events(connection, run.run_id)
        refresh_storylines(connection, run.run_id)
        refresh_event_enrichments(connection)
        connection.execute(_FILL_LANGUAGE)
        connection.execute(
            "INSERT OR IGNORE INTO rejects BY NAME SELECT * REPLACE ($run_id AS run_id) FROM staged_rejects "
            "QUALIFY row_number() OVER (PARTITION BY reject_id) = 1",
            {"run_id": run.run_id},
        )
        new, upgraded, duplicates, near_duplicates, junk_bodies = connection.execute(
            "SELECT count(*) FILTER (run_id = $run_id), count(*) FILTER (run_id <> $run_id), count(duplicate_of), "
            "count(near_duplicate_of), count(*) FILTER (body_status <> 'ok') FROM staged_articles",
            {"run_id": run.run_id},
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
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()
    return run
