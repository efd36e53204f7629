"""The ``wirebeam`` command: run the pipeline, query the database, regenerate the schemas.

wirebeam run [--seeds DIR] [--db PATH] [--offline] [any Beam pipeline option]
wirebeam query "SELECT ..." [--db PATH] [--format table|csv|json]
wirebeam schema [--check]
wirebeam feeds add|list|import|export ...
wirebeam events [show ID] | export --parquet DIR | report [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import apache_beam as beam
import duckdb
import filelock
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner

from pipeline import analyst, feeds_cli
from pipeline.dedup.embeddings import EmbeddingsUnavailable, require_embeddings
from pipeline.dedup.minhash import MinHashConfig
from pipeline.dedup.refresh import refresh_stale_features
from pipeline.dedup.stored import export_term_stats
from pipeline.graph import RunPlan, build_pipeline
from pipeline.options import DEFAULT_DB, WirebeamOptions, event_thresholds
from pipeline.sinks import connect, insert_run, load_run
from schemas import generate
from schemas.models import Run

LOGGER = logging.getLogger(__name__)

LOCAL_RUNNERS = {"DirectRunner", "FnApiRunner", "BundleBasedDirectRunner"}
STAGING_DIRNAME = ".wirebeam-staging"
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75
EVENTS_SHOWN = 15
TABLE_CELL_CHARS = 60
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Shown as U+FFFD in tables: article text must not drive the terminal (escape sequences)."""
EXAMPLE_QUERY = "SELECT title, article_count, source_count, first_published_at FROM events ORDER BY 4"


class UsageError(Exception):
    """A problem with the command line that the user can fix."""


def new_run_id(now: datetime) -> str:
    """A time-ordered, unique run ID."""
    return f"{now:%Y%m%dT%H%M%S}.{now.microsecond // 1000:03d}Z-{secrets.token_hex(3)}"


def choose_runner(options: PipelineOptions, offline: bool):
    """The runner to use: Beam's in-process FnApiRunner for local runs, so nothing is downloaded at run time.

    Since Beam 2.68 the default DirectRunner first tries Prism, which fetches a binary from the internet.
    """
    name = options.view_as(StandardOptions).runner
    if name is None or name in LOCAL_RUNNERS - {"BundleBasedDirectRunner"}:
        return FnApiRunner()
    if offline and name not in LOCAL_RUNNERS:
        raise UsageError(f"--offline runs locally; --runner={name} is not a local runner")
    return name


def _run_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "run",
        allow_abbrev=False,
        help="Run the pipeline once.",
        description="Run the pipeline once. Any Apache Beam pipeline option (--runner, --direct_num_workers, "
        "--direct_running_mode, ...) is passed through.",
    )
    WirebeamOptions._add_argparse_args(parser)


def staging_root(staging_dir: str | None, db_path: Path) -> Path:
    """Where the runs of one database stage their shards: a folder of its own, so that runs on two
    databases never touch each other's staging."""
    digest = hashlib.sha256(str(db_path.resolve()).encode()).hexdigest()[:12]
    return (Path(staging_dir) if staging_dir else db_path.parent / STAGING_DIRNAME) / f"{db_path.name}-{digest}"


def _prepare_staging(options: WirebeamOptions, db_path: Path, run_id: str) -> Path:
    """The run's staging folder, after clearing what interrupted runs of this database left (the caller
    holds the database's lock, so no run of it is in progress)."""
    root = staging_root(options.staging_dir, db_path)
    for stale in root.glob("*") if root.exists() else []:
        LOGGER.info("removing staging left by an interrupted run: %s", stale)
        shutil.rmtree(stale, ignore_errors=True)
    return root / run_id


def _warn_if_embedding_mode_changed(db_path: Path, embeddings: bool) -> None:
    """Stored event features carry embeddings only when their runs used ``--embeddings``; a run in the other
    mode compares new articles with stored events without the embedding part, against its own thresholds."""
    if not db_path.exists():
        return
    try:
        with connect(db_path, read_only=True) as connection:
            row = connection.execute(
                "SELECT options FROM runs WHERE status = 'completed' ORDER BY started_at DESC LIMIT 1"
            ).fetchone()
    except duckdb.Error:  # not a wirebeam database yet: the run reports that itself
        return
    if row and bool(json.loads(row[0]).get("embeddings")) != embeddings:
        LOGGER.warning(
            "this database's last run was %s --embeddings and this one is %s: stored events and new articles "
            "are compared without embeddings; keep one mode per database",
            "with" if not embeddings else "without",
            "with" if embeddings else "without",
        )


