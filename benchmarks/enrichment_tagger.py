"""Fit ``pipeline/enrich/name_tagger.json``: the learned reader of names the actor rules leave unread.

Data: half A of ``labels/gmb_voa_names.txt`` only (Voice of America stories with the Groningen Meaning Bank's
per/org spans, split by story with ``benchmarks.enrichment.half``); half B and the hand-labelled sample are never
read here. Examples: every capitalised run of the stories' prose sentences that ``actors.tagger_inputs`` would pass
on (not a country or place), labelled person or organisation when its words are a span of that kind in the story
(or all lie in spans of that kind), none otherwise; either every such run (``--examples all``) or only the runs the
rules read as nothing (``residual``, the ones the model is asked about).

Model: multinomial logistic regression over ``nametagger.features`` (L-BFGS, L2), weights of
features seen in at least ``MIN_COUNT`` examples. The examples, the L2 strength and the probability a name needs
(``threshold``) are chosen by ``FOLDS``-fold cross-validation over half A's stories, scoring the whole actor
reader (rules + model) as ``benchmarks.enrichment`` does (people + organisations F1); then the model is fitted on
all of half A and written with its settings and cross-validated figure.

Run: ``.venv/bin/python -m benchmarks.enrichment_tagger`` (about a minute); then
``.venv/bin/python -m benchmarks.enrichment --names-only`` reports half B and the sample.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from benchmarks.enrichment import gmb_name_items, half, predict_names, score_names
from pipeline.enrich import actors, nametagger
from pipeline.enrich.mentions import fold, split_sentences
from pipeline.enrich.scan import scan_sentence

FOLDS = 5
MIN_COUNT = 2
L2_GRID = (0.3, 1.0, 3.0)
THRESHOLD_GRID = (0.5, 0.6, 0.7, 0.8, 0.9)
EXAMPLES = ("all", "residual")
VERSION = 1


def examples(item: dict, residual_only: bool) -> list[tuple[list[str], int]]:
    """(features, class index) of the runs of one story the model may be asked about."""
    gold = {fold(name): kind for kind, name in item["spans"]}
    word_kinds: dict[str, set[str]] = {}
    for kind, name in item["spans"]:
        for word in fold(name).split():
            word_kinds.setdefault(word, set()).add(kind)
    text = item["text"]
    out = []
    for sentence in split_sentences(text):
        scanned = scan_sentence(sentence)
        if scanned.title_case and not actors._PROSE.search(sentence):
            continue
        for first, run, words in actors._joined(scanned.runs, text):
            inputs = actors.tagger_inputs(sentence, first, run, words)
            if inputs is None:
                continue
            if residual_only:
                cue, before = actors._context(sentence, first, run, words)
                if actors._actors_of(words, first.opens, run.possessive, False, cue, before):
                    continue
            key = fold(" ".join(inputs[0]))
            kinds = {gold[key]} if key in gold else set.intersection(*(word_kinds.get(w, set()) for w in key.split()))
            label = kinds.pop() if len(kinds) == 1 else "none"
            out.append((nametagger.features(*inputs, text), nametagger.CLASSES.index(label)))
    return out


def fit(data: list[tuple[list[str], int]], l2: float) -> dict[str, list[float]]:
    """Weights of a multinomial logistic regression (features seen ``MIN_COUNT`` times or more)."""
    counts: dict[str, int] = {}
    for names, _ in data:
        for name in set(names):
            counts[name] = counts.get(name, 0) + 1
    vocabulary = sorted(name for name, count in counts.items() if count >= MIN_COUNT)
    index = {name: i for i, name in enumerate(vocabulary)}
    x = np.zeros((len(data), len(vocabulary)))
    for row, (names, _) in enumerate(data):
        for name in names:
            if name in index:
                x[row, index[name]] = 1.0
    y = np.zeros((len(data), len(nametagger.CLASSES)))
    y[np.arange(len(data)), [label for _, label in data]] = 1.0
    shape = (len(vocabulary), len(nametagger.CLASSES))

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        weights = flat.reshape(shape)
        scores = x @ weights
        scores -= scores.max(axis=1, keepdims=True)
        log_chances = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        value = -(y * log_chances).sum() + l2 / 2 * (weights**2).sum()
        gradient = x.T @ (np.exp(log_chances) - y) + l2 * weights
        return value, gradient.ravel()

    weights = minimize(loss, np.zeros(shape).ravel(), jac=True, method="L-BFGS-B").x.reshape(shape)
    return {name: [round(float(v), 4) for v in weights[i]] for name, i in index.items()}


def use(weights: dict, threshold: float, directory: Path) -> None:
    """Make ``nametagger`` read these weights (written to a file in ``directory``)."""
    path = directory / "name_tagger.json"
    path.write_text(json.dumps({"weights": weights, "threshold": threshold}))
    nametagger.WEIGHTS = path
    nametagger._model.cache_clear()


def cross_validate(items: list[dict], directory: Path) -> list[dict]:
    """CV F1 on half A for every setting (examples, l2, threshold), and without the model."""
    folds = [[item for i, item in enumerate(items) if i % FOLDS == fold_] for fold_ in range(FOLDS)]
    rows = []
    use({}, 2.0, directory)
    rows.append({"setting": "rules only", **score_names(items, predict_names(items, "wirebeam"))})
    for kind, l2 in itertools.product(EXAMPLES, L2_GRID):
        fitted = []
        for held in range(FOLDS):
            train = [
                e
                for j, fold_ in enumerate(folds)
                if j != held
                for item in fold_
                for e in examples(item, kind == "residual")
            ]
            fitted.append(fit(train, l2))
        for threshold in THRESHOLD_GRID:
            predictions, scored = [], []
            for held, weights in enumerate(fitted):
                use(weights, threshold, directory)
                predictions += predict_names(folds[held], "wirebeam")
                scored += folds[held]
            rows.append({"setting": f"{kind} l2={l2} threshold={threshold}", **score_names(scored, predictions)})
            print(rows[-1])
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=nametagger.WEIGHTS)
    args = parser.parse_args(argv)
    items = [item for item in gmb_name_items() if half(item["id"]) == "A"]
    with tempfile.TemporaryDirectory(prefix="wirebeam-tagger-") as tmp:
        rows = cross_validate(items, Path(tmp))
    best = max(rows[1:], key=lambda row: row["f1"])
    kind, l2, threshold = (part.split("=")[-1] for part in best["setting"].split())
    weights = fit([e for item in items for e in examples(item, kind == "residual")], float(l2))
    model = {
        "version": VERSION,
        "data": "benchmarks/labels/gmb_voa_names.txt, half A (benchmarks.enrichment.half): "
        f"{len(items)} Voice of America stories, GMB per/org spans",
        "settings": {"examples": kind, "l2": float(l2), "threshold": float(threshold), "min_count": MIN_COUNT},
        "cv_half_A": {"rules_only": rows[0], "chosen": best},
        "threshold": float(threshold),
        "weights": weights,
    }
    args.output.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n")
    print(json.dumps({k: v for k, v in model.items() if k != "weights"}, indent=2))


if __name__ == "__main__":
    main()
