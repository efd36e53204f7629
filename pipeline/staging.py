"""The run's staging shards: workers write each table's rows as Parquet through Beam IO, on any runner; the
launcher lists, reads and removes them through Beam's FileSystems, so staging can be a local directory or an
object store (``s3://``, ``gs://``) that the workers and the launcher both reach."""

from __future__ import annotations

import math
import os
import shutil
import zlib
from collections.abc import Iterable
from pathlib import Path

import apache_beam as beam
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from schemas.generate import arrow_schema, to_row
from schemas.models import TABLES

STAGING_SHARDS = 4
"""Parquet shards per table of a run on one worker over a small input (rows spread over them by key, so each is
written by one worker)."""
SHARD_INPUT_BYTES = 2 * 2**20
"""Seed bytes per shard beyond that: a larger input is written in more, smaller shards."""
LOOKUP_BUCKETS = 2
"""Buckets a run's keys (terms, paragraph hashes, blocking keys) are grouped in for their counts and lookups on
one worker (``lookup_buckets``); each bucket's lookup is one scan of the staged file."""


def staging_shards(input_bytes: int, workers: int) -> int:
    """Shards per table for a run reading ``input_bytes`` of seeds on ``workers`` workers: at least one per worker,
    so that all of them write, and one per ``SHARD_INPUT_BYTES``, so that the rows of a shard (held together while
    it is written) stay few."""
    return max(STAGING_SHARDS, workers, math.ceil(input_bytes / SHARD_INPUT_BYTES))


def lookup_buckets(workers: int) -> int:
    """Key buckets for a run on ``workers`` workers: one per worker, so that all of them count and look up, and no
    more, since each bucket scans the stored file once."""
    return max(LOOKUP_BUCKETS, workers)


def _shard_key(record, table: str, shards: int) -> tuple[tuple[str, int], dict]:
    row = to_row(record)
    return (table, zlib.crc32(str(next(iter(row.values()))).encode()) % shards), row


class _ShardTable(beam.CombineFn):
    """Rows of one shard of ``table`` -> one Arrow table of them. Combined where they are made, before the shuffle
    (``compact``), so that a worker's rows of a shard cross it as one element of Arrow columns rather than one
    encoded, grouped and decoded element a row (a fifth of a run's elements, one for each actor mentioned).

    Accumulator: ``[rows, arrow tables]``."""

    def __init__(self, table: str):
        super().__init__()
        self._table = table

    def create_accumulator(self) -> list:
        return [[], []]

    def add_input(self, accumulator: list, row: dict) -> list:
        accumulator[0].append(row)
        return accumulator

    def compact(self, accumulator: list) -> list:
        rows, tables = accumulator
        if rows:
            return [[], [*tables, pa.Table.from_pylist(rows, schema=arrow_schema(self._table))]]
        return accumulator

    def merge_accumulators(self, accumulators: Iterable[list]) -> list:
        merged = self.create_accumulator()
        for rows, tables in accumulators:
            merged[0].extend(rows)
            merged[1].extend(tables)
        return merged

    def extract_output(self, accumulator: list) -> pa.Table:
        _, tables = self.compact(accumulator)
        return pa.concat_tables(tables)


class WriteStaging(beam.PTransform):
    """``{table: PCollection of its models}`` -> Parquet shards ``<staging_dir>/<table>/<prefix>-NNN.parquet``;
    outputs the paths written.

    One sink for all tables, made of CombinePerKeys, a Flatten and a ParDo only: Beam 2.77's Dask runner computes
    just the last sink of a pipeline and drops what a DoFn emits in ``finish_bundle``, on which Beam's file sinks
    rely. Each table's rows become Arrow tables by shard before the tables meet: the in-process runner writes
    and reads back every element of a Flatten of several inputs, so rows flattened first crossed it one encoded
    element a row (2,000 articles: 106,531 -> 65,587 decoded elements, ``benchmarks.run_cost --elements``). A
    shard's name depends only on its table and its rows' keys, so a retried write replaces itself.
    """

    def __init__(self, staging_dir: str, prefix: str = "part", shards: int = STAGING_SHARDS):
        super().__init__()
        if shards < 1:
            raise ValueError(f"shards must be at least 1, got {shards!r}")
        self._staging_dir = staging_dir
        self._prefix = prefix
        self._shards = shards

    def expand(self, tables):
        if unknown := set(tables) - set(TABLES):
            raise ValueError(f"unknown tables {sorted(unknown)}; expected some of {sorted(TABLES)}")
        shard_tables = [
            records
            | f"Rows_{table}" >> beam.Map(_shard_key, table, self._shards)
            | f"Shards_{table}" >> beam.CombinePerKey(_ShardTable(table))
            for table, records in sorted(tables.items())
        ]
        return (
            shard_tables
            | "AllTables" >> beam.Flatten()
            | "WriteShards" >> beam.Map(_write_shard, self._staging_dir, self._prefix)
        )


