"""The store's statement helpers keep the error that matters."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from pipeline.store.statements import registered


def test_an_error_inside_a_registered_block_is_the_error_raised_not_the_aborted_transaction(tmp_path):
    connection = duckdb.connect(str(tmp_path / "db.duckdb"))
    connection.execute("CREATE TABLE stored (n INTEGER)")
    connection.begin()
    staged = pa.table({"n": ["not a number"]})
    with (
        pytest.raises(duckdb.ConversionException, match="Could not convert string"),
        registered(connection, "staged", staged),
    ):
        connection.execute("INSERT INTO stored SELECT n FROM staged")
    connection.rollback()
    assert connection.execute("SELECT count(*) FROM stored").fetchone() == (0,)
