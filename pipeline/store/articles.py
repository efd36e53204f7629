"""``articles`` and the tables whose rows belong to one article: their one writer.

A run's new articles are inserted once, by the load (``insert_staged``), with their signatures, links, enrichment
rows and paragraph hashes (their features and term counts: ``pipeline.store.features``). After that only single
columns change: a fallback's fetch state (``set_fetch_states``), the event of an upgraded article's exact copies
(``copies_follow``), the score, pointer and event of its near-copies (``set_near_copies``), a language the source
did not state (``fill_language``) and entry keys of an older format (``migrate_entry_keys``); and the old version of
an upgraded fallback is deleted (``delete_articles``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

import duckdb
import pyarrow as pa

from pipeline import ids
from pipeline.store.statements import registered, sql
from schemas.enrichment import ARTICLE_ENRICHMENT_TABLES

LOGGER = logging.getLogger(__name__)

ARTICLE_DETAIL_TABLES = (
    "article_signatures",
    "article_features",
    "article_links",
    *ARTICLE_ENRICHMENT_TABLES,
    "article_paragraphs",
)
"""Tables whose rows belong to an article and are stored only with a newly stored article."""
ORIGINALS_ONLY_TABLES = ("article_signatures", "article_features")
"""Matching keys are kept for originals only: a later copy matches the original, never a copy of it."""
WRITES = ("articles", *(table for table in ARTICLE_DETAIL_TABLES if table != "article_features"))
"""The tables this module is the one writer of (``article_features``: ``pipeline.store.features``)."""


class FetchState(NamedTuple):
    """A stored fallback's fetch state: why it has no page yet, the fetches tried, when it is fetched again."""

    article_id: str
    fallback_reason: str | None
    fetch_attempts: int
    next_fetch_at: datetime | None


def staged_rows_insert(table: str) -> str:
    """The statement that inserts the staged run's rows of an article-level table: of its new articles (of its
    new originals for ``ORIGINALS_ONLY_TABLES``), one per key, a row stored already kept."""
    from schemas.generate import primary_key

    originals_only = " WHERE duplicate_of IS NULL" if table in ORIGINALS_ONLY_TABLES else ""
    return (
        f"INSERT OR IGNORE INTO {table} BY NAME SELECT * FROM staged_{table} "
        f"WHERE article_id IN (SELECT article_id FROM staged_articles{originals_only}) "
        f"QUALIFY row_number() OVER (PARTITION BY {primary_key(table)}) = 1"
    )


def insert_staged(connection: duckdb.DuckDBPyConnection) -> None:
    """Insert the staged run's articles (``staged_articles``, settled by matching) and their rows of the other
    tables this module writes."""
    connection.execute("INSERT INTO articles BY NAME SELECT * FROM staged_articles")
    for table in WRITES[1:]:
        connection.execute(staged_rows_insert(table))


def _ids(article_ids: Iterable[str]) -> pa.Table:
    return pa.table({"article_id": pa.array(list(article_ids), pa.string())})


def delete_articles(connection: duckdb.DuckDBPyConnection, article_ids: Iterable[str]) -> None:
    """Delete articles with their rows of the other tables this module writes (``features.delete_features``
    deletes their features)."""
    with registered(connection, "deleted_articles", _ids(article_ids)):
        for table in WRITES:
            connection.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM deleted_articles)")


def set_fetch_states(connection: duckdb.DuckDBPyConnection, states: Iterable[FetchState]) -> None:
    """Give stored fallbacks a new fetch state."""
    from schemas.generate import arrow_schema

    columns = arrow_schema("articles")
    schema = pa.schema([columns.field(name) for name in FetchState._fields])
    table = pa.Table.from_pylist([state._asdict() for state in states], schema=schema)
    with registered(connection, "fetch_states", table):
        connection.execute(sql("set_fetch_states"))


class NearCopy(NamedTuple):
    """A stored near-copy of an article whose text changed, checked again: its similarity to the new text (None:
    no longer a near-copy) and whether it joins the article's event."""

    article_id: str
    parent_id: str
    score: float | None
    follows: bool


