"""The analyst views (``schemas/views.sql``): derived from the tables, re-created by every writable connection."""

from __future__ import annotations

import re
from importlib import resources

import duckdb

VIEWS_FILE = "views.sql"
_VIEW_NAME = re.compile(r"CREATE OR REPLACE VIEW (\w+)", re.IGNORECASE)


def views_sql() -> str:
    """The ``CREATE OR REPLACE VIEW`` statements, in dependency order."""
    return resources.files("schemas").joinpath(VIEWS_FILE).read_text()


def view_names() -> list[str]:
    """The views ``views_sql`` creates, in order."""
    return _VIEW_NAME.findall(views_sql())


def create_views(connection: duckdb.DuckDBPyConnection) -> None:
    """Create or replace every view (call after the tables exist)."""
    connection.execute(views_sql())
