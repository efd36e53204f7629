"""Keywords of an event: the words and two-word phrases its articles use most, headlines counting double.

Method: lower-cased words of three or more letters, without scikit-learn's English stop words, are counted per
article (once per article for a headline word, which then counts twice); two-word phrases of such words count
when they recur. A word inside a chosen phrase is not repeated on its own. Ties break alphabetically.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator

from pipeline.enrich.mentions import reads_ascii
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
_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]", re.UNICODE)
"""A word: a letter, then word characters, apostrophes or hyphens, ending in a letter or digit."""
_ASCII_WORD = re.compile(r"[a-z][a-z0-9_'’-]*[a-z0-9]")
"""``_WORD`` in a lower-cased text ``reads_ascii`` (~1.6x faster)."""


DROPPED_WORDS = ENGLISH_STOP_WORDS | EXTRA_STOP_WORDS
MEMO_WORDS = 200_000
"""Words whose verdict ``_words`` remembers (a bounded memo: news reuses its words)."""


def _kept(word: str) -> str:
    """A word as counted (a possessive "'s" removed), or ``""`` when it is too short or a stop word."""
    word = word.removesuffix("'s")
    return word if len(word) >= 3 and word not in DROPPED_WORDS else ""


class _Verdicts(dict):
    """Word -> ``_kept(word)``, each word's verdict found on its first lookup."""

    def __missing__(self, word: str) -> str:
        kept = self[word] = _kept(word)
        return kept


_KEPT = _Verdicts()


def _words(text: str) -> list[str]:
    """Content words in order; ``""`` marks a dropped word so phrases never jump over it."""
    if len(_KEPT) > MEMO_WORDS:
        _KEPT.clear()
    text = text.lower().replace("’", "'")
    return list(map(_KEPT.__getitem__, (_ASCII_WORD if reads_ascii(text) else _WORD).findall(text)))


def keywords(documents: Iterable[tuple[str, str | None]], limit: int = DEFAULT_KEYWORDS) -> list[str]:
    """Top keywords of (title, text) documents, most salient first."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    counts: Counter[str] = Counter()
    pair_counts: Counter[tuple[str, str]] = Counter()
    for title, text in documents:
        for part, weight in ((title or "", HEADLINE_WEIGHT), (text or "", 1)):
            words = _words(part)
            pairs = filter(all, zip(words, words[1:], strict=False))  # a dropped word ("") makes no phrase
            if weight == HEADLINE_WEIGHT:
                counts.update({word: weight for word in words if word})
                for pair in pairs:
                    pair_counts[pair] += weight
            else:
                counts.update(filter(None, words))
                pair_counts.update(pairs)
    # the ranking: count (a recurring phrase's times 1.5), then alphabetical; a phrase is two different words
    ranked = [(-count, key) for key, count in counts.items() if count > 1]
    ranked.extend(
        (-count * 1.5, f"{left} {right}")
        for (left, right), count in pair_counts.items()
        if count >= MIN_PHRASE_COUNT * 2 and left != right
    )
    chosen: list[str] = []
    alone: set[str] = set()  # the words chosen on their own
    in_phrases: set[str] = set()  # the words of the phrases chosen
    for key in _in_order(ranked, counts):
        left, _, right = key.partition(" ")
        if right:
            if left in alone or right in alone:
                continue
            in_phrases.update((left, right))
        elif key in in_phrases:
            continue
        else:
            alone.add(key)
        chosen.append(key)
        if len(chosen) == limit:
            break
    return chosen


def _in_order(ranked: list[tuple[float, str]], counts: Counter[str]) -> Iterator[str]:
    """The keys of ``ranked`` (every phrase and word counted more than once) in rank order, then the words counted
    once, alphabetically: these rank below all others and are sorted only when the others run out (most words of
    an article are used once)."""
    for _, key in sorted(ranked):
        yield key
    yield from sorted(key for key, count in counts.items() if count == 1)
