"""Fit the grouping model (``pipeline.events.model``) on labelled reports.

Labelled reports are JSON Lines records as in the development corpora: ``title``, optional ``text``, optional
``published`` (ISO date or time) and ``event`` (the gold label). Each file is one corpus: the run's own features
are computed over it (``batch_features``), blocking gives the candidate pairs a run would score (so the
negatives are the hard ones: reports that share rare words but not the event; a random sample of other pairs
joins them), and each pair gets the model's ``pair_features`` and a 1 when both report one event. A logistic
regression (scikit-learn, a development dependency only) is fitted per regime, every corpus weighing the same;
then each regime's threshold is the one whose clustering (``cluster``, as a run does it) gives the best
mean pairwise F1 over the corpora of that regime (and for undated full texts). A regime no corpus has keeps the
``base`` model's coefficients and threshold.

Run: ``python -m pipeline.events.fit --labels A.jsonl [B.jsonl ...] --out model.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pipeline.events.blocking import candidate_pairs
from pipeline.events.cluster import cluster
from pipeline.events.features import FEATURES_VERSION, EventFeatures, batch_features, pair_features
from pipeline.events.model import FEATURES, REGIMES, THRESHOLD_KINDS, GroupingModel, shipped_model
from pipeline.events.score import EventThresholds, regime, score

C = 1.0
REGIME_FEATURES = {
    "full_text": FEATURES,
    "headline": tuple(name for name in FEATURES if name not in ("dated", "gap_over_week")),
}
"""Features each regime's model may use. Headlines of one broad story cluster in time, so a headline model free
to reward "dated, same day" on its own scored unrelated same-day headlines near its threshold; its time evidence
is the gap alone."""
SEED = 20240501
"""Seed of the sample of non-candidate pairs (half as many as candidates): ``cluster`` scores every pair of a
component, not only candidates, so the model sees pairs that share nothing too."""
"""Inverse L2 regularisation strength of the logistic regressions."""
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 19))
"""Grid of scores a regime's threshold is chosen from."""


class LabelError(ValueError):
    """A label file that cannot be used, with the file and line."""


@dataclass(frozen=True)
class Labelled:
    """One labelled report."""

    title: str
    text: str | None
    published: datetime | None
    event: str


