"""wirebeam's pipeline options: one ``PipelineOptions`` subclass, so every Beam option passes through too."""

from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

DEFAULT_SEEDS = "seeds"
DEFAULT_DB = "data/wirebeam.duckdb"


class WirebeamOptions(PipelineOptions):
    """Flags of ``wirebeam run``."""

    @classmethod
    def _add_argparse_args(cls, parser):
        parser.add_argument("--seeds", default=DEFAULT_SEEDS, help="Directory of seed files (default: seeds/).")
        parser.add_argument("--db", default=DEFAULT_DB, help="DuckDB file (default: data/wirebeam.duckdb).")
        parser.add_argument(
            "--offline",
            action="store_true",
            default=False,
            help="Seed-only mode: read local files only, open no network connection.",
        )
        parser.add_argument(
            "--staging_dir",
            default=None,
            help="Where workers write the run's Parquet shards (default: beside the database). "
            "On a distributed runner, a location every worker and the launcher can reach.",
        )
        parser.add_argument(
            "--lock_timeout",
            type=float,
            default=0.0,
            help="Seconds to wait for another run on the same database to finish (default: 0, exit at once).",
        )
