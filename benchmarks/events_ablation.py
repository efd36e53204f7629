"""What each feature of the grouping model adds: held-out pair ranking with one feature left out at a time.

For each half H of every real corpus (split by a hash of the event label, ECB+'s by topic, as in
``benchmarks/events.py``), the model's logistic regressions are fitted (``pipeline.events.fit``) on the candidate
pairs of the other half of all corpora, then H's candidate pairs are ranked by the model's score; the figure is the
average precision of that ranking (same-event pairs first), the mean of both halves. Leaving a feature out and
refitting shows what it adds.
Pair ranking, not clustering: it needs no threshold, so each variant costs one fit.

Run: ``.venv/bin/python -m benchmarks.events_ablation`` (writes ``benchmarks/results/events_ablation.json``);
``--only F [F ...]`` leaves out only those features, each alone and then all together (a cheaper run; writes
``events_ablation_<features>.json``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from sklearn.metrics import average_precision_score

from benchmarks.events import FIT_CORPORA, HALVES, RESULTS_DIR
from benchmarks.events_cached_cv import featurised_halves
from pipeline.events import fit
from pipeline.events.model import ALL_FEATURES, REGIMES


def main(argv: Sequence[str] | None = None) -> int:
    """Fit each variant on one half, rank the other half's pairs; print and write the mean average precision."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=ALL_FEATURES, help="Leave out only these (each, then all).")
    parser.add_argument(
        "--embeddings",
        action="store_true",
        help="Featurise as a --embeddings run does and fit with the embedding cosine (writes ..._embeddings.json).",
    )
    parser.add_argument("--cache", help="Pickle of the featurised halves (benchmarks.events_cached_cv's).")
    args = parser.parse_args(argv)
    used = {regime: fit.regime_features(regime, args.embeddings) for regime in REGIMES}
    every = tuple(dict.fromkeys(f for regime in REGIMES for f in used[regime]))
    ablations = [None, *[(f,) for f in args.only], tuple(args.only)] if args.only else [None, *((f,) for f in every)]
    pairs = featurised_halves(Path(args.cache) if args.cache else None, args.embeddings)
    name = "events_ablation" + (f"_{'_'.join(args.only)}" if args.only else "")
    path = RESULTS_DIR / f"{name}{'_embeddings' if args.embeddings else ''}.json"
    results: dict = {}
    for left_out in dict.fromkeys(ablations):
        dropped = set(left_out or ())
        kept = {regime: tuple(f for f in used[regime] if f not in dropped) for regime in REGIMES}
        scores: dict[str, list[float]] = {name: [] for name in FIT_CORPORA}
        for half, other in zip(HALVES, reversed(HALVES), strict=True):
            train = [pairs[(name, other)] for name in FIT_CORPORA]
            models = {regime: fit.fit_regression(train, regime, kept[regime]) for regime in REGIMES}
            for name in FIT_CORPORA:
                corpus = pairs[(name, half)]
                truth, predicted = [], []
                for regime in REGIMES:
                    if models[regime] is None or not corpus.targets[regime]:
                        continue
                    columns = [ALL_FEATURES.index(f) for f in kept[regime]]
                    rows = [[row[c] for c in columns] for row in corpus.rows[regime]]
                    predicted += list(models[regime].decision_function(rows))
                    truth += corpus.targets[regime]
                scores[name].append(average_precision_score(truth, predicted))
        label = f"without {' + '.join(left_out)}" if left_out else "all features"
        results[label] = {name: round(sum(v) / len(v), 4) for name, v in scores.items()}
        print(f"{label:<30} " + "  ".join(f"{name} {value:.4f}" for name, value in results[label].items()), flush=True)
        path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")  # a stopped run keeps its rows
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
