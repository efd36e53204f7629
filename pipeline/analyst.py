"""The analyst's commands: list and show events, export the tables as Parquet, write the HTML report.

wirebeam events [--db PATH] [--limit N] [--format table|json]     recent events, newest first
wirebeam events show ID [--db PATH] [--format text|json]          one event: articles, actors, places, figures
wirebeam export --parquet DIR [--db PATH]                         every table as Parquet, partitioned by day
wirebeam report [--out FILE] [--db PATH]                          self-contained HTML report (``pipeline.report``)

All of them read the database through a read-only connection (``pipeline.store``), so they run while nothing else
writes to it; this module parses and prints, and imports the store only when a command runs (``--help`` loads no
DuckDB). The views they read (``schemas/views.sql``) are documented in ``docs/views.md``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.options import DB_HELP, DEFAULT_DB

if TYPE_CHECKING:
    from pipeline.store.connection import StoreError

LOGGER = logging.getLogger(__name__)

COMMANDS = ("events", "export", "report")
EXIT_USAGE = 2
DEFAULT_REPORT = "wirebeam-report.html"
EVENTS_LISTED = 20
TITLE_CHARS = 70
EVIDENCE_CHARS = 110

EXIT_BUSY = 75
EXIT_UNREADABLE = 1


def exit_code(error: StoreError) -> int:
    """75 for a busy database or one open elsewhere (as for a locked run), 1 for a missing or unreadable one, 2 for
    anything else the user can fix."""
    from pipeline.store.connection import DatabaseBusy, DatabaseInUse, DatabaseUnreadable

    if isinstance(error, DatabaseBusy | DatabaseInUse):
        return EXIT_BUSY
    return EXIT_UNREADABLE if isinstance(error, DatabaseUnreadable) else EXIT_USAGE


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
    from pipeline.report import plural

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
        + (f" ({plural(summary['storyline_events'], 'event')})" if summary["storyline_events"] else ""),
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
    events.add_argument("--db", default=DEFAULT_DB, help=DB_HELP)
    events.add_argument("--limit", type=int, default=EVENTS_LISTED, help="Events listed (default: %(default)s).")
    events.add_argument("--format", choices=("table", "json"), default="table", help="default: %(default)s")
    show_commands = events.add_subparsers(dest="events_command")
    show = show_commands.add_parser("show", help="One event with its articles, actors, places and figures.")
    show.add_argument("event_id", help="Event ID or a unique prefix of it.")
    show.add_argument("--db", default=argparse.SUPPRESS, help=DB_HELP)
    show.add_argument("--format", choices=("text", "json"), default="text", help="default: %(default)s")
    export = subparsers.add_parser("export", help="Write every table as Parquet files, partitioned by day.")
    export.add_argument("--parquet", required=True, type=Path, metavar="DIR", help="Output directory.")
    export.add_argument("--db", default=DEFAULT_DB, help=DB_HELP)
    report_parser = subparsers.add_parser("report", help="Write a self-contained HTML report of the events.")
    report_parser.add_argument("--out", type=Path, default=Path(DEFAULT_REPORT), help="default: %(default)s")
    report_parser.add_argument("--db", default=DEFAULT_DB, help=DB_HELP)


def run_command(args: argparse.Namespace) -> int:
    """Run ``events``, ``export`` or ``report``; returns the exit code."""
    from pipeline.report import build_report
    from pipeline.store.connection import StoreError, open_database
    from pipeline.store.queries import event_details, export_parquet, recent_events, resolve_event_id

    try:
        with open_database(args.db) as connection:
            if args.command == "export":
                counts = export_parquet(connection, args.parquet)
                print(f"wrote {sum(counts.values())} rows of {len(counts)} tables to {args.parquet}/<table>/")
            elif args.command == "report":
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(build_report(connection), encoding="utf-8")
                print(f"wrote {args.out}")
            elif args.events_command == "show":
                details = event_details(connection, resolve_event_id(connection, args.event_id))
                print(json.dumps(details, default=str, indent=2) if args.format == "json" else format_event(details))
            else:
                rows = recent_events(connection, args.limit)
                print(json.dumps(rows, default=str, indent=2) if args.format == "json" else _list_text(rows))
    except StoreError as error:
        print(f"wirebeam: {error}", file=sys.stderr)
        return exit_code(error)
    return 0


def _list_text(rows: list[dict[str, Any]]) -> str:
    from pipeline.report import plural

    for row in rows:
        row["storyline"] = f"{row['storyline_id']} ({row['storyline_events']})" if row["storyline_id"] else None
    columns = ["event_id", "day", "event_type", "primary_location", "article_count", "source_count", "storyline"]
    return _table(rows, [*columns, "title"], {"title": TITLE_CHARS}) + f"\n({plural(len(rows), 'event')})"
