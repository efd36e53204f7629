"""The database's schema: tables and columns from ``schemas/`` (generated DDL), the views, and migrations of
rows an older wirebeam stored.

``ensure_schema`` runs on every writable connection, in one transaction, so a run killed while creating or
upgrading a database leaves it as it was. Each migration lives in the module that writes its table and finds the
rows still in an old format itself, so it does nothing on a database that has none (and costs one filtered scan).
"""

from __future__ import annotations

import logging

import duckdb

from pipeline.store.articles import migrate_entry_keys
from pipeline.store.statements import StoreError
from pipeline.store.views import create_views
from schemas.models import TABLES

LOGGER = logging.getLogger(__name__)

MIGRATIONS = (migrate_entry_keys,)
"""Migrations of stored rows, in order (each idempotent)."""


PRIMARY_KEYS = """
    SELECT table_name, constraint_column_names FROM duckdb_constraints()
    WHERE database_name = current_database() AND schema_name = current_schema() AND constraint_type = 'PRIMARY KEY'
"""
"""Each table's primary key columns: every table wirebeam makes has its model's key as its primary key."""


class ForeignDatabase(StoreError):
    """The file holds a table under one of wirebeam's names that wirebeam did not make (another primary key)."""


def ensure_schema(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the tables, add columns that newer models declare to tables made by older versions, migrate old
    rows and (re)create the views. A table of another program's under one of wirebeam's names is left untouched:
    ``ForeignDatabase``."""
    from schemas.generate import add_column_statements, column_names, duckdb_ddl, primary_key  # pyarrow

    connection.begin()
    try:
        connection.execute(duckdb_ddl())
        keys = dict(connection.execute(PRIMARY_KEYS).fetchall())
        for table in TABLES:
            if keys.get(table) != [primary_key(table)]:
                raise ForeignDatabase(
                    f"this database holds a table {table!r} that wirebeam did not make (its primary key is not "
                    f"{primary_key(table)}); give --db a file of wirebeam's own"
                )
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
