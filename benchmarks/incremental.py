"""Incremental cost: adding a small run to a large database costs what the small run costs.

Builds ``--base`` synthetic ~500-word articles (real vocabulary, 10% near-duplicates; the near-duplicate speed
benchmark's corpus) plus ``--delta`` more, as JSON Lines seed files, then times the real pipeline
(``wirebeam run --offline``, each run a fresh process) three times:

1. the delta into an empty database (the baseline: what the delta costs on its own);
2. the base, in runs of ``--batch`` articles, into a second database (what building it costs; local runs hold a
   run's data in memory, so a large backfill is loaded in batches, each deduplicated against the ones before);
3. the delta into the database holding the base (what we measure).

Target: run 3 takes about as long as run 1 (ratio near 1, far below base/delta), i.e. time proportional to
the delta, not to the stored articles. Cross-run matching is checked too: the delta's near-duplicates of base
articles must be found. Prints a table and writes ``benchmarks/results/incremental.json``.

Peak memory (RSS, the launcher and its workers) is reported per run.

Run: ``.venv/bin/python -m benchmarks.incremental [--base 100000] [--delta 1000] [--batch 10000] [--workers 2]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import psutil

from benchmarks.neardup_speed import synthetic_corpus

RESULTS = Path(__file__).resolve().parent / "results" / "incremental.json"
OUTLETS = 40
RECORDS_PER_FILE = 5000


def write_seeds(texts: list[str], first_index: int, directory: Path) -> None:
    """JSON Lines seed records for ``texts``: headline from the first words, one outlet of 40, dated."""
    directory.mkdir(parents=True)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for offset in range(0, len(texts), RECORDS_PER_FILE):
        with (directory / f"part-{offset // RECORDS_PER_FILE:04d}.jsonl").open("w") as out:
            for index, text in enumerate(texts[offset : offset + RECORDS_PER_FILE], start=first_index + offset):
                record = {
                    "title": " ".join(text.split()[:9]),
                    "text": text,
                    "url": f"https://outlet{index % OUTLETS}.example/news/{index}",
                    "published": (start + timedelta(minutes=7 * index)).isoformat(),
                    "source": f"Outlet {index % OUTLETS}",
                }
                out.write(json.dumps(record) + "\n")


def timed_run(seeds: Path, db: Path, workers: int) -> tuple[float, float]:
    """Seconds and peak memory (MiB, the run's process tree) of one ``wirebeam run --offline``."""
    command = [sys.executable, "-m", "pipeline", "run", "--offline", "--seeds", str(seeds), "--db", str(db)]
    if workers > 1:
        command += ["--direct_running_mode=multi_processing", f"--direct_num_workers={workers}"]
    started = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            peak = max(peak, sum(member.memory_info().rss for member in tree))
        except psutil.Error:
            pass
        time.sleep(0.5)
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}")
    return time.perf_counter() - started, peak / 2**20


def last_run(db: Path) -> dict:
    """Counts of the database's latest run, and its size."""
    with duckdb.connect(str(db), read_only=True) as connection:
        columns = [
            "articles_read",
            "articles_new",
            "exact_duplicates",
            "near_duplicates",
            "events_new",
            "events_updated",
        ]
        row = connection.execute(f"SELECT {', '.join(columns)} FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
        stored = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    return {**dict(zip(columns, row, strict=True)), "articles_stored": stored}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=int, default=100_000)
    parser.add_argument("--delta", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=10_000, help="Articles per run when building the base.")
    parser.add_argument("--workers", type=int, default=2, help="Beam worker processes for every run.")
    args = parser.parse_args(argv)
    texts, _ = synthetic_corpus(args.base + args.delta)
    with tempfile.TemporaryDirectory(prefix="wirebeam-incremental-") as work:
        work = Path(work)
        write_seeds(texts[args.base :], args.base, work / "delta")
        delta_alone, delta_alone_mib = timed_run(work / "delta", work / "delta-only.duckdb", args.workers)
        delta_alone_counts = last_run(work / "delta-only.duckdb")
        base_build, base_peak_mib = 0.0, 0.0
        for start in range(0, args.base, args.batch):
            batch_dir = work / f"base-{start // args.batch:03d}"
            write_seeds(texts[start : min(start + args.batch, args.base)], start, batch_dir)
            seconds, peak_mib = timed_run(batch_dir, work / "big.duckdb", args.workers)
            base_build, base_peak_mib = base_build + seconds, max(base_peak_mib, peak_mib)
            print(f"base batch from {start}: {seconds:.1f} s, peak {peak_mib:.0f} MiB", flush=True)
        delta_on_base, delta_on_base_mib = timed_run(work / "delta", work / "big.duckdb", args.workers)
        delta_on_base_counts = last_run(work / "big.duckdb")
    result = {
        "base_articles": args.base,
        "delta_articles": args.delta,
        "workers": args.workers,
        "base_batch": args.batch,
        "peak_mib": {
            "delta_into_empty_db": round(delta_alone_mib),
            "base_batches_max": round(base_peak_mib),
            "delta_into_base_db": round(delta_on_base_mib),
        },
        "seconds": {
            "delta_into_empty_db": round(delta_alone, 2),
            "base_in_batches": round(base_build, 2),
            "delta_into_base_db": round(delta_on_base, 2),
        },
        "ratio_delta_on_base_to_delta_alone": round(delta_on_base / delta_alone, 3),
        "ratio_base_to_delta_sizes": round(args.base / args.delta, 1),
        "delta_alone_run": delta_alone_counts,
        "delta_on_base_run": delta_on_base_counts,
    }
    print(f"{'run':<32}{'seconds':>10}")
    for name, seconds in result["seconds"].items():
        print(f"{name:<32}{seconds:>10.1f}")
    print(
        f"delta on a {args.base:,}-article database / delta alone: {result['ratio_delta_on_base_to_delta_alone']:.2f}"
        f" (sizes differ {result['ratio_base_to_delta_sizes']:.0f}x)"
    )
    print(
        f"near-duplicates found by the delta: alone {delta_alone_counts['near_duplicates']}, "
        f"on the base {delta_on_base_counts['near_duplicates']}"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
