"""``wirebeam query``: read-only SQL on the database, printed as a table, CSV or JSON."""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys

from pipeline import analyst
from pipeline.options import UsageError
from pipeline.store.connection import StoreError, open_database
from pipeline.store.queries import user_query

TABLE_CELL_CHARS = 60
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Shown as U+FFFD in tables: article text must not drive the terminal (escape sequences)."""


def run_query(args: argparse.Namespace) -> int:
    """Each statement of the SQL in turn, each result printed (a table apart from the last by a blank line); CSV
    and JSON take one statement. The SQL reaches no other file without ``--allow_file_access``."""
    try:
        connection = open_database(args.db, file_access=args.allow_file_access)
    except StoreError as error:  # a missing or busy database, in one line
        print(f"wirebeam: {error}", file=sys.stderr)
        return analyst.exit_code(error)
    with connection:
        statements = connection.extract_statements(args.sql)
        if len(statements) > 1 and args.format != "table":
            raise UsageError(f"--format {args.format} takes one statement; {len(statements)} were given")
        printed = False
        for statement in statements:
            result = user_query(connection, statement.query)
            if result is not None:
                if printed:
                    print()
                print_result(*result, args.format)
                printed = True
    return 0


def print_result(columns: list[str], rows: list[tuple], output: str) -> None:
    """One statement's result as a table, CSV or JSON."""
    if output == "json":
        print(json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=str, indent=2))
    elif output == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")  # not CRLF: $(wirebeam query ...) in a shell
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        print_table(columns, rows)


def _cell(value: object) -> str:
    text = "NULL" if value is None else CONTROL_CHARS.sub("\ufffd", str(value))
    return text if len(text) <= TABLE_CELL_CHARS else text[: TABLE_CELL_CHARS - 1] + "…"


def print_table(columns: list[str], rows: list[tuple]) -> None:
    """Rows as an aligned text table: NULL shown as such, long values cut with an ellipsis."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(column)] + [len(row[index]) for row in cells]) for index, column in enumerate(columns)]
    print("  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True)))
    for row in cells:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