def _write_shard(shard_table: tuple[tuple[str, int], pa.Table], staging_dir: str, prefix: str) -> str:
    (table, shard), rows = shard_table
    path = join(staging_dir, table, f"{prefix}-{shard:03d}.parquet")
    with FileSystems.create(path, compression_type=CompressionTypes.UNCOMPRESSED) as out:
        pq.write_table(rows, out)
    return path


class ReadParquet(beam.PTransform):
    """A Parquet file (any Beam file system) -> its rows as dicts; ``beam.io.ReadFromParquet`` without its
    ``Read`` source, which Beam 2.77's Dask runner does not translate (it reads nothing)."""

    def __init__(self, path: str, columns: list[str] | None = None):
        super().__init__()
        self._path = path
        self._columns = columns

    def expand(self, pbegin):
        return (
            pbegin
            | "Path" >> beam.Create([self._path])
            | "ReadRows" >> beam.io.ReadAllFromParquet(columns=self._columns)
        )


def bucket(key: str, buckets: int) -> int:
    """A stable bucket of ``key`` (the same in every worker process): lookups of one run's keys are made per
    bucket, one scan of a staged file for many keys."""
    return zlib.crc32(key.encode()) % buckets


def lookup(path: str, column: str, keys: Iterable[str], columns: list[str]) -> pa.Table:
    """The rows of a staged Parquet file whose ``column`` is one of ``keys`` (its ``column`` and ``columns``):
    one scan, a row group at a time, so memory holds the keys, one row group and what matched, however large
    the file."""
    wanted = pa.array(sorted(set(keys)), pa.string())
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        parquet = pq.ParquetFile(handle)
        found = [
            group.filter(pc.is_in(group[column], value_set=wanted))
            for group in (parquet.read_row_group(i, columns=[column, *columns]) for i in range(parquet.num_row_groups))
        ]
        empty = parquet.schema_arrow.empty_table().select([column, *columns])
    return pa.concat_tables([empty, *found])


def join(base: str, *parts: str) -> str:
    """A path or URL under ``base`` (``s3://bucket/x``, ``gs://...`` or a local directory)."""
    return FileSystems.join(base, *parts)


def shard_paths(staging_dir: str, table: str) -> list[str]:
    """The Parquet shards staged for ``table``, in a stable order: its folder listed, so no character of the path
    is taken for a pattern (``db[1]/``); in an object store, the objects under its prefix."""
    folder = join(staging_dir, table)
    if is_local(staging_dir):
        if not os.path.isdir(folder):
            return []
        with os.scandir(folder) as found:
            return sorted(entry.path for entry in found if entry.name.endswith(".parquet") and entry.is_file())
    return sorted(m.path for result in FileSystems.match([join(folder, "*.parquet")]) for m in result.metadata_list)


def read_shards(paths: Iterable[str]) -> pa.Table | None:
    """The shards (of one table) as one table; None for none."""
    shards = [read_shard(path) for path in paths]
    return pa.concat_tables(shards) if shards else None


def read_shard(path: str) -> pa.Table:
    """One shard, from wherever it is staged."""
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as shard:
        return pq.read_table(shard)


def upload(local_path: Path, target: str) -> None:
    """Copy a file the launcher wrote to the staging location (a no-op when it is already there)."""
    if str(local_path) == target:
        return
    with local_path.open("rb") as source, FileSystems.create(target) as destination:
        shutil.copyfileobj(source, destination)


def is_local(path: str) -> bool:
    """Whether a staging path is a local directory (not an object-store URL)."""
    return FileSystems.get_scheme(path) in (None, "file")


def remove(path: str) -> None:
    """Delete a staging folder (local or in an object store) and everything under it; missing is fine."""
    if is_local(path):
        shutil.rmtree(path, ignore_errors=True)
        return
    found = [m.path for result in FileSystems.match([join(path, "**")]) for m in result.metadata_list]
    if found:
        FileSystems.delete(found)


def run_folders(root: str) -> list[str]:
    """The runs' folders under a database's staging root (what interrupted runs left)."""
    if is_local(root):
        return [str(path) for path in Path(root).glob("*")] if Path(root).exists() else []
    found = [m.path for result in FileSystems.match([join(root, "**")]) for m in result.metadata_list]
    return sorted({join(root, path[len(root) :].lstrip("/").split("/", 1)[0]) for path in found})
