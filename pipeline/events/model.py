"""The learned pair scorer: a logistic regression per regime over editor-style similarity features.

A model file is small JSON: for each regime (``full_text``: both sides have a body; ``headline``: either side is
a headline or a short summary; optionally ``undated``: two full texts of which either has no publication date,
else those are ``full_text``'s) an intercept and one coefficient per feature of ``FEATURES``, the score each
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
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_FORMAT = 1
SHIPPED_MODEL = Path(__file__).resolve().parent / "grouping_model.json"
REGIMES = ("full_text", "headline")
OPTIONAL_REGIMES = ("undated",)
"""Coefficients a model may have for the undated full-text pairs of ``full_text`` (``dated`` 0): without dates
their evidence is the text alone, so weights of their own keep it from moving the dated pairs' (``logit``)."""
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
    "undated_x_numbers_exclusive",
)
"""What an editor compares, per pair (``pipeline.events.features.pair_features``): TF-IDF cosines of the whole
text (``body``), of the headlines and of the leads; IDF-weighted cosines of the named entities and of the
numbers and of the calendar dates stated; the product of body and entity cosines (one without the other is weak
evidence); body and entity cosines again when either side has no publication date (content alone must then tell
events apart), and their square roots (undated, a few shared rare words or names already say much, more say
little more: linear in the cosines alone, the fit cannot weigh the first overlaps above the rest); whether both
sides are dated, and then the log of the gap in days and whether it exceeds a week; and, when either side has no
date, a contradiction: the share of its figures' weight (counts, ages, times) each report states that the other
lacks (``features.exclusive``, the lesser of the two sides: two reports of one kind stating different figures)."""


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
        for regime in self.coefficients:
            if regime not in (*REGIMES, *OPTIONAL_REGIMES):
                raise ModelError(f"grouping model has an unknown regime {regime!r}")
            unknown = set(self.coefficients[regime]) - {"intercept", *FEATURES}
            if unknown:
                raise ModelError(f"grouping model has unknown features: {sorted(unknown)}")
        for kind, value in self.thresholds.items():
            if kind not in THRESHOLD_KINDS or not 0.0 < value < 1.0:
                raise ModelError(f"threshold {kind!r} must be one of {THRESHOLD_KINDS} in (0, 1), got {value}")

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict()["coefficients"], sort_keys=True))

    def logit(self, regime: str, values: Mapping):
        """The log-odds of a pair with these feature ``values`` (floats, or numpy arrays of many pairs); a
        ``full_text`` pair of which either side is undated (``dated`` 0) by the ``undated`` coefficients when the
        model has them."""
        if regime != "full_text" or "undated" not in self.coefficients:
            return self._linear(regime, values)
        dated = values["dated"]
        if isinstance(dated, float | int):
            return self._linear("full_text" if dated else "undated", values)
        return np.where(dated > 0, self._linear("full_text", values), self._linear("undated", values))

    def _linear(self, regime: str, values: Mapping):
        weights = self.coefficients[regime]
        return weights.get("intercept", 0.0) + sum(
            [w * values[name] for name, w in weights.items() if name != "intercept"]
        )

    def probability(self, regime: str, values: Mapping[str, float]) -> float:
        """The model's probability that a pair with these feature ``values`` reports one event."""
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self.logit(regime, values)))))

    def to_dict(self) -> dict:
        """The JSON file's content."""
        return {
            "format": MODEL_FORMAT,
            "features_version": self.features_version,
            "features": list(FEATURES),
            "coefficients": {r: dict(weights) for r, weights in self.coefficients.items()},
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
                coefficients={r: {k: float(v) for k, v in w.items()} for r, w in data["coefficients"].items()},
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


@lru_cache(maxsize=1)
def shipped_model() -> GroupingModel:
    """The default model, fitted on the development corpora (see its ``note``)."""
    return read_model(SHIPPED_MODEL)
