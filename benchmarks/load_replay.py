"""The DuckDB load on its own: CPU of each window's ``load_run``, replayed from a captured run, step by step.

A whole-run figure moves 5-15% with the machine's load; the load's own CPU, replayed on the same inputs, moves far
less. ``--capture`` runs ``wirebeam run --offline`` in this process over ``--seeds`` (default: the scale
benchmark's synthetic ``--articles``) in windows of ``--window_mib``, keeping, for each window's load, a copy of the
database before it and of its staging shards. Then (or on a capture made before, by another version: run this
module from that version's checkout with ``--workdir`` pointing at the capture) each load is replayed
``--repeats`` times on a fresh copy of its database: CPU seconds of the whole load (DuckDB's threads included)
and of each step ``pipeline.store.load`` calls, the least over the repeats. Writes
``benchmarks/results/load_replay.json``.

Run: ``nice -n 15 .venv/bin/python -m benchmarks.load_replay --workdir DIR --capture [--articles 4000]
[--window_mib 8] [--repeats 2]``, then ``... --workdir DIR`` from the other version.
"""

from __future__ import annotations

import argparse
import json
import pickle
import shutil
import time
from collections import Counter
from pathlib import Path

import pipeline.run
import pipeline.store.load as load
from benchmarks.incremental import write_seeds
from benchmarks.neardup_speed import synthetic_corpus
from benchmarks.scale import RECORDS_PER_FILE

RESULTS = Path(__file__).resolve().parent / "results" / "load_replay.json"
STEPS = (
    "stage",
    "upgrade_refetched",
    "resolve_against_stored",
    "copies_follow_upgrades",
    "refresh_events",
    "refresh_storylines",
    "refresh_event_enrichments",
    "merge_feed_states",
    "insert_run",
)
"""What ``load_run`` calls by these names; the rest (inserting the new articles, the commit) is ``other``."""


def capture(seeds: Path, captures: Path, window_mib: float) -> None:
    """Run wirebeam over ``seeds`` into a fresh database, keeping each window's load inputs under ``captures``."""
    from pipeline.cli import main

    loader = pipeline.run.load_run

    def capturing(db_path, staging_dir, run, minhash, thresholds, **kwargs):
        kept = captures / run.run_id
        kept.mkdir(parents=True)
        for suffix in ("", ".wal"):
            if Path(f"{db_path}{suffix}").exists():
                shutil.copy(f"{db_path}{suffix}", kept / f"before.duckdb{suffix}")
        shutil.copytree(staging_dir, kept / "staging")
        (kept / "arguments.pickle").write_bytes(pickle.dumps((run, minhash, thresholds)))
        return loader(db_path, staging_dir, run, minhash, thresholds, **kwargs)

    pipeline.run.load_run = capturing
    try:
        db = captures.parent / "captured.duckdb"  # its staging goes beside it, not among the captures
        db.unlink(missing_ok=True)
        if main(["run", "--offline", "--seeds", str(seeds), "--db", str(db), f"--window_mib={window_mib}"]):
            raise RuntimeError("the captured run failed")
    finally:
        pipeline.run.load_run = loader


def _timed(name: str, step, spent: Counter):
    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return step(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - started

    return timed


def replay(kept: Path, scratch: Path) -> dict[str, float]:
    """One replay of a captured load on a fresh copy of its database: CPU seconds in all and by step."""
    run, minhash, thresholds = pickle.loads((kept / "arguments.pickle").read_bytes())
    db = scratch / "replay.duckdb"
    for suffix in ("", ".wal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
        if (kept / f"before.duckdb{suffix}").exists():
            shutil.copy(kept / f"before.duckdb{suffix}", f"{db}{suffix}")
    spent: Counter = Counter()
    originals = {name: getattr(load, name) for name in STEPS}
    for name, step in originals.items():
        setattr(load, name, _timed(name, step, spent))
    try:
        started = time.process_time()
        load.load_run(db, kept / "staging", run, minhash, thresholds)
        total = time.process_time() - started
    finally:
        for name, step in originals.items():
            setattr(load, name, step)
    return {"total": total, **{name: spent[name] for name in STEPS}, "other": total - sum(spent.values())}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="Where the capture is (or goes).")
    parser.add_argument("--capture", action="store_true", help="Run wirebeam first and capture its loads.")
    parser.add_argument("--seeds", type=Path, help="Seeds to capture (default: --articles synthetic articles).")
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--window_mib", type=float, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    captures = args.workdir / "captures"
    if args.capture:
        seeds = args.seeds or args.workdir / f"seeds-{args.articles}"
        if args.seeds is None and not seeds.exists():
            write_seeds(synthetic_corpus(args.articles)[0], 0, seeds, per_file=RECORDS_PER_FILE)
        shutil.rmtree(captures, ignore_errors=True)
        capture(seeds, captures, args.window_mib)
    windows = []
    for kept in sorted(path for path in captures.iterdir() if path.is_dir()):
        replays = [replay(kept, args.workdir) for _ in range(args.repeats)]
        least = {name: round(min(one[name] for one in replays), 3) for name in replays[0]}
        windows.append({"run_id": kept.name, "cpu_s": least})
        print(f"{kept.name}: load {least['total']:.2f} s CPU ({', '.join(f'{k} {v:.2f}' for k, v in least.items())})")
    result = {"benchmark": "load_replay", "workdir": str(args.workdir), "repeats": args.repeats, "windows": windows}
    print(f"all windows: {sum(window['cpu_s']['total'] for window in windows):.2f} s CPU")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
