"""The ``wirebeam`` command: run the pipeline, query the database, regenerate the schemas.

wirebeam run [--seeds DIR] [--db PATH] [--offline] [any Beam pipeline option]
wirebeam query "SELECT ..." [--db PATH] [--format table|csv|json]
wirebeam schema [--check]
wirebeam feeds add|list|import|export ...
wirebeam events [show ID] | export --parquet DIR | report [--out FILE]

Only ``run`` (and ``feeds``) import Beam, so the other commands start fast.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import json
import logging
import os
import re
import sys
from pathlib import Path

import filelock

from pipeline import analyst
from pipeline.options import DEFAULT_DB, UsageError
from pipeline.report import plural
from pipeline.store.connection import (
    DatabaseError,
    DatabaseInUse,
    DatabaseLocked,
    StoreError,
    connect,
    open_database,
)
from pipeline.store.queries import run_summary, user_query
from schemas.models import Run

LOGGER = logging.getLogger(__name__)

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE, the status of a command that the closed pipe ended."""
EVENTS_SHOWN = 15
TABLE_CELL_CHARS = 60
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Shown as U+FFFD in tables: article text must not drive the terminal (escape sequences)."""
EXAMPLE_QUERY = "SELECT title, article_count, source_count, first_published_at FROM events ORDER BY 4"
RUN_DESCRIPTION = (
    "Run the pipeline once. Any Apache Beam pipeline option (--runner, --direct_num_workers, "
    "--direct_running_mode, ...) is passed through."
)


def print_summary(run: Run, db_path: Path, seconds: float) -> None:
    """The end-of-run report: counts, recent events and how to query them."""
    try:
        connection = connect(db_path, read_only=True)
    except DatabaseLocked as error:  # another process took the database right after this run's commit
        print(
            f"wirebeam run {run.run_id}: {run.status} in {seconds:.1f} s; {run.articles_new} new articles "
            f"(the database is busy, so no event table: {error})"
        )
        return
    with connection:
        summary = run_summary(connection, run.run_id, EVENTS_SHOWN)
    total_articles, total_events, events, reasons = (
        summary["articles"],
        summary["events"],
        summary["latest"],
        summary["reasons"],
    )
    print(f"wirebeam run {run.run_id}: {run.status} in {seconds:.1f} s ({run.mode})")
    rows = [
        ("articles read", run.articles_read),
        ("new articles", run.articles_new),
        *(
            [("upgraded", f"{plural(run.articles_upgraded, 'article')} (their pages fetched again)")]
            if run.articles_upgraded
            else []
        ),
        ("exact duplicates", run.exact_duplicates),
        ("near-duplicates", run.near_duplicates),
        ("rejected", run.rejected),
        ("events", f"{run.events_new} new, {run.events_updated} updated"),
        ("speed", f"{run.articles_read / max(seconds, 1e-9):.1f} articles/s"),
    ]
    from pipeline import feeds_cli

    rows += feeds_cli.summary_rows(run.feed_counts)
    for label, value in rows:
        print(f"  {label:<18}{value}")
    for reason, count in reasons:
        print(f"    rejected {count} x {reason} (new this run)")
    for line in feeds_cli.run_feed_lines(db_path, run):
        print(f"  feed {line}")
    print(f"\nDatabase: {db_path.resolve()}  ({plural(total_articles, 'article')}, {plural(total_events, 'event')})")
    if events:
        print("\n  first publ. articles  sources  event")
        for day, articles, sources, title in events:
            print(f"  {day:<10}  {articles:>8}  {sources:>7}  {title[:80]}")
    db_flag = "" if str(db_path) == DEFAULT_DB else f" --db {db_path}"
    command = sys.argv[0] if Path(sys.argv[0]).name == "wirebeam" else "wirebeam"
    print(f'\nTry:  {command} query{db_flag} "{EXAMPLE_QUERY}"')


def _query(args: argparse.Namespace) -> int:
    try:
        connection = open_database(args.db)
    except StoreError as error:  # a missing or busy database, in one line
        print(f"wirebeam: {error}", file=sys.stderr)
        return analyst.exit_code(error)
    with connection:
        result = user_query(connection, args.sql)
    if result is None:
        return 0
    columns, rows = result
    if args.format == "json":
        print(json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=str, indent=2))
    elif args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        print_table(columns, rows)
    return 0


def _cell(value: object) -> str:
    text = "NULL" if value is None else CONTROL_CHARS.sub("\ufffd", str(value))
    return text if len(text) <= TABLE_CELL_CHARS else text[: TABLE_CELL_CHARS - 1] + "…"


def print_table(columns: list[str], rows: list[tuple]) -> None:
    """Rows as an aligned text table: NULL shown as such, long values cut with an ellipsis."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(column)] + [len(row[index]) for row in cells]) for index, column in enumerate(columns)]
    print("  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True)))
    for row in cells:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _schema(args: argparse.Namespace) -> int:
    from schemas import generate

    if args.check:
        stale = generate.stale_files()
        for path in stale:
            print(f"out of date: {path} (run `wirebeam schema`)")
        return 1 if stale else 0
    for path in generate.write_files():
        print(f"wrote {path}")
    return 0


def _version() -> str:
    """The installed wirebeam's version."""
    try:
        return importlib.metadata.version("wirebeam")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def one_line(error: Exception) -> str:
    """An error's message on one line: DuckDB quotes the SQL under its message, with a caret line."""
    lines = (line.strip() for line in str(error).splitlines())
    return " ".join(line for line in lines if line and set(line) != {"^"}) or type(error).__name__


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line. Only ``command``'s own arguments are set up (all of them when it is None), so a
    command does not import what another one needs."""
    parser = argparse.ArgumentParser(prog="wirebeam", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="Log progress and Beam's messages.")
    parser.add_argument("--version", action="version", version=f"wirebeam {_version()}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    run = subparsers.add_parser("run", allow_abbrev=False, help="Run the pipeline once.", description=RUN_DESCRIPTION)
    if command == "run":
        from pipeline.options import WirebeamFlags

        WirebeamFlags._add_argparse_args(run)
    if command in (None, "feeds"):
        from pipeline import feeds_cli

        feeds_cli.add_parser(subparsers)
    else:
        subparsers.add_parser("feeds")
    analyst.add_parsers(subparsers)
    query = subparsers.add_parser("query", help="Run read-only SQL on the database and print the result.")
    query.add_argument("sql")
    query.add_argument("--db", default=DEFAULT_DB)
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    schema = subparsers.add_parser("schema", help="Regenerate JSON Schema and DuckDB DDL from the models.")
    schema.add_argument("--check", action="store_true", help="Only report files that are out of date.")
    return parser


def _command_of(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word that is no option), if any."""
    return next((word for word in argv if not word.startswith("-")), None)


def _dispatch(args: argparse.Namespace, argv: list[str]) -> int:
    if args.command == "query":
        return _query(args)
    if args.command == "schema":
        return _schema(args)
    if args.command in analyst.COMMANDS:
        return analyst.run_command(args)
    from pipeline import feeds_cli

    try:
        if args.command == "feeds":
            return feeds_cli.run_command(args)
        from pipeline.run import execute_run

        flags = argv[argv.index("run") + 1 :]
        return feeds_cli.run_repeatedly(
            lambda: execute_run(flags),
            lambda run, seconds: print_summary(run, Path(args.db), seconds),
            args.every,
            fatal=(UsageError,),
        )
    except feeds_cli.FeedsError as error:
        raise UsageError(str(error)) from None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``wirebeam`` command; returns the exit code."""
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        print("wirebeam: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: list[str]) -> int:
    parser = build_parser(_command_of(argv))
    args, beam_flags = parser.parse_known_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        force=True,
    )
    if args.command != "run" and beam_flags:
        parser.error(f"unrecognized arguments: {' '.join(beam_flags)}")
    try:
        return _dispatch(args, argv)
    except BrokenPipeError:  # the reader went away (`wirebeam query ... | head`): stop quietly, like `cat`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except UsageError as error:
        print(f"wirebeam: {error}", file=sys.stderr)
        return EXIT_USAGE
    except filelock.Timeout as error:
        print(
            f"wirebeam: another run is using this database (lock {error.lock_file}); "
            "try again later or pass --lock_timeout SECONDS",
            file=sys.stderr,
        )
        return EXIT_LOCKED
    except DatabaseInUse as error:
        print(f"wirebeam: {error}", file=sys.stderr)
        return EXIT_LOCKED
    except DatabaseError as error:
        print(f"wirebeam: {one_line(error)}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        print(f"wirebeam: {error}", file=sys.stderr)
        return EXIT_ERROR
