"""Fetching again the pages of feed articles stored from their entry's own text after a transient failure.

A fetch that failed for a transient reason (connection, timeout, 5xx, 429 ...) leaves an article with
``fallback_reason`` set. `due_refetches` (read before a run) picks those due again, with exponential backoff
and up to `MAX_FETCH_ATTEMPTS`; the run fetches them like new entries. In the load, `upgrade_refetched` finds the
run's articles of those entries (same ``entry_key``): a page that came this time replaces the stored fallback in
place (same ``article_id``: the old rows are deleted and the new ones take the old ID, so nothing is stored twice);
another failure only counts the attempt and schedules the next (a permanent one such as 404 ends the retries).
`force_refetch` is ``wirebeam feeds refetch``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import duckdb

from pipeline.documents import SHARED_PAGE
from pipeline.ids import EVENT_PREFIX
from pipeline.sources.feeds import FeedEntry
from pipeline.sources.http import HOST_BUDGET

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

_DUE = f"""
SELECT entry_key, feed_url, feed_title, url, title, summary, text, author, published_at, categories
FROM articles
WHERE origin = 'feed' AND entry_key IS NOT NULL AND url IS NOT NULL AND fallback_reason IS NOT NULL
  AND duplicate_of IS NULL
  AND (next_fetch_at = $forced
       OR (fallback_reason IN {RETRYABLE_FALLBACKS} AND fetch_attempts < {MAX_FETCH_ATTEMPTS}
           AND (next_fetch_at IS NULL OR next_fetch_at <= $now)))
ORDER BY ingested_at, article_id
"""


def due_refetches(connection: duckdb.DuckDBPyConnection, now: datetime) -> list[FeedEntry]:
    """Entries of stored fallback articles whose pages are due to be fetched again, oldest first."""
    columns = {row[0] for row in connection.execute("DESCRIBE articles").fetchall()}
    if "next_fetch_at" not in columns:
        return []
    rows = connection.execute(_DUE, {"forced": FORCED, "now": now}).fetchall()
    return [
        FeedEntry(
            entry_key=key,
            key_source="guid",
            feed_url=feed_url or url,
            feed_title=feed_title,
            guid=None,
            link=url,
            title=title,
            summary=summary,
            content=text,
            author=author,
            published=published,
            updated=None,
            categories=tuple(categories or ()),
        )
        for key, feed_url, feed_title, url, title, summary, text, author, published, categories in rows
    ]


def backoff(attempts: int) -> timedelta:
    """Wait before fetch attempt ``attempts + 1``: doubling from `FIRST_BACKOFF`, capped at `MAX_BACKOFF`."""
    return min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** max(0, attempts - 1))


_MATCHED = f"""
CREATE OR REPLACE TEMP TABLE refetched AS
SELECT s.article_id AS new_id, a.article_id AS old_id, s.event_id AS new_event, a.event_id AS old_event,
       s.fallback_reason IS NULL AS upgraded, s.fallback_reason AS reason, a.fetch_attempts AS attempts,
       a.run_id AS old_run_id, a.ingested_at AS old_ingested_at
FROM staged_articles s JOIN articles a ON s.entry_key = a.entry_key
WHERE s.origin = 'feed' AND a.origin = 'feed' AND a.fallback_reason IS NOT NULL AND a.duplicate_of IS NULL
  AND (a.next_fetch_at = $forced OR a.fallback_reason IN {RETRYABLE_FALLBACKS})
QUALIFY row_number() OVER (PARTITION BY s.article_id ORDER BY a.ingested_at, a.article_id) = 1
    AND row_number() OVER (PARTITION BY a.article_id ORDER BY s.fallback_reason NULLS FIRST, s.article_id) = 1
"""


_UNCOUNT_TERMS = """
UPDATE term_stats t SET doc_count = t.doc_count - old.articles
FROM (SELECT term, count(*) AS articles
      FROM (SELECT unnest(terms) AS term FROM article_features
            WHERE article_id IN (SELECT old_id FROM refetched WHERE upgraded))
      GROUP BY term) old
