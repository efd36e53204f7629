"""Scale: CPU per article, throughput per core and peak memory of ``wirebeam run``, beside a plain-loop floor.

For each size in ``--articles`` (default 10,000; ask for 100000 or 1000000 on purpose: they take long), writes that
many synthetic ~500-word articles (real vocabulary, 10% near-duplicates: the near-duplicate speed benchmark's
corpus) as JSON Lines seed files and measures, in this one run:

- **wirebeam**: ``wirebeam run --offline`` into a fresh database, as a process tree (CPU = user + system time of
  the launcher and any workers; peak RSS of the tree, overall and while each window ran); it reads the seeds in
  windows of ``--window_mib`` (its default unless given), one run each;
- **floor**: the same work as wirebeam's own pure functions called in a plain Python loop in one process (read
  the seed files, extract, normalize, strip boilerplate (paragraph observations, repeated ones, cleaning), exact
  keys, MinHash signatures of the articles the stage signs and near-duplicate pairs, term counts, event
  features, blocking, scoring the candidate pairs the stage scores (``block_candidates``, each pair once; a large
  block's pairs screened in bulk first, as the pipeline does) and clustering, enrichment, staging rows), no Beam
  and no DuckDB, over the same windows one after the other (without the cross-window matching wirebeam's load
  does);
- **fixed cost**: ``wirebeam run --offline`` on an empty seeds directory.

Targets (issue 15): at most 5 ms CPU per article, at most 4 GB peak at 100k, wirebeam / floor at most 1.3, a run on
an empty input at most 3 s CPU. Prints a table and writes ``benchmarks/results/scale.json``.

Run: ``nice -n 10 .venv/bin/python -m benchmarks.scale [--articles 10000 100000] [--window_mib 8] [--workdir DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from benchmarks.incremental import timed_run, write_seeds
from benchmarks.neardup_speed import synthetic_corpus
from pipeline.options import DEFAULT_WINDOW_MIB

RESULTS = Path(__file__).resolve().parent / "results" / "scale.json"
TARGET_MS_PER_ARTICLE = 5.0
TARGET_RATIO = 1.3
TARGET_FIXED_CPU_S = 3.0
RECORDS_PER_FILE = 1000
"""Seed records per file (about 3.8 MB): files smaller than a window, so that windows hold what they are sized for."""


def plain_loop(seed_files: list[Path]) -> float:
    """wirebeam's stages as plain function calls over some seed files (one window); the CPU seconds it took."""
    from pipeline.boilerplate import (
        chrome_in_bucket,
        clean_article,
        folded_paragraphs,
        paragraph_observations,
        paragraph_row,
    )
    from pipeline.dedup.exact import exact_keys, original_rank
    from pipeline.dedup.minhash import MinHashConfig
    from pipeline.dedup.near import find_near_duplicates, is_signed
    from pipeline.enrich.stage import enrich_record
    from pipeline.errors import RejectedInput
    from pipeline.events.blocking import (
        block_candidates,
        block_member,
        blocking_keys,
        reaching_pairs,
        shared_blocks,
    )
    from pipeline.events.features import features_from_counts
    from pipeline.events.score import DEFAULT_THRESHOLDS, score
    from pipeline.events.stage import article_term_counts, cluster_component, feature_row
    from pipeline.extract import extract_article
    from pipeline.normalize import normalize_article
    from pipeline.sources.seeds import read_seed_file
    from schemas.generate import to_row

    started_cpu = time.process_time()
    now = datetime.now(timezone.utc)
    articles = []
    for path in seed_files:
        for document in read_seed_file(path.name, path.read_bytes()):
            if not isinstance(document, RejectedInput):
                articles.append(normalize_article(extract_article(document), "floor", now))
    folds = [folded_paragraphs(article.text) if article.text else [] for article in articles]
    observations = [paragraph_observations(a, folded) for a, folded in zip(articles, folds, strict=True)]
    for article, observed in zip(articles, observations, strict=True):
        if article.text is not None:
            to_row(paragraph_row(article, observed))
    refs = ((article.article_id, observed) for article, observed in zip(articles, observations, strict=True))
    chrome = dict(chrome_in_bucket((0, refs), None))
    articles = [
        clean_article(article, set(chrome.get(article.article_id, ())), folded)
        for article, folded in zip(articles, folds, strict=True)
    ]
    first_of_key: dict[str, str] = {}
    for article in sorted(articles, key=original_rank):
        for key in exact_keys(article):
            first_of_key.setdefault(key, article.article_id)
    config = MinHashConfig()
    find_near_duplicates([article.text for article in articles if is_signed(article)], config)
    counts = [article_term_counts(article.title, article.text, article.summary) for article in articles]
    doc_freq = Counter(term for count in counts for term in set(count.terms()))
    members, blocks, features_of, keys_of = [], defaultdict(list), {}, {}
    for article, count in zip(articles, counts, strict=True):
        features = features_from_counts(count, article.published_at, doc_freq, len(articles))
        members.append((article.article_id, (original_rank(article), features)))
        keys = blocking_keys(features)
        to_row(feature_row(article.article_id, features, sorted(count.terms()), keys))
        features_of[article.article_id] = features
        keys_of[article.article_id] = keys = frozenset(keys)
        for key in keys:
            blocks[key].append(article.article_id)
    # as the stage (SharedBlocks): a member brings only its keys whose blocks hold another article, and those of
    # them oversized; an article of its own keys alone is no member
    block_members = {
        item: (features_of[item].first_seen, frozenset(keys), frozenset(large), features_of[item].full_text)
        for item, (keys, large) in shared_blocks(keys_of.items()).items()
    }
    packed = {item: block_member(item, features_of[item], *member[1:3])[1] for item, member in block_members.items()}
    edges, scored = [], set()
    for key, block in blocks.items():  # as the stage's ScoreBlocks: the same candidates, each pair scored once
        if len(block) < 2:
            continue
        candidates = block_candidates(key, {item: block_members[item] for item in block})
        for pair in reaching_pairs(candidates, packed, DEFAULT_THRESHOLDS.model, DEFAULT_THRESHOLDS.lowest):
            if pair not in scored:
                scored.add(pair)
                similarity = score(features_of[pair[0]], features_of[pair[1]])
                if similarity >= DEFAULT_THRESHOLDS.lowest:
                    edges.append((*pair, similarity))
    list(cluster_component(members, edges, DEFAULT_THRESHOLDS, "floor"))
    for article in articles:
        for rows in enrich_record(article).values():
            for row in rows:
                to_row(row)
        to_row(article)
    return time.process_time() - started_cpu