def _published(value, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        published = datetime.fromisoformat(str(value))
    except ValueError:
        raise LabelError(f"{where}: 'published' is not an ISO date: {value!r}") from None
    return published if published.tzinfo else published.replace(tzinfo=timezone.utc)


def read_labels(path: str | Path) -> list[Labelled]:
    """A JSON Lines label file; ``LabelError`` naming the line when a record is unusable."""
    records = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise LabelError(f"cannot read label file {path}: {error}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except ValueError as error:
            raise LabelError(f"{where}: not JSON ({error})") from None
        if not isinstance(record, dict):
            raise LabelError(f"{where}: a record must be a JSON object")
        title, text, event = record.get("title") or "", record.get("text"), record.get("event")
        if event in (None, ""):
            raise LabelError(f"{where}: no 'event' label")
        if not isinstance(title, str) or not (title.strip() or (isinstance(text, str) and text.strip())):
            raise LabelError(f"{where}: needs a 'title' or a 'text'")
        if text is not None and not isinstance(text, str):
            raise LabelError(f"{where}: 'text' must be a string")
        records.append(Labelled(title, text, _published(record.get("published"), where), str(event)))
    if len({r.event for r in records}) < 2:
        raise LabelError(f"{path}: needs reports of at least two events")
    return records


@dataclass
class Corpus:
    """One corpus' features, candidate pairs, their feature rows and labels, by regime."""

    labels: dict[int, str]
    features: dict[int, EventFeatures]
    pairs: list[tuple[int, int]]
    rows: dict[str, list[list[float]]]
    targets: dict[str, list[int]]

    @property
    def threshold_kind(self) -> str:
        """The threshold most of its pairs need: ``headline`` when most reports are headlines, else ``full_text``
        when most are dated, else ``undated``."""
        n = len(self.features)
        if 2 * sum(f.full_text for f in self.features.values()) < n:
            return "headline"
        return "full_text" if 2 * sum(f.first_seen is not None for f in self.features.values()) >= n else "undated"


def corpus_pairs(records: Sequence[Labelled]) -> Corpus:
    """Featurise a corpus as a run would and list its candidate pairs' features and labels."""
    articles = {i: (r.title, r.text, r.published) for i, r in enumerate(records)}
    features = batch_features(articles)
    pairs = sorted(candidate_pairs(features))
    labels = {i: r.event for i, r in enumerate(records)}
    rows: dict[str, list[list[float]]] = {r: [] for r in REGIMES}
    targets: dict[str, list[int]] = {r: [] for r in REGIMES}
    rng = random.Random(SEED)
    candidates = set(pairs)
    others = {tuple(sorted(rng.sample(range(len(records)), 2))) for _ in range(len(pairs) // 2)} - candidates
    for a, b in [*pairs, *sorted(others)]:
        values = pair_features(features[a], features[b])
        kind = regime(features[a], features[b])
        rows[kind].append([values[name] for name in FEATURES])
        targets[kind].append(int(labels[a] == labels[b]))
    return Corpus(labels, features, pairs, rows, targets)


def pairwise_f1(labels: Mapping[int, str], assignment: Mapping[int, object]) -> float:
    """Pairwise F1 of a grouping against gold labels."""
    from sklearn.metrics import pair_confusion_matrix

    ids = sorted(labels)
    gold = {v: n for n, v in enumerate(sorted({labels[i] for i in ids}))}
    found = {v: n for n, v in enumerate(sorted({str(assignment[i]) for i in ids}))}
    (_, false_pos), (false_neg, true_pos) = pair_confusion_matrix(
        [gold[labels[i]] for i in ids], [found[str(assignment[i])] for i in ids]
    )
    return float(2 * true_pos / (2 * true_pos + false_pos + false_neg)) if true_pos else 0.0


def fit_regression(corpora: Sequence[Corpus], regime: str, features: Sequence[str]):
    """A scikit-learn logistic regression over ``features`` of the regime's pairs (every corpus weighing the same),
    or ``None`` when the pairs lack a class."""
    from sklearn.linear_model import LogisticRegression

    columns = [FEATURES.index(name) for name in features]
    rows, targets, weights = [], [], []
    for corpus in corpora:
        n = len(corpus.targets[regime])
        if n and any(corpus.targets[regime]):
            rows += [[row[c] for c in columns] for row in corpus.rows[regime]]
            targets += corpus.targets[regime]
            weights += [1.0 / n] * n
    if len(set(targets)) < 2:
        return None
    scale = len(weights) / sum(weights)
    return LogisticRegression(C=C, max_iter=2000).fit(rows, targets, sample_weight=[w * scale for w in weights])


def _fit_regime(corpora: Sequence[Corpus], regime: str) -> dict[str, float] | None:
    fitted = fit_regression(corpora, regime, REGIME_FEATURES[regime])
    if fitted is None:
        return None
    return {"intercept": round(float(fitted.intercept_[0]), 5)} | {
        name: round(float(coef), 5) for name, coef in zip(REGIME_FEATURES[regime], fitted.coef_[0], strict=True)
    }


def _cluster_f1(corpus: Corpus, edges: list[tuple[int, int, float]], thresholds: EventThresholds, cache) -> float:
    assignment = cluster(corpus.features, edges, thresholds, features=corpus.features, cache=cache)
    return pairwise_f1(corpus.labels, assignment)


def fit_model(
    corpora: Mapping[str, Sequence[Labelled]], base: GroupingModel | None = None, note: str = ""
) -> GroupingModel:
    """A model fitted on the named labelled corpora (see the module docstring)."""
    base = base or shipped_model()
    prepared = {name: corpus_pairs(records) for name, records in corpora.items()}
    coefficients = {kind: dict(base.coefficients[kind]) for kind in REGIMES}
    for kind in REGIMES:
        fitted = _fit_regime(list(prepared.values()), kind)
        if fitted is not None:
            coefficients[kind] = fitted
    thresholds = dict(base.thresholds)
    chosen: dict[str, dict[str, float]] = {}
    for kind in THRESHOLD_KINDS:
        own = [c for c in prepared.values() if c.threshold_kind == kind]
        if not own:
            continue
        fitted = GroupingModel(coefficients, thresholds, FEATURES_VERSION)
        edges = [[(a, b, score(c.features[a], c.features[b], fitted)) for a, b in c.pairs] for c in own]
        caches: list[dict] = [{} for _ in own]
        sweep = {}
        for threshold in THRESHOLDS:
            candidate = GroupingModel(coefficients, {**thresholds, kind: threshold}, FEATURES_VERSION)
            limits = EventThresholds(model=candidate)
            f1s = [_cluster_f1(c, e, limits, cache) for c, e, cache in zip(own, edges, caches, strict=True)]
            sweep[threshold] = round(sum(f1s) / len(own), 4)
        thresholds[kind] = max(sweep, key=lambda t: (sweep[t], -abs(t - 0.5)))
        chosen[kind] = sweep
    return GroupingModel(
        coefficients,
        thresholds,
        FEATURES_VERSION,
        note={
            "data": {
                name: {"reports": len(c.labels), "events": len(set(c.labels.values()))} for name, c in prepared.items()
            },
            "pairs": {name: {r: len(c.targets[r]) for r in REGIMES} for name, c in prepared.items()},
            "settings": f"logistic regression per regime, C={C}, every corpus weighing the same; candidate pairs "
            "from the run's blocking; thresholds by the best mean pairwise F1 of the clustering over a regime's "
            f"corpora, grid {THRESHOLDS[0]}..{THRESHOLDS[-1]}",
            "threshold_sweep": chosen,
            "comment": note,
        },
    )


def write_model(model: GroupingModel, path: str | Path) -> Path:
    """Write a model file; returns its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model.to_dict(), indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Fit a model on label files and write it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", nargs="+", required=True, help="JSON Lines label files, one corpus each.")
    parser.add_argument("--out", required=True, help="Model file to write.")
    args = parser.parse_args(argv)
    try:
        corpora = {Path(p).stem: read_labels(p) for p in args.labels}
    except LabelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    model = fit_model(corpora, note=f"fitted on {', '.join(args.labels)}")
    print(f"wrote {write_model(model, args.out)}: thresholds {dict(model.thresholds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
