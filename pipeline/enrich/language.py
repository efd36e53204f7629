"""Language of an article: ISO 639-1 code and confidence, by py3langid (a naive Bayes model shipped in the wheel).

py3langid was chosen over langdetect by measurement (``benchmarks/enrichment_quality.py``): it is deterministic
(langdetect samples unless seeded), faster, and ships its model. It reads the first ``MAX_CHARS`` characters.
Openings of fewer than ``MIN_CHARS`` letters or classified below ``MIN_CONFIDENCE`` get ``None``: unknown rather
than a guess.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

LOGGER = logging.getLogger(__name__)

MIN_CHARS = 12
MIN_CONFIDENCE = 0.5
MAX_CHARS = 200
"""Only the opening is read: the model's time grows with length, and a few sentences settle the language."""
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class Language:
    """A detected language and the model's probability for it."""

    code: str
    confidence: float


@cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def load_model() -> None:
    """Load the model now (in a ``DoFn.setup()``) rather than on the first article."""
    _identifier()


def detect_language(text: str | None) -> Language | None:
    """The language of a text, or ``None`` when it is too short or the model is unsure."""
    opening = (text or "")[:MAX_CHARS]
    if len(_LETTERS.findall(opening)) < MIN_CHARS:
        return None
    code, probability = _identifier().classify(opening)
    if probability < MIN_CONFIDENCE:
        return None
    return Language(code, round(float(probability), 4))