WHERE t.term = old.term
"""
_COPIES_FOLLOW = """
UPDATE articles c SET event_id = u.event_id
FROM refetched r JOIN articles u ON u.article_id = r.old_id
WHERE r.upgraded AND c.duplicate_of = r.old_id AND c.event_id <> u.event_id
"""


def upgrade_refetched(connection: duckdb.DuckDBPyConnection, detail_tables: Iterable[str], now: datetime) -> int:
    """Settle the staged run's articles that are new fetches of stored fallbacks; returns how many were upgraded.

    Call in the load's transaction after the run is staged (``staged_<table>`` for ``articles`` and each detail
    table) and before it is matched against stored articles. An upgraded article keeps the ``run_id`` of the run
    that first stored it (so a run's new articles are those staged with its own ID); the old version's terms leave
    ``term_stats``; the table ``refetched`` (``old_id``, ``old_event``, ``upgraded`` ...) stays for the rest of the
    load (``touched_events`` includes the events that upgraded articles left; `copies_follow_upgrades`).
    """
    connection.execute(_MATCHED, {"forced": FORCED})
    staged = ["articles", *detail_tables]
    failed = "SELECT new_id FROM refetched WHERE NOT upgraded"
    for table in staged:
        connection.execute(f"DELETE FROM staged_{table} WHERE article_id IN ({failed})")
    for attempts, reason, old_id in connection.execute(
        "SELECT attempts, reason, old_id FROM refetched WHERE NOT upgraded"
    ).fetchall():
        deferred = reason == HOST_BUDGET  # not tried: waits for the next run, without counting an attempt
        attempts += 0 if deferred else 1
        connection.execute(
            "UPDATE articles SET fetch_attempts = ?, fallback_reason = ?, next_fetch_at = ? WHERE article_id = ?",
            [attempts, reason, None if deferred else now + backoff(attempts), old_id],
        )
    upgraded = "SELECT old_id FROM refetched WHERE upgraded"
    connection.execute(_UNCOUNT_TERMS)  # the new version's terms are counted with the run's
    for table in staged:
        connection.execute(f"DELETE FROM {table} WHERE article_id IN ({upgraded})")
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
    connection.execute(
        "UPDATE staged_articles s SET run_id = r.old_run_id, ingested_at = r.old_ingested_at, fetch_attempts = "
        "r.attempts + 1, next_fetch_at = NULL FROM refetched r WHERE r.upgraded AND s.article_id = r.old_id"
    )
    return connection.execute("SELECT count(*) FROM refetched WHERE upgraded").fetchone()[0]


def copies_follow_upgrades(connection: duckdb.DuckDBPyConnection) -> None:
    """Stored exact copies of an upgraded article join the event its new version is in (a copy shares its
    original's event). Call in the load after the run's articles are inserted and before events are refreshed."""
    connection.execute(_COPIES_FOLLOW)


def force_refetch(connection: duckdb.DuckDBPyConnection, feed_url: str | None, article_id: str | None) -> int:
    """Make stored fallbacks due at the next run, whatever their reason and attempts: all of them, or those of one
    feed or one article. Returns how many. An entry stored from its own text because its page is another entry's
    article (``shared_page``) has no page of its own to fetch."""
    condition, parameters = "TRUE", []
    if feed_url:
        condition, parameters = "feed_url = ?", [feed_url]
    elif article_id:
        condition, parameters = "article_id = ?", [article_id]
    connection.execute(
        "UPDATE articles SET next_fetch_at = ?, fetch_attempts = 0 "
        "WHERE origin = 'feed' AND fallback_reason IS NOT NULL AND fallback_reason <> ? AND url IS NOT NULL "
        f"AND {condition}",
        [FORCED, SHARED_PAGE, *parameters],
    )
    return connection.execute(
        f"SELECT count(*) FROM articles WHERE next_fetch_at = ? AND {condition}", [FORCED, *parameters]
    ).fetchone()[0]
