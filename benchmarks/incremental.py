"""Incremental cost: adding a small run to a large database costs what the small run costs.

Builds ``--base`` synthetic ~500-word articles (real vocabulary, 10% near-duplicates; the near-duplicate speed
benchmark's corpus) plus ``--delta`` more, as JSON Lines seed files, then times the real pipeline
(``wirebeam run --offline``, each run a fresh process):

1. the base, in runs of ``--batch`` articles, into one database (what building it costs; local runs hold a
   run's data in memory, so a large backfill is loaded in batches, each deduplicated against the ones before);
2. ``--repeats`` times, back to back: the delta into an empty database (the baseline: what the delta costs on
   its own), then the delta into a copy of the database holding the base (what we measure).

Target: the delta on the base takes about as long as the delta alone (ratio near 1, far below base/delta; issue
15: at most 1.5 on a 100,000-article base), i.e. time proportional to the delta, not to the stored articles. The
ratio uses the fastest of the repeats, in wall time and in CPU time (the process tree's user + system time, which
other work on a shared machine disturbs less). Cross-run matching is checked too: the delta's near-duplicates of
base articles must be found. Peak memory (RSS, the launcher and its workers) is reported per run. Prints a table
and writes ``benchmarks/results/incremental.json`` for a base of 10,000 (``incremental_<N>k.json`` for another).

With ``--workdir`` the seeds and the base database are kept there, and a later call with the same sizes reuses the
base instead of building it again.

Run: ``.venv/bin/python -m benchmarks.incremental [--base 100000] [--delta 1000] [--batch 10000] [--workers 2]``;
on the database of the scale benchmark's 100k run (no rebuild): ``nice -n 10 .venv/bin/python -m
benchmarks.incremental --base 100000 --base_db DIR/run-100000.duckdb --workers 1 --workdir DIR2``
"""

from __future__ import annotations

import argparse
import json
import shutil
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


def write_seeds(texts: list[str], first_index: int, directory: Path, per_file: int = RECORDS_PER_FILE) -> None:
    """JSON Lines seed records for ``texts``, ``per_file`` to a file: headline from the first words, one outlet of
    40, dated."""
    directory.mkdir(parents=True)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for offset in range(0, len(texts), per_file):
        with (directory / f"part-{offset // per_file:04d}.jsonl").open("w") as out:
            for index, text in enumerate(texts[offset : offset + per_file], start=first_index + offset):
                record = {
                    "title": " ".join(text.split()[:9]),
                    "text": text,
                    "url": f"https://outlet{index % OUTLETS}.example/news/{index}",
                    "published": (start + timedelta(minutes=7 * index)).isoformat(),
                    "source": f"Outlet {index % OUTLETS}",
                }
                out.write(json.dumps(record) + "\n")


def timed_run(
    seeds: Path, db: Path, workers: int, *flags: str, log: Path | None = None, window_peaks: dict | None = None
) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak memory (MiB) of one ``wirebeam run --offline``'s process tree (its log
    lines to ``log`` when given); ``window_peaks``, when given, gets the peak of the tree while each of the
    launcher's children ran (a window of a large input runs in a child of its own), by child, in order."""
    command = [sys.executable, "-m", "pipeline", "run", "--offline", "--seeds", str(seeds), "--db", str(db), *flags]
    if workers > 1:
        command += ["--direct_running_mode=multi_processing", f"--direct_num_workers={workers}"]
    started = time.perf_counter()
    stderr = log.open("w") if log else subprocess.DEVNULL
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    peak, cpu_by_pid = 0, {}
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            rss = sum(member.memory_info().rss for member in tree)
            peak = max(peak, rss)
            if window_peaks is not None:
                for child in process.children():
                    window_peaks[child.pid] = max(window_peaks.get(child.pid, 0), rss / 2**20)
            for member in tree:
                times = member.cpu_times()
                cpu_by_pid[member.pid] = times.user + times.system
        except psutil.Error:
            pass
        time.sleep(0.5)
    if log:
        stderr.close()
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}")
    return time.perf_counter() - started, sum(cpu_by_pid.values()), peak / 2**20


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
    parser.add_argument("--repeats", type=int, default=2, help="Delta timings of each kind; the fastest counts.")
    parser.add_argument("--workdir", type=Path, help="Keep seeds and the base database here and reuse them.")
    parser.add_argument(
        "--base_db",
        type=Path,
        help="Use this database as the base instead of building one: one built from this corpus' first --base "
        "articles, e.g. the run-100000.duckdb that `benchmarks.scale --articles 100000 --workdir DIR` keeps (it is "
        "copied, never changed).",
    )
    args = parser.parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return measure(args, args.workdir)
    with tempfile.TemporaryDirectory(prefix="wirebeam-incremental-") as work:
        return measure(args, Path(work))


