"""The staged run: one table's staging shards copied into a temporary table ``staged_<table>`` for the load.

Workers write each table's rows as Parquet shards (``pipeline.staging``); the load reads them back here, into
temporary tables shaped like the real ones, before any real table is written.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.store.statements import registered


def stage(connection: duckdb.DuckDBPyConnection, staging_dir: str | Path, table: str) -> int:
    """Copy a table's shards (local or in an object store) into a temporary table shaped like the real one;
    returns the row count."""
    from pipeline.staging import read_shards, shard_paths

    connection.execute(f"CREATE OR REPLACE TEMP TABLE staged_{table} AS SELECT * FROM {table} LIMIT 0")
    shards = read_shards(shard_paths(str(staging_dir), table))
    if shards is None:
        return 0
    with registered(connection, "staging_shards", shards):
        connection.execute(f"INSERT INTO staged_{table} BY NAME SELECT * FROM staging_shards")
    return shards.num_rows