def _check_writable(db_path: Path) -> None:
    """Fail early, and clearly, when the database cannot be written where it is asked for."""
    if db_path.is_dir():
        raise UsageError(f"--db {db_path} is a directory; give a file path")
    try:
        with tempfile.TemporaryFile(dir=db_path.parent):
            pass
    except OSError as error:
        raise UsageError(f"cannot write the database in {db_path.parent}: {error.strerror}") from error


def unknown_flags(flags: list[str]) -> list[str]:
    """The flags that neither wirebeam nor any Beam pipeline option knows (Beam itself only warns)."""
    parser = argparse.ArgumentParser(allow_abbrev=False, add_help=False, conflict_handler="resolve")
    for options_class in {str(cls): cls for cls in PipelineOptions.__subclasses__()}.values():
        options_class._add_argparse_args(parser)
    _, unknown = parser.parse_known_args(flags)
    return [flag for flag in unknown if flag.startswith("-")]


def execute_run(flags: list[str]) -> Run:
    """One run: build and run the pipeline, then load its shards; returns the recorded run."""
    if unknown := unknown_flags(flags):
        raise UsageError(f"unrecognized arguments: {' '.join(unknown)} (see `wirebeam run --help`)")
    options = PipelineOptions(flags)
    ours = options.view_as(WirebeamOptions)
    seeds_dir = Path(ours.seeds)
    if not seeds_dir.is_dir() and not feeds_cli.feeds_only(ours):
        raise UsageError(f"seeds directory not found: {seeds_dir}")
    try:
        thresholds = event_thresholds(ours)
        if ours.embeddings:
            require_embeddings()
    except (ValueError, EmbeddingsUnavailable) as error:
        raise UsageError(str(error)) from None
    runner = choose_runner(options, ours.offline)
    db_path = Path(ours.db)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    _check_writable(db_path)
    started_at = datetime.now(timezone.utc)
    run = Run(
        run_id=new_run_id(started_at),
        started_at=started_at,
        mode="offline" if ours.offline else "online",
        status="completed",
        options={key: value for key, value in options.get_all_options(drop_default=True).items()},
    )
    lock = filelock.FileLock(f"{db_path}.lock", timeout=ours.lock_timeout)
    with lock:
        staging_dir = _prepare_staging(ours, db_path, run.run_id)
        _warn_if_embedding_mode_changed(db_path, ours.embeddings)
        try:
            refresh_stale_features(db_path)
            term_stats_path = staging_dir / "prior" / "term_stats.parquet"
            prior_docs = export_term_stats(db_path, term_stats_path)
            plan = RunPlan(
                term_stats_path=str(term_stats_path) if prior_docs else None,
                prior_docs=prior_docs,
                run_id=run.run_id,
                started_at=started_at,
                seeds_dir=str(seeds_dir),
                staging_dir=str(staging_dir),
                minhash=MinHashConfig(threshold=ours.near_duplicate_threshold),
                event_thresholds=thresholds,
                embeddings=ours.embeddings,
                live=None if ours.offline else feeds_cli.plan_live_feeds(options, db_path, not isinstance(runner, str)),
            )
            with beam.Pipeline(runner=runner, options=options) as pipeline:
                build_pipeline(pipeline, plan)
            run = load_run(
                db_path,
                staging_dir,
                run.model_copy(update={"finished_at": _now()}),
                plan.minhash,
                thresholds,
            )
        except Exception as error:
            _record_failure(db_path, run, error)
            raise
        shutil.rmtree(staging_dir, ignore_errors=True)
    return run


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _record_failure(db_path: Path, run: Run, error: Exception) -> None:
    failed = run.model_copy(update={"status": "failed", "finished_at": _now(), "error": repr(error)[:2000]})
    try:
        with connect(db_path) as connection:
            insert_run(connection, failed)
    except Exception:  # the database itself may be the problem; the original error is what matters
        LOGGER.exception("could not record the failed run")


