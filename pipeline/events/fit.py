"""Fit the grouping model (``pipeline.events.model``) on labelled reports.

Labelled reports are JSON Lines records as in the development corpora: ``title``, optional ``text``, optional
``published`` (ISO date or time) and ``event`` (the gold label). Each file is one corpus, read as a run hands it to
grouping (``as_run_reads``: wall pages as headlines): the run's own features are computed over it
(``batch_features``), blocking gives the candidate pairs a run would score (so the
negatives are the hard ones: reports that share rare words but not the event; a random sample of other pairs
joins them), and each pair gets the model's ``pair_features`` and a 1 when both report one event. A logistic
regression (scikit-learn, a development dependency only) is fitted per regime, every corpus weighing the same;
then each regime's threshold is chosen by the mean pairwise F1 of the clustering (``cluster``, as a run does it)
over the corpora of that regime (and for undated full texts): the middle of the thresholds within
``TIE_TOLERANCE`` of the best. A regime no corpus has keeps the ``base`` model's coefficients and threshold.

Run: ``wirebeam grouping fit --labels A.jsonl [B.jsonl ...] --out model.json`` (``fit_command``).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from pipeline import boilerplate
from pipeline.events.blocking import candidate_pairs
from pipeline.events.cluster import cluster_levels
from pipeline.events.features import FEATURES_VERSION, EventFeatures, batch_features, pair_features
from pipeline.events.model import (
    ALL_FEATURES,
    EMBEDDING_FEATURES,
    FEATURES,
    REGIMES,
    STORYLINE_KINDS,
    GroupingModel,
    shipped_model,
)
from pipeline.events.score import EventThresholds, embedding_cosine, regime, score

C = 1.0
"""Inverse L2 regularisation strength of the logistic regressions."""
EMBEDDING_REGIMES = ("headline",)
"""Regimes whose model also weighs ``EMBEDDING_FEATURES`` when every corpus it is fitted on carries embeddings
(``with_embeddings``), and only then: headlines. Full texts do not: chosen on the fitting halves alone (within each
half, fitted on one inner part, ``inner_part``, and the other's candidate pairs ranked, both ways; mean average
precision over the five corpora, half A / half B, on the lexical candidate pairs ``corpus_pairs`` lists): no embedding
feature 0.8155 / 0.7753, the cosine in both regimes 0.8148 / 0.7716, in the headline regime only 0.8171 / 0.7803,
headlines and undated full texts 0.8152 / 0.7771 (the same order on the pairs of a ``--embeddings`` run). Two full texts
of different incidents of one kind (GVC's shootings) embed close together; their words tell them apart."""
REGIME_FEATURES = {
    "full_text": FEATURES,
    "headline": tuple(
        name
        for name in FEATURES
        if name not in ("dated", "gap_over_week", "undated_x_body_sqrt", "undated_x_entities_sqrt")
    ),
}
"""Features each regime's model may use. Headlines of one broad story cluster in time, so a headline model free
to reward "dated, same day" on its own scored unrelated same-day headlines near its threshold; its time evidence
is the gap alone. The square-root cosines of undated pairs help full texts only (held-out average precision of
headline pairs, ``benchmarks.events_ablation``'s recipe, square roots of all pairs: GVC headlines 0.440 without, 0.434
with; ECB+ 0.843, 0.824)."""
SEED = 20240501
"""Seed of the sample of non-candidate pairs (half as many as candidates): ``cluster`` scores every pair of a
component, not only candidates, so the model sees pairs that share nothing too."""
HALVES = ("A", "B")
"""Cross-validation splits labelled reports in two by a fixed hash of their label (``half_of``)."""
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 19))
"""Grid of scores a regime's threshold is chosen from."""
TIE_TOLERANCE = 0.01
"""Mean F1 within this of the best counts as a tie: a threshold is the middle of the plateau of such ties around the
best (``_best``), not the arg-max, which flips on differences that are noise on a flat sweep (a fold model's
storyline headline threshold 0.35 at 0.6882 against 0.6856 at 0.25). Chosen on the fitting halves alone: picked on
one inner part of a fitting half (``inner_part``) and scored on the other, both ways, over the six thresholds and both
halves, mean F1 0.7163 for the arg-max, 0.7179 / 0.7196 / 0.7209 / 0.7205 / 0.7194 for tolerances 0.002 / 0.005 /
0.01 / 0.015 / 0.02, 0.01 at least the arg-max for each of the twelve."""


class LabelError(ValueError):
    """A label file that cannot be used, with the file and line."""