def floor(windows: list[list[str]]) -> dict:
    """``plain_loop`` over each window in turn (as wirebeam reads them, so its memory is bounded alike): CPU
    seconds and peak RSS of this process."""
    cpu = sum(plain_loop([Path(path) for path in window]) for window in windows)
    return {"cpu_s": cpu, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _floor_in_subprocess(windows: list[list[str]]) -> dict:
    """The floor in a fresh process, so that its peak memory is its own."""
    code = f"import json; from benchmarks.scale import floor; print(json.dumps(floor({windows!r})))"
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _windows(seeds: Path, window_mib: float) -> list[list[str]]:
    """The seed files of each window ``wirebeam run --window_mib`` reads."""
    from pipeline.run import seed_windows

    files = sorted(str(path) for path in seeds.iterdir())
    windows = seed_windows(seeds, int(window_mib * 2**20))
    return [files if window is None else sorted(str(seeds / name) for name in window) for window in windows]


def measure(size: int, work: Path, window_mib: float) -> dict:
    seeds = work / f"seeds-{size}"
    if not seeds.exists():
        texts, _ = synthetic_corpus(size)
        write_seeds(texts, 0, seeds, per_file=RECORDS_PER_FILE)
    db = work / f"run-{size}.duckdb"
    db.unlink(missing_ok=True)
    window_peaks: dict[int, float] = {}
    log = work / f"run-{size}.log"
    wall, cpu, peak = timed_run(seeds, db, 1, f"--window_mib={window_mib}", log=log, window_peaks=window_peaks)
    counts = totals(db)
    print(f"{size} articles: wirebeam {cpu:.1f} s CPU, {wall:.1f} s wall, peak {peak:.0f} MiB", flush=True)
    windows = _windows(seeds, window_mib)
    loop = _floor_in_subprocess(windows)
    return {
        "articles": size,
        "windows": len(windows),
        "wirebeam": {
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "cpu_ms_per_article": round(1000 * cpu / size, 2),
            "articles_per_s_per_core": round(size / cpu, 1),
            "peak_rss_mib": round(peak),
            "window_peak_rss_mib": [round(value) for value in window_peaks.values()],
            "run": counts,
        },
        "floor": {
            "cpu_s": round(loop["cpu_s"], 1),
            "cpu_ms_per_article": round(1000 * loop["cpu_s"] / size, 2),
            "articles_per_s_per_core": round(size / loop["cpu_s"], 1),
            "peak_rss_mib": round(loop["peak_rss_mib"]),
        },
        "wirebeam_over_floor": round(cpu / loop["cpu_s"], 2),
    }


def totals(db: Path) -> dict:
    """What the runs of one ``wirebeam run`` (its windows) counted together, and how many there were."""
    columns = ["articles_read", "articles_new", "exact_duplicates", "near_duplicates", "events_new", "events_updated"]
    with duckdb.connect(str(db), read_only=True) as connection:
        sums = connection.execute(f"SELECT count(*), {', '.join(f'sum({c})' for c in columns)} FROM runs").fetchone()
        stored = connection.execute("SELECT count(*), count(DISTINCT event_id) FROM articles").fetchone()
    return {
        "runs": sums[0],
        **dict(zip(columns, sums[1:], strict=True)),
        "articles_stored": stored[0],
        "events": stored[1],
    }


def fixed_cost(work: Path) -> dict:
    empty = work / "seeds-empty"
    empty.mkdir(exist_ok=True)
    db = work / "empty.duckdb"
    db.unlink(missing_ok=True)
    wall, cpu, peak = timed_run(empty, db, workers=1)
    return {"wall_s": round(wall, 1), "cpu_s": round(cpu, 2), "peak_rss_mib": round(peak)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[10_000], help="Sizes to measure.")
    parser.add_argument("--workdir", type=Path, default=None, help="Keep seeds and databases here.")
    parser.add_argument(
        "--window_mib", type=float, default=DEFAULT_WINDOW_MIB, help="wirebeam's --window_mib (default: its own)."
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wirebeam-scale-") as temporary:
        work = args.workdir or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        empty = fixed_cost(work)
        sizes = [measure(size, work, args.window_mib) for size in args.articles]
    result = {
        "benchmark": "scale",
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": len(os.sched_getaffinity(0))},
        "targets": {
            "cpu_ms_per_article": TARGET_MS_PER_ARTICLE,
            "wirebeam_over_floor": TARGET_RATIO,
            "empty_run_cpu_s": TARGET_FIXED_CPU_S,
        },
        "window_mib": args.window_mib,
        "empty_run": empty,
        "sizes": sizes,
    }
    print(f"empty input: {empty['cpu_s']} s CPU, {empty['wall_s']} s wall, peak {empty['peak_rss_mib']} MiB")
    print(
        "articles | windows | wirebeam CPU ms/article | articles/s/core | peak MiB | floor ms/article | "
        "floor peak MiB | ratio"
    )
    for row in sizes:
        w, f = row["wirebeam"], row["floor"]
        print(
            f"{row['articles']:>8} | {row['windows']:>7} | {w['cpu_ms_per_article']:>23} | "
            f"{w['articles_per_s_per_core']:>15} | "
            f"{w['peak_rss_mib']:>8} | {f['cpu_ms_per_article']:>20} | {f['peak_rss_mib']:>14} | "
            f"{row['wirebeam_over_floor']}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
