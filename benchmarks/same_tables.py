"""Same tables before and after a speed change: every table of two wirebeam databases compared row for row.

A change to how the pipeline computes must leave what it stores as it was. Run the same input into two fresh
databases (one per version) and compare them: each table's rows as a multiset, leaving out only what differs from
run to run whatever the code (``VOLATILE``: run IDs, clock times, the run's options, which name its paths).

    .venv/bin/python -m benchmarks.same_tables /tmp/before.duckdb /tmp/after.duckdb

Prints each table's row counts and the rows found in one database only; exits 1 when any table differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

VOLATILE = frozenset(
    {"run_id", "created_run_id", "updated_run_id", "ingested_at", "started_at", "finished_at", "rejected_at", "options"}
)
"""Columns that differ between two runs of one input on one code: who ran when, and with which paths."""


def _columns(connection: duckdb.DuckDBPyConnection, database: str, table: str) -> list[str]:
    rows = connection.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = ? AND table_name = ? "
        "ORDER BY ordinal_position",
        [database, table],
    ).fetchall()
    return [name for (name,) in rows if name not in VOLATILE]


def compare(before: Path, after: Path) -> dict[str, tuple[int, int, int, int]]:
    """``{table: (rows before, rows after, rows only before, rows only after)}`` for every table of either."""
    connection = duckdb.connect()
    connection.execute(f"ATTACH '{before}' AS a (READ_ONLY)")
    connection.execute(f"ATTACH '{after}' AS b (READ_ONLY)")
    tables = {
        database: {
            name
            for (name,) in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = ? AND table_type = 'BASE TABLE'",
                [database],
            ).fetchall()
        }
        for database in ("a", "b")
    }
    found = {}
    for table in sorted(tables["a"] | tables["b"]):
        if table not in tables["a"] or table not in tables["b"]:
            found[table] = (-1, -1, -1, -1)
            continue
        columns = _columns(connection, "a", table)
        if columns != _columns(connection, "b", table):
            found[table] = (-2, -2, -2, -2)
            continue
        listed = ", ".join(f'"{column}"' for column in columns)
        count = {db: connection.execute(f"SELECT count(*) FROM {db}.{table}").fetchone()[0] for db in ("a", "b")}
        only = {
            db: connection.execute(
                f"SELECT count(*) FROM (SELECT {listed} FROM {db}.{table} "
                f"EXCEPT ALL SELECT {listed} FROM {other}.{table})"
            ).fetchone()[0]
            for db, other in (("a", "b"), ("b", "a"))
        }
        found[table] = (count["a"], count["b"], only["a"], only["b"])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    differ = False
    for table, (rows_a, rows_b, only_a, only_b) in compare(args.before, args.after).items():
        if rows_a < 0:
            print(f"{table}: {'missing in one' if rows_a == -1 else 'columns differ'}")
            differ = True
            continue
        same = only_a == only_b == 0 and rows_a == rows_b
        differ |= not same
        mark = "" if same else "  DIFFER"
        print(f"{table}: {rows_a} / {rows_b} rows, {only_a} only before, {only_b} only after{mark}")
    print("DIFFERENT" if differ else "IDENTICAL")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