def build_base(args: argparse.Namespace, texts: list[str], work: Path) -> tuple[Path, float | None, float | None]:
    """The base database (``--base_db``, or reused when ``work`` already holds it complete), its build seconds and
    peak MiB (``None`` when not built in this call)."""
    if args.base_db:
        stored = last_run(args.base_db)["articles_stored"]
        if stored != args.base:
            raise SystemExit(f"--base_db {args.base_db} holds {stored} articles, not --base {args.base}")
        return args.base_db, None, None
    base_db = work / f"base-{args.base}.duckdb"
    if base_db.exists() and last_run(base_db)["articles_stored"] == args.base:
        print(f"reusing {base_db}", flush=True)
        return base_db, None, None
    base_db.unlink(missing_ok=True)
    seconds_total, peak_total = 0.0, 0.0
    for start in range(0, args.base, args.batch):
        batch_dir = work / f"base-{args.base}-{start // args.batch:03d}"
        shutil.rmtree(batch_dir, ignore_errors=True)
        write_seeds(texts[start : min(start + args.batch, args.base)], start, batch_dir)
        seconds, _, peak_mib = timed_run(batch_dir, base_db, args.workers)
        seconds_total, peak_total = seconds_total + seconds, max(peak_total, peak_mib)
        print(f"base batch from {start}: {seconds:.1f} s, peak {peak_mib:.0f} MiB", flush=True)
    return base_db, seconds_total, peak_total


def measure(args: argparse.Namespace, work: Path) -> dict:
    """Build (or reuse) the base, time the delta runs and write the results."""
    texts, _ = synthetic_corpus(args.base + args.delta)
    base_db, base_seconds, base_peak_mib = build_base(args, texts, work)
    delta_dir = work / f"delta-{args.base}-{args.delta}"
    shutil.rmtree(delta_dir, ignore_errors=True)
    write_seeds(texts[args.base :], args.base, delta_dir)
    trials: dict[str, list[tuple[float, float, float]]] = {"delta_into_empty_db": [], "delta_into_base_db": []}
    counts = {}
    for _ in range(args.repeats):
        for name in trials:
            trial_db = work / f"{name}.duckdb"
            trial_db.unlink(missing_ok=True)
            if name == "delta_into_base_db":
                shutil.copyfile(base_db, trial_db)
            trials[name].append(timed_run(delta_dir, trial_db, args.workers))
            counts[name] = last_run(trial_db)
            trial_db.unlink()
            print(f"{name}: {trials[name][-1][0]:.1f} s wall, {trials[name][-1][1]:.1f} s CPU", flush=True)
    wall = {name: min(trial[0] for trial in runs) for name, runs in trials.items()}
    cpu = {name: min(trial[1] for trial in runs) for name, runs in trials.items()}
    result = {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "base_articles": args.base,
        "base_db": str(base_db) if args.base_db else None,
        "delta_articles": args.delta,
        "workers": args.workers,
        "base_batch": args.batch,
        "repeats": args.repeats,
        "peak_mib": {
            "base_batches_max": None if base_peak_mib is None else round(base_peak_mib),
            **{name: round(max(trial[2] for trial in runs)) for name, runs in trials.items()},
        },
        "seconds": {
            "base_in_batches": None if base_seconds is None else round(base_seconds, 2),
            **{name: round(value, 2) for name, value in wall.items()},
        },
        "cpu_seconds": {name: round(value, 2) for name, value in cpu.items()},
        "all_trials_wall_seconds": {name: [round(trial[0], 2) for trial in runs] for name, runs in trials.items()},
        "ratio_delta_on_base_to_delta_alone": round(wall["delta_into_base_db"] / wall["delta_into_empty_db"], 3),
        "ratio_cpu_delta_on_base_to_delta_alone": round(cpu["delta_into_base_db"] / cpu["delta_into_empty_db"], 3),
        "ratio_base_to_delta_sizes": round(args.base / args.delta, 1),
        "delta_alone_run": counts["delta_into_empty_db"],
        "delta_on_base_run": counts["delta_into_base_db"],
    }
    print(f"{'run':<32}{'wall s':>10}{'CPU s':>10}")
    for name, seconds in result["seconds"].items():
        if seconds is None:  # a reused base was not timed here
            continue
        print(f"{name:<32}{seconds:>10.1f}{result['cpu_seconds'].get(name, float('nan')):>10.1f}")
    print(
        f"delta on a {args.base:,}-article database / delta alone: {result['ratio_delta_on_base_to_delta_alone']:.2f}"
        f" wall, {result['ratio_cpu_delta_on_base_to_delta_alone']:.2f} CPU"
        f" (sizes differ {result['ratio_base_to_delta_sizes']:.0f}x)"
    )
    print(
        f"near-duplicates found by the delta: alone {counts['delta_into_empty_db']['near_duplicates']}, "
        f"on the base {counts['delta_into_base_db']['near_duplicates']}"
    )
    results = RESULTS if args.base == 10_000 else RESULTS.with_name(f"incremental_{args.base // 1000}k.json")
    results.parent.mkdir(exist_ok=True)
    results.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
