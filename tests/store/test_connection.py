"""The writable connection on a real DuckDB file: a load leaves the row groups stored before it in place."""

from __future__ import annotations

from pipeline.store.connection import ROW_GROUP_ROWS, connect
from tests.conftest import query

STORED_BLOCKS = (
    "SELECT row_group_id, column_name, block_id, block_offset FROM pragma_storage_info('term_stats') "
    "WHERE block_id <> -1 AND row_group_id < 3"
)


def _append_terms(db_path, prefix: str, count: int) -> None:
    with connect(db_path) as connection:
        connection.execute(
            "INSERT INTO term_stats SELECT $prefix || range, 1 FROM range($count)", {"prefix": prefix, "count": count}
        )


def test_later_loads_do_not_rewrite_the_full_row_groups_stored_before(tmp_path):
    """Rows are stored ``ROW_GROUP_ROWS`` a row group; later commits append row groups and may rewrite the last,
    partly filled one, never a full one. With DuckDB's default (122,880 rows) the stored rows sat in one partly
    filled row group, and a checkpoint merged it with the small ones later loads appended, re-compressing every
    stored row (on the 4k run's second window: 1.86 s CPU against 0.83 s for the first's)."""
    db_path = tmp_path / "news.duckdb"
    _append_terms(db_path, "first-", 3 * ROW_GROUP_ROWS + 500)
    full = set(query(db_path, STORED_BLOCKS))
    assert {row_group for row_group, *_ in full} == {0, 1, 2}
    for run in range(6):
        _append_terms(db_path, f"run{run}-", 1_000)
        assert set(query(db_path, STORED_BLOCKS)) == full, f"load {run + 2} rewrote stored row groups"
    assert query(db_path, "SELECT count(*) FROM term_stats") == [(3 * ROW_GROUP_ROWS + 6_500,)]
