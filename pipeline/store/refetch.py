"""Fetching again the pages of feed articles stored from their entry's own text after a transient failure.

A fetch that failed for a transient reason (connection, timeout, 5xx, 429 ...) leaves an article with
``fallback_reason`` set. `due_refetches` (read before a run) picks those due again, with exponential backoff
and up to `MAX_FETCH_ATTEMPTS`; the run fetches them like new entries. In the load, `upgrade_refetched` finds the
run's articles of those entries (same ``entry_key``): a page that came this time replaces the stored fallback in
place (same ``article_id``: the old rows are deleted and the new ones take the old ID, so nothing is stored twice);
another failure only counts the attempt and schedules the next (a permanent one such as 404 ends the retries).
`force_refetch` is ``wirebeam feeds refetch``. This module decides; the stored rows are written by their tables'
writers (``articles``, ``features``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import duckdb

from pipeline.documents import SHARED_PAGE
from pipeline.ids import EVENT_PREFIX
from pipeline.sources.feeds import FeedEntry
from pipeline.sources.http import HOST_BUDGET
from pipeline.store.articles import (
    ARTICLE_DETAIL_TABLES,
    FetchState,
    NearCopy,
    copies_follow,
    delete_articles,
    set_fetch_states,
    set_near_copies,
)
from pipeline.store.features import delete_features
from pipeline.store.statements import rows, sql

if TYPE_CHECKING:
    from pipeline.dedup.minhash import MinHashConfig

RETRYABLE_FALLBACKS = (
    "connection_error",
    "timeout",
    "deadline_exceeded",
    "tls_error",
    "http_5xx",
    "rate_limited",
    "robots_unreachable",
    "unexpected_error",
    HOST_BUDGET,
)
"""Fallback reasons worth another fetch; any other (``http_404``, ``robots_disallowed`` ...) is permanent."""
MAX_FETCH_ATTEMPTS = 5
"""Fetches of one page after the first; then its fallback stays (``feeds refetch`` can still force one)."""
FIRST_BACKOFF = timedelta(minutes=15)
MAX_BACKOFF = timedelta(hours=24)
FORCED = datetime.fromisoformat("1970-01-01T00:00:00+00:00")
"""``next_fetch_at`` of an article ``feeds refetch`` asked for: due at once, whatever its reason and attempts."""
_ID_COLUMNS = ("article_id", "other_article_id", "duplicate_of", "near_duplicate_of")
_DUE = {"forced": FORCED, "retryable": list(RETRYABLE_FALLBACKS), "max_attempts": MAX_FETCH_ATTEMPTS}


def due_refetches(connection: duckdb.DuckDBPyConnection, now: datetime) -> list[FeedEntry]:
    """Entries of stored fallback articles whose pages are due to be fetched again, oldest first."""
    columns = {row[0] for row in connection.execute("DESCRIBE articles").fetchall()}
    if "next_fetch_at" not in columns:
        return []
    due = rows(connection, sql("due_refetches"), {**_DUE, "now": now})
    return [FeedEntry(**{**entry, "categories": tuple(entry["categories"] or ())}) for entry in due]


def backoff(attempts: int) -> timedelta:
    """Wait before fetch attempt ``attempts + 1``: doubling from `FIRST_BACKOFF`, capped at `MAX_BACKOFF`."""
    return min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** max(0, attempts - 1))


def upgrade_refetched(connection: duckdb.DuckDBPyConnection, now: datetime) -> int:
    """Settle the staged run's articles that are new fetches of stored fallbacks; returns how many were upgraded.

    Call in the load's transaction after the run is staged (``staged_<table>`` for ``articles`` and each of
    ``ARTICLE_DETAIL_TABLES``) and before it is matched against stored articles. An upgraded article keeps the
    ``run_id`` of the run that first stored it (so a run's new articles are those staged with its own ID); the old
    version's terms leave ``term_stats``; the table ``refetched`` (``old_id``, ``old_event``, ``upgraded`` ...)
    stays for the rest of the load (``touched_events`` includes the events that upgraded articles left;
    `copies_follow_upgrades`).
    """
    connection.execute(sql("refetched"), {"forced": FORCED, "retryable": list(RETRYABLE_FALLBACKS)})
    staged = ["articles", *ARTICLE_DETAIL_TABLES]
    failed = "SELECT new_id FROM refetched WHERE NOT upgraded"
    for table in staged:
        connection.execute(f"DELETE FROM staged_{table} WHERE article_id IN ({failed})")
    states = []
    for attempts, reason, old_id in connection.execute(
        "SELECT attempts, reason, old_id FROM refetched WHERE NOT upgraded"
    ).fetchall():
        deferred = reason == HOST_BUDGET  # not tried: waits for the next run, without counting an attempt
        attempts += 0 if deferred else 1
        states.append(FetchState(old_id, reason, attempts, None if deferred else now + backoff(attempts)))
    set_fetch_states(connection, states)
    upgraded = [row[0] for row in connection.execute("SELECT old_id FROM refetched WHERE upgraded").fetchall()]
    delete_features(connection, upgraded)  # the new version's terms are counted with the run's
    delete_articles(connection, upgraded)
    for table in staged:
        names = {row[0] for row in connection.execute(f"DESCRIBE staged_{table}").fetchall()}
        for column in [name for name in _ID_COLUMNS if name in names]:
            connection.execute(
                f"UPDATE staged_{table} t SET {column} = r.old_id FROM refetched r "
                f"WHERE r.upgraded AND t.{column} = r.new_id"
            )
        if "event_id" in names:  # the new version founded its own event: it keeps the stored event's ID
            connection.execute(
                f"UPDATE staged_{table} t SET event_id = r.old_event FROM refetched r "
                "WHERE r.upgraded AND t.event_id = $prefix || r.new_id",
                {"prefix": EVENT_PREFIX},
            )
    connection.execute(sql("upgrades_keep_first_run"))
    return len(upgraded)


def copies_follow_upgrades(connection: duckdb.DuckDBPyConnection, minhash: MinHashConfig) -> None:
    """Stored copies of an upgraded article follow its new version. An exact copy joins its event (a copy shares
    its original's event); a near-copy is verified again against the new text: still near, it takes the new score
    and joins the event (when it was in the one the article left); no longer near, it loses its pointer and its
    link and stays where it is. Call in the load after the run's articles are inserted and before events are
    refreshed."""
    from pipeline.store.matching import MINHASH  # here: `wirebeam feeds` imports this module and needs no Beam

    upgraded = connection.execute("SELECT old_id FROM refetched WHERE upgraded").fetchall()
    copies_follow(connection, [old_id for (old_id,) in upgraded])
    near = near_copies_checked(connection.execute(sql("near_copies_of_upgraded")).fetchall(), minhash)
    set_near_copies(connection, near, MINHASH)


def near_copies_checked(rows: list[tuple], config: MinHashConfig) -> list[NearCopy]:
    """``(near-copy ID, its text, parent ID, parent's new text, in the event the parent left)`` -> each near-copy
    verified again (``minhash.verified_similarity``): its new score (None: no longer near) and whether it follows."""
    from pipeline.dedup.minhash import shingle_sets, verified_similarity

    texts: dict[str, str] = {}
    for copy_id, copy_text, parent_id, parent_text, _ in rows:
        texts[copy_id], texts[parent_id] = copy_text or "", parent_text or ""
    sets = dict(zip(texts, shingle_sets(list(texts.values()), config), strict=True))
    checked = []
    for copy_id, _, parent_id, _, in_left_event in rows:
        similarity = verified_similarity(sets[copy_id], sets[parent_id], config)
        score = None if similarity is None else round(similarity, 4)
        checked.append(NearCopy(copy_id, parent_id, score, bool(in_left_event) and score is not None))
    return checked


def force_refetch(connection: duckdb.DuckDBPyConnection, feed_url: str | None, article_id: str | None) -> int:
    """Make stored fallbacks due at the next run, whatever their reason and attempts: all of them, or those of one
    feed or one article. Returns how many. An entry stored from its own text because its page is another entry's
    article (``shared_page``) has no page of its own to fetch."""
    forced = connection.execute(
        sql("forceable_fallbacks"), {"shared_page": SHARED_PAGE, "feed_url": feed_url, "article_id": article_id}
    ).fetchall()
    set_fetch_states(connection, [FetchState(forced_id, reason, 0, FORCED) for forced_id, reason in forced])
    return len(forced)
