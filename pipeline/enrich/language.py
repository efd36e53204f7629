"""Language of an article: ISO 639-1 code and confidence, by English function words or py3langid.

Most news we read is English, and English shows itself in its function words: an opening of ``FUNCTION_CHARS``
characters with at least ``MIN_FUNCTION_WORDS`` of ``FUNCTION_WORDS`` (and at least ``MIN_FUNCTION_SHARE`` of its
words) is English, found with one regular-expression pass. ``FUNCTION_WORDS`` are scikit-learn's English stop words
that are no stop word of any of spaCy 3.8's other 70-odd languages ("the", "from", "which"; not "in", "to",
"was"). On the real news in ``../shared/data`` (English but for 8 of the 60 pages of ``articles/``, by
py3langid) the test calls 94% of the articles and 2% of the headlines English, none of those 8 pages; py3langid
calls English all but 30 of them, which it leaves unknown or calls Nigerian Pidgin; on spaCy's example sentences of
its 67 other languages no opening had more than one of the words (``benchmarks/language.py``).

Every other text goes to py3langid (a naive Bayes model shipped in the wheel, chosen over langdetect by
measurement in ``benchmarks/enrichment_quality.py``: deterministic, faster, ships its model) on its first
``MAX_CHARS`` characters. Its walk over a 40 MB table costs ~0.5 ms an article on a busy machine, ten times the
function-word test. Its model (~0.5 s CPU) loads on the first text that needs it, not in a worker's setup: on the
real news only one text in sixteen does. Openings of fewer than ``MIN_CHARS`` letters or classified below
``MIN_CONFIDENCE`` get ``None``: unknown rather than a guess.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from pipeline.text import ENGLISH_STOP_WORDS

LOGGER = logging.getLogger(__name__)

MIN_CHARS = 12
MIN_CONFIDENCE = 0.5
MAX_CHARS = 200
"""Only the opening is read: the model's time grows with length, and a few sentences settle the language."""
SHARED_STOP_WORDS = frozenset(
    [
        "a",
        "all",
        "also",
        "am",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "co",
        "con",
        "de",
        "do",
        "due",
        "etc",
        "even",
        "fire",
        "for",
        "go",
        "had",
        "has",
        "have",
        "he",
        "her",
        "here",
        "i",
        "in",
        "inc",
        "into",
        "is",
        "it",
        "many",
        "may",
        "me",
        "mine",
        "most",
        "my",
        "no",
        "nor",
        "of",
        "on",
        "once",
        "one",
        "or",
        "over",
        "per",
        "re",
        "same",
        "see",
        "six",
        "so",
        "take",
        "ten",
        "than",
        "thus",
        "to",
        "un",
        "under",
        "us",
        "via",
        "was",
        "we",
        "will",
        "with",
        "without",
    ]
)
"""English stop words that are stop words of another language in spaCy 3.8 too (or a single letter)."""
FUNCTION_WORDS = ENGLISH_STOP_WORDS - SHARED_STOP_WORDS
FUNCTION_CHARS = 400
MIN_FUNCTION_WORDS = 4
MIN_FUNCTION_SHARE = 0.05
FUNCTION_WORD_CONFIDENCE = 0.999
"""What the function-word test reports as its confidence: of the 4,000-odd real texts it called English, none
was another language (add-one estimate, rounded down)."""
_ENOUGH_LETTERS = re.compile(rf"(?:[\W\d_]*[^\W\d_]){{{MIN_CHARS}}}")
"""Matches a text with at least ``MIN_CHARS`` letters (found without listing every letter: ~17x faster)."""
_ASCII_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Language:
    """A detected language and the detector's probability for it."""

    code: str
    confidence: float


@cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def load_model() -> None:
    """Load the model now rather than on the first text the function-word test leaves (for timing it alone)."""
    _identifier()


def reads_english(text: str) -> bool:
    """Whether a text's opening has English function words enough to be English."""
    words = _ASCII_WORD.findall(text[:FUNCTION_CHARS].lower())
    hits = sum(map(FUNCTION_WORDS.__contains__, words))
    return hits >= MIN_FUNCTION_WORDS and hits >= MIN_FUNCTION_SHARE * len(words)


def detect_language(text: str | None) -> Language | None:
    """The language of a text, or ``None`` when it is too short or the model is unsure."""
    opening = (text or "")[:MAX_CHARS]
    if not _ENOUGH_LETTERS.match(opening):
        return None
    if reads_english(text):
        return Language("en", FUNCTION_WORD_CONFIDENCE)
    code, probability = _identifier().classify(opening)
    if probability < MIN_CONFIDENCE:
        return None
    return Language(code, round(float(probability), 4))
