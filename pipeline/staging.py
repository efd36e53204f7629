"""The run's staging shards: workers write each table's rows as Parquet through Beam IO, on any runner."""

from __future__ import annotations

import os

import apache_beam as beam

from schemas.generate import arrow_schema, to_row
from schemas.models import TABLES


class WriteStaging(beam.PTransform):
    """Models of one table -> Parquet shards under ``<staging_dir>/<table>/``."""

    def __init__(self, staging_dir: str, table: str):
        super().__init__()
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}; expected one of {sorted(TABLES)}")
        self._prefix = os.path.join(staging_dir, table, "part")
        self._table = table

    def expand(self, records):
        return (
            records
            | "ToRow" >> beam.Map(to_row)
            | "WriteParquet"
            >> beam.io.WriteToParquet(self._prefix, arrow_schema(self._table), file_name_suffix=".parquet")
        )
