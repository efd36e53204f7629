"""What an online run polls and fetches, decided before its pipeline starts: the due feeds of the feed list with
their stored states, the stored fallbacks due to be fetched again, and the fetch and poll policies of the run's
flags, as a `LivePlan` of plain values (``pipeline.sources.live``).

Call `plan_live_feeds` while holding the database lock, so the states read are the ones the run replaces."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.options import DEFAULT_SEEDS, feed_list
from pipeline.sources import feedlist
from pipeline.sources.feedlist import FeedsError, read_subscriptions
from pipeline.sources.feeds import FeedState, PollPolicy, due_feeds, feed_state
from pipeline.sources.http import FetchPolicy
from pipeline.store.connection import connect
from pipeline.store.feeds import read_feed_rows
from schemas.models import Feed

if TYPE_CHECKING:
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipeline.options import WirebeamOptions
    from pipeline.sources.live import LivePlan

LOGGER = logging.getLogger(__name__)


SCHEDULE_SLACK = timedelta(seconds=60)
"""A feed due this soon is polled now, so a run every 15 minutes polls a 15-minute feed every time."""
DECOMPRESSED_TO_WIRE_RATIO = 4


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
            allowed_networks=tuple(ours.allow_network or ()),
            max_pages_per_host=ours.max_pages_per_host,
            max_host_seconds=ours.max_host_seconds,
            **({"user_agent": user_agent} if user_agent else {}),
        )
    except ValueError as error:
        raise FeedsError(str(error)) from error


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
    from pipeline.store.refetch import due_refetches  # pyarrow and the features: not for `wirebeam feeds`

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


def follow_moved_feeds(options: PipelineOptions, db_path: Path) -> None:
    """Rewrite, in the run's feed list, the URLs of listed feeds that moved permanently (stored ``previous_urls``),
    under the list's lock (``feedlist.editing``), as the ``wirebeam feeds`` commands change it. The run is loaded
    already: a list that cannot be rewritten (read-only, or locked all that time) is a warning, and the next run
    tries again."""
    from pipeline.options import WirebeamOptions

    ours = options.view_as(WirebeamOptions)
    with connect(db_path, read_only=True) as connection:
        rows = read_feed_rows(connection)
    path = feed_list(ours.feeds, ours.db)
    try:
        moved = feedlist.follow_moves(path, {old: row.url for row in rows.values() for old in row.previous_urls})
    except OSError as error:  # filelock.Timeout is one
        LOGGER.warning("the feed list %s does not follow the moved feeds yet: %s", path, error)
        return
    if moved:
        LOGGER.info("%d moved feeds' URLs rewritten in the feed list", moved)


def _poll_policy(interval_seconds: float, max_new_entries: int) -> PollPolicy:
    interval = timedelta(seconds=interval_seconds)
    return PollPolicy(
        interval=interval, max_backoff=max(PollPolicy().max_backoff, interval), max_new_entries=max_new_entries
    )
