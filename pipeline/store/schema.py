"""The database's schema: tables and columns from ``schemas/`` (generated DDL), the views, and migrations of
rows an older wirebeam stored.

``ensure_schema`` runs on every writable connection, in one transaction, so a run killed while creating or
upgrading a database leaves it as it was. Each migration finds the rows still in an old format itself, so it
does nothing on a database that has none (and costs one filtered scan).
"""

from __future__ import annotations

import logging

import duckdb
import pyarrow as pa

from pipeline import ids
from pipeline.store.statements import registered
from pipeline.store.views import create_views
from schemas.models import TABLES

LOGGER = logging.getLogger(__name__)

_RAW_ENTRY_KEYS = f"""
SELECT article_id, entry_key FROM articles
WHERE origin = 'seed' AND entry_key IS NOT NULL
  AND NOT regexp_full_match(entry_key, '[0-9a-f]{{{ids.ENTRY_KEY_CHARS}}}')
"""


def migrate_entry_keys(connection: duckdb.DuckDBPyConnection) -> int:
    """Give articles read from saved feeds before entry keys had one format the key a live feed derives.

    Older versions stored a saved feed's raw GUID (else link) as ``entry_key`` and a live feed a hash of it
    (``ids.entry_key``), so a live run could not recognise an entry first loaded from a saved feed by its key.
    A key of ``ENTRY_KEY_CHARS`` hex digits is taken for a hash already (a raw GUID of that shape stays as it
    is); any other is taken for a GUID (an entry without one, keyed by its link, is still recognised by its
    canonical URL). Returns the rows migrated.
    """
    rows = connection.execute(_RAW_ENTRY_KEYS).fetchall()
    if not rows:
        return 0
    keys = pa.table(
        {
            "article_id": [article_id for article_id, _ in rows],
            "entry_key": [ids.entry_key(raw, None, "")[0] for _, raw in rows],
        }
    )
    with registered(connection, "migrated_entry_keys", keys):
        connection.execute(
            "UPDATE articles SET entry_key = m.entry_key FROM migrated_entry_keys m "
            "WHERE articles.article_id = m.article_id"
        )
    LOGGER.info("migrated the entry keys of %d articles read from saved feeds", len(rows))
    return len(rows)


MIGRATIONS = (migrate_entry_keys,)
"""Migrations of stored rows, in order (each idempotent)."""


def ensure_schema(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the tables, add columns that newer models declare to tables made by older versions, migrate old
    rows and (re)create the views."""
    from schemas.generate import add_column_statements, column_names, duckdb_ddl  # pyarrow: not for readers

    connection.begin()
    try:
        connection.execute(duckdb_ddl())
        for table in TABLES:
            existing = {row[0] for row in connection.execute(f"DESCRIBE {table}").fetchall()}
            for name in column_names(table):
                if name not in existing:
                    LOGGER.info("adding column %s.%s", table, name)
                    for statement in add_column_statements(table, name):
                        connection.execute(statement)
        for migrate in MIGRATIONS:
            migrate(connection)
        create_views(connection)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
