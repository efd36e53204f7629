"""Stored event features and term counts: the run's new counts (``update_term_stats``, in the load), and
re-computing features that an older recipe made (``refresh_stale_features``, before a run).

This module is the one writer of ``term_stats`` and the one that rewrites stored ``article_features`` rows.

Refreshing stored event features that an older feature recipe made (``FEATURES_VERSION``).

New articles attach to stored events by comparing features, so both sides must come from one recipe: stored
terms kept by an older version, or weighted another way, score lower against new ones and stored events would
split. A run therefore first re-featurises every stored row of another version from the stored article (title,
body or summary, publication time), keeping a stored embedding (embeddings are outside the recipe), in two steps:

1. each row's terms are counted anew, and ``term_stats`` moves from its stored terms to them; the row's version
   becomes ``-FEATURES_VERSION`` (terms of this version, features not yet);
2. once every row is moved, so that IDF weights come from the final counts, each row gets its features,
   blocking keys and version.

The result is what this version computes when it featurises all stored articles together. Each batch of either
step is one transaction that keeps ``term_stats`` equal to the count of the rows' ``terms``, so a run killed at
any point loses nothing and the next run goes on from where it stopped.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import duckdb
import pyarrow as pa

from pipeline.events.features import FEATURES_VERSION, features_from_counts
from pipeline.events.stage import article_term_counts, feature_row
from pipeline.store.connection import configure_session, connect
from pipeline.store.statements import in_transaction, registered
from schemas.generate import arrow_schema, column_names, primary_key, to_row

LOGGER = logging.getLogger(__name__)

REFRESH_BATCH = 2_000
"""Stored rows handled per transaction."""
MOVED_VERSION = -FEATURES_VERSION
"""Version of a row between the two steps: its terms are counted by this version, its features are not yet."""

_TERM_CHANGES = pa.schema([("term", pa.string()), ("change", pa.int64())])
_RECOUNTED_TERMS = pa.schema([("article_id", pa.string()), ("terms", pa.list_(pa.string()))])

_STALE_ROWS = """
SELECT f.article_id, a.title, a.text, a.summary, a.published_at, f.features, f.terms,
       a.duplicate_of IS NULL AS counted
FROM article_features f JOIN articles a USING (article_id)
WHERE f.features_version NOT IN ({versions})
"""

_APPLY_TERM_CHANGES = (
    "UPDATE article_features SET terms = r.terms FROM recounted_terms r "
    "WHERE article_features.article_id = r.article_id",
    "UPDATE article_features SET features_version = $moved WHERE article_id IN (SELECT article_id FROM moved_rows)",
    "INSERT INTO term_stats BY NAME SELECT term, change AS doc_count FROM term_changes WHERE change <> 0 "
    "ON CONFLICT (term) DO UPDATE SET doc_count = term_stats.doc_count + excluded.doc_count",
    "DELETE FROM term_stats WHERE doc_count <= 0",
)

_FEATURE_COLUMNS = [name for name in column_names("article_features") if name != primary_key("article_features")]
_UPDATE_FEATURES = (
    "UPDATE article_features SET "
    + ", ".join(f"{name} = r.{name}" for name in _FEATURE_COLUMNS)
    + " FROM refreshed_features r WHERE article_features.article_id = r.article_id"
)


class StoredRow(NamedTuple):
    """A stored article with its feature row."""

    article_id: str
    title: str
    text: str | None
    summary: str | None
    published_at: datetime | None
    features: str
    terms: list[str]
    counted: bool
    """Whether its terms are in ``term_stats`` (an original: ``duplicate_of IS NULL``)."""


def stale_feature_rows(connection: duckdb.DuckDBPyConnection) -> int:
    """How many stored feature rows (of a stored article) this version has not computed."""
    query = f"SELECT count(*) FROM ({_STALE_ROWS.format(versions='$current')})"
    return connection.execute(query, {"current": FEATURES_VERSION}).fetchall()[0][0]


def refresh_stale_features(db_path: Path, batch_size: int = REFRESH_BATCH) -> int:
    """Re-featurise the database's stored rows of another recipe version; returns how many were redone.

    Call while holding the database lock, before the run reads ``term_stats``."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if not db_path.exists():
        return 0
    with connect(db_path) as connection:
        stale = stale_feature_rows(connection)
        if not stale:
            return 0
        LOGGER.warning(
            "%d stored articles have event features of an older wirebeam: re-computing them for features version "
            "%d (once)",
            stale,
            FEATURES_VERSION,
        )
        for rows in stored_rows(connection, batch_size, also_done=(MOVED_VERSION,)):
            in_transaction(connection, move_term_stats, rows)
        n_docs = max(1, connection.execute("SELECT count(*) FROM article_features").fetchall()[0][0])
        refreshed = 0
        for rows in stored_rows(connection, batch_size):
            in_transaction(connection, refresh_features, rows, n_docs)
            refreshed += len(rows)
            LOGGER.info("re-featurised %d of %d stored articles", refreshed, stale)
    return refreshed


