"""``wirebeam feeds ...``: the feed list (OPML) and each feed's health from the database.

wirebeam feeds add URL [--title T]     add a feed to the list (default: feeds.opml beside the database)
wirebeam feeds list [--db PATH]        the list, with each feed's health from the ``feeds`` table
wirebeam feeds import FILE.opml        merge another reader's OPML export into the list
wirebeam feeds export [-o FILE]        print the list as OPML 2.0
wirebeam feeds remove|disable|enable URL, refresh [URL]    stop, pause, resume or hasten polling
wirebeam feeds refetch [--feed URL | --article ID]   fetch stored fallbacks' pages again at the next run"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import filelock

from pipeline.options import DB_HELP, DEFAULT_DB, FEEDS_FILENAME, feed_list
from pipeline.report import plural
from pipeline.sources import feedlist
from pipeline.sources.feedlist import MALFORMED_FEED, FeedsError, read_subscriptions
from pipeline.store.connection import DatabaseLocked, connect
from pipeline.store.feeds import forget_feed, poll_at_next_run, set_disabled, stored_feeds

if TYPE_CHECKING:
    from schemas.models import Feed

LIST_COLUMN_CHARS = 40
RunResult = TypeVar("RunResult")
_FEEDS_HELP = f"The feed list (default: {FEEDS_FILENAME} beside the database)."
_CREATING_COMMANDS = ("add", "import", "refetch", "list")
"""``feeds`` subcommands that need no feed list (add and import create it; list says it has none)."""


def add_arguments(feeds: argparse.ArgumentParser) -> None:
    """Give the ``wirebeam feeds`` parser its subcommands."""
    commands = feeds.add_subparsers(dest="feeds_command", required=True)
    add = commands.add_parser("add", help="Add a feed to the list.")
    add.add_argument("url", help="The feed's http(s) URL.")
    add.add_argument("--title", default=None, help="A title to list it under.")
    listing = commands.add_parser("list", help="The feeds, with last status, failures, last error, next poll.")
    listing.add_argument("--db", default=DEFAULT_DB, help=DB_HELP)
    imported = commands.add_parser("import", help="Merge an OPML file into the list.")
    imported.add_argument("file", type=Path, help="An OPML file.")
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
    refresh.add_argument("url", nargs="?", default=None, help="The feed's URL as listed.")
    for command in (remove, disable, enable):
        command.add_argument("url", help="The feed's URL as listed.")
    for command in (remove, disable, enable, refresh):
        command.add_argument("--db", default=DEFAULT_DB, help=DB_HELP)
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
    refetch.add_argument("--db", default=DEFAULT_DB, help=DB_HELP)
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
    rows = stored_feeds(args.db) if Path(args.db).is_file() else {}
    row = rows.get(url) or next((row for row in rows.values() if url in row.previous_urls), None)
    names = {url, row.url, *row.previous_urls} if row else {url}  # a moved feed is listed under any of its URLs
    removed = [feedlist.remove_from_feed_list(args.feeds, name) for name in sorted(names)]
    forgotten = _write_feeds(args, forget_feed, row.url) if row else 0
    if not any(removed) and not forgotten:
        raise FeedsError(f"not in {args.feeds}: {url}")
    print(f"removed {url} from {args.feeds}; its articles stay in the database")
    return 0


def _set_disabled(args: argparse.Namespace, disabled: bool) -> int:
    url = _feed_url(args.url)
    listed = url in {feed.url for feed in read_subscriptions(args.feeds)}
    if not listed and not (Path(args.db).is_file() and url in stored_feeds(args.db)):
        raise FeedsError(f"not in {args.feeds} nor stored: {url}")  # a mistyped URL would leave the feed polling
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
    from pipeline.store.refetch import force_refetch  # pyarrow and the features: only for this command

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
    """``ok (200)``, ``ok with warning (200)`` (a malformed feed whose entries were read), ``failing (503)`` (an
    HTTP error, else the failure: ``failing (deadline_exceeded)``, not the 200 a body cut short came with),
    ``disabled`` or ``not in the feed list``."""
    if row.disabled:
        return "disabled"
    if not listed:
        return "not in the feed list"
    if row.consecutive_failures:
        http_error = row.last_status is not None and row.last_status >= 400
        return f"failing ({row.last_status if http_error else row.last_error or row.last_status or '-'})"
    warned = bool(row.last_error) and row.last_error.startswith(MALFORMED_FEED)
    return f"{'ok with warning' if warned else 'ok'} ({row.last_status or '-'})"


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
