"""Running SQL on an open connection: SQL resources, rows as dicts, Arrow tables readable in SQL, transactions.

Every statement of more than one line is a resource ``pipeline/store/sql/<name>.sql`` (``sql``); one-line
statements, and statements generated from the schemas (column lists, one per table), stay beside their code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb


class StoreError(Exception):
    """A problem the user can fix: no database, an unknown event ID, a bad output path."""


def rows(
    connection: duckdb.DuckDBPyConnection, query: str, parameters: list | dict | None = None
) -> list[dict[str, Any]]:
    """The result of ``query`` as one dict per row (column name -> value).

    A missing table or view means a database made by an older wirebeam: a ``StoreError`` that says so.
    """
    try:
        cursor = connection.execute(query, parameters or None)
    except duckdb.CatalogException as error:
        raise StoreError(f"{error} - was the database made by an older wirebeam? Run `wirebeam run` once.") from error
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def has_table(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the database has ``table`` (a new or foreign file may not)."""
    return bool(connection.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = ?", [table]).fetchall())


def in_transaction(connection: duckdb.DuckDBPyConnection, work: Callable[..., Any], *args) -> Any:
    """``work(connection, *args)`` in one transaction: committed when it returns, rolled back when it raises."""
    connection.begin()
    try:
        result = work(connection, *args)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return result


def sql_string(path: str | Path) -> str:
    """A path as a SQL string literal (for ``COPY ... TO``)."""
    return "'" + str(path).replace("'", "''") + "'"


@cache
def sql(name: str) -> str:
    """The SQL resource ``pipeline/store/sql/<name>.sql``: one statement."""
    return resources.files("pipeline.store").joinpath("sql", f"{name}.sql").read_text()


@contextmanager
def registered(connection: duckdb.DuckDBPyConnection, name: str, table: Any) -> Iterator[None]:
    """``table`` (an Arrow table) readable in SQL as ``name`` while the block runs."""
    connection.register(name, table)
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):  # an aborted transaction refuses this too: the block's error is the one to see
            connection.unregister(name)
        raise
    connection.unregister(name)
