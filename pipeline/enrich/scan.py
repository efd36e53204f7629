"""One scan of an article's capitalised runs, shared by the place and actor extractors.

A sentence is scanned once per article (memoised by its text; ``enrich_article`` empties the memo after each
article): its runs of capitalised words, found by one regular expression
rather than word by word, each with what the extractors read around it (the gap and word after it, whether it
opens the sentence), and whether the sentence is in title case. Runs follow ``pipeline.text.capitalised_phrases``:
connectors ("Bank of England") join capitalised words, punctuation, a possessive or a sentence-ending period ends a
run. Words before a run are read backwards, on demand (``words_before``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

import regex

from pipeline.text import ABBREVIATIONS, CONNECTORS, TITLE_CASE_SHARE

_JOINED = r"(?:[-'’&.][\w@]+)*"
_CAPITALISED = rf"(?:\p{{Lu}}[\w@]*|(?:al|el|ad|as|ash|an|ar|at|az|bin|ibn)(?=-[A-Z])){_JOINED}\.?"
_CONNECTOR = "(?:" + "|".join(sorted(CONNECTORS)) + ")"
_WORD = r"(?:[A-Z]\.){2,}|[\w@]+(?:[-'’&.][\w@]+)*\.?"
"""``pipeline.text.tokenize``'s word pattern."""
_AFTER = rf"(?=[^\w@]*(?P<next>{_WORD})?)"
_RUN = regex.compile(rf"(?<![\w@])(?<![\w@][-'’&.]){_CAPITALISED}(?:\s+(?:{_CONNECTOR}\s+)*{_CAPITALISED})*{_AFTER}")
"""A run of capitalised words (connectors between them) and the word after it; its words are its white-space-separated
parts (read with ``str.split``: cheaper than the engine's captures)."""
_NEXT = regex.compile(_AFTER)
_GAP = re.compile(r"[^\w@]*")
_GAP_BACKWARDS = regex.compile(r"(?r)[^\w@]*")
_TOKEN_BACKWARDS = regex.compile(r"(?r)[\w@]+(?:[-'’&.][\w@]+)*")
_INITIALS = re.compile(r"(?:[A-Z]\.)+")
_LONG_WORD = re.compile(r"(?<![A-Za-z])(?:([A-Z])|[a-z])[\w'’-]{3,}")
"""Words of four or more characters; the group holds the capital of a capitalised one. (No word starts after a
letter: the lookbehind only spares the engine the letters inside short words.)"""


class Run(NamedTuple):
    """A run of capitalised words in a sentence, with what lies after it."""

    words: tuple[str, ...]
    """The words, a trailing possessive removed ("Google's" -> "Google")."""
    raw: tuple[str, ...]
    """The words as written (possessive kept)."""
    spans: tuple[tuple[int, int], ...]
    """Where each word (as written) lies in the sentence."""
    possessive: bool
    opens: bool
    """The run's first word is the sentence's first word."""
    gap_after: str
    next_word: str
    """The word after the run as written ("" at the end of the sentence)."""
    next_end: int


class SentenceScan(NamedTuple):
    """A sentence's capitalised runs and whether it is in title case."""

    runs: tuple[Run, ...]
    title_case: bool


def _title_case(sentence: str) -> bool:
    """``pipeline.text.is_title_case`` in one regular-expression pass."""
    capitals = _LONG_WORD.findall(sentence)
    if len(capitals) < 3:
        return False
    return (len(capitals) - capitals.count("")) / len(capitals) >= TITLE_CASE_SHARE


def gap_before(sentence: str, run: Run) -> str:
    """What precedes a run, back to the word before it."""
    return _GAP_BACKWARDS.match(sentence, 0, run.spans[0][0]).group()


def gap_after_next(sentence: str, run: Run) -> str:
    """What follows the word after a run, up to the word after that."""
    return _GAP.match(sentence, run.next_end).group()


def _kept_period(word: str) -> bool:
    """Whether a word's final period is part of it: initials ("U.S.", "M.") and abbreviations ("Mr.", "Ill.")."""
    return bool(_INITIALS.fullmatch(word)) or word[:-1].lower() in ABBREVIATIONS


@lru_cache(maxsize=2048)
def scan_sentence(sentence: str) -> SentenceScan:
    """The capitalised runs of a sentence (memoised: places and actors read the same sentences of an article)."""
    first = _GAP.match(sentence).end()
    runs: list[Run] = []
    for match in _RUN.finditer(sentence):
        text = match.group()
        if "'s" in text or "’s" in text or "." in text[:-1]:
            runs.extend(_split(sentence, match, first))
            continue
        words, spans = _words(match)
        next_start, next_end = match.span("next")
        gap_after = sentence[match.end() : next_start] if next_start >= 0 else sentence[match.end() :]
        if text[-1] == "." and not _kept_period(words[-1]):
            words[-1] = words[-1][:-1]
            spans[-1] = (spans[-1][0], spans[-1][1] - 1)
            gap_after = "." + gap_after
        words = tuple(words)
        runs.append(
            Run(words, words, tuple(spans), False, spans[0][0] == first, gap_after, match.group("next") or "", next_end)
        )
    return SentenceScan(tuple(runs), _title_case(sentence))


def _words(match) -> tuple[list[str], list[tuple[int, int]]]:
    """The words of a run (connectors included) and where each lies in the sentence."""
    text, start = match.group(), match.start()
    words = text.split()
    if len(words) == 1:
        return words, [(start, match.end())]
    spans = []
    position = 0
    for word in words:
        position = text.index(word, position)
        spans.append((start + position, start + position + len(word)))
        position += len(word)
    return words, spans


def _split(sentence: str, match, first: int) -> list[Run]:
    """The runs of a match with inner periods or possessives: a possessive, or a period that is no abbreviation's,
    ends a run."""
    runs = []
    words: list[str] = []
    raw: list[str] = []
    spans: list[tuple[int, int]] = []
    for token, (start, end) in zip(*_words(match), strict=True):
        if not words and token in CONNECTORS:
            continue
        closes = token[-1] == "." and not _kept_period(token)
        if closes:
            token, end = token[:-1], end - 1
        possessive = len(token) > 2 and token[-2:] in ("'s", "’s")
        raw.append(token)
        words.append(token[:-2] if possessive else token)
        spans.append((start, end))
        if possessive or closes:
            runs.append(_run(sentence, words, raw, spans, possessive, first))
            words, raw, spans = [], [], []
    if words:
        runs.append(_run(sentence, words, raw, spans, False, first))
    return runs


def _run(sentence, words, raw, spans, possessive, first) -> Run:
    end = spans[-1][1]
    after = _NEXT.match(sentence, end)
    next_start, next_end = after.span("next")
    return Run(
        tuple(words),
        tuple(raw),
        tuple(spans),
        possessive,
        spans[0][0] == first,
        sentence[end:next_start] if next_start >= 0 else sentence[end:],
        after.group("next") or "",
        next_end,
    )


def words_before(sentence: str, position: int) -> Iterator[str]:
    """The lower-cased words before ``position``, nearest first (read backwards, as far as the caller reads)."""
    return (match.group().lower() for match in _TOKEN_BACKWARDS.finditer(sentence, 0, position))
