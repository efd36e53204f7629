"""Benchmark grouping across windows: a labelled corpus in successive runs into one database against one run.

Issue 15 windows a large input into successive runs, and a new run groups against what is stored; cross-run results
must not depend on the window. This benchmark measures how far they do on the real labelled corpora of
``benchmarks/events.py`` (GVC dated and undated, ECB+, UCI headlines; its helpers, imported): each half of a
corpus (split by event, ``half_of_item``) goes through the real ``wirebeam run --offline`` once as one run, and
once cut into ``--windows`` parts run one after another into one database; ``articles.event_id`` and
``articles.storyline_id`` are read back and scored pairwise against the gold labels at the corpus' level
(``LEVELS``; the other level in the JSON). The gap (windowed F1 - one-run F1) is what the window costs; the
agreement (``same`` in the table: pairwise F1 of the windowed groups against the one run's, at the corpus' level;
both levels in the JSON) says how far the windows group as one run does even where the gap is small.

How a corpus is cut (``--split``):
- ``random`` (default): articles dealt to the windows by a seeded shuffle. Nearly every event of two reports or
  more then has reports in more than one window, so the gap measures cross-run matching (a new report finding its
  stored event) at its hardest; it is also the only cut of the undated corpora (ECB+, GVC undated).
- ``time``: consecutive parts by publication time (what successive daily runs see); only the events that straddle
  a cut (and storylines with follow-ups) test cross-run matching. Undated corpora fall back to ``random``.

Half A is for choosing, half B is reported. The runs use the shipped grouping model, fitted on both halves of these
dev corpora: the one-run figures are no held-out scores of the model (``benchmarks/events.py --fitted`` gives
those); the gap between one run and the windows is what this measures. With ``--workdir``, the one-run scores and
the first window's database (a run into an empty database: no cross-run matching in it) are kept there and reused
by a later call with the same corpus, half, split, windows and seed: for comparing cross-run matching variants
only, as the cache does not notice other changes to the pipeline.

Run: ``nice -n 15 .venv/bin/python -m benchmarks.events_windows [--corpus gvc ecbplus] [--half A] [--windows 2]
[--split random|time] [--workdir DIR]`` (writes ``benchmarks/results/events_windows[_...].json``).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from benchmarks.events import (
    LEVELS,
    RESULTS_DIR,
    Item,
    _cpu_seconds,
    half_of_item,
    load_corpus,
    measures_text,
    pairwise_scores,
    run_offline,
    score_assignment,
    write_seed_jsonl,
)
from pipeline.events.fit import HALVES

LOGGER = logging.getLogger(__name__)

CORPORA = ("gvc", "gvc_undated", "ecbplus", "uci")
SPLITS = ("random", "time")
SEED = 20240501
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def windows_of(items: Sequence[Item], count: int, split: str, seed: int = SEED) -> tuple[list[list[Item]], str]:
    """The items cut into ``count`` windows, in run order, and the split used: ``time`` (consecutive parts by
    publication time, ties by ID) when every item is dated, else ``random`` (a seeded shuffle dealt round)."""
    if split == "time" and all(item.published is not None for item in items):
        ordered = sorted(items, key=lambda item: (item.published or _EARLIEST, item.item_id))
        size = -(-len(ordered) // count)
        return [ordered[start : start + size] for start in range(0, len(ordered), size)], "time"
    shuffled = sorted(items, key=lambda item: item.item_id)
    random.Random(seed).shuffle(shuffled)
    return [shuffled[window::count] for window in range(count)], "random"


def stored_groups(db_path: Path, items: Sequence[Item]) -> dict[str, dict[str, str]]:
    """Item ID -> stored ``event_id`` and -> ``storyline_id``, by level, for the items stored (matched by URL)."""
    with duckdb.connect(str(db_path), read_only=True) as connection:
        rows = connection.execute("SELECT url, event_id, storyline_id FROM articles").fetchall()
    of_url = {url: (event_id, storyline_id) for url, event_id, storyline_id in rows}
    found = [item for item in items if item.url in of_url]
    return {
        "event": {item.item_id: of_url[item.url][0] for item in found},
        "storyline": {item.item_id: of_url[item.url][1] for item in found},
    }


def run_windows(windows: Sequence[Sequence[Item]], db_path: Path, workdir: Path, first: int = 1) -> list[float]:
    """Each window through ``wirebeam run --offline`` into ``db_path`` in order (numbered from ``first``); CPU
    seconds of each run."""
    cpu = []
    for number, window in enumerate(windows, start=first):
        seeds_dir = workdir / f"window-{number}"
        seeds_dir.mkdir()
        write_seed_jsonl(window, seeds_dir / "items.jsonl")
        started = _cpu_seconds()
        run_offline(seeds_dir, db_path, ())
        cpu.append(round(_cpu_seconds() - started, 2))
    return cpu


def scores(items: Sequence[Item], groups: Mapping[str, Mapping[str, str]], level: str) -> dict:
    """Scores at the corpus' level, and at the other level."""
    other = "event" if level == "storyline" else "storyline"
    return {**score_assignment(items, groups[level]), other: score_assignment(items, groups[other])}


def agreement(items: Sequence[Item], groups: Mapping[str, Mapping[str, str]], one: Mapping[str, Mapping[str, str]]):
    """Pairwise scores of the windowed groups against the one run's, by level (an item missing on either side is a
    group of its own)."""
    return {
        level: pairwise_scores(
            [one[level].get(item.item_id, item.item_id) for item in items],
            [groups[level].get(item.item_id, item.item_id) for item in items],
        )
        for level in ("event", "storyline")
    }


