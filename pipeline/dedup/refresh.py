"""Re-compute stored event features that an older feature recipe made (``events.FEATURES_VERSION``).

New articles attach to stored events by comparing features, so both sides must come from one recipe: stored
terms kept by an older version, or weighted another way, score lower against new ones and stored events would
split. A run therefore first re-featurises every stored row of another version from the stored article (title,
body or summary, publication time), keeping a stored embedding, in two steps:

1. one transaction counts each such row's terms anew and moves ``term_stats`` from its stored terms to them, so
   the IDF weights of step 2 come from the final counts (the result equals a database built by this version);
2. batches of rows get their features, blocking keys and version, one transaction each.

A run killed at any point leaves each row old or new with ``term_stats`` to match; the next run carries on
(step 1 finds nothing left to move for rows it already moved).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from pipeline.dedup import events
from pipeline.dedup.grouping import article_term_counts, feature_row
from pipeline.sinks import connect
from schemas.generate import arrow_schema, to_row

LOGGER = logging.getLogger(__name__)

REFRESH_BATCH = 2_000
"""Stored rows re-featurised per transaction."""
_TERM_CHANGES = pa.schema([("term", pa.string()), ("change", pa.int64())])

_STALE_ROWS = """
SELECT f.article_id, a.title, a.text, a.summary, a.published_at, f.features, f.terms, a.duplicate_of IS NULL
FROM article_features f JOIN articles a USING (article_id)
WHERE f.features_version <> $version
"""

_APPLY_TERM_CHANGES = """
INSERT INTO term_stats BY NAME
SELECT term, change AS doc_count FROM term_changes WHERE change <> 0
ON CONFLICT (term) DO UPDATE SET doc_count = term_stats.doc_count + excluded.doc_count;
DELETE FROM term_stats WHERE doc_count <= 0;
"""

_UPDATE_TERMS = """
UPDATE article_features SET terms = r.terms FROM recounted_terms r WHERE article_features.article_id = r.article_id
"""

_UPDATE_FEATURES = """
UPDATE article_features SET
    features = r.features, blocking_keys = r.blocking_keys, terms = r.terms, features_version = r.features_version
FROM refreshed_features r WHERE article_features.article_id = r.article_id
"""


def stale_feature_rows(connection) -> int:
    """How many stored feature rows another recipe version computed."""
    return connection.execute(
        "SELECT count(*) FROM article_features WHERE features_version <> ?", [events.FEATURES_VERSION]
    ).fetchall()[0][0]


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
            events.FEATURES_VERSION,
        )
        _in_transaction(connection, _move_term_stats, batch_size)
        refreshed = 0
        for rows in _stale_rows(connection, batch_size):
            _in_transaction(connection, _refresh_features, rows)
            refreshed += len(rows)
            LOGGER.info("re-featurised %d of %d stored articles", refreshed, stale)
    return refreshed


def _in_transaction(connection, work, *args) -> None:
    """``work(connection, *args)`` in one transaction."""
    connection.begin()
    try:
        work(connection, *args)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise


def _stale_rows(connection, batch_size: int) -> Iterator[list[tuple]]:
    """The stale rows as they are now, in batches, read in one scan on a cursor of their own so that the caller
    can write (and commit) between batches."""
    reader = connection.cursor()
    try:
        reader.execute(_STALE_ROWS, {"version": events.FEATURES_VERSION})
        while rows := reader.fetchmany(batch_size):
            yield rows
    finally:
        reader.close()


def _execute_with(connection, name: str, table: pa.Table, statements: str) -> None:
    """Run SQL statements that read ``table`` under ``name``."""
    connection.register(name, table)
    try:
        for statement in filter(str.strip, statements.split(";\n")):
            connection.execute(statement).fetchall()
    finally:
        connection.unregister(name)


def _move_term_stats(connection, batch_size: int) -> None:
    """Count the stale rows' terms anew; where they changed, store them and move ``term_stats`` with them."""
    changes: Counter = Counter()
    for rows in _stale_rows(connection, batch_size):
        recounted = []
        for article_id, title, text, summary, _, _, old_terms, counted in rows:
            new_terms = sorted(article_term_counts(title, text, summary).terms())
            if new_terms != sorted(old_terms):
                recounted.append({"article_id": article_id, "terms": new_terms})
                if counted:
                    changes.update(new_terms)
                    changes.subtract(old_terms)
        if recounted:
            _execute_with(connection, "recounted_terms", pa.Table.from_pylist(recounted), _UPDATE_TERMS)
    term_changes = pa.table({"term": list(changes), "change": list(changes.values())}, schema=_TERM_CHANGES)
    _execute_with(connection, "term_changes", term_changes, _APPLY_TERM_CHANGES)


def _refresh_features(connection, rows: list[tuple]) -> None:
    """New features, blocking keys and version for a batch of stale rows, weighted by the stored term counts."""
    counts = {row[0]: article_term_counts(row[1], row[2], row[3]) for row in rows}
    needed = pa.table({"term": sorted({term for counted in counts.values() for term in counted.terms()})})
    connection.register("needed_terms", needed)
    try:
        query = "SELECT term, doc_count FROM term_stats JOIN needed_terms USING (term)"
        doc_freq = dict(connection.execute(query).fetchall())
    finally:
        connection.unregister("needed_terms")
    n_docs = max(1, connection.execute("SELECT count(*) FROM article_features").fetchall()[0][0])
    refreshed = []
    for article_id, _, _, _, published_at, old_features, _, _ in rows:
        embedding = json.loads(old_features).get("embedding")
        features = events.features_from_counts(counts[article_id], published_at, doc_freq, n_docs, embedding)
        refreshed.append(to_row(feature_row(article_id, features, sorted(counts[article_id].terms()))))
    table = pa.Table.from_pylist(refreshed, schema=arrow_schema("article_features"))
    _execute_with(connection, "refreshed_features", table, _UPDATE_FEATURES)
