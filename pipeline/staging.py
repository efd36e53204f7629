"""The run's staging shards: workers write each table's rows as Parquet through Beam IO, on any runner; the
launcher lists, reads and removes them through Beam's FileSystems, so staging can be a local directory or an
object store (``s3://``, ``gs://``) that the workers and the launcher both reach."""

from __future__ import annotations

import shutil
from pathlib import Path

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from schemas.generate import arrow_schema, to_row
from schemas.models import TABLES


class WriteStaging(beam.PTransform):
    """Models of one table -> Parquet shards under ``<staging_dir>/<table>/``."""

    def __init__(self, staging_dir: str, table: str):
        super().__init__()
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}; expected one of {sorted(TABLES)}")
        self._prefix = join(staging_dir, table, "part")
        self._table = table

    def expand(self, records):
        return (
            records
            | "ToRow" >> beam.Map(to_row)
            | "WriteParquet"
            >> beam.io.WriteToParquet(self._prefix, arrow_schema(self._table), file_name_suffix=".parquet")
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
