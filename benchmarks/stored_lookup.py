"""Stored lookups: what one window pays to look its keys up in the stored data, as the store grows.

A window no longer reads the stored paragraph hashes and term counts whole: they are staged as Parquet before it
runs (``pipeline.store.side_inputs``) and each bucket of the window's keys is looked up in them
(``pipeline.staging.lookup``: one scan of the file, a row group at a time). This benchmark writes a file of
``--rows`` stored paragraph observations (``key, witness``, about 10 per stored article, so 1,000,000 rows stand for
about 100,000 articles) with DuckDB, as the export does, and looks ``--keys`` keys up in it (half of them stored),
each size in a fresh process: CPU and wall seconds of one lookup and the process's peak RSS before and after it.

Stored events (``--events_base DB --events_delta DIR``): what one window's load pays to find and score the
stored events its new events may join. The delta seeds run once (``wirebeam run --offline``) into a copy of the
base database, its staging shards are kept, and its load (``pipeline.store.load.load_run``) is replayed
``--repeats`` times on fresh copies of the base: CPU seconds of the candidate query (``matching.candidate_events``,
``*_candidate_keys.sql``) with the candidate pairs it returned, of all event matching (``regroup``: query, stored
features, scoring, clustering the new reports with the stored ones) and of the whole load; the fastest repeat
counts. ``--min_shared_keys 1 2`` replays it with each as ``matching.MIN_SHARED_KEYS`` (1: every stored event
sharing a key), interleaved. The incremental benchmark's
``--workdir`` holds such a base (``base-<N>.duckdb``) and delta (``delta-<N>-<M>``).

Run: ``nice -n 10 .venv/bin/python -m benchmarks.stored_lookup [--rows 1000000 10000000] [--keys 5000]``;
``nice -n 15 .venv/bin/python -m benchmarks.stored_lookup --events_base DIR/base-20000.duckdb --events_delta
DIR/delta-20000-1000 [--repeats 4] [--min_shared_keys 1 2]`` (writes ``stored_lookup_events_<N>k.json``)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

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


def _timed(function: Callable, spent: dict, name: str) -> Callable:
    """``function``, adding its CPU seconds (every thread of the process: DuckDB's too) to ``spent[name]``."""

    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - started

    return timed


def stage_delta(base_db: Path, delta_seeds: Path, work: Path) -> tuple[Path, dict]:
    """Run the delta into a copy of the base and keep its staging shards; (their copy, ``load_run``'s arguments)."""
    from pipeline import cli, run
    from pipeline.store.load import load_run

    kept: dict = {}

    def keep(db_path, staging_dir, *args, **kwargs):
        shutil.copytree(staging_dir, work / "staging")
        kept.update(zip(("run", "minhash", "thresholds"), args, strict=True))
        return load_run(db_path, staging_dir, *args, **kwargs)

    shutil.copyfile(base_db, work / "staged.duckdb")
    with mock.patch.object(run, "load_run", keep), contextlib.redirect_stdout(io.StringIO()):
        status = cli.main(["run", "--offline", "--seeds", str(delta_seeds), "--db", str(work / "staged.duckdb")])
    if status != 0:
        raise RuntimeError(f"wirebeam run exited with {status}")
    (work / "staged.duckdb").unlink()
    return work / "staging", kept


def replay_load(base_db: Path, staging_dir: Path, kept: dict, db_path: Path) -> dict:
    """One replay of the delta's load on a fresh copy of the base at ``db_path``: CPU seconds of the candidate
    query, of event matching and of the load; the new events looked up and the candidate pairs found."""
    from pipeline.store import matching
    from pipeline.store.load import load_run

    shutil.copyfile(base_db, db_path)
    spent: dict = {}
    looked_up: dict = {}

    def counted(connection, staged_event_ids, candidates=matching.candidate_events):
        found = candidates(connection, staged_event_ids)
        looked_up.update(new_events=len(staged_event_ids), pairs=sum(map(len, found.values())))
        return found

    with (
        mock.patch.object(matching, "candidate_events", _timed(counted, spent, "candidates_cpu_s")),
        mock.patch.object(matching, "regroup", _timed(matching.regroup, spent, "matching_cpu_s")),
    ):
        _timed(load_run, spent, "load_cpu_s")(db_path, str(staging_dir), **kept)
    db_path.unlink()
    return {**{name: round(seconds, 3) for name, seconds in spent.items()}, **looked_up}


def replay_event_lookup(base_db: Path, delta_seeds: Path, repeats: int, min_keys: list[int]) -> dict:
    """The delta's load replayed on copies of the base (``replay_load``), ``repeats`` times with each of
    ``min_keys`` as ``matching.MIN_SHARED_KEYS`` (1: every stored event sharing a key), interleaved (A, B, B, A);
    every trial and the fastest figures of each."""
    import duckdb

    from pipeline.store import matching

    with duckdb.connect(str(base_db), read_only=True) as connection:
        stored = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    trials: dict[int, list[dict]] = {k: [] for k in min_keys}
    with tempfile.TemporaryDirectory(prefix="wirebeam-events-lookup-") as work:
        staging_dir, kept = stage_delta(base_db, delta_seeds, Path(work))
        for repeat in range(repeats):
            for k in min_keys if repeat % 2 == 0 else min_keys[::-1]:
                with mock.patch.object(matching, "MIN_SHARED_KEYS", k):
                    trials[k].append(replay_load(base_db, staging_dir, kept, Path(work) / "replay.duckdb"))
    fastest = {k: {key: min(t[key] for t in runs) for key in runs[0]} for k, runs in trials.items()}
    return {"stored_articles": stored, "by_min_shared_keys": {k: {**fastest[k], "trials": trials[k]} for k in trials}}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--keys", type=int, default=5_000, help="Keys of one bucket of a window.")
    parser.add_argument("--events_base", type=Path, help="A base database to replay a delta's load on.")
    parser.add_argument("--events_delta", type=Path, help="The delta's seeds directory.")
    parser.add_argument("--repeats", type=int, default=3, help="Replays of the delta's load; the fastest counts.")
    parser.add_argument(
        "--min_shared_keys",
        type=int,
        nargs="+",
        help="Replay with each as matching.MIN_SHARED_KEYS (default: the shipped one), interleaved; 1: as before it.",
    )
    parser.add_argument("--out", type=Path, help="JSON file to write instead of the default.")
    args = parser.parse_args(argv)
    if args.events_base or args.events_delta:
        if not (args.events_base and args.events_delta):
            parser.error("--events_base and --events_delta go together")
        from pipeline.store.matching import MIN_SHARED_KEYS

        min_keys = args.min_shared_keys or [MIN_SHARED_KEYS]
        result = {
            "benchmark": "stored_lookup_events",
            "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "delta": str(args.events_delta),
            **replay_event_lookup(args.events_base, args.events_delta, args.repeats, min_keys),
        }
        print(
            "stored articles | min shared keys | new events | candidate pairs | candidates CPU s | matching CPU s |"
            " load CPU s"
        )
        for k, row in result["by_min_shared_keys"].items():
            print(
                f"{result['stored_articles']:>15} | {k:>15} | {row['new_events']:>10} | {row['pairs']:>15} | "
                f"{row['candidates_cpu_s']:>16} | {row['matching_cpu_s']:>14} | {row['load_cpu_s']:>10}"
            )
        out = args.out or RESULTS.with_name(f"stored_lookup_events_{result['stored_articles'] // 1000}k.json")
        out.write_text(json.dumps(result, indent=2) + "\n")
        return result
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
