"""Keywords of an event: the words and two-word phrases its articles use most, headlines counting double.

Method: lower-cased words of three or more letters, without scikit-learn's English stop words, are counted per
article (once per article for a headline word, which then counts twice); two-word phrases of such words count
when they recur. A word inside a chosen phrase is not repeated on its own. Ties break alphabetically.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable

from pipeline.text import ENGLISH_STOP_WORDS, WEEKDAYS

LOGGER = logging.getLogger(__name__)

DEFAULT_KEYWORDS = 10
HEADLINE_WEIGHT = 2
MIN_PHRASE_COUNT = 2
EXTRA_STOP_WORDS = frozenset(
    {
        *WEEKDAYS,
        "said",
        "says",
        "according",
        "reported",
        "report",
        "reports",
        "told",
        "new",
        "year",
        "years",
        "like",
        "just",
        "also",
        "including",
        "time",
        "week",
        "day",
        "reuters",
    }
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]{3,}", re.UNICODE)


def _words(text: str) -> list[str | None]:
    """Content words in order; ``None`` marks a dropped word so phrases never jump over it."""
    out: list[str | None] = []
    for word in _WORD.findall(text.lower().replace("’", "'")):
        word = word.removesuffix("'s")
        keep = len(word) >= 3 and word not in ENGLISH_STOP_WORDS and word not in EXTRA_STOP_WORDS
        out.append(word if keep else None)
    return out


def keywords(documents: Iterable[tuple[str, str | None]], limit: int = DEFAULT_KEYWORDS) -> list[str]:
    """Top keywords of (title, text) documents, most salient first."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    counts: Counter[str] = Counter()
    for title, text in documents:
        for part, weight in ((title or "", HEADLINE_WEIGHT), (text or "", 1)):
            words = _words(part)
            if weight == HEADLINE_WEIGHT:
                counts.update({word: weight for word in words if word})
            else:
                counts.update(word for word in words if word)
            for left, right in zip(words, words[1:], strict=False):
                if left and right and left != right:
                    counts[f"{left} {right}"] += weight
    phrases = {key: count for key, count in counts.items() if " " in key and count >= MIN_PHRASE_COUNT * 2}
    ranked = sorted(
        ((key, count) for key, count in counts.items() if " " not in key or key in phrases),
        key=lambda item: (-item[1] * (1.5 if " " in item[0] else 1), item[0]),
    )
    chosen: list[str] = []
    for key, _ in ranked:
        if any(key in phrase.split() or phrase in key.split() for phrase in chosen if " " in phrase or " " in key):
            continue
        chosen.append(key)
        if len(chosen) == limit:
            break
    return chosen
