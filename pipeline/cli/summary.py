"""The end-of-run summary of ``wirebeam run``: counts, one line per listed feed, the latest events, how to query."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from pipeline.options import DEFAULT_DB, feed_list
from pipeline.report import plural
from pipeline.sources.feedlist import read_subscriptions
from pipeline.sources.feeds import failed_poll
from pipeline.sources.http import HOST_BUDGET
from pipeline.store.connection import DatabaseLocked, connect
from pipeline.store.feeds import stored_feeds
from pipeline.store.queries import EXAMPLE_QUERY, run_summary
from schemas.models import Feed, Run

EVENTS_SHOWN = 15


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
    rows += summary_rows(run.feed_counts)
    for label, value in rows:
        print(f"  {label:<18}{value}")
    for reason, count in reasons:
        print(f"    rejected {count} x {reason} (new this run)")
    for line in run_feed_lines(db_path, run):
        print(f"  feed {line}")
    print(f"\nDatabase: {db_path.resolve()}  ({plural(total_articles, 'article')}, {plural(total_events, 'event')})")
    if events:
        print("\n  first publ. articles  sources  event")
        for day, articles, sources, title in events:
            print(f"  {day:<10}  {articles:>8}  {sources:>7}  {title[:80]}")
    db_flag = "" if str(db_path) == DEFAULT_DB else f" --db {db_path}"
    command = sys.argv[0] if Path(sys.argv[0]).name == "wirebeam" else "wirebeam"
    print(f'\nTry:  {command} query{db_flag} "{EXAMPLE_QUERY}"')


def summary_rows(feed_counts: dict[str, dict]) -> list[tuple[str, object]]:
    """Lines of the end-of-run summary about the feeds polled (none for a run that polled none) and those their
    host's time budget left for the next run."""
    if not feed_counts:
        return []
    counts = [count for count in feed_counts.values() if not _deferred(count)]
    deferred = len(feed_counts) - len(counts)
    unchanged = sum(1 for count in counts if count["status"] == 304)
    failing = sum(1 for count in counts if failed_poll(count["error"]))
    return [
        ("feeds polled", f"{len(counts)} ({unchanged} unchanged, {failing} failing)"),
        *([("feeds deferred", f"{deferred} (host time budget spent; polled first next run)")] if deferred else []),
        ("feed entries read", sum(count["entries"] for count in counts)),
        ("page fallbacks", sum(count["fallbacks"] for count in counts)),
    ]


def _deferred(counts: dict) -> bool:
    """Whether a feed was left unpolled by this run because its host's time budget was spent."""
    return counts["error"] == HOST_BUDGET


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
        counts = run.feed_counts.get(row.url if row else subscription.url)
        lines.append(f"{subscription.url}  {_run_feed_state(row, counts)}")
    return lines


def _run_feed_state(row: Feed | None, counts: dict | None) -> str:
    if counts is not None and _deferred(counts):
        return "deferred: its host's time budget for this run was spent; polled first at the next run"
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
