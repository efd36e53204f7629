"""What a run's pipeline reads from the database, written before it starts as Parquet files the workers read:
the stored term document frequencies and paragraph hashes (which the workers look the run's own terms and
paragraphs up in: ``pipeline.staging.lookup``) and the stored entries' keys and URLs.

Each export reads through a read-only connection and writes no file when there is nothing to read.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pipeline.store.connection import connect
from pipeline.store.statements import has_table, sql, sql_string

LOGGER = logging.getLogger(__name__)


def export_term_stats(db_path: Path, target: Path) -> int:
    """Write the stored term document frequencies (``term, doc_count``) to a Parquet file, which the pipeline
    looks its own terms up in; returns how many articles they count (0, and no file, for a new database)."""
    if not db_path.exists():
        return 0
    with connect(db_path, read_only=True) as connection:
        if not has_table(connection, "term_stats"):
            return 0
        prior_docs = connection.execute("SELECT count(*) FROM article_features").fetchone()[0]
        if prior_docs:
            target.parent.mkdir(parents=True, exist_ok=True)
            connection.execute(f"COPY term_stats TO {sql_string(target)} (FORMAT parquet)")
    return prior_docs


def export_paragraphs(db_path: str | Path, target: str | Path) -> bool:
    """Write the stored articles' paragraph observations (``article_paragraphs``, one ``key, witness`` row each)
    to a Parquet file, which the next run's boilerplate stage looks its own paragraphs up in; False, and no file,
    when there are none."""
    if not Path(db_path).exists():
        return False
    with connect(db_path, read_only=True) as connection:
        if (
            not has_table(connection, "article_paragraphs")
            or not connection.execute("SELECT count(*) FROM article_paragraphs").fetchone()[0]
        ):
            return False
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        connection.execute(
            f"COPY (SELECT unnest(keys) AS key, unnest(witnesses) AS witness FROM article_paragraphs) "
            f"TO {sql_string(target)} (FORMAT parquet)"
        )
    return True


def export_stored_entries(db_path: Path, target: Path) -> int:
    """Write the entry keys, canonical URLs, titles and summaries of stored articles, and the keys of entries read
    (``entry_reads``), with when each was last read, to a Parquet file for the pipeline (which entries are stored
    already: ``pipeline.sources.live.is_known``); returns its row count (0, and no file, when nothing is stored)."""
    if not db_path.exists():
        return 0
    with connect(db_path, read_only=True) as connection:
        if not has_table(connection, "articles"):
            return 0
        query = sql("stored_entries")
        if has_table(connection, "entry_reads"):  # a database an older wirebeam made has none
            query = f"{query} UNION ALL {sql('stored_entry_reads')}"
        count = connection.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
        if count:
            target.parent.mkdir(parents=True, exist_ok=True)
            connection.execute(f"COPY ({query}) TO {sql_string(target)} (FORMAT parquet)")
    LOGGER.info("%d stored entries staged for the run", count)
    return count
