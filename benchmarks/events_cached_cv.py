"""Cross-validated grouping F1 from featurised halves, for comparing fits quickly (experiments only).

The in-process path of ``benchmarks/events.py --fitted --in_process`` without re-featurising: each half of every
corpus of ``FIT_CORPORA`` is featurised once (``fit.corpus_pairs``, kept in ``--cache``); for each half H a model is
fitted on the other half of all of them (``fit.fit_prepared``) and H's candidate edges are scored and clustered as a
run does, at the corpus' level (``LEVELS``). Reproduces ``events_in_process_walls.json``: ECB+ and GVC exactly, UCI
and GVC undated within 0.005 (the fit's base model differs).

Run: ``.venv/bin/python -m benchmarks.events_cached_cv --cache PAIRS.pkl --out RESULT.json``.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path

from sklearn.metrics import pair_confusion_matrix

from benchmarks.events import FIT_CORPORA, HALVES, LEVELS, built_by, embedded, half_of_item, labelled, load_corpus
from pipeline.events import fit
from pipeline.events.cluster import cluster_levels
from pipeline.events.score import EventThresholds

SCORED = ("gvc_undated", "ecbplus", "gvc", "uci")


def read_cache(cache: Path) -> tuple[dict, dict]:
    """What built a cache of ``featurised_halves`` (``built_by``; ``{}`` for a cache that does not say) and its
    featurised halves."""
    stored = pickle.loads(cache.read_bytes())
    return (stored["built_by"], stored["pairs"]) if "built_by" in stored else ({}, stored)


def featurised_halves(cache: Path | None, embeddings: bool = False) -> dict:
    """``{(corpus, half): fit.corpus_pairs(...)}`` of every corpus of ``FIT_CORPORA`` (with ``embeddings``, as a
    ``--embeddings`` run featurises them), read from ``cache`` when given and built as these would be (the mode and
    the code: ``built_by``), else computed (and written there, with what built them)."""
    if cache is not None and cache.exists():
        built, pairs = read_cache(cache)
        if built == built_by(embeddings):
            return pairs
        print(f"{cache} was built by {built or 'an unknown build'}, not {built_by(embeddings)}: rebuilding it")
    pairs = {}
    for name in FIT_CORPORA:
        items = load_corpus(name)
        for half in HALVES:
            records = labelled([i for i in items if half_of_item(i) == half], name)
            pairs[(name, half)] = fit.corpus_pairs(embedded(records) if embeddings else records)
    if cache is not None:
        cache.write_bytes(pickle.dumps({"built_by": built_by(embeddings), "pairs": pairs}))
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    """Fit on each half, score the other; print and write P / R / F1 per corpus and half."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", required=True, help="Pickle of the featurised halves (written when missing).")
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--embeddings",
        action="store_true",
        help="Featurise as a --embeddings run does (embedding blocking keys and cosines; the cache must match).",
    )
    parser.add_argument(
        "--without_embedding_feature",
        action="store_true",
        help="With --embeddings: fit without the embedding cosine (the embeddings add blocking keys only).",
    )
    parser.add_argument(
        "--fit_cache",
        help="Fit on these featurised halves instead (e.g. without embeddings: the shipped recipe scoring the pairs "
        "of a --embeddings run); a --cache file of this code, either mode.",
    )
    args = parser.parse_args(argv)
    pairs = featurised_halves(Path(args.cache), args.embeddings)
    fitting = pairs
    if args.fit_cache:
        built, fitting = read_cache(Path(args.fit_cache))
        if built.get("code") != built_by(args.embeddings)["code"]:
            parser.error(f"--fit_cache {args.fit_cache} was built by {built or 'an unknown build'}, not this code")
    if args.without_embedding_feature:
        for corpus in pairs.values():
            corpus.embedded = False
    results: dict = {
        "embeddings": args.embeddings,
        "embedding_feature": args.embeddings and not args.without_embedding_feature,
    }
    for half, other in zip(HALVES, reversed(HALVES), strict=True):
        model = fit.fit_prepared({name: fitting[(name, other)] for name in FIT_CORPORA})
        thresholds = EventThresholds(model=model)
        results[f"thresholds_fitted_on_{other}"] = dict(model.thresholds)
        for name in SCORED:
            corpus = pairs[(name, half)]
            events, storylines = cluster_levels(
                corpus.features, corpus.edges(model), thresholds, features=corpus.features
            )
            labels, found = (corpus.storylines, storylines) if LEVELS[name] == "storyline" else (corpus.labels, events)
            ids = sorted(labels)
            (_, false_pos), (false_neg, true_pos) = pair_confusion_matrix(
                [labels[i] for i in ids], [str(found[i]) for i in ids]
            )
            precision, recall = true_pos / max(1, true_pos + false_pos), true_pos / max(1, true_pos + false_neg)
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            results.setdefault(name, {})[half] = {
                "precision": round(precision, 4),
                "recall": round(recall, 4),
                "f1": round(f1, 4),
            }
            print(name, half, results[name][half], flush=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