@dataclass(frozen=True)
class Labelled:
    """One labelled report: its ``event`` and ``storyline`` (either may be unknown, not both), and its sentence
    embedding when the labels are fitted for ``--embeddings`` runs (``with_embeddings``)."""

    title: str
    text: str | None
    published: datetime | None
    event: str | None
    storyline: str | None = None
    embedding: tuple[float, ...] | None = None

    @property
    def pair_label(self) -> str:
        """What a pair of reports is scored against: the event, else (labelled at storyline level only) the
        storyline."""
        return self.event if self.event is not None else self.storyline


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
        storyline = record.get("storyline")
        if event in (None, "") or isinstance(event, (dict, list)):
            raise LabelError(f"{where}: no 'event' label")
        if isinstance(storyline, (dict, list)):
            raise LabelError(f"{where}: 'storyline' must be a string or a number")
        if not isinstance(title, str) or not (title.strip() or (isinstance(text, str) and text.strip())):
            raise LabelError(f"{where}: needs a 'title' or a 'text'")
        if text is not None and not isinstance(text, str):
            raise LabelError(f"{where}: 'text' must be a string")
        published = _published(record.get("published"), where)
        records.append(
            Labelled(title, text, published, str(event), None if storyline in (None, "") else str(storyline))
        )
    if len({r.event for r in records}) < 2:
        raise LabelError(f"{path}: needs reports of at least two events")
    return records


@dataclass
class Corpus:
    """One corpus' features, candidate pairs, their feature rows and labels, by regime: ``labels`` are events (empty
    for a corpus labelled at storyline level only), ``storylines`` storylines (empty when not labelled)."""

    labels: dict[int, str]
    storylines: dict[int, str]
    features: dict[int, EventFeatures]
    pairs: list[tuple[int, int]]
    rows: dict[str, list[list[float]]]
    targets: dict[str, list[int]]
    pair_rows: list[tuple[str, int]] = field(default_factory=list)
    """Where each of ``pairs`` is in ``rows``: its regime and row number."""
    embedded: bool = False
    """Whether its reports carry sentence embeddings (``rows`` then hold their cosines)."""

    def edges(self, model: GroupingModel) -> list[tuple[int, int, float]]:
        """The candidate pairs scored by ``model`` (as ``score`` does it, from the stored feature rows at once)."""
        probabilities = {}
        for kind in REGIMES:
            weights = model.coefficients[kind]
            vector = np.array([weights.get(name, 0.0) for name in ALL_FEATURES])
            logits = np.asarray(self.rows[kind], dtype=float).reshape(-1, len(ALL_FEATURES)) @ vector
            logits = np.clip(logits + weights.get("intercept", 0.0), -50.0, 50.0)
            probabilities[kind] = np.round(1.0 / (1.0 + np.exp(-logits)), 6)
        return [
            (a, b, float(probabilities[kind][row]))
            for (a, b), (kind, row) in zip(self.pairs, self.pair_rows, strict=True)
        ]

    @property
    def threshold_kind(self) -> str:
        """The threshold most of its pairs need: ``headline`` when most reports are headlines, else ``full_text``
        when most are dated, else ``undated``."""
        n = len(self.features)
        if 2 * sum(f.full_text for f in self.features.values()) < n:
            return "headline"
        return "full_text" if 2 * sum(f.first_seen is not None for f in self.features.values()) >= n else "undated"


def as_run_reads(
    reports: Sequence[tuple[str, str | None, datetime | None]],
) -> list[tuple[str, str | None, datetime | None]]:
    """``(title, text, published)`` reports as grouping reads them in a run: each body without the lines and the
    wall notices ``boilerplate.clean_body`` removes from any page, kept as ``boilerplate.kept_body`` keeps it (a wall
    or junk body none: the headline alone). The paragraphs a run strips as an outlet's repeated chrome are left: a
    label file need not name outlets."""
    read = []
    for title, text, published in reports:
        if text:
            body, summary = boilerplate.kept_body(*boilerplate.clean_body(text, None, ()), None)
            text = body or summary  # what grouping reads of an item (``stage.article_term_counts``)
        read.append((title, text or None, published))
    return read


def embedding_texts(records: Sequence[Labelled]) -> list[str]:
    """What a ``--embeddings`` run embeds of each report (``embeddings.embedding_text`` of it as the run reads it)."""
    from pipeline.events.embeddings import embedding_text

    return [embedding_text(title, text) for title, text, _ in as_run_reads([(r.title, r.text, None) for r in records])]


