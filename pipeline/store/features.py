"""Stored event features and term counts: the run's new rows and counts (``insert_staged``, in the load), the
rows of an upgraded fallback's old version (``delete_features``), and re-computing features that an older recipe
made (``refresh_stale_features``, before a run). This module is the one writer of ``article_features`` and
``term_stats``.

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
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import duckdb
import pyarrow as pa

from pipeline.events.features import FEATURES_VERSION, EventFeatures, features_from_counts
from pipeline.store.articles import staged_rows_insert
from pipeline.store.connection import connect, cursor
from pipeline.store.statements import in_transaction, registered, sql
from schemas.generate import arrow_schema, column_names, primary_key, to_row

LOGGER = logging.getLogger(__name__)

WRITES = ("article_features", "term_stats")
"""The tables this module is the one writer of."""
REFRESH_BATCH = 2_000
"""Stored rows handled per transaction."""
MOVED_VERSION = -FEATURES_VERSION
"""Version of a row between the two steps: its terms are counted by this version, its features are not yet."""

_TERM_CHANGES = pa.schema([("term", pa.string()), ("change", pa.int64())])
_RECOUNTED_TERMS = pa.schema([("article_id", pa.string()), ("terms", pa.list_(pa.string()))])

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
    query = f"SELECT count(*) FROM ({sql('stale_feature_rows')})"
    return connection.execute(query, {"done": [FEATURES_VERSION]}).fetchall()[0][0]


def refresh_stale_features(db_path: Path, batch_size: int = REFRESH_BATCH, wait: float = 0.0) -> int:
    """Re-featurise the database's stored rows of another recipe version; returns how many were redone.

    Call while holding the database lock, before the run reads ``term_stats``. Opens the database for writing as
    ``connect`` does (creating it, or bringing its schema up to date; waiting up to ``wait`` seconds while another
    program holds it, else ``DatabaseInUse``), so a run opens it once for both."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    with connect(db_path, wait=wait) as connection:
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
    reader = cursor(connection)
    try:
        reader.execute(sql("stale_feature_rows"), {"done": [FEATURES_VERSION, *also_done]})
        while rows := reader.fetchmany(batch_size):
            yield [StoredRow(*row) for row in rows]
    finally:
        reader.close()


def move_term_stats(connection: duckdb.DuckDBPyConnection, rows: list[StoredRow]) -> None:
    """Step 1 for a batch: count the rows' terms anew, store them, and move ``term_stats`` with them."""
    from pipeline.events.stage import article_term_counts  # imports Beam: not for the commands that only read

    changes: Counter = Counter()
    recounted = []
    for row in rows:
        new_terms = sorted(article_term_counts(row.title, row.text, row.summary).terms())
        if new_terms != sorted(row.terms):
            recounted.append({"article_id": row.article_id, "terms": new_terms})
            if row.counted:
                changes.update(new_terms)
                changes.subtract(row.terms)
    moved = pa.table({"article_id": [row.article_id for row in rows]})
    with registered(connection, "recounted_terms", pa.Table.from_pylist(recounted, schema=_RECOUNTED_TERMS)):
        connection.execute(sql("set_recounted_terms"))
    with registered(connection, "moved_rows", moved):
        connection.execute(
            "UPDATE article_features SET features_version = ? WHERE article_id IN (SELECT article_id FROM moved_rows)",
            [MOVED_VERSION],
        )
    term_changes = pa.table({"term": list(changes), "change": list(changes.values())}, schema=_TERM_CHANGES)
    with registered(connection, "term_changes", term_changes):
        connection.execute(sql("change_term_stats"))
    connection.execute("DELETE FROM term_stats WHERE doc_count <= 0")


def refresh_features(connection: duckdb.DuckDBPyConnection, rows: list[StoredRow], n_docs: int) -> None:
    """Step 2 for a batch: features, blocking keys and version, weighted by the stored term counts."""
    from pipeline.events.stage import article_term_counts, feature_row  # imports Beam

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
    with registered(connection, "refreshed_features", table):
        connection.execute(_UPDATE_FEATURES)


def insert_staged(connection: duckdb.DuckDBPyConnection) -> None:
    """Insert the feature rows of the staged run's new originals and count their terms into ``term_stats``
    (call after the run's articles are settled in ``staged_articles``)."""
    connection.execute(staged_rows_insert("article_features"))
    connection.execute(sql("count_staged_terms"))


def delete_features(connection: duckdb.DuckDBPyConnection, article_ids: Iterable[str]) -> None:
    """Delete the feature rows of stored originals, their terms leaving ``term_stats``."""
    with registered(connection, "deleted_features", pa.table({"article_id": pa.array(list(article_ids), pa.string())})):
        connection.execute(sql("uncount_deleted_terms"))
        connection.execute("DELETE FROM article_features WHERE article_id IN (SELECT article_id FROM deleted_features)")


def current_features(connection: duckdb.DuckDBPyConnection, article_ids: Iterable[str]) -> dict[str, EventFeatures]:
    """Stored articles' event features weighed as the staged run weighs its own: from the stored article, with the
    document frequencies of the stored and the run's articles (a stored row keeps the weights of the run that
    stored it; clustering a run's new reports with stored ones needs both alike: on ECB+ half A in two windows the
    first window's own weights alone took the wrongly joined pairs from 104 to 281). Read-only; a stored
    embedding is kept."""
    from pipeline.events.stage import article_term_counts  # imports Beam: not for the commands that only read

    with registered(connection, "current_articles", pa.table({"article_id": pa.array(list(article_ids), pa.string())})):
        rows = connection.execute(
            "SELECT f.article_id, a.title, a.text, a.summary, a.published_at, f.features "
            "FROM article_features f JOIN articles a USING (article_id) "
            "WHERE f.article_id IN (SELECT article_id FROM current_articles) ORDER BY 1"
        ).fetchall()
    counts = {row[0]: article_term_counts(*row[1:4]) for row in rows}
    needed = pa.table({"term": pa.array(sorted({t for c in counts.values() for t in c.terms()}), pa.string())})
    with registered(connection, "needed_terms", needed):
        doc_freq = dict(connection.execute(sql("current_doc_freq")).fetchall())
    n_docs = max(1, doc_freq.pop(None, 0))
    return {
        article_id: features_from_counts(
            counts[article_id], published_at, doc_freq, n_docs, json.loads(features).get("embedding")
        )
        for article_id, _, _, _, published_at, features in rows
    }
