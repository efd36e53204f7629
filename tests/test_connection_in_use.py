"""A database file opened twice in one process is ``DatabaseInUse`` with a hint, not DuckDB's raw error."""

from __future__ import annotations

import pytest

from pipeline.cli import EXIT_LOCKED, main
from pipeline.store.connection import DatabaseInUse, connect, cursor, open_database


def test_a_second_connection_to_an_open_file_in_one_process_is_database_in_use(db_path, capsys):
    db_path.parent.mkdir()
    writer = connect(db_path)
    try:
        for second in (
            lambda: connect(db_path),
            lambda: connect(db_path, read_only=True),
            lambda: open_database(db_path),
        ):
            with pytest.raises(DatabaseInUse, match="already open in this process by another connection"):
                second()
        assert main(["query", "--db", str(db_path), "SELECT count(*) FROM articles"]) == EXIT_LOCKED
        assert "cursor()" in capsys.readouterr().err
        assert cursor(writer).execute("SELECT count(*) FROM articles").fetchall() == [(0,)], "the way that works"
    finally:
        writer.close()
    reader = open_database(db_path)
    try:
        with pytest.raises(DatabaseInUse):
            connect(db_path)
    finally:
        reader.close()
    connect(db_path).close()
