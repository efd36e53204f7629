"""Near-duplicate detection speed end to end: wirebeam's engine versus datasketch, on ~500-word articles.

Corpus: synthetic ~500-word articles whose words are drawn from the real vocabulary and word frequencies of
``../shared/data/articles/ground-truth.json`` (sentences and paragraphs of random length), 10% of them
replaced by near-duplicates of earlier articles made with the labelled corpus edits (headline + dateline,
trims keeping 50-90%, boilerplate, rewording, paragraph drops, combined). Deterministic (fixed seed).

Timed, per system, from the list of texts to the verified near-duplicate pairs: tokenising, shingling,
signatures, LSH banding, candidate verification. Pairwise F1 is computed over the resulting groups.
- wirebeam: ``signatures`` on batches of 512 texts, then ``near_duplicate_pairs`` (band hashes, candidate
  pairs, estimated Jaccard), in one process for every size; once more at the largest size with signatures
  in ``--workers`` forked processes (default 2: this machine has 2 cores, shared with other work).
- baseline: datasketch ``MinHash`` + ``MinHashLSH`` in a plain single-process loop (query, verify, insert),
  same shingles, permutations, bands/rows and threshold, on ``--baseline-size`` articles.
Each measurement runs in a fresh process after a two-text warm-up (per-process tables, like a worker's
setup); peak memory is the highest RSS summed over that process and its
workers, sampled every 20 ms.

Run: ``.venv/bin/python -m benchmarks.neardup_speed [--sizes 10000 30000 100000] [--workers 2]``
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
from functools import partial
from pathlib import Path

import numpy as np
import psutil

from benchmarks.neardup_corpus import HEAVY, edit_functions, load_bodies
from benchmarks.neardup_quality import datasketch_pairs, group_labels
from pipeline.dedup.minhash import MinHashConfig, near_duplicate_pairs, signatures

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


_FORKED_TEXTS: Sequence[str] = ()


def _signatures_of_slice(bounds: tuple[int, int], config: MinHashConfig) -> np.ndarray:
    """Signatures of ``_FORKED_TEXTS[start:end]`` (texts inherited through fork, never pickled)."""
    return signatures(_FORKED_TEXTS[bounds[0] : bounds[1]], config)


def wirebeam_detect(texts: Sequence[str], config: MinHashConfig, workers: int) -> np.ndarray:
    """Verified pairs; signatures on batches of ``BATCH_SIZE`` texts in ``workers`` forked processes."""
    global _FORKED_TEXTS
    bounds = [(start, min(start + BATCH_SIZE, len(texts))) for start in range(0, len(texts), BATCH_SIZE)]
    if workers > 1:
        _FORKED_TEXTS = texts
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            matrix = np.concatenate(pool.map(partial(_signatures_of_slice, config=config), bounds, chunksize=4))
        _FORKED_TEXTS = ()
    else:
        matrix = np.concatenate([signatures(texts[start:end], config) for start, end in bounds])
    pairs, _ = near_duplicate_pairs(matrix, config)
    return pairs


class PeakMemory:
    """Highest RSS of this process plus its children, sampled in a background thread."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        process = psutil.Process()
        while not self._stop.is_set():
            try:
                rss = process.memory_info().rss + sum(
                    child.memory_info().rss for child in process.children(recursive=True)
                )
            except psutil.NoSuchProcess:
                continue
            self.peak = max(self.peak, rss)
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(system: str, size: int, workers: int, queue: multiprocessing.Queue) -> None:
    """Build the corpus, time one system on it and put the figures on ``queue`` (runs in a fresh process)."""
    config = MinHashConfig()
    texts, truth = synthetic_corpus(size)
    rss_before = psutil.Process().memory_info().rss
    detect = partial(wirebeam_detect, workers=workers) if system == "wirebeam" else datasketch_pairs
    detect(texts[:2], config)  # warm-up: per-process tables and permutations, as a worker's setup would
    with PeakMemory() as memory:
        started = time.perf_counter()
        pairs = detect(texts, config)
        seconds = time.perf_counter() - started
    scores = pairwise_f1(truth, group_labels(pairs, len(texts)))
    queue.put(
        {
            "system": system,
            "articles": size,
            "workers": workers if system == "wirebeam" else 1,
            "seconds": seconds,
            "articles_per_second": size / seconds,
            "peak_rss_mib": memory.peak / 2**20,
            "peak_rss_above_corpus_mib": (memory.peak - rss_before) / 2**20,
            "rss_before_mib": rss_before / 2**20,
            "verified_pairs": len(pairs),
            **scores,
        }
    )


def run_isolated(system: str, size: int, workers: int) -> dict:
    """Run :func:`measure` in a fresh process and return its figures."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=measure, args=(system, size, workers, queue))
    process.start()
    result = queue.get()
    process.join()
    line = (
        "{system:10s} n={articles:>7,d} workers={workers} {seconds:8.2f} s {articles_per_second:>9,.0f} art/s "
        "peak RSS {peak_rss_mib:7.0f} MiB  P={precision:.3f} R={recall:.3f} F1={f1:.3f}"
    )
    print(line.format(**result), flush=True)
    return result


def main(argv: Sequence[str] | None = None) -> None:
    """Parse flags, run the measurements, print and save them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--baseline-size", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="processes computing signatures (extra run)")
    args = parser.parse_args(argv)
    if min(args.sizes) < 2 or args.baseline_size < 2 or args.workers < 1:
        parser.error("sizes and --baseline-size must be >= 2 and --workers >= 1")
    baseline = run_isolated("datasketch", args.baseline_size, 1)
    runs = [run_isolated("wirebeam", size, 1) for size in sorted(args.sizes)]
    parallel = run_isolated("wirebeam", max(args.sizes), args.workers) if args.workers > 1 else runs[-1]
    smallest, largest = runs[0], runs[-1]
    summary = {
        "speedup_vs_baseline_one_process": largest["articles_per_second"] / baseline["articles_per_second"],
        "speedup_vs_baseline_with_workers": parallel["articles_per_second"] / baseline["articles_per_second"],
        "workers": args.workers,
        "f1_minus_baseline_f1": min(run["f1"] for run in [*runs, parallel]) - baseline["f1"],
        "time_ratio_largest_to_smallest": largest["seconds"] / smallest["seconds"],
        "size_ratio_largest_to_smallest": largest["articles"] / smallest["articles"],
    }
    print(
        "at n={:,d}: {speedup_vs_baseline_one_process:.1f}x the baseline's articles/s in one process, "
        "{speedup_vs_baseline_with_workers:.1f}x with {workers} workers; F1 difference {f1_minus_baseline_f1:+.4f}; "
        "time ratio {time_ratio_largest_to_smallest:.2f} for size ratio {size_ratio_largest_to_smallest:.0f}".format(
            largest["articles"], **summary
        )
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {"config": repr(MinHashConfig()), "baseline": baseline, "runs": runs, "parallel": parallel}
    RESULTS.write_text(json.dumps({**payload, "summary": summary}, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
