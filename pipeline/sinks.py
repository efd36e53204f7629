"""The single DuckDB loader of staging shards, and the connection every command opens.

Workers never touch the database: ``pipeline.staging.WriteStaging`` writes each table's rows as Parquet shards
into the run's staging directory through Beam IO, on any runner. ``load_run`` then merges one run's shards into
DuckDB in one transaction: rows already stored are skipped (IDs are content-derived), new articles that copy stored
ones are pointed at them, events are recomputed from their members, and the run is recorded. A run killed before
or during the load leaves the database as it was.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipeline.views import create_views
from schemas.enrichment import ARTICLE_ENRICHMENT_TABLES
from schemas.models import TABLES, Run

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


def configure_session(connection: duckdb.DuckDBPyConnection) -> None:
    """Settings of every wirebeam connection and cursor: UTC times, and no progress bar (a scheduled run's log
    is no terminal)."""
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET enable_progress_bar = false")


def connect(db_path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the database; a writable one creates missing tables and columns."""
    connection = duckdb.connect(str(db_path), read_only=read_only)
    configure_session(connection)
    if not read_only:
        ensure_schema(connection)
    return connection


def ensure_schema(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the tables, and add columns that newer models declare to tables made by older versions.

    One transaction, so a run killed while creating a new database leaves no half-made schema.
    """
    from schemas.generate import add_column_statements, column_names, duckdb_ddl  # pyarrow: not for readers

    connection.begin()
    try:
        connection.execute(duckdb_ddl())
        for table in TABLES:
            existing = {row[0] for row in connection.execute(f"DESCRIBE {table}").fetchall()}
            for name in column_names(table):
                if name not in existing:
                    LOGGER.info("adding column %s.%s", table, name)
                    for statement in add_column_statements(table, name):
                        connection.execute(statement)
        create_views(connection)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise


def _stage(connection: duckdb.DuckDBPyConnection, staging_dir: str | Path, table: str) -> int:
    """Copy a table's shards (local or in an object store) into a temporary table shaped like the real one;
    returns the row count."""
    from pipeline.staging import read_shard, shard_paths

    staged = f"staged_{table}"
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {staged} AS SELECT * FROM {table} LIMIT 0")
    for path in shard_paths(str(staging_dir), table):
        shard = read_shard(path)
        connection.register("staging_shard", shard)
        try:
            connection.execute(f"INSERT INTO {staged} BY NAME SELECT * FROM staging_shard")
        finally:
            connection.unregister("staging_shard")
    return connection.execute(f"SELECT count(*) FROM {staged}").fetchone()[0]


_REFRESH_EVENTS = """
CREATE OR REPLACE TEMP TABLE touched_events AS
SELECT DISTINCT event_id, event_id NOT IN (SELECT event_id FROM events) AS is_new FROM staged_articles;

INSERT OR REPLACE INTO events BY NAME
WITH members AS (
    SELECT a.* FROM articles a JOIN touched_events t USING (event_id)
),
canonical AS (
    SELECT event_id, article_id, title, row_number() OVER (
        PARTITION BY event_id
        ORDER BY duplicate_of IS NOT NULL, near_duplicate_of IS NOT NULL, published_at NULLS LAST,
                 word_count DESC, article_id
    ) AS rank
    FROM members
),
totals AS (
    SELECT event_id, count(*) AS article_count, count(DISTINCT source) AS source_count,
           min(published_at) AS first_published_at, max(published_at) AS last_published_at,
           min(storyline_id) AS storyline_id
    FROM members GROUP BY event_id
)
SELECT c.event_id, c.title, c.article_id AS canonical_article_id, t.article_count, t.source_count,
       t.first_published_at, t.last_published_at,
       coalesce(e.created_run_id, $run_id) AS created_run_id, $run_id AS updated_run_id,
       coalesce(e.storyline_id, t.storyline_id, 'sl_' || c.event_id[4:]) AS storyline_id
FROM canonical c JOIN totals t USING (event_id) LEFT JOIN events e USING (event_id)
WHERE c.rank = 1;
"""


def insert_run(connection: duckdb.DuckDBPyConnection, run: Run) -> None:
    """Record a run (its columns come from the model)."""
    from schemas.generate import column_names, to_row

    row = to_row(run)
    names = column_names("runs")
    connection.execute(
        f"INSERT OR REPLACE INTO runs ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        [row[name] for name in names],
    )


def load_run(
    db_path: str | Path,
    staging_dir: str | Path,
    run: Run,
    minhash: MinHashConfig,
    thresholds: EventThresholds,
) -> Run:
    """Merge one run's staging shards into the database in one transaction; returns the run with its counts.

    New articles are matched against stored ones (``pipeline.dedup.stored``) with the run's near-duplicate
    settings and event thresholds.
    """
    from pipeline.dedup.stored import resolve_against_stored, update_term_stats
    from pipeline.enrich.storage import refresh_event_enrichments
    from pipeline.refetch import upgrade_refetched
    from pipeline.store.storylines import join_stored_storylines, refresh_storylines
    from schemas.generate import primary_key

    connection = connect(db_path)
    try:
        connection.begin()
        articles_read = _stage(connection, staging_dir, "articles")
        rejected = _stage(connection, staging_dir, "rejects")
        for table in ARTICLE_DETAIL_TABLES:
            _stage(connection, staging_dir, table)
        upgrade_refetched(connection, ARTICLE_DETAIL_TABLES, run.started_at)
        resolve_against_stored(connection, minhash, thresholds, run.run_id)
        join_stored_storylines(connection)
        connection.execute("INSERT INTO articles BY NAME SELECT * FROM staged_articles")
        for table in ARTICLE_DETAIL_TABLES:
            originals_only = " WHERE duplicate_of IS NULL" if table in ORIGINALS_ONLY_TABLES else ""
            connection.execute(
                f"INSERT OR IGNORE INTO {table} BY NAME SELECT * FROM staged_{table} "
                f"WHERE article_id IN (SELECT article_id FROM staged_articles{originals_only}) "
                f"QUALIFY row_number() OVER (PARTITION BY {primary_key(table)}) = 1"
            )
        update_term_stats(connection)
        connection.execute(_REFRESH_EVENTS, {"run_id": run.run_id})
        refresh_storylines(connection, run.run_id)
        refresh_event_enrichments(connection)
        connection.execute(
            "INSERT OR IGNORE INTO rejects BY NAME SELECT * REPLACE ($run_id AS run_id) FROM staged_rejects "
            "QUALIFY row_number() OVER (PARTITION BY reject_id) = 1",
            {"run_id": run.run_id},
        )
        new, duplicates, near_duplicates, junk_bodies = connection.execute(
            "SELECT count(*), count(duplicate_of), count(near_duplicate_of), "
            "count(*) FILTER (body_status <> 'ok') FROM staged_articles"
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


_FEED_COUNTS = """
SELECT f.url, f.last_status, f.last_error, CASE WHEN f.last_status = 200 THEN f.entry_count ELSE 0 END,
       count(a.article_id), count(a.fallback_reason)
FROM staged_feeds f LEFT JOIN staged_articles a ON a.feed_url = f.url
GROUP BY ALL ORDER BY f.url
"""


def export_paragraphs(db_path: str | Path, target: str | Path) -> bool:
    """Write the stored articles' paragraph hashes (``article_paragraphs``) to a Parquet file for the next run's
    boilerplate stage; False, and no file, when there are none."""
    if not Path(db_path).exists():
        return False
    with duckdb.connect(str(db_path), read_only=True) as connection:
        tables = {row[0] for row in connection.execute("SHOW TABLES").fetchall()}
        if (
            "article_paragraphs" not in tables
            or not connection.execute("SELECT count(*) FROM article_paragraphs").fetchone()[0]
        ):
            return False
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        quoted = str(target).replace("'", "''")
        connection.execute(f"COPY (SELECT keys, witnesses FROM article_paragraphs) TO '{quoted}' (FORMAT parquet)")
    return True


def merge_feed_states(connection: duckdb.DuckDBPyConnection, staging_dir: str | Path) -> dict[str, dict]:
    """Replace the polled feeds' rows (and rows under URLs they moved from) with the run's staged states.

    Call after the run's new articles are settled in ``staged_articles``; returns the run's counts per feed.
    """
    _stage(connection, staging_dir, "feeds")
    connection.execute(
        "DELETE FROM feeds WHERE url IN (SELECT url FROM staged_feeds UNION ALL SELECT unnest(previous_urls) "
        "FROM staged_feeds)"
    )
    # Two listed feeds can end at one URL (a permanent redirect, http and https): keep one state for it.
    connection.execute(
        "INSERT INTO feeds BY NAME SELECT * REPLACE ("
        "  list_distinct(flatten(list(previous_urls) OVER (PARTITION BY url))) AS previous_urls"
        ") FROM staged_feeds "
        "QUALIFY row_number() OVER (PARTITION BY url ORDER BY last_success_at DESC NULLS LAST, last_polled_at DESC) = 1"
    )
    return {
        url: {"status": status, "error": error, "entries": entries, "articles_new": new, "fallbacks": fallbacks}
        for url, status, error, entries, new, fallbacks in connection.execute(_FEED_COUNTS).fetchall()
    }
