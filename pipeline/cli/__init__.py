"""The ``wirebeam`` command: run the pipeline, query the database, regenerate the schemas.

wirebeam run [--seeds DIR] [--db PATH] [--offline] [any Beam pipeline option]
wirebeam query "SELECT ..." [--db PATH] [--format table|csv|json]
wirebeam schema [--check]
wirebeam feeds add|list|import|export ...
wirebeam events [show ID] | export --parquet DIR | report [--out FILE]
wirebeam grouping fit --labels FILE.jsonl [--out FILE] [--embeddings]

Only ``run`` (and ``feeds``) import Beam, so the other commands start fast: each command imports what it needs
when it runs (``tests/test_cli_start.py`` checks that ``query``, ``events``, ``schema`` and ``--help`` import
neither Beam nor pyarrow).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from pipeline import analyst
from pipeline.options import DB_HELP, DEFAULT_DB, UsageError

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE, the status of a command that the closed pipe ended."""
RUN_DESCRIPTION = (
    "Run the pipeline once. Any Apache Beam pipeline option (--runner, --direct_num_workers, "
    "--direct_running_mode, ...) is passed through."
)


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
    import importlib.metadata  # slow to import: only for --version

    try:
        return importlib.metadata.version("wirebeam")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def one_line(error: Exception) -> str:
    """An error's message on one line: DuckDB quotes the SQL under its message, with a caret line."""
    lines = (line.strip() for line in str(error).splitlines())
    return " ".join(line for line in lines if line and set(line) != {"^"}) or type(error).__name__


class _PrintVersion(argparse.Action):
    """``--version``, looked up only when asked for."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"wirebeam {_version()}")
        parser.exit()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line. Only ``command``'s own arguments are set up (all of them when it is None), so a
    command does not import what another one needs."""
    parser = argparse.ArgumentParser(prog="wirebeam", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="Log progress and Beam's messages.")
    parser.add_argument("--version", action=_PrintVersion, nargs=0, help="Show the version and exit.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    run = subparsers.add_parser("run", allow_abbrev=False, help="Run the pipeline once.", description=RUN_DESCRIPTION)
    if command == "run":
        from pipeline.options import WirebeamFlags

        WirebeamFlags._add_argparse_args(run)
    feeds_parser = subparsers.add_parser("feeds", help="Manage the feed list (OPML) and see each feed's health.")
    if command == "feeds":
        from pipeline.cli import feeds

        feeds.add_arguments(feeds_parser)
    analyst.add_parsers(subparsers)
    query = subparsers.add_parser("query", help="Run read-only SQL on the database and print the result.")
    query.add_argument("sql", help="SQL statements, separated by ';' (tables: articles, events, rejects, runs, ...).")
    query.add_argument("--db", default=DEFAULT_DB, help=DB_HELP)
    query.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="Output format (default: %(default)s)."
    )
    query.add_argument(
        "--allow_file_access",
        action="store_true",
        help="Let the SQL read and write other files (read_csv, COPY ... TO, ATTACH); off by default.",
    )
    schema = subparsers.add_parser("schema", help="Regenerate JSON Schema and DuckDB DDL from the models.")
    schema.add_argument("--check", action="store_true", help="Only report files that are out of date.")
    grouping = subparsers.add_parser("grouping", help="Fit event grouping to your own labelled articles.")
    grouping_commands = grouping.add_subparsers(dest="grouping_command", required=True)
    fit = grouping_commands.add_parser(
        "fit",
        help="Fit the grouping model to labelled articles, print cross-validated figures, write a model file.",
        description="Labelled articles are JSON Lines records with 'title', optional 'text' and 'published' (ISO "
        "date), an 'event' label and optionally a 'storyline' label. Use the model with "
        "`wirebeam run --grouping_model FILE`.",
    )
    fit.add_argument("--labels", nargs="+", required=True, metavar="FILE.jsonl", help="Labelled articles.")
    fit.add_argument("--out", default="grouping_model.json", help="Model file to write (default: %(default)s).")
    fit.add_argument(
        "--embeddings",
        action="store_true",
        help="Embed the labelled articles as `wirebeam run --embeddings` does (needs the embeddings extra) and fit a "
        "model that weighs two headlines' embedding cosine, for `wirebeam run --embeddings --grouping_model FILE`.",
    )
    return parser


def _command_of(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word that is no option), if any."""
    return next((word for word in argv if not word.startswith("-")), None)


def _dispatch(args: argparse.Namespace, argv: list[str]) -> int:
    if args.command == "schema":
        return _schema(args)
    if args.command == "grouping":
        from pipeline.events import fit
        from pipeline.events.embeddings import EmbeddingsUnavailable

        try:
            return fit.fit_command(args.labels, args.out, args.embeddings)
        except (fit.LabelError, EmbeddingsUnavailable) as error:
            raise UsageError(str(error)) from None
    return _database_command(args, argv)


def _database_command(args: argparse.Namespace, argv: list[str]) -> int:
    """The commands that open the database, with its errors turned into messages and exit codes."""
    from pipeline.store.connection import DatabaseError, DatabaseInUse, StoreError

    try:
        return _run_database_command(args, argv)
    except DatabaseInUse as error:
        print(f"wirebeam: {error}", file=sys.stderr)
        return EXIT_LOCKED
    except StoreError as error:  # a database problem the user can fix (e.g. another program's tables): one line
        print(f"wirebeam: {error}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseError as error:
        print(f"wirebeam: {one_line(error)}", file=sys.stderr)
        return EXIT_ERROR


def _run_database_command(args: argparse.Namespace, argv: list[str]) -> int:
    if args.command == "query":
        from pipeline.cli.query import run_query

        return run_query(args)
    if args.command in analyst.COMMANDS:
        return analyst.run_command(args)
    import filelock

    from pipeline.cli import feeds
    from pipeline.sources.feedlist import FeedsError

    try:
        if args.command == "feeds":
            return feeds.run_command(args)
        from pipeline.cli.summary import print_summary
        from pipeline.run import execute_run, run_repeatedly
        from pipeline.store.schema import ForeignDatabase

        flags = argv[argv.index("run") + 1 :]
        return run_repeatedly(
            lambda: execute_run(flags),
            lambda run, seconds: print_summary(run, Path(args.db), seconds),
            args.every,
            fatal=(UsageError, ForeignDatabase),
        )
    except FeedsError as error:
        raise UsageError(str(error)) from None
    except filelock.Timeout as error:
        print(
            f"wirebeam: another run is using this database (lock {error.lock_file}); "
            "try again later or pass --lock_timeout SECONDS",
            file=sys.stderr,
        )
        return EXIT_LOCKED


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
    except OSError as error:
        print(f"wirebeam: {error}", file=sys.stderr)
        return EXIT_ERROR