def stored_rows(
    connection: duckdb.DuckDBPyConnection, batch_size: int, also_done: tuple[int, ...] = ()
) -> Iterator[list[StoredRow]]:
    """Batches of the rows whose version is neither this one nor one of ``also_done``, as they are now: one scan,
    on a cursor of its own, so the caller can write and commit between batches."""
    versions = ", ".join(str(version) for version in (FEATURES_VERSION, *also_done))
    reader = connection.cursor()
    try:
        configure_session(reader)
        reader.execute(_STALE_ROWS.format(versions=versions))
        while rows := reader.fetchmany(batch_size):
            yield [StoredRow(*row) for row in rows]
    finally:
        reader.close()


def _with_tables(
    connection: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table], statements: tuple[str, ...], **params
) -> None:
    """Run SQL statements that read each table under its name (each statement gets the parameters it names)."""
    with ExitStack() as stack:
        for name, table in tables.items():
            stack.enter_context(registered(connection, name, table))
        for statement in statements:
            used = {name: value for name, value in params.items() if f"${name}" in statement}
            connection.execute(statement, used or None)


def move_term_stats(connection: duckdb.DuckDBPyConnection, rows: list[StoredRow]) -> None:
    """Step 1 for a batch: count the rows' terms anew, store them, and move ``term_stats`` with them."""
    changes: Counter = Counter()
    recounted = []
    for row in rows:
        new_terms = sorted(article_term_counts(row.title, row.text, row.summary).terms())
        if new_terms != sorted(row.terms):
            recounted.append({"article_id": row.article_id, "terms": new_terms})
            if row.counted:
                changes.update(new_terms)
                changes.subtract(row.terms)
    tables = {
        "moved_rows": pa.table({"article_id": [row.article_id for row in rows]}),
        "recounted_terms": pa.Table.from_pylist(recounted, schema=_RECOUNTED_TERMS),
        "term_changes": pa.table({"term": list(changes), "change": list(changes.values())}, schema=_TERM_CHANGES),
    }
    _with_tables(connection, tables, _APPLY_TERM_CHANGES, moved=MOVED_VERSION)


def refresh_features(connection: duckdb.DuckDBPyConnection, rows: list[StoredRow], n_docs: int) -> None:
    """Step 2 for a batch: features, blocking keys and version, weighted by the stored term counts."""
    counts = {row.article_id: article_term_counts(row.title, row.text, row.summary) for row in rows}
    needed = pa.table({"term": sorted({term for counted in counts.values() for term in counted.terms()})})
    with registered(connection, "needed_terms", needed):
        query = "SELECT term, doc_count FROM term_stats JOIN needed_terms USING (term)"
        doc_freq = dict(connection.execute(query).fetchall())
    refreshed = []
    for row in rows:
        embedding = json.loads(row.features).get("embedding")
        features = features_from_counts(counts[row.article_id], row.published_at, doc_freq, n_docs, embedding)
        refreshed.append(to_row(feature_row(row.article_id, features, sorted(counts[row.article_id].terms()))))
    table = pa.Table.from_pylist(refreshed, schema=arrow_schema("article_features"))
    _with_tables(connection, {"refreshed_features": table}, (_UPDATE_FEATURES,))


_UPDATE_TERM_STATS = """
INSERT INTO term_stats BY NAME
SELECT term, count(*) AS doc_count
FROM (SELECT unnest(terms) AS term FROM staged_article_features
      WHERE article_id IN (SELECT article_id FROM staged_articles WHERE duplicate_of IS NULL))
GROUP BY term
ON CONFLICT (term) DO UPDATE SET doc_count = term_stats.doc_count + excluded.doc_count
"""


def update_term_stats(connection: duckdb.DuckDBPyConnection) -> None:
    """Count the terms of the run's newly stored representatives into ``term_stats``."""
    connection.execute(_UPDATE_TERM_STATS)
