"""The command-line side of live feeds: ``wirebeam feeds ...``, planning a run's polls, ``run --every``.

wirebeam feeds add URL [--title T]     add a feed to the list (default: feeds.opml beside the database)
wirebeam feeds list [--db PATH]        the list, with each feed's health from the ``feeds`` table
wirebeam feeds import FILE.opml        merge another reader's OPML export into the list
wirebeam feeds export [-o FILE]        print the list as OPML 2.0
wirebeam feeds refetch [--feed URL | --article ID]   fetch stored fallbacks' pages again at the next run

Before an online run, `plan_live_feeds` reads the feed list and, from DuckDB, the feeds' stored states, which the
pipeline gets as plain values (``pipeline.store.side_inputs.export_stored_entries`` writes the stored entries' keys
and URLs to a Parquet file the workers read). `run_repeatedly` is ``wirebeam run --every``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import filelock

from pipeline.options import DEFAULT_DB, DEFAULT_SEEDS, FEEDS_FILENAME, feed_list
from pipeline.report import plural
from pipeline.sources import feedlist
from pipeline.sources.feeds import HEALTHY_REJECTS, MALFORMED_FEED, FeedState, PollPolicy, due_feeds, feed_state
from pipeline.sources.http import FetchPolicy
from pipeline.store.connection import DatabaseLocked, connect
from pipeline.store.feeds import forget_feed, poll_at_next_run, read_feed_rows, set_disabled, stored_feeds
from pipeline.store.refetch import due_refetches, force_refetch
from schemas.models import Feed, Run

if TYPE_CHECKING:
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipeline.options import WirebeamOptions
    from pipeline.sources.live import LivePlan

LOGGER = logging.getLogger(__name__)

SCHEDULE_SLACK = timedelta(seconds=60)
"""A feed due this soon is polled now, so a run every 15 minutes polls a 15-minute feed every time."""
DECOMPRESSED_TO_WIRE_RATIO = 4
LIST_COLUMN_CHARS = 40
RunResult = TypeVar("RunResult")


class FeedsError(Exception):
    """A problem with the feed list or the live-feed options that the user can fix."""


def feeds_only(options: WirebeamOptions) -> bool:
    """Whether a run without its seeds directory is fine: an online run with a feed list of its own and the
    default seeds location (which then reads nothing)."""
    return not options.offline and options.seeds == DEFAULT_SEEDS and feed_list(options.feeds, options.db).is_file()


def fetch_policy_from(options: PipelineOptions) -> FetchPolicy:
    """The fetch policy of ``wirebeam run``'s flags (the User-Agent is Beam's ``--user_agent``)."""
    from pipeline.options import WirebeamOptions

    ours = options.view_as(WirebeamOptions)
    user_agent = options.get_all_options().get("user_agent")
    try:
        return FetchPolicy(
            connect_timeout=ours.connect_timeout,
            read_timeout=ours.read_timeout,
            deadline=ours.fetch_deadline,
            max_body_bytes=ours.max_page_bytes,
            max_decompressed_bytes=ours.max_page_bytes * DECOMPRESSED_TO_WIRE_RATIO,
            min_host_interval=ours.min_host_interval,
            max_retries=ours.fetch_retries,
            respect_robots=not ours.no_robots,
            allow_private_networks=ours.allow_private_networks,
            max_pages_per_host=ours.max_pages_per_host,
            max_host_seconds=ours.max_host_seconds,
            **({"user_agent": user_agent} if user_agent else {}),
        )
    except ValueError as error:
        raise FeedsError(str(error)) from error


def read_subscriptions(path: str | Path) -> list[feedlist.Subscription]:
    """The feed list; [] when the file is missing or empty."""
    try:
        return feedlist.read_feed_list(path)
    except ValueError as error:
        raise FeedsError(f"cannot read the feed list: {error}") from error


def states_for(subscriptions: Iterable[feedlist.Subscription], rows: dict[str, Feed]) -> list[FeedState]:
    """Each subscribed feed's stored state (found by URL, or by a URL it moved from), else a fresh state."""
    moved = {old: row for row in rows.values() for old in row.previous_urls}
    states: dict[str, FeedState] = {}
    for subscription in subscriptions:
        row = rows.get(subscription.url) or moved.get(subscription.url)
        state = feed_state(row) if row else FeedState(url=subscription.url, title=subscription.title)
        states.setdefault(state.url, state)
    return list(states.values())


