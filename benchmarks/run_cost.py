"""Where one ``wirebeam run`` spends its CPU: a profile of the whole run in this process, by stage.

Runs ``wirebeam run --offline`` in process (Beam's in-process runner: every stage runs in this thread) under
cProfile over ``--articles`` synthetic ~500-word articles (the scale benchmark's corpus) or a given ``--seeds``
directory, into a fresh database, and prints:

- the run's CPU per article, and the CPU of its phases: building the pipeline, running it, loading the database;
- the CPU inside each of wirebeam's own stage functions and of Beam's coders (pickling between stages);
- the functions with the most time of their own (``--top``);
- with ``--elements``, instead of the profile: the elements Beam encodes and decodes where its fused stages meet
  (each GroupByKey's write and read, each multi-input Flatten, which this runner always materialises), by step:
  how many, their bytes and the seconds spent coding them; the overhead a run pays beyond its own functions.

It measures the code path that ships (``pipeline.cli.main``); profiling adds overhead, so use its shares, and the
scale benchmark for absolute figures. Writes ``benchmarks/results/run_cost.json``.

Run: ``nice -n 10 .venv/bin/python -m benchmarks.run_cost [--articles 2000] [--seeds DIR] [--top 30] [--elements]``
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "run_cost.json"
ELEMENTS_RESULTS = RESULTS.with_name("run_cost_elements.json")
PHASES = {
    "build the pipeline": ("pipeline/graph.py", "build_pipeline"),
    "run the pipeline": ("apache_beam/pipeline.py", "run"),
    "load the database": ("pipeline/store/load.py", "load_run"),
}
"""Phase -> (file suffix, function) whose cumulative time it is."""
STAGES = {
    "read seeds": ("pipeline/sources/seeds.py", "read_seed_file"),
    "extract": ("pipeline/extract.py", "extract_article"),
    "normalize": ("pipeline/normalize.py", "normalize_article"),
    "boilerplate": ("pipeline/boilerplate.py", None),
    "exact keys": ("pipeline/dedup/exact.py", "exact_keys"),
    "minhash": ("pipeline/dedup/minhash.py", None),
    "near-duplicate pairs": ("pipeline/dedup/near.py", None),
    "term counts": ("pipeline/events/features.py", "term_counts"),
    "event features": ("pipeline/events/features.py", "features_from_counts"),
    "blocking": ("pipeline/events/blocking.py", None),
    "pair scores": ("pipeline/events/score.py", "score"),
    "clustering": ("pipeline/events/cluster.py", None),
    "enrichment": ("pipeline/enrich/stage.py", "enrich_record"),
    "staging rows": ("schemas/generate.py", "to_row"),
    "parquet writes": ("pipeline/staging.py", None),
    "pickle (Beam's coders)": ("~", "<built-in method _pickle.dumps>"),
    "unpickle (Beam's coders)": ("~", "<built-in method _pickle.loads>"),
}
"""Stage -> (file suffix, function, or None for the module's top-level calls) whose cumulative time it is."""


def _cumulative(stats: pstats.Stats, where: str, function: str | None) -> float:
    """Cumulative seconds of ``function`` in the file ending ``where`` (of all its functions called from outside the
    file when ``function`` is None), without counting recursion or nested calls twice."""
    total = 0.0
    for (path, _, name), (*_, callers) in stats.stats.items():
        if not path.endswith(where):
            continue
        if function is None:
            outside = {caller: value for caller, value in callers.items() if not caller[0].endswith(where)}
            total += sum(value[3] for value in outside.values())
        elif name == function:
            total += sum(value[3] for caller, value in callers.items() if caller[2] != function)
    return total


def profile_run(seeds: Path, db: Path) -> tuple[pstats.Stats, float]:
    """Profile ``wirebeam run --offline`` on ``seeds`` into ``db``; the stats and the run's CPU seconds."""
    from pipeline.cli import main

    profiler = cProfile.Profile(time.thread_time)  # CPU of this thread, where the in-process runner runs the stages
    started = time.process_time()
    profiler.enable()
    code = main(["run", "--offline", "--seeds", str(seeds), "--db", str(db)])
    profiler.disable()
    cpu = time.process_time() - started
    if code != 0:
        raise SystemExit(f"wirebeam run failed with {code}")
    return pstats.Stats(profiler), cpu


def count_elements(seeds: Path, db: Path) -> dict[str, dict]:
    """``wirebeam run --offline`` on ``seeds`` into ``db`` counting, by step, the elements Beam's data plane encodes
    (``DataOutputOperation``) and decodes (``DataInputOperation``): ``{"encode" | "decode": {step: [elements,
    bytes, seconds]}}``; the runner's own regrouping between them is not counted."""
    from apache_beam.coders import coder_impl
    from apache_beam.runners.worker import bundle_processor

    from pipeline.cli import main

    counted = {"encode": defaultdict(lambda: [0, 0, 0.0]), "decode": defaultdict(lambda: [0, 0, 0.0])}
    output, read = bundle_processor.DataOutputOperation.process, bundle_processor.DataInputOperation.process_encoded

    def encode(self, value):
        record = counted["encode"][self.name_context.step_name]
        before, started = self.output_stream.size(), time.perf_counter()
        self.windowed_coder_impl.encode_to_stream(value, self.output_stream, True)
        record[2] += time.perf_counter() - started
        record[0], record[1] = record[0] + 1, record[1] + self.output_stream.size() - before
        self.output_stream.maybe_flush()

    def decode(self, encoded: bytes):  # DataInputOperation.process_encoded, timing the decoding
        record = counted["decode"][self.name_context.step_name]
        record[1] += len(encoded)
        stream = coder_impl.create_InputStream(encoded)
        while stream.size() > 0:
            with self.splitting_lock:
                if self.index == self.stop - 1:
                    return
                self.index += 1
            started = time.perf_counter()
            value = self.windowed_coder_impl.decode_from_stream(stream, True)
            record[0], record[2] = record[0] + 1, record[2] + time.perf_counter() - started
            self.output(value)

    bundle_processor.DataOutputOperation.process, bundle_processor.DataInputOperation.process_encoded = encode, decode
    try:
        code = main(["run", "--offline", "--seeds", str(seeds), "--db", str(db)])
    finally:
        bundle_processor.DataOutputOperation.process, bundle_processor.DataInputOperation.process_encoded = output, read
    if code != 0:
        raise SystemExit(f"wirebeam run failed with {code}")
    return {way: dict(steps) for way, steps in counted.items()}


def _print_elements(counted: dict[str, dict], top: int) -> dict:
    """Prints the totals and the ``top`` steps by coding time of each way; returns the totals."""
    summary = {}
    for way, steps in counted.items():
        elements, size, seconds = (sum(values[i] for values in steps.values()) for i in range(3))
        summary[way] = {"elements": elements, "mb": round(size / 1e6, 1), "s": round(seconds, 2)}
        print(f"\n{way}: {elements} elements, {size / 1e6:.1f} MB, {seconds:.2f} s (wall)")
        for step, (count, step_size, step_seconds) in sorted(steps.items(), key=lambda item: -item[1][2])[:top]:
            print(f"{step_seconds:7.2f} s {count:8d} elements {step_size / 1e6:7.1f} MB  {step}")
    return summary


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="Synthetic articles (unless --seeds).")
    parser.add_argument("--seeds", type=Path, default=None, help="Profile a run over these seeds instead.")
    parser.add_argument("--top", type=int, default=30, help="Functions listed by their own time.")
    parser.add_argument("--save", type=Path, default=None, help="Write the raw profile here (for pstats).")
    parser.add_argument(
        "--elements", action="store_true", help="Count the elements Beam encodes and decodes by step (no profile)."
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wirebeam-cost-") as temporary:
        work = Path(temporary)
        seeds = args.seeds
        if seeds is None:
            from benchmarks.incremental import write_seeds
            from benchmarks.neardup_speed import synthetic_corpus
            from benchmarks.scale import RECORDS_PER_FILE

            seeds = work / "seeds"
            write_seeds(synthetic_corpus(args.articles)[0], 0, seeds, per_file=RECORDS_PER_FILE)
        if args.elements:
            summary = _print_elements(count_elements(seeds, work / "cost.duckdb"), args.top)
        else:
            stats, cpu = profile_run(seeds, work / "cost.duckdb")
    if args.elements:
        result = {
            "benchmark": "run_cost --elements",
            "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "articles": args.articles if args.seeds is None else None,
            "seeds": str(args.seeds) if args.seeds else "synthetic",
            **summary,
        }
        ELEMENTS_RESULTS.write_text(json.dumps(result, indent=2) + "\n")
        return result
    if args.save:
        stats.dump_stats(args.save)
    articles = args.articles if args.seeds is None else None
    profiled = stats.total_tt
    phases = {name: _cumulative(stats, *where) for name, where in PHASES.items()}
    stages = {name: _cumulative(stats, *where) for name, where in STAGES.items()}
    print(
        f"run CPU {cpu:.1f} s (profiled {profiled:.1f} s)"
        + (f", {1000 * cpu / articles:.1f} ms/article" if articles else "")
    )
    print(f"\n{'phase':28} {'s':>7} {'share':>6}")
    for name, seconds in phases.items():
        print(f"{name:28} {seconds:7.2f} {seconds / profiled:6.1%}")
    print(f"\n{'stage (cumulative)':28} {'s':>7} {'share':>6}" + (f" {'ms/art':>7}" if articles else ""))
    for name, seconds in stages.items():
        per = f" {1000 * seconds / articles:7.2f}" if articles else ""
        print(f"{name:28} {seconds:7.2f} {seconds / profiled:6.1%}{per}")
    print(f"\ntop {args.top} functions by own time")
    own = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[: args.top]
    for (path, line, name), (_, calls, tottime, cumulative, _) in own:
        print(f"{tottime:7.2f} {cumulative:7.2f} {calls:9d}  {'/'.join(Path(path).parts[-2:])}:{line}({name})")
    result = {
        "benchmark": "run_cost",
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "articles": articles,
        "seeds": str(args.seeds) if args.seeds else "synthetic",
        "cpu_s": round(cpu, 2),
        "profiled_s": round(profiled, 2),
        "phases_s": {name: round(value, 2) for name, value in phases.items()},
        "stages_s": {name: round(value, 2) for name, value in stages.items()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
