"""The run's staging shards: workers write each table's rows as Parquet through Beam IO, on any runner; the
launcher lists, reads and removes them through Beam's FileSystems, so staging can be a local directory or an
object store (``s3://``, ``gs://``) that the workers and the launcher both reach."""

from __future__ import annotations

import shutil
import zlib
from collections.abc import Iterable
from pathlib import Path

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from schemas.generate import arrow_schema, to_row
from schemas.models import TABLES

STAGING_SHARDS = 4
"""Parquet shards per table and run (rows spread over them by key, so each is written by one worker)."""


def _shard_key(record, table: str, shards: int) -> tuple[tuple[str, int], dict]:
    row = to_row(record)
    return (table, zlib.crc32(str(next(iter(row.values()))).encode()) % shards), row


class WriteStaging(beam.PTransform):
    """``{table: PCollection of its models}`` -> Parquet shards ``<staging_dir>/<table>/<prefix>-NNN.parquet``;
    outputs the paths written.

    One sink for all tables, made of a GroupByKey and a ParDo only: Beam 2.77's Dask runner computes just the last
    sink of a pipeline and drops what a DoFn emits in ``finish_bundle``, on which Beam's file sinks rely. A shard's
    name depends only on its table and its rows' keys, so a retried write replaces itself.
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
        keyed = [
            records | f"Rows_{table}" >> beam.Map(_shard_key, table, self._shards)
            for table, records in sorted(tables.items())
        ]
        return (
            keyed
            | "AllTables" >> beam.Flatten()
            | "GroupByShard" >> beam.GroupByKey()
            | "WriteShards" >> beam.Map(_write_shard, self._staging_dir, self._prefix)
        )


def _write_shard(group: tuple[tuple[str, int], Iterable[dict]], staging_dir: str, prefix: str) -> str:
    (table, shard), rows = group
    path = join(staging_dir, table, f"{prefix}-{shard:03d}.parquet")
    with FileSystems.create(path, compression_type=CompressionTypes.UNCOMPRESSED) as out:
        pq.write_table(pa.Table.from_pylist(list(rows), schema=arrow_schema(table)), out)
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


def join(base: str, *parts: str) -> str:
    """A path or URL under ``base`` (``s3://bucket/x``, ``gs://...`` or a local directory)."""
    return FileSystems.join(base, *parts)


def shard_paths(staging_dir: str, table: str) -> list[str]:
    """The Parquet shards staged for ``table``, in a stable order."""
    pattern = join(staging_dir, table, "*.parquet")
    return sorted(metadata.path for result in FileSystems.match([pattern]) for metadata in result.metadata_list)


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


def remove(path: str) -> None:
    """Delete a staging folder (local or in an object store) and everything under it; missing is fine."""
    if FileSystems.get_scheme(path) in (None, "file"):
        shutil.rmtree(path, ignore_errors=True)
        return
    found = [m.path for result in FileSystems.match([join(path, "**")]) for m in result.metadata_list]
    if found:
        FileSystems.delete(found)


def run_folders(root: str) -> list[str]:
    """The runs' folders under a database's staging root (what interrupted runs left)."""
    if FileSystems.get_scheme(root) in (None, "file"):
        return [str(path) for path in Path(root).glob("*")] if Path(root).exists() else []
    found = [m.path for result in FileSystems.match([join(root, "**")]) for m in result.metadata_list]
    return sorted({join(root, path[len(root) :].lstrip("/").split("/", 1)[0]) for path in found})