def rescheduled(states: Iterable[FeedState], interval: timedelta) -> list[FeedState]:
    """The states with each healthy feed due no later than one ``interval`` after its last poll, so that a
    shorter ``--poll_interval`` takes effect at once; a failing feed keeps its backoff."""
    return [
        replace(state, next_poll_at=min(state.next_poll_at, state.last_polled_at + interval))
        if not state.consecutive_failures and state.next_poll_at and state.last_polled_at
        else state
        for state in states
    ]


def plan_live_feeds(
    options: PipelineOptions, db_path: Path, local_runner: bool, stored_entries: str | None = None
) -> LivePlan:
    """What an online run polls: the due feeds of the list and their states; ``stored_entries`` is the staged
    file of ``export_stored_entries``.

    Call while holding the database lock, so the states read are the ones this run replaces.
    """
    from pipeline.options import WirebeamOptions
    from pipeline.sources.live import LivePlan

    ours = options.view_as(WirebeamOptions)
    path = feed_list(ours.feeds, ours.db)
    if ours.feeds and not path.is_file():
        raise FeedsError(f"feed list not found: {path} (make one with `wirebeam feeds add URL --feeds {path}`)")
    subscriptions = read_subscriptions(path)
    rows: dict[str, Feed] = {}
    refetch: list = []
    now = datetime.now(timezone.utc)
    if db_path.exists():
        with connect(db_path) as connection:
            rows = read_feed_rows(connection)
            refetch = due_refetches(connection, now)
    disabled = {url for row in rows.values() if row.disabled for url in (row.url, *row.previous_urls)}
    states = [state for state in states_for(subscriptions, rows) if state.url not in disabled]
    states = rescheduled(states, timedelta(seconds=ours.poll_interval))
    due = states if ours.poll_all else due_feeds(states, now + SCHEDULE_SLACK)
    LOGGER.info("%d of %d feeds due", len(due), len(states))
    return LivePlan(
        feeds=tuple(due),
        fetch_policy=fetch_policy_from(options),
        poll_policy=_poll_policy(ours.poll_interval, ours.max_new_entries_per_feed),
        stored_entries=stored_entries,
        entry_counts={url: row.entry_count for url, row in rows.items()},
        refetch=tuple(refetch),
        show_progress=local_runner and sys.stderr.isatty(),
    )


def _poll_policy(interval_seconds: float, max_new_entries: int) -> PollPolicy:
    interval = timedelta(seconds=interval_seconds)
    return PollPolicy(
        interval=interval, max_backoff=max(PollPolicy().max_backoff, interval), max_new_entries=max_new_entries
    )


def summary_rows(feed_counts: dict[str, dict]) -> list[tuple[str, object]]:
    """Lines of the end-of-run summary about the feeds polled (none for a run that polled none)."""
    if not feed_counts:
        return []
    counts = list(feed_counts.values())
    unchanged = sum(1 for count in counts if count["status"] == 304)
    failing = sum(1 for count in counts if count["error"] and count["error"] not in HEALTHY_REJECTS)
    return [
        ("feeds polled", f"{len(counts)} ({unchanged} unchanged, {failing} failing)"),
        ("feed entries read", sum(count["entries"] for count in counts)),
        ("page fallbacks", sum(count["fallbacks"] for count in counts)),
    ]


EXIT_INTERRUPTED = 130
"""The shell's code for a command stopped by Ctrl-C (128 + SIGINT)."""


