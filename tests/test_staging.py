"""Staging shards: every row written once, in the shard its key names, whatever bundles it was combined in."""

from __future__ import annotations

import zlib

import apache_beam as beam

from pipeline.staging import WriteStaging, _ShardTable, read_shard, shard_paths
from schemas.generate import to_row
from schemas.models import ArticleLink
from tests.conftest import local_test_pipeline


def link(n: int) -> ArticleLink:
    return ArticleLink(
        link_id=f"l{n:04d}", article_id=f"a{n}", other_article_id=f"b{n}", method="minhash", score=0.5, run_id="r1"
    )


def test_rows_combined_in_several_accumulators_come_out_as_one_table_of_all_of_them():
    combine = _ShardTable()
    parts = []
    for start in (0, 10, 20):
        accumulator = combine.create_accumulator()
        for n in range(start, start + 10):
            accumulator = combine.add_input(accumulator, ("article_links", to_row(link(n))))
        parts.append(combine.compact(accumulator) if start else accumulator)  # compacted or not, as runners do
    table = combine.extract_output(combine.merge_accumulators(parts))
    assert sorted(table.column("link_id").to_pylist()) == [f"l{n:04d}" for n in range(30)]


def test_each_row_is_staged_once_in_the_shard_of_its_key(tmp_path):
    staging_dir = str(tmp_path / "staging")
    with local_test_pipeline() as pipeline:
        links = pipeline | beam.Create([link(n) for n in range(300)])
        _ = {"article_links": links} | WriteStaging(staging_dir, shards=3)
    paths = shard_paths(staging_dir, "article_links")
    assert len(paths) == 3
    staged = {path: read_shard(path).column("link_id").to_pylist() for path in paths}
    assert sorted(key for keys in staged.values() for key in keys) == [f"l{n:04d}" for n in range(300)]
    for path, keys in staged.items():
        shard = int(path.rsplit("-", 1)[1].split(".")[0])
        assert {zlib.crc32(key.encode()) % 3 for key in keys} == {shard}
