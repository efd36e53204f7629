"""The analyst's reads: recent events, one event in full, every table as Parquet, the report's figures and the
end-of-run summary. All of them read the views (``schemas/views.sql``, documented in ``docs/views.md``) or tables
through a connection the caller opened (``connection.open_database``); none writes to the database.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb

from pipeline.store.statements import StoreError, rows, sql, sql_string

EXAMPLE_QUERY = "SELECT title, article_count, source_count, first_published_at FROM events ORDER BY 4"
"""A first query the end-of-run summary suggests (``wirebeam query``)."""
DAY_COLUMN = "day"
"""Partition column of the exported files: ``<table>/day=YYYY-MM-DD/*.parquet``."""
EXPORT_DAY_SOURCES = {"runs": "started_at", "rejects": "rejected_at"}
"""Tables partitioned by a time column of their own; others by their event's or article's day, or not at all."""


def recent_events(connection: duckdb.DuckDBPyConnection, limit: int) -> list[dict[str, Any]]:
    """The latest events (by the day they happened, else first reported), newest first."""
    if limit < 1:
        raise StoreError(f"--limit must be at least 1, got {limit}")
    return rows(connection, sql("recent_events"), {"limit": limit})


def resolve_event_id(connection: duckdb.DuckDBPyConnection, given: str) -> str:
    """The event ID ``given`` names: the full ID, or a unique prefix of it (with or without the event prefix)."""
    from pipeline.ids import EVENT_PREFIX

    prefixes = [given] if given.startswith(EVENT_PREFIX) else [given, f"{EVENT_PREFIX}{given}"]
    found = sorted(
        {
            row["event_id"]
            for prefix in prefixes
            for row in rows(connection, "SELECT event_id FROM events WHERE starts_with(event_id, ?)", [prefix])
        }
    )
    if given in found:
        return given
    if not found:
        raise StoreError(f"no event with ID {given!r} (see `wirebeam events`)")
    if len(found) > 1:
        raise StoreError(f"{given!r} matches {len(found)} events: {', '.join(found[:5])}")
    return found[0]


def event_details(connection: duckdb.DuckDBPyConnection, event_id: str) -> dict[str, Any]:
    """Everything stored about one event: summary, coverage, articles, actors, places and figures."""
    (summary,) = rows(connection, "SELECT * FROM event_summary WHERE event_id = ?", [event_id])
    (coverage,) = rows(connection, "SELECT * FROM event_coverage WHERE event_id = ?", [event_id])
    enrichment = rows(connection, "SELECT * FROM event_enrichments WHERE event_id = ?", [event_id])
    return {
        "summary": summary,
        "coverage": coverage,
        "enrichment": enrichment[0] if enrichment else None,
        "articles": rows(connection, sql("event_articles"), {"event_id": event_id}),
        "actors": rows(connection, sql("event_actor_rows"), {"event_id": event_id}),
        "places": rows(connection, sql("event_place_rows"), {"event_id": event_id}),
        "figures": rows(connection, sql("event_figure_rows"), {"event_id": event_id}),
    }


def export_parquet(connection: duckdb.DuckDBPyConnection, out_dir: str | Path) -> dict[str, int]:
    """Write every table to ``out_dir/<table>/`` as Parquet, partitioned by day where a table has one.

    Rows of article-level tables take their article's publication day, rows of event-level tables (an event's
    actors, places and figures too, though each names an article) their event's day (happened, else first
    reported), so that one day's partitions of ``events`` and its facts join; undated rows go to ``day=unknown``.
    ``runs`` and ``rejects`` take their own time; ``term_stats`` and ``feeds`` are one unpartitioned file each. A
    table without rows is one empty file with the table's schema. Returns table -> rows written.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise StoreError(f"--parquet must be a directory: {out_dir}")
    from schemas.generate import primary_key  # the models (pydantic): only for export, so `events` starts fast
    from schemas.models import TABLES

    out_dir.mkdir(parents=True, exist_ok=True)
    connection.execute(sql("export_article_days"))
    connection.execute(sql("export_event_days"))
    counts = {}
    for table in TABLES:
        columns = set(TABLES[table].model_fields)
        target = out_dir / table
        if table in EXPORT_DAY_SOURCES:
            query = f"SELECT *, CAST(timezone('UTC', {EXPORT_DAY_SOURCES[table]}) AS DATE) AS {DAY_COLUMN} FROM {table}"
        elif "event_id" in columns and primary_key(table) != "article_id":  # an event's facts: its day
            query = f"SELECT t.*, d.{DAY_COLUMN} FROM {table} t JOIN export_event_days d USING (event_id)"
        elif "article_id" in columns:
            query = f"SELECT t.*, d.{DAY_COLUMN} FROM {table} t JOIN export_article_days d USING (article_id)"
        else:
            target.mkdir(exist_ok=True)
            for stale in target.glob("*.parquet"):
                stale.unlink()
            connection.execute(f"COPY {table} TO {sql_string(target / f'{table}.parquet')} (FORMAT parquet)")
            counts[table] = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            continue
        counts[table] = connection.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
        if counts[table]:
            connection.execute(
                f"COPY ({query}) TO {sql_string(target)} (FORMAT parquet, PARTITION_BY ({DAY_COLUMN}), OVERWRITE)"
            )
        else:  # no partition to write: one empty file still carries the table's schema
            if target.exists():
                shutil.rmtree(target)
            target.mkdir()
            connection.execute(f"COPY ({query}) TO {sql_string(target / f'{table}.parquet')} (FORMAT parquet)")
    return counts


def report_data(
    connection: duckdb.DuckDBPyConnection, roles: tuple[str, ...], top_actors: int, top_storylines: int
) -> dict[str, Any]:
    """What the HTML report shows: every event, the storylines with the most events, the top actors (events per
    role), places, event types, the counts of articles and known outlets, and the junk bodies per outlet
    (articles whose body was no article)."""
    top = f"""
    SELECT actor_id, mode(name) AS name, count(*) AS events,
           {", ".join(f"count(*) FILTER (WHERE role = '{role}') AS {role}" for role in roles)}
    FROM event_actors GROUP BY actor_id ORDER BY events DESC, actor_id LIMIT {int(top_actors)}
    """
    articles, outlets = connection.execute("SELECT count(*), count(DISTINCT source) FROM articles").fetchone()
    return {
        "events": rows(connection, "SELECT * FROM event_summary"),
        "storylines": rows(connection, sql("report_storylines"), {"limit": top_storylines}),
        "actors": rows(connection, top),
        "places": rows(connection, sql("report_places")),
        "types": rows(connection, sql("report_event_types")),
        "articles": articles,
        "outlets": outlets,
        "junk": rows(connection, sql("report_junk_bodies")),
    }


def run_summary(connection: duckdb.DuckDBPyConnection, run_id: str, events_shown: int) -> dict[str, Any]:
    """The end-of-run summary: stored articles and events, the latest events (first published day, articles,
    sources, title) and the run's reject reasons with their counts."""
    total_articles, total_events = connection.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM events)"
    ).fetchone()
    events = connection.execute(sql("summary_latest_events"), {"limit": events_shown}).fetchall()
    reasons = connection.execute(sql("summary_reject_reasons"), {"run_id": run_id}).fetchall()
    return {"articles": total_articles, "events": total_events, "latest": events, "reasons": reasons}


def user_query(connection: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[tuple]] | None:
    """``wirebeam query``: the columns and rows of the user's SQL; None for a statement without a result."""
    relation = connection.sql(query)
    if relation is None:
        return None
    return relation.columns, relation.fetchall()
