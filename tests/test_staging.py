"""Staging shards: every row written once, in the shard its key names, whatever bundles it was combined in."""

from __future__ import annotations

import zlib
from pathlib import Path

import apache_beam as beam
import pytest

from pipeline.cli import main
from pipeline.errors import make_reject
from pipeline.staging import WriteStaging, _ShardTable, read_shard, shard_paths
from schemas.generate import to_row
from schemas.models import ArticleLink
from tests.conftest import local_test_pipeline, table_counts


def link(n: int) -> ArticleLink:
    return ArticleLink(
        link_id=f"l{n:04d}", article_id=f"a{n}", other_article_id=f"b{n}", method="minhash", score=0.5, run_id="r1"
    )


def test_rows_combined_in_several_accumulators_come_out_as_one_table_of_all_of_them():
    combine = _ShardTable("article_links")
    parts = []
    for start in (0, 10, 20):
        accumulator = combine.create_accumulator()
        for n in range(start, start + 10):
            accumulator = combine.add_input(accumulator, to_row(link(n)))
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


def test_the_rows_of_several_tables_staged_together_each_land_once_in_their_own_table(tmp_path):
    """Each table's rows become shard tables before the tables meet: none crosses into another table's shards."""
    staging_dir = str(tmp_path / "staging")
    rejects = [make_reject(f"seeds/{n}.json", "extract", "no_text", run_id="r1") for n in range(40)]
    with local_test_pipeline() as pipeline:
        tables = {
            "article_links": pipeline | "Links" >> beam.Create([link(n) for n in range(120)]),
            "rejects": pipeline | "Rejects" >> beam.Create(rejects),
        }
        _ = tables | WriteStaging(staging_dir, shards=2)
    links = [
        key for path in shard_paths(staging_dir, "article_links") for key in read_shard(path)["link_id"].to_pylist()
    ]
    staged_rejects = [
        ref for path in shard_paths(staging_dir, "rejects") for ref in read_shard(path)["source_ref"].to_pylist()
    ]
    assert sorted(links) == [f"l{n:04d}" for n in range(120)]
    assert sorted(staged_rejects) == sorted(reject.source_ref for reject in rejects)


@pytest.mark.parametrize("folder", ["env=prod", "db[1]"], ids=["hive-style", "glob-characters"])
def test_a_database_in_a_folder_named_like_a_partition_or_a_pattern_loads_its_run(seeds_dir, tmp_path: Path, folder):
    """Staging lives beside the database: a ``key=value`` folder adds no column to the staged rows and ``[1]`` is
    part of the name, not a pattern that matches no shard (the run would load nothing)."""
    db_path = tmp_path / folder / "news.duckdb"
    db_path.parent.mkdir()
    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path)]) == 0
    assert table_counts(db_path)["articles"] == 5
