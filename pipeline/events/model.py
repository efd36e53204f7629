"""The learned pair scorer: a logistic regression per regime over editor-style similarity features.

A model file is small JSON: for each regime (``full_text``: both sides have a body; ``headline``: either side is
a headline or a short summary) an intercept and one coefficient per feature of ``FEATURES``, the score each
regime's pairs must reach to be one event (and, optionally, one storyline), the recipe version of the features
it was fitted on, and a note of the data and settings used. Evaluating it needs only ``math``: the score of a pair
is ``1 / (1 + exp(-(intercept + sum(coef * feature))))``. ``pipeline/events/fit.py`` (``wirebeam grouping fit``)
writes such files; the one in the package (``grouping_model.json``) is the default.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from pipeline.events.features import FEATURES_VERSION

MODEL_FORMAT = 1
SHIPPED_MODEL = Path(__file__).resolve().parent / "grouping_model.json"
REGIMES = ("full_text", "headline")
STORYLINE_KINDS = ("storyline_full_text", "storyline_headline", "storyline_undated")
THRESHOLD_KINDS = (*REGIMES, "undated", *STORYLINE_KINDS)
"""A threshold per regime, one for two full texts of which either has no date, and the storyline level's for each
of those three (optional: without them every event is its own storyline; without ``storyline_undated``, undated
full texts take ``storyline_full_text``)."""
FEATURES = (
    "body",
    "title",
    "lead",
    "entities",
    "numbers",
    "dates",
    "body_x_entities",
    "undated_x_body_sqrt",
    "undated_x_entities_sqrt",
    "undated_x_body",
    "undated_x_entities",
    "dated",
    "gap_days_log",
    "gap_over_week",
)
"""What an editor compares, per pair (``pipeline.events.features.pair_features``): TF-IDF cosines of the whole
text (``body``), of the headlines and of the leads; IDF-weighted cosines of the named entities and of the
numbers and of the calendar dates stated; the product of body and entity cosines (one without the other is weak
evidence); body and entity cosines again when either side has no publication date (content alone must then tell
events apart), and their square roots (undated, a few shared rare words or names already say much, more say
little more: linear in the cosines alone, the fit cannot weigh the first overlaps above the rest); whether both
sides are dated, and then the log of the gap in days and whether it exceeds a week."""
EMBEDDING_FEATURES = ("embedding",)
"""Under ``--embeddings``, the cosine of the two sentence embeddings (``pipeline.events.score.embedding_cosine``):
only a model fitted on embedded labels weighs it (the shipped one does not), and only its pairs' values hold it."""
ALL_FEATURES = (*FEATURES, *EMBEDDING_FEATURES)
BOUNDS = {"embedding": (-1.0, 1.0)}
"""Features a caller may leave out of ``logit``'s values, with their range: an absent one adds the largest term it
could (a screen that does not compute it, ``blocking.screened_scores``, then never drops a pair the full score
keeps)."""


class ModelError(ValueError):
    """A grouping model file that cannot be used."""


@dataclass(frozen=True)
class GroupingModel:
    """Coefficients per regime (``{regime: {"intercept": x, feature: coef, ...}}``), the score a pair of each
    regime needs (``thresholds``), the feature recipe version the model was fitted on, and a note."""

    coefficients: Mapping[str, Mapping[str, float]]
    thresholds: Mapping[str, float]
    features_version: int
    note: Mapping = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for regime in REGIMES:
            if regime not in self.coefficients or regime not in self.thresholds:
                raise ModelError(f"grouping model lacks the {regime!r} regime")
            unknown = set(self.coefficients[regime]) - {"intercept", *ALL_FEATURES}
            if unknown:
                raise ModelError(f"grouping model has unknown features: {sorted(unknown)}")
        for kind, value in self.thresholds.items():
            if kind not in THRESHOLD_KINDS or not 0.0 < value < 1.0:
                raise ModelError(f"threshold {kind!r} must be one of {THRESHOLD_KINDS} in (0, 1), got {value}")

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict()["coefficients"], sort_keys=True))

    def logit(self, regime: str, values: Mapping):
        """The log-odds of a pair with these feature ``values`` (floats, or numpy arrays of many pairs)."""
        terms, bounded = self._terms[regime]
        intercept = self.coefficients[regime].get("intercept", 0.0)
        if not bounded:
            return intercept + sum([w * values[name] for name, w in terms])
        return intercept + sum(
            [w * values[name] if name in values else max(w * x for x in BOUNDS[name]) for name, w in terms]
        )

    @cached_property
    def _terms(self) -> dict[str, tuple[tuple[tuple[str, float], ...], bool]]:
        """Per regime, its ``(feature, weight)`` terms in order and whether any may be absent (``BOUNDS``)."""
        out = {}
        for regime, weights in self.coefficients.items():
            terms = tuple((name, w) for name, w in weights.items() if name != "intercept")
            out[regime] = terms, any(name in BOUNDS for name, _ in terms)
        return out

    @cached_property
    def uses_embeddings(self) -> bool:
        """Whether the model weighs the embedding cosine (fitted with ``--embeddings``)."""
        return any(weights.get(name, 0.0) for weights in self.coefficients.values() for name in EMBEDDING_FEATURES)

    def probability(self, regime: str, values: Mapping[str, float]) -> float:
        """The model's probability that a pair with these feature ``values`` reports one event."""
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self.logit(regime, values)))))

    def to_dict(self) -> dict:
        """The JSON file's content."""
        return {
            "format": MODEL_FORMAT,
            "features_version": self.features_version,
            "features": [*FEATURES, *(EMBEDDING_FEATURES if self.uses_embeddings else ())],
            "coefficients": {r: dict(self.coefficients[r]) for r in REGIMES},
            "thresholds": dict(self.thresholds),
            "note": dict(self.note),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> GroupingModel:
        """Inverse of ``to_dict``; raises ``ModelError`` on a file of another format."""
        if not isinstance(data, Mapping) or data.get("format") != MODEL_FORMAT:
            raise ModelError(f"not a wirebeam grouping model of format {MODEL_FORMAT}")
        try:
            return cls(
                coefficients={r: {k: float(v) for k, v in data["coefficients"][r].items()} for r in REGIMES},
                thresholds={k: float(v) for k, v in data["thresholds"].items()},
                features_version=int(data["features_version"]),
                note=data.get("note", {}),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ModelError(f"malformed grouping model: {error!r}") from None


def read_model(path: str | Path) -> GroupingModel:
    """A model file; ``ModelError`` with the reason when it cannot be used."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot read grouping model {path}: {error}") from None
    return GroupingModel.from_dict(data)


def read_run_model(path: str | Path) -> GroupingModel:
    """A model file a run is given (``--grouping_model``): ``read_model``'s, refused (``ModelError``) when fitted on
    features of another recipe (``FEATURES_VERSION``): its coefficients and thresholds weigh values on another
    scale, and the run would group by them silently wrong."""
    model = read_model(path)
    if model.features_version != FEATURES_VERSION:
        raise ModelError(
            f"grouping model {path} was fitted on features of version {model.features_version}, this wirebeam "
            f"computes version {FEATURES_VERSION}: fit it again (`wirebeam grouping fit --labels FILE`)"
        )
    return model


@lru_cache(maxsize=1)
def shipped_model() -> GroupingModel:
    """The default model, fitted on the development corpora (see its ``note``)."""
    return read_model(SHIPPED_MODEL)