def run_repeatedly(
    execute: Callable[[], RunResult],
    report: Callable[[RunResult, float], None],
    every: float | None,
    sleep: Callable[[float], None] = time.sleep,
    fatal: tuple[type[Exception], ...] = (),
) -> int:
    """Run once, or every `every` seconds until Ctrl-C; a tick that finds the database locked is skipped.

    Ctrl-C between runs ends the loop normally (0); Ctrl-C during a run exits 130 (that run is not loaded).
    With ``every``, a failed run is reported and the loop goes on, unless its error is one of ``fatal``.
    """
    if every is not None and every <= 0:
        raise ValueError(f"every must be positive, got {every}")
    while True:
        started = time.monotonic()
        try:
            result = _execute_with_progress(execute)
        except filelock.Timeout:
            if every is None:
                raise
            print("wirebeam: another run is using the database; skipping this run", file=sys.stderr)
        except fatal:
            raise
        except Exception as error:  # a scheduler outlives one failed run; the failure is in `runs`
            if every is None:
                raise
            LOGGER.warning("run failed", exc_info=error)
            print(f"wirebeam: this run failed ({error}); trying again at the next run", file=sys.stderr)
        except KeyboardInterrupt:
            print("\nwirebeam: stopped (an interrupted run is not loaded; the next run does its work)", file=sys.stderr)
            return EXIT_INTERRUPTED
        else:
            report(result, time.monotonic() - started)
        if every is None:
            return 0
        wait = max(0.0, started + every - time.monotonic())
        if sys.stderr.isatty():
            next_run = datetime.now().astimezone() + timedelta(seconds=wait)
            print(f"next run at {next_run:%H:%M:%S} (Ctrl-C stops)", file=sys.stderr)
        try:
            sleep(wait)
        except KeyboardInterrupt:
            print("\nwirebeam: stopped between runs", file=sys.stderr)
            return 0


def _execute_with_progress(execute: Callable[[], RunResult]) -> RunResult:
    """Run once; the progress line, if any, is ended before anything else is printed."""
    from pipeline.sources.live import PROGRESS

    try:
        return execute()
    finally:
        PROGRESS.finish()


_FEEDS_HELP = f"The feed list (default: {FEEDS_FILENAME} beside the database)."
_CREATING_COMMANDS = ("add", "import", "refetch")
"""``feeds`` subcommands that need no feed list (add and import create it)."""


def add_parser(subparsers) -> None:
    """Register ``wirebeam feeds`` and its subcommands."""
    feeds = subparsers.add_parser("feeds", help="Manage the feed list (OPML) and see each feed's health.")
    commands = feeds.add_subparsers(dest="feeds_command", required=True)
    add = commands.add_parser("add", help="Add a feed to the list.")
    add.add_argument("url")
    add.add_argument("--title", default=None)
    listing = commands.add_parser("list", help="The feeds, with last status, failures, last error, next poll.")
    listing.add_argument("--db", default=DEFAULT_DB)
    imported = commands.add_parser("import", help="Merge an OPML file into the list.")
    imported.add_argument("file", type=Path)
    export = commands.add_parser("export", help="Print the list as OPML 2.0.")
    export.add_argument("-o", "--output", type=Path, default=None, help="Write to this file instead of stdout.")
    for command in (add, imported, export):
        command.add_argument("--db", default=DEFAULT_DB, help="The database, beside which the feed list lives.")
    for command in (add, listing, imported, export):
        command.add_argument("--feeds", default=None, help=_FEEDS_HELP)
    remove = commands.add_parser("remove", help="Remove a feed from the list (its articles stay).")
    disable = commands.add_parser("disable", help="Stop polling a feed until it is enabled (it stays listed).")
    enable = commands.add_parser("enable", help="Poll a disabled feed again.")
    refresh = commands.add_parser("refresh", help="Poll a feed (or, without URL, every feed) at the next run.")
    refresh.add_argument("url", nargs="?", default=None)
    for command in (remove, disable, enable):
        command.add_argument("url")
    for command in (remove, disable, enable, refresh):
        command.add_argument("--db", default=DEFAULT_DB)
        command.add_argument("--feeds", default=None, help=_FEEDS_HELP)
        command.add_argument(
            "--lock_timeout", type=float, default=10.0, help="Seconds to wait for a running load (default: 10)."
        )
    refetch = commands.add_parser(
        "refetch", help="Fetch again, at the next run, the pages of articles stored from their feed entry's text."
    )
    which = refetch.add_mutually_exclusive_group()
    which.add_argument("--feed", default=None, metavar="URL", help="Only this feed's articles.")
    which.add_argument("--article", default=None, metavar="ID", help="Only this article.")
    refetch.add_argument("--db", default=DEFAULT_DB)
    refetch.add_argument(
        "--lock_timeout", type=float, default=10.0, help="Seconds to wait for a running load (default: 10)."
    )


