"""The analyst's commands: list and show events, export the tables as Parquet, write the HTML report.

wirebeam events [--db PATH] [--limit N] [--format table|json]     recent events, newest first
wirebeam events show ID [--db PATH] [--format text|json]          one event: articles, actors, places, figures
wirebeam export --parquet DIR [--db PATH]                         every table as Parquet, partitioned by day
wirebeam report [--out FILE] [--db PATH]                          self-contained HTML report (``pipeline.report``)

All of them read the database through a read-only connection, so they run while nothing else writes to it.
The views they read (``schemas/views.sql``) are documented in ``docs/views.md``.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from pipeline import report
from pipeline.options import DEFAULT_DB
from pipeline.sinks import connect
from schemas.models import TABLES

LOGGER = logging.getLogger(__name__)

COMMANDS = ("events", "export", "report")
EXIT_USAGE = 2
EVENTS_LISTED = 20
TITLE_CHARS = 70
EVIDENCE_CHARS = 110

DAY_COLUMN = "day"
"""Partition column of the exported files: ``<table>/day=YYYY-MM-DD/*.parquet``."""

_EXPORT_DAYS = """
CREATE OR REPLACE TEMP TABLE export_article_days AS
SELECT article_id, coalesce(CAST(CAST(timezone('UTC', published_at) AS DATE) AS VARCHAR), 'unknown') AS day
FROM articles;
CREATE OR REPLACE TEMP TABLE export_event_days AS
SELECT e.event_id,
       coalesce(CAST(CAST(timezone('UTC', coalesce(x.event_date, e.first_published_at)) AS DATE) AS VARCHAR),
                'unknown') AS day
FROM events e LEFT JOIN event_enrichments x USING (event_id);
"""

EXPORT_DAY_SOURCES = {"runs": "started_at", "rejects": "rejected_at"}
"""Tables partitioned by a time column of their own; others by their event's or article's day, or not at all."""


class AnalystError(Exception):
    """A problem the user can fix: no database, an unknown event ID, a bad output path."""


class DatabaseUnreadable(AnalystError):
    """The database file is missing, or not a file wirebeam can open (a file-system error: exit 1)."""


class DatabaseBusy(AnalystError):
    """Another process (a run's load) holds the database for longer than a reader waits."""


READ_WAIT_SECONDS = 10.0
"""How long a read command waits for a run's load to release the database."""
EXIT_BUSY = 75
EXIT_UNREADABLE = 1


def open_database(db_path: str | Path, wait: float = READ_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """A read-only connection to an existing database; waits up to ``wait`` seconds while a load holds it."""
    if Path(db_path).is_dir():
        raise DatabaseUnreadable(f"--db {db_path} is a directory; give the database file")
    if not Path(db_path).is_file():
        raise DatabaseUnreadable(f"database not found: {db_path} (run `wirebeam run` first)")
    deadline = time.monotonic() + wait
    while True:
        try:
            return connect(db_path, read_only=True)
        except duckdb.IOException as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            if "lock" not in message.lower():
                raise DatabaseUnreadable(f"cannot open {db_path}: {message}") from None
            if time.monotonic() >= deadline:
                raise DatabaseBusy(
                    f"{db_path} is busy: another process (a run loading its results?) has held it for {wait:.0f} s; "
                    "try again when it has finished"
                ) from None
            time.sleep(0.2)


def exit_code(error: AnalystError) -> int:
    """75 for a busy database (as for a locked run), 1 for a missing or unreadable one, 2 for anything else the
    user can fix."""
    if isinstance(error, DatabaseBusy):
        return EXIT_BUSY
    return EXIT_UNREADABLE if isinstance(error, DatabaseUnreadable) else EXIT_USAGE


def _rows(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None) -> list[dict[str, Any]]:
    try:
        cursor = connection.execute(sql, parameters or [])
    except duckdb.CatalogException as error:
        raise AnalystError(f"{error} - was the database made by an older wirebeam? Run `wirebeam run` once.") from error
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def recent_events(connection: duckdb.DuckDBPyConnection, limit: int = EVENTS_LISTED) -> list[dict[str, Any]]:
    """The latest events (by the day they happened, else first reported), newest first."""
    if limit < 1:
        raise AnalystError(f"--limit must be at least 1, got {limit}")
    return _rows(
        connection,
        "SELECT event_id, coalesce(event_day, CAST(timezone('UTC', first_reported_at) AS DATE)) AS day, event_type, "
        "primary_location, article_count, source_count, title, storyline_id, storyline_title, storyline_events "
        "FROM event_summary "
        "ORDER BY day DESC NULLS LAST, first_seen_at DESC, event_id LIMIT ?",
        [limit],
    )


def resolve_event_id(connection: duckdb.DuckDBPyConnection, given: str) -> str:
    """The event ID ``given`` names: the full ID, or a unique prefix of it (with or without ``ev_``)."""
    prefixes = [given] if given.startswith("ev_") else [given, f"ev_{given}"]
    found = sorted(
        {
            row["event_id"]
            for prefix in prefixes
            for row in _rows(connection, "SELECT event_id FROM events WHERE starts_with(event_id, ?)", [prefix])
        }
    )
    if given in found:
        return given
    if not found:
        raise AnalystError(f"no event with ID {given!r} (see `wirebeam events`)")
    if len(found) > 1:
        raise AnalystError(f"{given!r} matches {len(found)} events: {', '.join(found[:5])}")
    return found[0]


def event_details(connection: duckdb.DuckDBPyConnection, event_id: str) -> dict[str, Any]:
    """Everything stored about one event: summary, coverage, articles, actors, places and figures."""
    (summary,) = _rows(connection, "SELECT * FROM event_summary WHERE event_id = ?", [event_id])
    (coverage,) = _rows(connection, "SELECT * FROM event_coverage WHERE event_id = ?", [event_id])
    enrichment = _rows(connection, "SELECT * FROM event_enrichments WHERE event_id = ?", [event_id])
    return {
        "summary": summary,
        "coverage": coverage,
        "enrichment": enrichment[0] if enrichment else None,
        "articles": _rows(
            connection,
            "SELECT article_id, published_at, source, title, url, source_ref, duplicate_of, near_duplicate_of "
            "FROM articles WHERE event_id = ? ORDER BY published_at NULLS LAST, article_id",
            [event_id],
        ),
        "actors": _rows(
            connection,
            "SELECT actor_id, name, kind, country_iso3, role, mentions, article_id, evidence FROM event_actors "
            "WHERE event_id = ? ORDER BY role = 'mentioned', mentions DESC, actor_id",
            [event_id],
        ),
        "places": _rows(
            connection,
            "SELECT location_id, name, kind, country_code, latitude, longitude, is_primary, score, mentions, "
            "article_id FROM event_locations WHERE event_id = ? ORDER BY is_primary DESC, score DESC, location_id",
            [event_id],
        ),
        "figures": _rows(
            connection,
            "SELECT value, quantity, counts, qualifier, article_id, sentence FROM event_figures "
            "WHERE event_id = ? ORDER BY article_id, value DESC",
            [event_id],
        ),
    }


def _sql_string(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_parquet(connection: duckdb.DuckDBPyConnection, out_dir: str | Path) -> dict[str, int]:
    """Write every table to ``out_dir/<table>/`` as Parquet, partitioned by day where a table has one.

    Rows of article-level tables take their article's publication day, rows of event-level tables their event's
    day (happened, else first reported); undated rows go to ``day=unknown``. ``runs`` and ``rejects`` take their
    own time; ``term_stats`` and ``feeds`` are one unpartitioned file each. A table without rows is one empty
    file with the table's schema. Returns table -> rows written.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise AnalystError(f"--parquet must be a directory: {out_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    connection.execute(_EXPORT_DAYS)
    counts = {}
    for table in TABLES:
        columns = set(TABLES[table].model_fields)
        target = out_dir / table
        if table in EXPORT_DAY_SOURCES:
            query = f"SELECT *, CAST(timezone('UTC', {EXPORT_DAY_SOURCES[table]}) AS DATE) AS {DAY_COLUMN} FROM {table}"
        elif "article_id" in columns:
            query = f"SELECT t.*, d.{DAY_COLUMN} FROM {table} t JOIN export_article_days d USING (article_id)"
        elif "event_id" in columns:
            query = f"SELECT t.*, d.{DAY_COLUMN} FROM {table} t JOIN export_event_days d USING (event_id)"
        else:
            target.mkdir(exist_ok=True)
            for stale in target.glob("*.parquet"):
                stale.unlink()
            connection.execute(f"COPY {table} TO {_sql_string(target / f'{table}.parquet')} (FORMAT parquet)")
            counts[table] = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            continue
        counts[table] = connection.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
        if counts[table]:
            connection.execute(
                f"COPY ({query}) TO {_sql_string(target)} (FORMAT parquet, PARTITION_BY ({DAY_COLUMN}), OVERWRITE)"
            )
        else:  # no partition to write: one empty file still carries the table's schema
            if target.exists():
                shutil.rmtree(target)
            target.mkdir()
            connection.execute(f"COPY ({query}) TO {_sql_string(target / f'{table}.parquet')} (FORMAT parquet)")
    return counts


def _table(rows: list[dict[str, Any]], columns: list[str], widths: dict[str, int] | None = None) -> str:
    widths = widths or {}

    def cell(value: Any, column: str) -> str:
        text = "-" if value is None else str(value)
        limit = widths.get(column, 40)
        return text if len(text) <= limit else text[: limit - 1] + "…"

    cells = [[cell(row[c], c) for c in columns] for row in rows]
    sizes = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(s) for c, s in zip(columns, sizes, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(s) for v, s in zip(r, sizes, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def format_event(details: dict[str, Any]) -> str:
    """``wirebeam events show`` as text."""
    summary, coverage, enrichment = details["summary"], details["coverage"], details["enrichment"]
    day = summary["event_day"] or "unknown"
    if summary["event_date_source"]:
        day = f"{day} ({summary['event_date_source']})"
    lines = [
        f"{summary['event_id']}  {summary['title']}",
        f"  type        {summary['event_type'] or '-'}",
        f"  happened    {day}",
        f"  where       {summary['primary_location'] or '-'} ({summary['primary_country_code'] or '-'})",
        f"  parties     {', '.join(summary['parties']) or '-'}",
        f"  mediators   {', '.join(summary['mediators']) or '-'}",
        f"  reported    {coverage['first_reported_at'] or '-'} .. {coverage['last_reported_at'] or '-'}",
        f"  outlets     {', '.join(coverage['sources']) or '-'}"
        + (f" (+{coverage['unknown_source_articles']} unknown)" if coverage["unknown_source_articles"] else ""),
        f"  keywords    {', '.join(summary['keywords']) or '-'}",
        f"  storyline   {summary['storyline_id'] or '-'}  {summary['storyline_title'] or ''}"
        + (f" ({report.plural(summary['storyline_events'], 'event')})" if summary["storyline_events"] else ""),
    ]
    if enrichment and enrichment["event_type_evidence"]:
        lines.append(f"  evidence    {enrichment['event_type_evidence'][:EVIDENCE_CHARS]}")
    sections = [
        ("Articles", details["articles"], ["article_id", "published_at", "source", "title"], {"title": TITLE_CHARS}),
        ("Actors", details["actors"], ["name", "kind", "country_iso3", "role", "mentions", "evidence"], {}),
        ("Places", details["places"], ["name", "kind", "country_code", "latitude", "longitude", "is_primary"], {}),
        ("Figures", details["figures"], ["quantity", "counts", "qualifier", "article_id", "sentence"], {}),
    ]
    for heading, rows, columns, widths in sections:
        lines += ["", f"{heading} ({len(rows)})"]
        if rows:
            lines += [
                "  " + line for line in _table(rows, columns, {"evidence": 60, "sentence": 60, **widths}).split("\n")
            ]
    return "\n".join(lines)


def add_parsers(subparsers) -> None:
    """Register ``wirebeam events``, ``export`` and ``report``."""
    events = subparsers.add_parser("events", help="List recent events, or show one (`events show ID`).")
    events.add_argument("--db", default=DEFAULT_DB)
    events.add_argument("--limit", type=int, default=EVENTS_LISTED, help="Events listed (default: %(default)s).")
    events.add_argument("--format", choices=("table", "json"), default="table")
    show_commands = events.add_subparsers(dest="events_command")
    show = show_commands.add_parser("show", help="One event with its articles, actors, places and figures.")
    show.add_argument("event_id", help="Event ID or a unique prefix of it.")
    show.add_argument("--db", default=argparse.SUPPRESS)
    show.add_argument("--format", choices=("text", "json"), default="text")
    export = subparsers.add_parser("export", help="Write every table as Parquet files, partitioned by day.")
    export.add_argument("--parquet", required=True, type=Path, metavar="DIR", help="Output directory.")
    export.add_argument("--db", default=DEFAULT_DB)
    report_parser = subparsers.add_parser("report", help="Write a self-contained HTML report of the events.")
    report_parser.add_argument("--out", type=Path, default=Path(report.DEFAULT_REPORT), help="default: %(default)s")
    report_parser.add_argument("--db", default=DEFAULT_DB)


def run_command(args: argparse.Namespace) -> int:
    """Run ``events``, ``export`` or ``report``; returns the exit code."""
    try:
        with open_database(args.db) as connection:
            if args.command == "export":
                counts = export_parquet(connection, args.parquet)
                print(f"wrote {sum(counts.values())} rows of {len(counts)} tables to {args.parquet}/<table>/")
            elif args.command == "report":
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(report.build_report(connection), encoding="utf-8")
                print(f"wrote {args.out}")
            elif args.events_command == "show":
                details = event_details(connection, resolve_event_id(connection, args.event_id))
                print(json.dumps(details, default=str, indent=2) if args.format == "json" else format_event(details))
            else:
                rows = recent_events(connection, args.limit)
                print(json.dumps(rows, default=str, indent=2) if args.format == "json" else _list_text(rows))
    except AnalystError as error:
        print(f"wirebeam: {error}", file=sys.stderr)
        return exit_code(error)
    return 0


def _list_text(rows: list[dict[str, Any]]) -> str:
    for row in rows:
        row["storyline"] = f"{row['storyline_id']} ({row['storyline_events']})" if row["storyline_id"] else None
    columns = ["event_id", "day", "event_type", "primary_location", "article_count", "source_count", "storyline"]
    return _table(rows, [*columns, "title"], {"title": TITLE_CHARS}) + f"\n({report.plural(len(rows), 'event')})"
