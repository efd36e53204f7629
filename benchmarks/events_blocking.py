"""Where event grouping's candidate pairs come from, and how many a common-key limit saves, cross-validated.

For each half of each real labelled corpus (split as ``benchmarks/events.py`` splits them) and the synthetic
articles of the scale benchmark, with the pipeline's own featurising and blocking (``batch_features``,
``blocking_keys``, ``block_meetings``, ``scored_here``, ``candidate_pairs``):

- the candidate pairs per article by the kind of block that yields them (term or headline word, entity, number,
  date, embedding band; oversized or not), the largest blocks, and how many keys the pairs (and the true
  same-group pairs) share;
- for each ``common_block`` limit of ``evident`` (``LIMITS``; ``None``: no limit), the candidate pairs per article
  and the blocked recall (share of true same-group pairs that are candidates).

The limit is chosen by cross-validation: for each half H and each tolerance of ``TOLERANCES``, the other half
chooses the limit with the fewest pairs per article over the full-text corpora (GVC dated and undated, ECB+) whose
blocked recall on each of them is within the tolerance of the recall without a limit; H is reported with it. The
headline window of oversized blocks (``HEADLINE_BLOCK_WINDOW``) is chosen alike, over the headline corpora (UCI,
GVC's headlines alone): for each of ``HEADLINE_WINDOWS``, pairs per article, blocked recall and CPU of
``candidate_pairs``.

Run: ``nice -n 15 .venv/bin/python -m benchmarks.events_blocking [--corpus gvc ...] [--scale 4000]`` (writes
``benchmarks/results/events_blocking.json``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from benchmarks.events import half_of_item, load_corpus
from pipeline.events.blocking import (
    COMMON_BLOCK,
    HEADLINE_BLOCK_WINDOW,
    block_meetings,
    blocking_keys,
    candidate_pairs,
    evident,
    oversized,
    scored_here,
)
from pipeline.events.features import EventFeatures, batch_features
from pipeline.events.fit import HALVES

RESULTS = Path(__file__).resolve().parent / "results" / "events_blocking.json"
CORPORA = ("gvc", "gvc_undated", "ecbplus", "uci", "gvc_titles")
CHOOSING = ("gvc", "gvc_undated", "ecbplus")
"""The corpora the limit is chosen on: full texts (the limit leaves pairs with a headline alone)."""
LIMITS = (None, 16, 24, 32, 48, 64, 96)
TOLERANCES = (0.002, 0.005)
HEADLINE_CORPORA = ("uci", "gvc_titles")
"""The corpora the headline window is chosen on: headlines alone (the window pairs headlines only)."""
HEADLINE_WINDOWS = (None, 64, 96, 128, 192, 256, 384)
UNLIMITED = 10**9


def _kind(key: str) -> str:
    if key.startswith("v") and ":" in key:
        return "embedding"
    return {"e:": "entity", "n:": "number", "d:": "date"}.get(key[:2], "term")


def raw_pairs(features: Mapping[Hashable, EventFeatures]) -> tuple[dict, dict]:
    """Every pair blocking meets where it is ``scored_here`` -> (keys shared, size of the block, either a
    headline, kind of the block); and the block size of every key."""
    keys = {item: frozenset(blocking_keys(feature)) for item, feature in features.items()}
    blocks: dict[str, list] = {}
    for item, feature in features.items():
        for key in keys[item]:
            blocks.setdefault(key, []).append((item, feature.first_seen, feature.full_text))
    large = {key for key, block in blocks.items() if oversized(key, len(block))}
    pairs: dict = {}
    for key, block in blocks.items():
        for left, right in block_meetings(key, block):
            shared = keys[left] & keys[right]
            if (left, right) not in pairs and scored_here(key, shared, large):
                headline = not (features[left].full_text and features[right].full_text)
                kind = _kind(key) + ("/oversized" if key in large else "")
                pairs[(left, right)] = (len(shared), len(block), headline, kind)
    return pairs, {key: len(block) for key, block in blocks.items()}


def half_figures(features: Mapping[Hashable, EventFeatures], label: Mapping[Hashable, str] | None) -> dict:
    """Where one half's candidate pairs come from, and pairs per article and blocked recall under each limit."""
    pairs, sizes = raw_pairs(features)
    n = len(features)
    kept_now = {pair: value for pair, value in pairs.items() if evident(value[0], value[1], value[2])}
    result: dict = {
        "n_items": n,
        "blocking_keys_per_item": round(sum(sizes.values()) / n, 1),
        "largest_blocks": sorted(sizes.values(), reverse=True)[:8],
        "pairs_per_item_by_block_kind": {
            kind: round(count / n, 1) for kind, count in Counter(v[3] for v in pairs.values()).most_common()
        },
        "pairs_by_keys_shared": dict(sorted(Counter(min(v[0], 5) for v in pairs.values()).items())),
        "pairs_per_item_now": round(len(kept_now) / n, 1),
    }
    true_pairs = 0
    if label:
        sizes_of = Counter(label.values())
        true_pairs = sum(size * (size - 1) // 2 for size in sizes_of.values())
        same = [value for pair, value in pairs.items() if label[pair[0]] == label[pair[1]]]
        result["true_pairs_by_keys_shared"] = dict(sorted(Counter(min(v[0], 5) for v in same).items()))
    result["limits"] = {}
    for limit in LIMITS:
        kept = [pair for pair, value in pairs.items() if limit is None or evident(value[0], value[1], value[2], limit)]
        recall = sum(label[a] == label[b] for a, b in kept) / true_pairs if true_pairs else None
        result["limits"][str(limit)] = {
            "pairs_per_item": round(len(kept) / n, 1),
            "blocked_recall": None if recall is None else round(recall, 4),
        }
    return result


def headline_window_figures(features: Mapping[Hashable, EventFeatures], label: Mapping[Hashable, str]) -> dict:
    """Pairs per article and blocked recall of ``candidate_pairs`` under each ``HEADLINE_WINDOWS`` (``None``: no
    window), with CPU seconds per article of forming them."""
    sizes_of = Counter(label.values())
    true_pairs = sum(size * (size - 1) // 2 for size in sizes_of.values())
    result = {}
    for window in HEADLINE_WINDOWS:
        started = time.process_time()
        pairs = candidate_pairs(features, UNLIMITED if window is None else window)
        cpu = time.process_time() - started
        result[str(window)] = {
            "pairs_per_item": round(len(pairs) / len(features), 1),
            "blocked_recall": round(sum(label[a] == label[b] for a, b in pairs) / true_pairs, 4),
            "cpu_ms_per_item": round(1000 * cpu / len(features), 3),
        }
    return result


def choose(
    figures: Mapping[str, Mapping],
    half: str,
    tolerance: float,
    table: str = "limits",
    corpora: Sequence[str] = CHOOSING,
    options: Sequence = LIMITS,
) -> str:
    """The option (of ``table``: a common-block limit, or a headline window) with the fewest pairs per article over
    ``corpora`` on ``half`` among those within ``tolerance`` of the unlimited recall on each corpus."""

    def fits(option: str) -> bool:
        return all(
            figures[c][half][table][option]["blocked_recall"]
            >= figures[c][half][table]["None"]["blocked_recall"] - tolerance
            for c in corpora
            if c in figures
        )

    def pairs(option: str) -> float:
        return sum(figures[c][half][table][option]["pairs_per_item"] for c in corpora if c in figures)

    return min((str(option) for option in options if fits(str(option))), key=pairs)


def cross_validated(figures: Mapping[str, Mapping], table: str, corpora: Sequence[str], options: Sequence) -> dict:
    """For each tolerance and half: the option ``choose`` picks on the other half, and this half's figures with it
    and with none."""
    result = {}
    for tolerance in TOLERANCES:
        for half, other in zip(HALVES, reversed(HALVES), strict=True):
            option = choose(figures, other, tolerance, table, corpora, options)
            chosen = {
                "chosen_on": other,
                "option": option,
                **{
                    name: {"none": figures[name][half][table]["None"], "chosen": figures[name][half][table][option]}
                    for name in figures
                    if table in figures[name][half]
                },
            }
            result[f"tolerance {tolerance}, half {half}"] = chosen
            print(
                f"{table}, tolerance {tolerance}: half {half} with {option} chosen on half {other}:", json.dumps(chosen)
            )
    return result


def scale_features(size: int) -> dict:
    """Features of the scale benchmark's synthetic articles, dated 7 minutes apart, as one batch."""
    from benchmarks.neardup_speed import synthetic_corpus

    texts, _ = synthetic_corpus(size)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    return batch_features(
        {i: (" ".join(text.split()[:9]), text, start + timedelta(minutes=7 * i)) for i, text in enumerate(texts)}
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print and write the figures of every half, and the cross-validated choice of the limit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="+", choices=CORPORA, default=list(CORPORA))
    parser.add_argument("--scale", type=int, default=4000, help="Synthetic scale articles (0: none).")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    figures: dict = {}
    for name in args.corpus:
        items = load_corpus(name)
        figures[name] = {}
        for half in HALVES:
            scored = [item for item in items if half_of_item(item) == half]
            features = batch_features({i.item_id: (i.title, i.text, i.published) for i in scored})
            label = {i.item_id: i.label for i in scored}
            figures[name][half] = half_figures(features, label)
            if name in HEADLINE_CORPORA:
                figures[name][half]["headline_windows"] = headline_window_figures(features, label)
            print(name, half, json.dumps(figures[name][half]), flush=True)
    result: dict = {
        "common_block_shipped": COMMON_BLOCK,
        "headline_window_shipped": HEADLINE_BLOCK_WINDOW,
        "corpora": figures,
    }
    if any(c in figures for c in CHOOSING):
        result["cross_validated"] = cross_validated(figures, "limits", CHOOSING, LIMITS)
    if any(c in figures for c in HEADLINE_CORPORA):
        result["headline_window_cross_validated"] = cross_validated(
            figures, "headline_windows", HEADLINE_CORPORA, HEADLINE_WINDOWS
        )
    if args.scale:
        result["scale"] = half_figures(scale_features(args.scale), None)
        print("scale", json.dumps(result["scale"]))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
