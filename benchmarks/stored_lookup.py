"""Stored lookups: what one window pays to look its keys up in the stored data, as the store grows.

A window no longer reads the stored paragraph hashes and term counts whole: they are staged as Parquet before it
runs (``pipeline.store.side_inputs``) and each bucket of the window's keys is looked up in them
(``pipeline.staging.lookup``: one scan of the file, a row group at a time). This benchmark writes a file of
``--rows`` stored paragraph observations (``key, witness``, about 10 per stored article, so 1,000,000 rows stand for
about 100,000 articles) with DuckDB, as the export does, and looks ``--keys`` keys up in it (half of them stored),
each size in a fresh process: CPU and wall seconds of one lookup and the process's peak RSS before and after it.

Run: ``nice -n 10 .venv/bin/python -m benchmarks.stored_lookup [--rows 1000000 10000000] [--keys 5000]``
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "stored_lookup.json"
OUTLETS = 40


def write_observations(path: Path, rows: int) -> None:
    """``rows`` random paragraph observations of 40 outlets as DuckDB's Parquet export writes them."""
    import duckdb

    with duckdb.connect() as connection:
        connection.execute(
            f"COPY (SELECT 'Outlet ' || (i % {OUTLETS}) || chr(31) || md5(i::VARCHAR)[:16] AS key, "
            f"md5((i * 7)::VARCHAR)[:16] AS witness FROM range({rows}) t(i)) TO '{path}' (FORMAT parquet)"
        )


def measure_lookup(path: str, keys: int) -> dict:
    """One lookup of ``keys`` keys (half stored, half not) in the file; run in a fresh process."""
    import pyarrow.parquet as pq

    from pipeline.staging import lookup

    stored = pq.ParquetFile(path).read_row_group(0, columns=["key"])["key"].to_pylist()
    wanted = random.Random(0).sample(stored, keys // 2) + [f"Outlet 1\x1f{n:016x}" for n in range(keys - keys // 2)]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started_cpu, started = time.process_time(), time.perf_counter()
    found = lookup(path, "key", wanted, ["witness"])
    return {
        "found": found.num_rows,
        "cpu_s": round(time.process_time() - started_cpu, 3),
        "wall_s": round(time.perf_counter() - started, 3),
        "peak_rss_mib_before": round(before),
        "peak_rss_mib_after": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--keys", type=int, default=5_000, help="Keys of one bucket of a window.")
    args = parser.parse_args(argv)
    sizes = []
    with tempfile.TemporaryDirectory(prefix="wirebeam-lookup-") as work:
        for rows in args.rows:
            path = Path(work) / f"observations-{rows}.parquet"
            write_observations(path, rows)
            code = (
                "import json; from benchmarks.stored_lookup import measure_lookup as m; "
                f"print(json.dumps(m({str(path)!r}, {args.keys})))"
            )
            output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
            sizes.append({"rows": rows, "file_mib": round(path.stat().st_size / 2**20, 1), **json.loads(output)})
    print("stored rows | file MiB | found | lookup CPU s | wall s | peak RSS MiB before -> after")
    for row in sizes:
        print(
            f"{row['rows']:>11} | {row['file_mib']:>8} | {row['found']:>5} | {row['cpu_s']:>12} | {row['wall_s']:>6} | "
            f"{row['peak_rss_mib_before']} -> {row['peak_rss_mib_after']}"
        )
    result = {
        "benchmark": "stored_lookup",
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "keys": args.keys,
        "sizes": sizes,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
