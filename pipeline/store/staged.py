"""The staged run: one table's staging shards copied into a temporary table ``staged_<table>`` for the load.

Workers write each table's rows as Parquet shards (``pipeline.staging``); the load reads them back here, into
temporary tables shaped like the real ones, before any real table is written.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipeline.store.statements import registered

_GLOB = re.compile(r"[*?[]")
"""Characters ``read_parquet`` would take a path's as a pattern: such shards are read one by one."""


def stage(connection: duckdb.DuckDBPyConnection, staging_dir: str | Path, table: str) -> int:
    """Copy a table's shards (local or in an object store) into a temporary table shaped like the real one;
    returns the row count."""
    from pipeline.staging import is_local, read_shard, shard_paths

    connection.execute(f"CREATE OR REPLACE TEMP TABLE staged_{table} AS SELECT * FROM {table} LIMIT 0")
    paths = shard_paths(str(staging_dir), table)
    if paths and is_local(str(staging_dir)) and not any(map(_GLOB.search, paths)):
        # DuckDB reads them all at once, in parallel; a folder named ``key=value`` adds no column
        connection.execute(
            f"INSERT INTO staged_{table} BY NAME SELECT * FROM read_parquet($paths, hive_partitioning = false)",
            {"paths": paths},
        )
        paths = []
    for path in paths:
        shard = read_shard(path)
        with registered(connection, "staging_shard", shard):
            connection.execute(f"INSERT INTO staged_{table} BY NAME SELECT * FROM staging_shard")
    return connection.execute(f"SELECT count(*) FROM staged_{table}").fetchone()[0]