def run_command(args: argparse.Namespace) -> int:
    """Run a ``wirebeam feeds`` subcommand; returns the exit code."""
    commands = {
        "add": _add,
        "list": _list,
        "import": _import,
        "export": _export,
        "refetch": _refetch,
        "remove": _remove,
        "disable": _disable,
        "enable": _enable,
        "refresh": _refresh,
    }
    if args.feeds_command not in _CREATING_COMMANDS:
        given = args.feeds
        args.feeds = str(feed_list(args.feeds, args.db))
        if given and not Path(args.feeds).is_file():
            raise FeedsError(f"feed list not found: {args.feeds}")
    elif args.feeds_command != "refetch":
        args.feeds = str(feed_list(args.feeds, args.db))
    return commands[args.feeds_command](args)


def _add(args: argparse.Namespace) -> int:
    try:
        report = feedlist.add_to_feed_list(args.feeds, args.url, args.title)
    except ValueError as error:
        raise FeedsError(str(error)) from error
    if report.added:
        print(f"added {report.added[0].url} to {args.feeds}")
    else:
        print(f"already in {args.feeds}: {report.duplicates[0]}")
    return 0


def _write_feeds(args: argparse.Namespace, write: Callable[..., RunResult], *values) -> RunResult:
    """``write(connection, *values)`` on the database under its lock (a ``pipeline.store.feeds`` writer)."""
    with filelock.FileLock(f"{args.db}.lock", timeout=args.lock_timeout), connect(args.db) as connection:
        return write(connection, *values)


def _feed_url(url: str) -> str:
    try:
        return feedlist.normalize_feed_url(url)
    except ValueError as error:
        raise FeedsError(str(error)) from error


def _remove(args: argparse.Namespace) -> int:
    url = _feed_url(args.url)
    removed = feedlist.remove_from_feed_list(args.feeds, url)
    forgotten = _write_feeds(args, forget_feed, url) if Path(args.db).is_file() else 0
    if removed is None and not forgotten:
        raise FeedsError(f"not in {args.feeds}: {url}")
    print(f"removed {url} from {args.feeds}; its articles stay in the database")
    return 0


def _set_disabled(args: argparse.Namespace, disabled: bool) -> int:
    url = _feed_url(args.url)
    if disabled and not Path(args.db).exists():
        Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    _write_feeds(args, set_disabled, url, disabled)
    print(f"{'disabled' if disabled else 'enabled'} {url}")
    return 0


def _disable(args: argparse.Namespace) -> int:
    return _set_disabled(args, True)


def _enable(args: argparse.Namespace) -> int:
    return _set_disabled(args, False)


def _refresh(args: argparse.Namespace) -> int:
    if not Path(args.db).is_file():
        print("no database yet: every feed is polled at the first run")
        return 0
    count = _write_feeds(args, poll_at_next_run, _feed_url(args.url) if args.url else None)
    print(f"{count} feed{'' if count == 1 else 's'} will be polled at the next run")
    return 0


def _refetch(args: argparse.Namespace) -> int:
    if not Path(args.db).is_file():
        raise FeedsError(f"database not found: {args.db}")
    with filelock.FileLock(f"{args.db}.lock", timeout=args.lock_timeout), connect(args.db) as connection:
        count = force_refetch(connection, args.feed, args.article)
    what = "article" if count == 1 else "articles"
    print(f"{count} {what} will have {'its page' if count == 1 else 'their pages'} fetched again at the next run")
    return 0


def _import(args: argparse.Namespace) -> int:
    try:
        report = feedlist.import_into_feed_list(args.feeds, args.file.read_bytes())
    except (OSError, ValueError) as error:
        raise FeedsError(f"cannot import {args.file}: {error}") from error
    print(f"imported {plural(len(report.added), 'feed')} into {args.feeds} ({len(report.duplicates)} already there)")
    for url, why in report.invalid:
        print(f"  skipped {url!r}: {why}", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace) -> int:
    data = feedlist.export_opml(read_subscriptions(args.feeds))
    if args.output:
        args.output.write_bytes(data)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0


def feed_health(subscription: feedlist.Subscription | None, row: Feed | None, now: datetime) -> dict[str, str]:
    """One line of ``feeds list``: what the user needs to see whether a feed works."""
    if row is None:
        return {"feed": subscription.title or subscription.url, "status": "never polled", "url": subscription.url}
    listed_url = subscription.url if subscription else row.url
    return {
        "feed": row.title or (subscription.title if subscription else None) or row.url,
        "status": feed_status(row, listed=subscription is not None),
        "failures": str(row.consecutive_failures),
        "entries": str(row.entry_count),
        "last success": _ago(row.last_success_at, now),
        "next poll": "-" if row.disabled else _ago(row.next_poll_at, now),
        "last error": row.last_error or "",
        "url": row.url if row.url == listed_url else f"{listed_url} -> {row.url}",
    }