def with_embeddings(records: Sequence[Labelled], embed=None) -> list[Labelled]:
    """The records, each with the embedding a ``--embeddings`` run gives it (``embed`` of ``embedding_texts``:
    ``embeddings.embed_all`` unless given, e.g. a cache)."""
    if embed is None:
        from pipeline.events.embeddings import embed_all as embed
    vectors = embed(embedding_texts(records))
    return [replace(record, embedding=tuple(v)) for record, v in zip(records, vectors, strict=True)]


def corpus_pairs(records: Sequence[Labelled]) -> Corpus:
    """Featurise a corpus as a run would (``as_run_reads``; when every record has an embedding, with their
    cosines) and list the candidate pairs of its lexical blocking (without the embeddings' keys: fitted on the pairs
    they add too, GVC lost 0.08 F1 and ECB+ 0.02 on held-out halves; README, "the embedding cosine"), their
    features and labels."""
    read = as_run_reads([(r.title, r.text, r.published) for r in records])
    articles = dict(enumerate(read))
    embedded = all(r.embedding is not None for r in records)
    features = batch_features(articles, {i: r.embedding for i, r in enumerate(records)} if embedded else None)
    pairs = sorted(candidate_pairs({i: replace(f, embedding=None) for i, f in features.items()}))
    labels = {i: r.event for i, r in enumerate(records) if r.event is not None}
    storylines = {i: r.storyline for i, r in enumerate(records) if r.storyline is not None}
    pair_labels = [r.pair_label for r in records]
    rows: dict[str, list[list[float]]] = {r: [] for r in REGIMES}
    targets: dict[str, list[int]] = {r: [] for r in REGIMES}
    rng = random.Random(SEED)
    candidates = set(pairs)
    others = {tuple(sorted(rng.sample(range(len(records)), 2))) for _ in range(len(pairs) // 2)} - candidates
    pair_rows = []
    for a, b in [*pairs, *sorted(others)]:
        values = pair_features(features[a], features[b])
        values["embedding"] = embedding_cosine(features[a], features[b])
        kind = regime(features[a], features[b])
        pair_rows.append((kind, len(rows[kind])))
        rows[kind].append([values[name] for name in ALL_FEATURES])
        targets[kind].append(int(pair_labels[a] == pair_labels[b]))
    labels = labels if len(labels) == len(records) else {}
    return Corpus(labels, storylines, features, pairs, rows, targets, pair_rows[: len(pairs)], embedded)


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

    columns = [ALL_FEATURES.index(name) for name in features]
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


def regime_features(regime: str, embedded: bool) -> tuple[str, ...]:
    """The features a regime's model uses (``REGIME_FEATURES``, and for headlines ``EMBEDDING_FEATURES`` when
    ``embedded``)."""
    return REGIME_FEATURES[regime] + (EMBEDDING_FEATURES if embedded and regime in EMBEDDING_REGIMES else ())


def _fit_regime(corpora: Sequence[Corpus], regime: str) -> dict[str, float] | None:
    features = regime_features(regime, all(corpus.embedded for corpus in corpora))
    fitted = fit_regression(corpora, regime, features)
    if fitted is None:
        return None
    return {"intercept": round(float(fitted.intercept_[0]), 5)} | {
        name: round(float(coef), 5) for name, coef in zip(features, fitted.coef_[0], strict=True)
    }


def inner_part(label: str) -> int:
    """Which of two inner parts of a fitting set a label's reports fall in: a fixed hash of the label, independent
    of ``half_of``."""
    return int(hashlib.sha1(f"inner {label}".encode()).hexdigest(), 16) % 2


def _f1_by_part(labels: Mapping[int, str], parts: Mapping[int, int], assignment) -> list[float]:
    """Pairwise F1 of ``assignment`` against ``labels``: on all of them, then on each inner part's reports."""
    return [
        pairwise_f1(labels, assignment),
        *(pairwise_f1({i: v for i, v in labels.items() if parts[i] == p}, assignment) for p in (0, 1)),
    ]


def _parts(corpus: Corpus) -> dict[int, int]:
    labels = {**corpus.labels, **corpus.storylines}
    return {i: inner_part(label) for i, label in labels.items()}


def _event_f1(corpus: Corpus, edges, thresholds: EventThresholds, cache) -> list[float]:
    events = cluster_levels(corpus.features, edges, thresholds, features=corpus.features, cache=cache)[0]
    return _f1_by_part(corpus.labels, _parts(corpus), events)


def _storyline_f1(corpus: Corpus, edges, thresholds: EventThresholds, cache) -> list[float]:
    storylines = cluster_levels(corpus.features, edges, thresholds, features=corpus.features, cache=cache)[1]
    return _f1_by_part(corpus.storylines, _parts(corpus), storylines)


def _sweep(
    corpora: Sequence[tuple[Corpus, list, dict]], coefficients, thresholds: dict[str, float], kind: str, grid, f1_of
) -> dict[float, list[float]]:
    """Mean pairwise F1 over ``corpora`` (each with its scored candidate edges and a cache of the other pair scores
    of the same coefficients, by ``f1_of``) for each value of threshold ``kind`` on ``grid``: of all their reports,
    then of each inner part's (``inner_part``)."""
    sweep = {}
    for threshold in grid:
        candidate = GroupingModel(coefficients, {**thresholds, kind: threshold}, FEATURES_VERSION)
        limits = EventThresholds(model=candidate)
        f1s = [f1_of(corpus, edges, limits, cache) for corpus, edges, cache in corpora]
        sweep[threshold] = [round(sum(f[n] for f in f1s) / len(corpora), 4) for n in range(3)]
    return sweep


def _best(sweep: Mapping[float, Sequence[float]]) -> float:
    """The middle of the plateau of ``sweep`` (its run of grid values around the best mean F1 within
    ``TIE_TOLERANCE`` of it; the better one when two are as near the middle)."""
    grid = sorted(sweep)
    best = max(grid, key=lambda t: (sweep[t][0], -abs(t - 0.5)))
    low = high = grid.index(best)
    while low > 0 and sweep[grid[low - 1]][0] >= sweep[best][0] - TIE_TOLERANCE:
        low -= 1
    while high < len(grid) - 1 and sweep[grid[high + 1]][0] >= sweep[best][0] - TIE_TOLERANCE:
        high += 1
    middle = (grid[low] + grid[high]) / 2
    return min(grid[low : high + 1], key=lambda t: (abs(t - middle), -sweep[t][0]))


def fit_model(
    corpora: Mapping[str, Sequence[Labelled]], base: GroupingModel | None = None, note: str = ""
) -> GroupingModel:
    """A model fitted on the named labelled corpora (see the module docstring); on records with embeddings
    (``with_embeddings``), a model of ``--embeddings`` runs, which also weighs the embedding cosine."""
    return fit_prepared({name: corpus_pairs(records) for name, records in corpora.items()}, base, note)


def fit_prepared(prepared: Mapping[str, Corpus], base: GroupingModel | None = None, note: str = "") -> GroupingModel:
    """``fit_model`` of corpora already featurised (``corpus_pairs``). Thresholds are chosen by clustering the
    lexical candidate pairs alone, also for a model meant for ``--embeddings`` runs, whose candidates include the
    embedding keys' pairs too (``held_out_f1`` scores those)."""
    base = base or shipped_model()
    coefficients = {kind: dict(base.coefficients[kind]) for kind in REGIMES}
    for kind in REGIMES:
        fitted = _fit_regime(list(prepared.values()), kind)
        if fitted is not None:
            coefficients[kind] = fitted
    thresholds = {k: v for k, v in base.thresholds.items() if k not in STORYLINE_KINDS}
    scorer = GroupingModel(coefficients, thresholds, FEATURES_VERSION)
    scored = {name: (c, c.edges(scorer), {}) for name, c in prepared.items()}
    chosen: dict[str, dict[float, float]] = {}
    for kind in (*REGIMES, "undated"):
        own = [s for s in scored.values() if s[0].threshold_kind == kind and s[0].labels]
        if own:
            chosen[kind] = _sweep(own, coefficients, thresholds, kind, THRESHOLDS, _event_f1)
            thresholds[kind] = _best(chosen[kind])
    for kind, event_kind in zip(STORYLINE_KINDS, ("full_text", "headline", "undated"), strict=True):
        own = [s for s in scored.values() if s[0].threshold_kind == event_kind and s[0].storylines]
        if own:
            grid = [t for t in THRESHOLDS if t <= thresholds.get(event_kind, 1.0)]
            chosen[kind] = _sweep(own, coefficients, thresholds, kind, grid, _storyline_f1)
            thresholds[kind] = _best(chosen[kind])
    return GroupingModel(
        coefficients,
        thresholds,
        FEATURES_VERSION,
        note={
            "data": {
                name: {
                    "reports": len(c.features),
                    "events": len(set(c.labels.values())),
                    "storylines": len(set(c.storylines.values())),
                }
                for name, c in prepared.items()
            },
            "pairs": {name: {r: len(c.targets[r]) for r in REGIMES} for name, c in prepared.items()},
            "settings": f"logistic regression per regime, C={C}, every corpus weighing the same, a pair's target its "
            "event (its storyline where only that is labelled); candidate pairs from the run's blocking; event "
            "thresholds (full text, headline, undated full text) by the mean pairwise F1 of the clustering "
            f"over the event-labelled corpora of that kind (the middle of the plateau within {TIE_TOLERANCE} of the "
            "best; the sweep lists F1 of all reports, then of each inner part), storyline thresholds (each at most "
            "its event one) by that of the storylines over the storyline-labelled ones; "
            f"grid {THRESHOLDS[0]}..{THRESHOLDS[-1]}",
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


def half_of(label: str) -> str:
    """The half (``A`` or ``B``) a label's reports fall in, from a fixed hash of the label."""
    return HALVES[int(hashlib.sha1(label.encode()).hexdigest(), 16) % 2]


def _split_key(record: Labelled) -> str:
    """What keeps reports together in one half: their storyline when labelled, else their event."""
    return record.storyline if record.storyline is not None else record.event


def held_out_f1(records: Sequence[Labelled], model: GroupingModel) -> dict[str, float]:
    """Pairwise F1 of a run's clustering with ``model`` (as ``events.cluster_levels`` does it in the pipeline) on
    labelled reports: of its events against the event labels, and of its storylines against the storyline labels
    where every report has one."""
    corpus = corpus_pairs(records)
    pairs = sorted(candidate_pairs(corpus.features))  # with embeddings, their keys' pairs too, as a run scores
    edges = [(a, b, score(corpus.features[a], corpus.features[b], model)) for a, b in pairs]
    thresholds = EventThresholds(model=model)
    events_of, storylines_of = cluster_levels(corpus.features, edges, thresholds, features=corpus.features)
    figures = {}
    if corpus.labels:
        figures["event_f1"] = round(pairwise_f1(corpus.labels, events_of), 4)
    if len(corpus.storylines) == len(records):
        figures["storyline_f1"] = round(pairwise_f1(corpus.storylines, storylines_of), 4)
    return figures


def cross_validate(records: Sequence[Labelled], base: GroupingModel) -> dict[str, dict[str, dict[str, float]]]:
    """Each half of the labelled reports (split by ``half_of`` their storyline, else event) scored with a model
    fitted on the other half and with ``base``: ``{half: {"fitted": figures, "default": figures}}``. Raises
    ``LabelError`` when a half holds fewer than two events."""
    halves = {half: [r for r in records if half_of(_split_key(r)) == half] for half in HALVES}
    for half, members in halves.items():
        if len({r.event for r in members}) < 2:
            raise LabelError(
                f"too few events to cross-validate: half {half} holds {len({r.event for r in members})} "
                "(label at least four events)"
            )
    results = {}
    for half, other in zip(HALVES, reversed(HALVES), strict=True):
        fitted = fit_model({"labels": halves[other]}, base=base)
        results[half] = {"fitted": held_out_f1(halves[half], fitted), "default": held_out_f1(halves[half], base)}
    return results


def fit_command(label_files: Sequence[str], out: str, embeddings: bool = False) -> int:
    """``wirebeam grouping fit``: cross-validate on the label files, print the figures beside the shipped default's,
    fit on all of them and write the model file; with ``embeddings``, for ``--embeddings`` runs (the reports
    embedded as such a run embeds them, the cosine of two headlines weighed). Raises ``LabelError`` for an unusable
    label file."""
    files = {path: read_labels(path) for path in label_files}
    if embeddings:
        files = {path: with_embeddings(records) for path, records in files.items()}
    records = [record for path in label_files for record in files[path]]
    base = shipped_model()
    results = cross_validate(records, base)
    print(f"{len(records)} labelled reports, {len({r.event for r in records})} events; cross-validated by halves:")
    print(f"{'half':<6} {'reports':>7}  {'measure':<13} {'shipped':>8} {'fitted':>8}")
    for half in HALVES:
        n = sum(half_of(_split_key(r)) == half for r in records)
        for measure, value in results[half]["fitted"].items():
            print(f"{half:<6} {n:>7}  {measure:<13} {results[half]['default'][measure]:>8.3f} {value:>8.3f}")
    for measure in results[HALVES[0]]["fitted"]:
        mean = {which: sum(results[h][which][measure] for h in HALVES) / len(HALVES) for which in ("default", "fitted")}
        print(f"{'mean':<6} {'':>7}  {measure:<13} {mean['default']:>8.3f} {mean['fitted']:>8.3f}")
    model = fit_model({Path(p).stem: files[p] for p in label_files}, base=base, note=f"fitted on {label_files}")
    path = write_model(model, out)
    flags = " --embeddings" if embeddings else ""
    print(f"wrote {path}; use it with: wirebeam run{flags} --grouping_model {path}")
    return 0
