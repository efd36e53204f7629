"""The pair score: the learned model's probability that two articles (or events) report one happening.

``score(a, b, model)`` evaluates ``pipeline.events.model`` over ``pair_features`` in the pair's regime (two full
texts, or a headline on either side); ``score_components`` returns the feature values with the score, for the
links table. ``EventThresholds`` holds the model and the scores a pair must reach; ``pair_threshold`` says which.
Without a date on either side the model scores the pair from its content alone (its ``dated`` feature is 0): it
was fitted on reports with and without dates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pipeline.events.features import EventFeatures, pair_features
from pipeline.events.model import GroupingModel, shipped_model


def _check_thresholds(*thresholds: float) -> None:
    for threshold in thresholds:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"thresholds must be in (0, 1], got {threshold}")


@dataclass(frozen=True)
class EventThresholds:
    """The grouping model and the scores (its probabilities) at or above which two items are one event:
    ``full_text`` between two full texts, ``title`` when a side is title-only, and at least ``undated`` between two
    full texts when either has no publication date (``undated``: without dates the scores of one event's reports sit
    lower, and so do those of different events); ``storyline`` (between dated full texts), ``storyline_undated``
    (full texts, either undated) and ``storyline_title`` (a headline on either side), at most the event ones, at or
    above which events join one storyline. Those not given are the model's own, chosen with it on the data it was
    fitted on (``pipeline/events/fit.py``); a model without storyline thresholds makes every event its own storyline
    (they default to 1: a pair needs its event threshold). Within a run and across runs alike
    (``pipeline.store.matching.regroup``)."""

    full_text: float | None = None
    title: float | None = None
    undated: float | None = None
    storyline: float | None = None
    storyline_title: float | None = None
    storyline_undated: float | None = None
    model: GroupingModel = field(default_factory=shipped_model, compare=True)

    def __post_init__(self) -> None:
        full_text = self.model.thresholds["full_text"] if self.full_text is None else self.full_text
        defaults = {
            "full_text": full_text,
            "title": self.model.thresholds["headline"],
            "undated": self.model.thresholds.get("undated", full_text),
            "storyline": self.model.thresholds.get("storyline_full_text", 1.0),
            "storyline_title": self.model.thresholds.get("storyline_headline", 1.0),
        }
        storyline = self.model.thresholds.get("storyline_full_text", 1.0) if self.storyline is None else self.storyline
        defaults["storyline_undated"] = self.model.thresholds.get("storyline_undated", storyline)
        for name, value in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        _check_thresholds(*self._levels())

    def _levels(self) -> tuple[float, ...]:
        return (
            self.full_text,
            self.title,
            self.undated,
            self.storyline,
            self.storyline_title,
            self.storyline_undated,
        )

    @property
    def lowest(self) -> float:
        """The lowest threshold: a candidate edge scoring less joins no component (a cluster's mean score with
        another reaches a threshold only if one of their pairs does)."""
        return min(self._levels())


DEFAULT_THRESHOLDS = EventThresholds()
EMBEDDING_THRESHOLDS = DEFAULT_THRESHOLDS
"""With ``--embeddings`` the embeddings add blocking keys (paraphrases that share no rare word still become
candidates); the shipped model does not weigh their cosine (fitted with it, it lost on held-out halves: README,
"Event grouping: measured"), so the thresholds are the same. A model fitted on embedded labels
(``fit.fit_command(..., embeddings=True)``) and passed with ``--grouping_model`` does weigh it."""
DEFAULT_CLUSTER_THRESHOLD = DEFAULT_THRESHOLDS.full_text
DEFAULT_TITLE_THRESHOLD = DEFAULT_THRESHOLDS.title


@dataclass(frozen=True)
class ScoreComponents:
    """Why two items scored what they did: the model's feature values (``pair_features``) and its score."""

    features: dict[str, float]
    total: float


def regime(a: EventFeatures, b: EventFeatures) -> str:
    """Which of the model's regimes scores the pair: ``full_text`` when both have a body, else ``headline``."""
    return "full_text" if a.full_text and b.full_text else "headline"


def pair_threshold(
    a: EventFeatures,
    b: EventFeatures,
    thresholds: EventThresholds = DEFAULT_THRESHOLDS,
    storyline: bool = False,
) -> float:
    """The score two items need to be one event: ``thresholds.title`` when either is a headline; between full
    texts ``.undated`` when either has no date, else ``.full_text``. With ``storyline``, the score they need to be
    one storyline (at most that)."""
    if not (a.full_text and b.full_text):
        return min(thresholds.title, thresholds.storyline_title) if storyline else thresholds.title
    if a.first_seen is None or b.first_seen is None:
        return min(thresholds.undated, thresholds.storyline_undated) if storyline else thresholds.undated
    return min(thresholds.full_text, thresholds.storyline) if storyline else thresholds.full_text


def embedding_cosine(a: EventFeatures, b: EventFeatures) -> float:
    """Cosine of the two sentence embeddings (an event's is its articles' mean, not unit length); 0 when either
    side has none (a report stored by a run without ``--embeddings``)."""
    if a.embedding is None or b.embedding is None:
        return 0.0
    dot = sum([x * y for x, y in zip(a.embedding, b.embedding, strict=True)])
    norms = math.sqrt(sum([x * x for x in a.embedding]) * sum([y * y for y in b.embedding]))
    return dot / norms if norms else 0.0


def model_features(a: EventFeatures, b: EventFeatures, model: GroupingModel | None = None) -> dict[str, float]:
    """The feature values ``model`` weighs: ``pair_features``, and the embedding cosine when it uses embeddings."""
    values = pair_features(a, b)
    if (model or shipped_model()).uses_embeddings:
        values["embedding"] = embedding_cosine(a, b)
    return values


def _total(a: EventFeatures, b: EventFeatures, values: dict[str, float], model: GroupingModel | None) -> float:
    return round((model or shipped_model()).probability(regime(a, b), values), 6)


def score_components(a: EventFeatures, b: EventFeatures, model: GroupingModel | None = None) -> ScoreComponents:
    """Similarity of two articles or events, with the feature values behind it."""
    values = model_features(a, b, model)
    return ScoreComponents({k: round(v, 4) for k, v in values.items()}, _total(a, b, values, model))


def score(a: EventFeatures, b: EventFeatures, model: GroupingModel | None = None) -> float:
    """The model's probability in [0, 1] that two articles (or an article and an event summary) are one event
    (``score_components``' total, without rounding the feature values it does not return)."""
    return _total(a, b, model_features(a, b, model), model)