def one_run(items: Sequence[Item], level: str, cache: Path | None) -> dict:
    """Scores and groups (``groups``) of the items as one run (read from ``cache`` when it holds them, else written
    there)."""
    if cache is not None and cache.exists() and "groups" in (cached := json.loads(cache.read_text())):
        return cached
    with tempfile.TemporaryDirectory(prefix="wirebeam-windows-") as workdir:
        db_path = Path(workdir) / "one.duckdb"
        cpu = run_windows([items], db_path, Path(workdir))
        groups = stored_groups(db_path, items)
        result = {**scores(items, groups, level), "cpu_s": cpu, "groups": groups}
    if cache is not None:
        cache.write_text(json.dumps(result))
    return result


def windowed(
    windows: Sequence[Sequence[Item]], items: Sequence[Item], level: str, first: Path | None, one: Mapping
) -> dict:
    """Scores of the items run window after window into one database, and their agreement with the one run's
    groups (``one``); the database after the first window is copied from ``first`` when that exists (else kept
    there, when given). ``cpu_s``: each window's run (``None`` for a reused one)."""
    with tempfile.TemporaryDirectory(prefix="wirebeam-windows-") as workdir:
        db_path = Path(workdir) / "windows.duckdb"
        cpu: list[float | None] = []
        if first is not None and first.exists():
            shutil.copyfile(first, db_path)
            cpu.append(None)
        else:
            cpu += run_windows(windows[:1], db_path, Path(workdir))
            if first is not None:
                shutil.copyfile(db_path, first)
        cpu += run_windows(windows[1:], db_path, Path(workdir), first=2)
        groups = stored_groups(db_path, items)
        return {**scores(items, groups, level), "same_as_one_run": agreement(items, groups, one), "cpu_s": cpu}


def compare(name: str, half: str, args: argparse.Namespace) -> dict:
    """One half of one corpus: one run against ``args.windows`` successive runs; the F1 gap between them."""
    items = [item for item in load_corpus(name) if half_of_item(item) == half]
    level = LEVELS[name]
    windows, split = windows_of(items, args.windows, args.split, args.seed)
    tag = f"{name}-{half}"
    cache = args.workdir / f"{tag}-one.json" if args.workdir else None
    first = args.workdir / f"{tag}-{split}-{args.windows}-{args.seed}-w1.duckdb" if args.workdir else None
    single = one_run(items, level, cache)
    split_up = windowed(windows, items, level, first, single["groups"])
    single = {key: value for key, value in single.items() if key != "groups"}
    return {
        "n_items": len(items),
        "n_true_groups": len({item.label for item in items}),
        "level": level,
        "split": split,
        "window_sizes": [len(window) for window in windows],
        "one_run": single,
        "windowed": split_up,
        "f1_gap": round(split_up["f1"] - single["f1"], 4),
    }


def print_table(results: Mapping) -> None:
    """One row per corpus and half: one run against the windowed runs."""
    print(
        f"\n{'corpus':<12} {'half':<4} {'level':<9} {'split':<6} {'n':>5} | {'one run P / R / F1 / ARI':<27} |"
        f" {'windowed P / R / F1 / ARI':<27} | {'F1 gap':>6} | {'same':>5}"
    )
    for name, by_half in results.items():
        if not isinstance(by_half, Mapping) or "windows" in by_half:
            continue
        for half, row in by_half.items():
            one, split_up = row["one_run"], row["windowed"]
            print(
                f"{name:<12} {half:<4} {row['level']:<9} {row['split']:<6} {row['n_items']:>5} | "
                + measures_text(one)
                + " | "
                + measures_text(split_up)
                + f" | {row['f1_gap']:>+6.3f} | {row['windowed']['same_as_one_run'][row['level']]['f1']:>5.3f}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen corpora and halves one-run and windowed; print the table, write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="+", choices=CORPORA, default=list(CORPORA))
    parser.add_argument("--half", nargs="+", choices=HALVES, default=list(HALVES))
    parser.add_argument("--windows", type=int, default=2, help="Successive runs a half is cut into.")
    parser.add_argument("--split", choices=SPLITS, default="random")
    parser.add_argument("--seed", type=int, default=SEED, help="Seed of the random split.")
    parser.add_argument("--workdir", type=Path, help="Keep one-run scores and first-window databases here.")
    parser.add_argument("--out", help="JSON file to write (default: benchmarks/results/events_windows[_...].json).")
    args = parser.parse_args(argv)
    if args.windows < 2:
        parser.error("--windows must be at least 2")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "windows": args.windows,
        "split": args.split,
        "seed": args.seed,
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    for name in args.corpus:
        results[name] = {}
        for half in args.half:
            started = time.perf_counter()
            results[name][half] = compare(name, half, args)
            LOGGER.warning("%s half %s done in %.0f s", name, half, time.perf_counter() - started)
            print_table({name: {half: results[name][half]}})
    print_table(results)
    suffix = "" if set(args.corpus) == set(CORPORA) and set(args.half) == set(HALVES) else "_" + "_".join(args.corpus)
    suffix += "" if set(args.half) == set(HALVES) else "_" + "".join(args.half)
    suffix += f"_{args.split}_{args.windows}" if (args.split, args.windows) != ("random", 2) else ""
    path = Path(args.out) if args.out else RESULTS_DIR / f"events_windows{suffix}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
