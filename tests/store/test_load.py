"""The loader on its own: staged shards merged into a real DuckDB file."""

from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.store.connection import connect
from pipeline.store.feeds import merge_feed_states
from pipeline.store.staged import stage
from schemas.generate import arrow_schema, to_row
from schemas.models import Feed


def _feed(url: str, previous: list[str], succeeded: datetime | None) -> Feed:
    return Feed(
        url=url,
        previous_urls=previous,
        last_status=200,
        last_success_at=succeeded,
        last_polled_at=succeeded,
        updated_run_id="r",
    )


def test_two_feeds_redirected_to_one_url_are_stored_as_one_feed(tmp_path):
    early, late = datetime(2024, 4, 8, tzinfo=timezone.utc), datetime(2024, 4, 9, tzinfo=timezone.utc)
    feeds = [
        _feed("https://x.test/feed", ["http://x.test/feed"], early),
        _feed("https://x.test/feed", ["https://y.test/rss"], late),
    ]
    (tmp_path / "feeds").mkdir()
    rows = [to_row(feed) for feed in feeds]
    pq.write_table(pa.Table.from_pylist(rows, schema=arrow_schema("feeds")), tmp_path / "feeds" / "part-0.parquet")
    with connect(tmp_path / "w.duckdb") as connection:
        connection.begin()
        stage(connection, tmp_path, "articles")
        stage(connection, tmp_path, "rejects")
        merge_feed_states(connection, tmp_path)
        connection.commit()
        stored = connection.execute("SELECT url, last_success_at, list_sort(previous_urls) FROM feeds").fetchall()
    assert stored == [("https://x.test/feed", late, ["http://x.test/feed", "https://y.test/rss"])]
