"""Near-duplicate detection speed end to end: wirebeam's engine versus datasketch, on ~500-word articles.

Corpus: synthetic ~500-word articles whose words are drawn from the real vocabulary and word frequencies of
``../shared/data/articles/ground-truth.json`` (sentences and paragraphs of random length), 10% of them
replaced by near-duplicates of earlier articles made with the labelled corpus edits (headline + dateline,
trims keeping 50-90%, boilerplate, rewording, paragraph drops, combined). Deterministic (fixed seed).

Timed, per system, from the list of texts to the verified near-duplicate pairs: tokenising, shingling,
signatures, LSH banding, candidate verification. Pairwise F1 is computed over the resulting groups.
- wirebeam: ``pipeline.dedup.near.find_near_duplicates``, the near-duplicate stage's logic in memory:
  signatures and shingle sets on batches of 512 texts, band buckets (grouped by sorting, as the runner's
  GroupByKey would) paired by the stage's ``bucket_pairs`` with its cap, exact Jaccard and containment of each
  candidate pair, in one process (parallelism is the Beam runner's job: each worker calls
  ``signatures`` on its own batches; forking 2 processes here was slower on this shared 2-core machine).
- baseline: datasketch ``MinHash`` + ``MinHashLSH`` in a plain single-process loop (query, verify, insert),
  same shingles, permutations, bands/rows and threshold, on ``--baseline-size`` articles.
Each measurement runs in a fresh process after a two-text warm-up (per-process tables, like a worker's
setup) and keeps the best of ``--repeat`` timed runs; the process CPU time is reported too, since wall time
on this shared machine varies with the other work on it. Peak memory is the highest RSS
of that process, sampled every 20 ms.

Run: ``.venv/bin/python -m benchmarks.neardup_speed [--sizes 10000 30000 100000] [--repeat 3]``
(writes ``benchmarks/results/neardup_speed.json``).
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import random
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import psutil

from benchmarks.neardup_corpus import HEAVY, edit_functions, load_bodies
from benchmarks.neardup_quality import datasketch_pairs, group_labels
from pipeline.dedup.minhash import MinHashConfig
from pipeline.dedup.near import find_near_duplicates

LOGGER = logging.getLogger(__name__)

RESULTS = Path(__file__).resolve().parent / "results/neardup_speed.json"
SEED = 20241124
DUPLICATE_SHARE = 0.1
ARTICLE_WORDS = (400, 600)
BATCH_SIZE = 512
SAMPLE_SECONDS = 0.02


def synthetic_corpus(size: int, seed: int = SEED) -> tuple[list[str], np.ndarray]:
    """``size`` articles and their true group (the index of the article each one copies, or its own)."""
    if size < 2:
        raise ValueError(f"size must be >= 2, got {size}")
    rng = random.Random(seed)
    counts = Counter(word for body in load_bodies().values() for word in body.split())
    vocabulary, weights = list(counts), np.cumsum(list(counts.values())).tolist()
    edits = [apply for name, apply in edit_functions().items() if name != HEAVY]
    texts: list[str] = []
    groups = np.arange(size)
    for index in range(size):
        if index > 10 and rng.random() < DUPLICATE_SHARE:
            source = rng.randrange(index)
            groups[index] = groups[source]
            texts.append(rng.choice(edits)(texts[source], rng))
            continue
        words = rng.choices(vocabulary, cum_weights=weights, k=rng.randint(*ARTICLE_WORDS))
        paragraphs, start = [], 0
        while start < len(words):
            length = rng.randint(30, 90)
            paragraphs.append(" ".join(words[start : start + length]) + ".")
            start += length
        texts.append("\n\n".join(paragraphs))
    return texts, groups


def pairwise_f1(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a grouping, from group-size counts (no n x n matrix)."""

    def pairs(labels: np.ndarray) -> int:
        sizes = np.unique(labels, return_counts=True)[1].astype(np.int64)
        return int((sizes * (sizes - 1) // 2).sum())

    joint = truth.astype(np.int64) * (int(predicted.max()) + 1) + predicted
    true_positive, predicted_pairs, actual_pairs = pairs(joint), pairs(predicted), pairs(truth)
    precision = true_positive / predicted_pairs if predicted_pairs else 1.0
    recall = true_positive / actual_pairs if actual_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_pairs": actual_pairs}


def wirebeam_detect(texts: Sequence[str], config: MinHashConfig) -> np.ndarray:
    """Verified pairs: signatures and shingle sets on batches of ``BATCH_SIZE`` texts, banding, exact verification."""
    found = find_near_duplicates(texts, config, batch_size=BATCH_SIZE)
    return np.array([(left, right) for left, right, _ in found], dtype=np.int64).reshape(-1, 2)


class PeakMemory:
    """Highest RSS of this process, sampled in a background thread."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        process = psutil.Process()
        while not self._stop.is_set():
            self.peak = max(self.peak, process.memory_info().rss)
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(system: str, size: int, repeat: int, queue: multiprocessing.Queue) -> None:
    """Build the corpus, time one system on it (best of ``repeat``) and put the figures on ``queue``.

    Runs in a fresh process. The best of several runs is reported because the machine is shared.
    """
    config = MinHashConfig()
    texts, truth = synthetic_corpus(size)
    detect = wirebeam_detect if system == "wirebeam" else datasketch_pairs
    detect(texts[:2], config)  # warm-up: per-process tables and permutations, as a worker's setup would
    rss_before = psutil.Process().memory_info().rss
    timings, cpu_timings = [], []
    with PeakMemory() as memory:
        for _ in range(repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            pairs = detect(texts, config)
            timings.append(time.perf_counter() - started)
            cpu_timings.append(time.process_time() - cpu_started)
    scores = pairwise_f1(truth, group_labels(pairs, len(texts)))
    queue.put(
        {
            "system": system,
            "articles": size,
            "seconds": min(timings),
            "all_seconds": timings,
            "cpu_seconds": min(cpu_timings),
            "articles_per_second": size / min(timings),
            "peak_rss_mib": memory.peak / 2**20,
            "peak_rss_above_corpus_mib": (memory.peak - rss_before) / 2**20,
            "verified_pairs": len(pairs),
            **scores,
        }
    )


def run_isolated(system: str, size: int, repeat: int) -> dict:
    """Run :func:`measure` in a fresh process and return its figures."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=measure, args=(system, size, repeat, queue))
    process.start()
    result = queue.get()
    process.join()
    line = (
        "{system:10s} n={articles:>7,d} {seconds:8.2f} s (CPU {cpu_seconds:6.2f} s) {articles_per_second:>7,.0f} art/s "
        "peak RSS {peak_rss_mib:6.0f} MiB ({peak_rss_above_corpus_mib:+5.0f} over corpus)  "
        "P={precision:.3f} R={recall:.3f} F1={f1:.3f}"
    )
    print(line.format(**result), flush=True)
    return result


def main(argv: Sequence[str] | None = None) -> None:
    """Parse flags, run the measurements, print and save them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--baseline-size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement; the best is kept")
    args = parser.parse_args(argv)
    if min(args.sizes) < 2 or args.baseline_size < 2 or args.repeat < 1:
        parser.error("sizes and --baseline-size must be >= 2 and --repeat >= 1")
    baseline = run_isolated("datasketch", args.baseline_size, args.repeat)
    runs = [run_isolated("wirebeam", size, args.repeat) for size in sorted(args.sizes)]
    smallest, largest = runs[0], runs[-1]
    summary = {
        "speedup_vs_baseline": largest["articles_per_second"] / baseline["articles_per_second"],
        "speedup_vs_baseline_same_size": next(
            (run["articles_per_second"] for run in runs if run["articles"] == baseline["articles"]), float("nan")
        )
        / baseline["articles_per_second"],
        "f1_minus_baseline_f1": min(run["f1"] for run in runs) - baseline["f1"],
        "time_ratio_largest_to_smallest": largest["seconds"] / smallest["seconds"],
        "cpu_time_ratio_largest_to_smallest": largest["cpu_seconds"] / smallest["cpu_seconds"],
        "size_ratio_largest_to_smallest": largest["articles"] / smallest["articles"],
    }
    print(
        "at n={:,d}: {speedup_vs_baseline:.1f}x the baseline's articles/s (measured at n={:,d}; "
        "{speedup_vs_baseline_same_size:.1f}x at equal size); F1 difference {f1_minus_baseline_f1:+.4f}; "
        "time ratio {time_ratio_largest_to_smallest:.2f} (CPU {cpu_time_ratio_largest_to_smallest:.2f}) "
        "for size ratio {size_ratio_largest_to_smallest:.0f}".format(
            largest["articles"], baseline["articles"], **summary
        )
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {"config": repr(MinHashConfig()), "baseline": baseline, "runs": runs, "summary": summary}
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