def set_near_copies(connection: duckdb.DuckDBPyConnection, copies: Iterable[NearCopy], method: str) -> None:
    """Give stored near-copies their new score and event; one no longer near loses its pointer and its link (of
    ``method``)."""
    schema = pa.schema(
        [("article_id", pa.string()), ("parent_id", pa.string()), ("score", pa.float64()), ("follows", pa.bool_())]
    )
    table = pa.Table.from_pylist([copy._asdict() for copy in copies], schema=schema)
    with registered(connection, "near_copies", table):
        connection.execute(sql("set_near_copies"))
        connection.execute(sql("set_near_copy_links"), {"method": method})
        connection.execute(sql("delete_near_copy_links"), {"method": method})


def copies_follow(connection: duckdb.DuckDBPyConnection, article_ids: Iterable[str]) -> None:
    """Stored exact copies of these articles join their original's event (a copy shares its original's event)."""
    with registered(connection, "followed_articles", _ids(article_ids)):
        connection.execute(sql("copies_follow"))


def follow_event_storylines(connection: duckdb.DuckDBPyConnection) -> None:
    """The touched events' members (``touched_events``) take their event's storyline, so no article names a
    storyline its event left (run after ``pipeline.store.events.refresh_events``)."""
    connection.execute(sql("follow_event_storylines"))


def fill_language(connection: duckdb.DuckDBPyConnection) -> None:
    """The detected language fills ``articles.language`` of the touched events' members (``touched_events``)
    where the source did not state one."""
    connection.execute(sql("fill_language"))


def migrate_entry_keys(connection: duckdb.DuckDBPyConnection) -> int:
    """Give articles read from saved feeds before entry keys had one format the key a live feed derives.

    Older versions stored a saved feed's raw GUID (else link) as ``entry_key`` and a live feed a hash of it
    (``ids.entry_key``), so a live run could not recognise an entry first loaded from a saved feed by its key.
    A key of ``ENTRY_KEY_CHARS`` hex digits is taken for a hash already (a raw GUID of that shape stays as it
    is); any other is taken for a GUID (an entry without one, keyed by its link, is still recognised by its
    canonical URL). Returns the rows migrated.
    """
    found = connection.execute(sql("raw_entry_keys"), {"hashed": f"[0-9a-f]{{{ids.ENTRY_KEY_CHARS}}}"}).fetchall()
    if not found:
        return 0
    keys = pa.table(
        {
            "article_id": [article_id for article_id, _ in found],
            "entry_key": [ids.entry_key(raw, None, "")[0] for _, raw in found],
        }
    )
    with registered(connection, "migrated_entry_keys", keys):
        connection.execute(sql("set_entry_keys"))
    LOGGER.info("migrated the entry keys of %d articles read from saved feeds", len(found))
    return len(found)


_MOVES = pa.schema([("article_id", pa.string()), ("event_id", pa.string()), ("storyline_id", pa.string())])
_MERGES = pa.schema([("old_event_id", pa.string()), ("event_id", pa.string()), ("storyline_id", pa.string())])
_RESTORIED = pa.schema([("event_id", pa.string()), ("storyline_id", pa.string())])


def _table(rows: Iterable[tuple], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist([dict(zip(schema.names, row, strict=True)) for row in rows], schema=schema)


def move_stored(
    connection: duckdb.DuckDBPyConnection,
    moved: Iterable[tuple[str, str, str | None]],
    merged: Iterable[tuple[str, str, str | None]],
    restoried: Iterable[tuple[str, str]] = (),
) -> None:
    """Stored articles ``(article_id, event_id, storyline_id or None)`` move to another event, their copies and
    near-copies with them, stored events ``(old_event_id, event_id, storyline_id or None)`` move whole, and the
    members of stored events ``(event_id, storyline_id)`` move storyline; the events they left and joined (with
    the storyline a staying event moves to) are listed in the temporary table ``moved_events`` (for
    ``touched_events`` and ``refresh_events``).

    Event links between stored articles the moves part are dropped, deliberately: ``article_links`` says why
    articles are grouped, and a link whose two articles now sit in different events would claim they are one
    event after clustering with later reports overruled that pair (near-duplicate links stay: copies move with
    their original)."""
    moves, merges, restories = _table(moved, _MOVES), _table(merged, _MERGES), _table(restoried, _RESTORIED)
    with (
        registered(connection, "moved_articles", moves),
        registered(connection, "merged_events", merges),
        registered(connection, "restoried_events", restories),
    ):
        connection.execute(sql("moved_events"))
        if moves.num_rows or merges.num_rows:
            connection.execute(sql("move_stored_articles"))
            connection.execute(sql("drop_split_event_links"))
        if restories.num_rows:
            connection.execute(sql("restory_stored_articles"))