def print_summary(run: Run, db_path: Path, seconds: float) -> None:
    """The end-of-run report: counts, recent events and how to query them."""
    try:
        connection = connect(db_path, read_only=True)
    except duckdb.IOException as error:  # another process took the database right after this run's commit
        print(
            f"wirebeam run {run.run_id}: {run.status} in {seconds:.1f} s; {run.articles_new} new articles "
            f"(the database is busy, so no event table: {error})"
        )
        return
    with connection:
        total_articles, total_events = connection.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM events)"
        ).fetchone()
        events = connection.execute(
            "SELECT coalesce(strftime(first_published_at, '%Y-%m-%d'), '-'), article_count, source_count, title "
            f"FROM events ORDER BY first_published_at DESC NULLS LAST, event_id LIMIT {EVENTS_SHOWN}"
        ).fetchall()
        reasons = connection.execute(
            "SELECT stage || '/' || reason, count(*) FROM rejects WHERE run_id = ? GROUP BY 1 ORDER BY 2 DESC",
            [run.run_id],
        ).fetchall()
    print(f"wirebeam run {run.run_id}: {run.status} in {seconds:.1f} s ({run.mode})")
    rows = [
        ("articles read", run.articles_read),
        ("new articles", run.articles_new),
        ("exact duplicates", run.exact_duplicates),
        ("near-duplicates", run.near_duplicates),
        ("rejected", run.rejected),
        ("events", f"{run.events_new} new, {run.events_updated} updated"),
    ]
    rows += feeds_cli.summary_rows(run.feed_counts)
    for label, value in rows:
        print(f"  {label:<18}{value}")
    for reason, count in reasons:
        print(f"    rejected {count} x {reason} (new this run)")
    for line in feeds_cli.run_feed_lines(db_path, run):
        print(f"  feed {line}")
    print(f"\nDatabase: {db_path.resolve()}  ({total_articles} articles, {total_events} events)")
    if events:
        print("\n  first publ. articles  sources  event")
        for day, articles, sources, title in events:
            print(f"  {day:<10}  {articles:>8}  {sources:>7}  {title[:80]}")
    db_flag = "" if str(db_path) == DEFAULT_DB else f" --db {db_path}"
    command = sys.argv[0] if Path(sys.argv[0]).name == "wirebeam" else "wirebeam"
    print(f'\nTry:  {command} query{db_flag} "{EXAMPLE_QUERY}"')


def _query(args: argparse.Namespace) -> int:
    try:
        connection = analyst.open_database(args.db)
    except analyst.AnalystError as error:  # a missing or busy database, in one line
        print(f"wirebeam: {error}", file=sys.stderr)
        return analyst.EXIT_BUSY if isinstance(error, analyst.DatabaseBusy) else EXIT_ERROR
    with connection:
        relation = connection.sql(args.sql)
        if relation is None:
            return 0
        columns = relation.columns
        rows = relation.fetchall()
    try:
        if args.format == "json":
            print(json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=str, indent=2))
        elif args.format == "csv":
            writer = csv.writer(sys.stdout)
            writer.writerow(columns)
            writer.writerows(rows)
        else:
            print_table(columns, rows)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head` stopped reading: that is fine, and nothing more is said
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
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
    if args.check:
        stale = generate.stale_files()
        for path in stale:
            print(f"out of date: {path} (run `wirebeam schema`)")
        return 1 if stale else 0
    for path in generate.write_files():
        print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command line: ``run``, ``query`` and ``schema``."""
    parser = argparse.ArgumentParser(prog="wirebeam", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="Log progress and Beam's messages.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    _run_parser(subparsers)
    feeds_cli.add_parser(subparsers)
    analyst.add_parsers(subparsers)
    query = subparsers.add_parser("query", help="Run read-only SQL on the database and print the result.")
    query.add_argument("sql")
    query.add_argument("--db", default=DEFAULT_DB)
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    schema = subparsers.add_parser("schema", help="Regenerate JSON Schema and DuckDB DDL from the models.")
    schema.add_argument("--check", action="store_true", help="Only report files that are out of date.")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``wirebeam`` command; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, beam_flags = parser.parse_known_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        force=True,
    )
    if args.command != "run" and beam_flags:
        parser.error(f"unrecognized arguments: {' '.join(beam_flags)}")
    try:
        if args.command == "query":
            return _query(args)
        if args.command == "schema":
            return _schema(args)
        if args.command in analyst.COMMANDS:
            return analyst.run_command(args)
        if args.command == "feeds":
            return feeds_cli.run_command(args)
        flags = argv[argv.index("run") + 1 :]
        return feeds_cli.run_repeatedly(
            lambda: execute_run(flags),
            lambda run, seconds: print_summary(run, Path(args.db), seconds),
            args.every,
            fatal=(UsageError,),
        )
    except (UsageError, feeds_cli.FeedsError) as error:
        print(f"wirebeam: {error}", file=sys.stderr)
        return EXIT_USAGE
    except filelock.Timeout as error:
        print(
            f"wirebeam: another run is using this database (lock {error.lock_file}); "
            "try again later or pass --lock_timeout SECONDS",
            file=sys.stderr,
        )
        return EXIT_LOCKED
    except duckdb.Error as error:
        print(f"wirebeam: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        print(f"wirebeam: {error}", file=sys.stderr)
        return EXIT_ERROR