def feed_status(row: Feed, listed: bool = True) -> str:
    """``ok (200)``, ``ok with warning (200)`` (a malformed feed whose entries were read), ``failing (503)``,
    ``disabled`` or ``not in the feed list``."""
    if row.disabled:
        return "disabled"
    if not listed:
        return "not in the feed list"
    if row.consecutive_failures:
        return f"failing ({row.last_status or '-'})"
    warned = bool(row.last_error) and row.last_error.startswith(MALFORMED_FEED)
    return f"{'ok with warning' if warned else 'ok'} ({row.last_status or '-'})"


def run_feed_lines(db_path: Path, run: Run) -> list[str]:
    """One line per listed feed for the end-of-run summary: polled by this run (status, new articles), not due
    (until when), backing off (until when, why), failing or disabled. None for an offline run."""
    if run.mode == "offline":
        return []
    subscriptions = read_subscriptions(feed_list(run.options.get("feeds"), run.options.get("db", DEFAULT_DB)))
    if not subscriptions or not db_path.exists():
        return []
    rows = stored_feeds(db_path)
    moved = {old: row for row in rows.values() for old in row.previous_urls}
    lines = []
    for subscription in subscriptions:
        row = rows.get(subscription.url) or moved.get(subscription.url)
        lines.append(f"{subscription.url}  {_run_feed_state(row, run.feed_counts.get(row.url) if row else None)}")
    return lines


def _run_feed_state(row: Feed | None, counts: dict | None) -> str:
    if row is None:
        return "never polled"
    if row.disabled:
        return "disabled"
    until = f"{row.next_poll_at:%Y-%m-%d %H:%M} UTC" if row.next_poll_at else "the next run"
    if counts is not None:
        if row.consecutive_failures:
            return f"polled: failing ({row.last_error}); backing off until {until}"
        new = counts.get("articles_new", 0)
        note = f", warning: {row.last_error[:120]}" if row.last_error else ""
        return f"polled: {row.last_status}, {new} new article{'' if new == 1 else 's'}{note}"
    if row.consecutive_failures:
        failures = row.consecutive_failures
        return f"backing off until {until} ({row.last_error}, {failures} failure{'' if failures == 1 else 's'})"
    if row.next_poll_at is None or row.next_poll_at <= datetime.now(timezone.utc):
        return "due at the next run"
    return f"not due until {until}"


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "-"
    seconds = (when - now).total_seconds()
    minutes = abs(seconds) / 60
    amount = f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"
    return f"in {amount}" if seconds > 0 else ("now" if minutes < 1 else f"{amount} ago")


def _list(args: argparse.Namespace) -> int:
    subscriptions = read_subscriptions(args.feeds)
    rows: dict[str, Feed] = {}
    if Path(args.db).exists():
        try:
            rows = stored_feeds(args.db)
        except DatabaseLocked as error:
            print(f"wirebeam: feed health unavailable ({error})", file=sys.stderr)
    if not subscriptions and not rows:
        print(f"no feeds in {args.feeds}; add one with: wirebeam feeds add URL")
        return 0
    moved = {old: row for row in rows.values() for old in row.previous_urls}
    now = datetime.now(timezone.utc)
    lines = [feed_health(s, rows.get(s.url) or moved.get(s.url), now) for s in subscriptions]
    shown = {line["url"].split(" -> ")[-1] for line in lines} | {s.url for s in subscriptions}
    lines += [feed_health(None, row, now) for url, row in sorted(rows.items()) if url not in shown]
    columns = ["feed", "status", "failures", "entries", "last success", "next poll", "last error", "url"]
    widths = {c: min(LIST_COLUMN_CHARS, max([len(c), *(len(line.get(c, "")) for line in lines)])) for c in columns}
    for cells in [dict(zip(columns, columns, strict=True)), *lines]:
        print("  ".join(cells.get(c, "")[: widths[c]].ljust(widths[c]) for c in columns[:-1]), cells.get("url", ""))
    return 0
