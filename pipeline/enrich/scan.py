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
import unicodedata
from collections.abc import Iterator
from functools import cache
from typing import NamedTuple

import regex

from pipeline.enrich.mentions import reads_ascii
from pipeline.text import ABBREVIATIONS, CONNECTORS, TITLE_CASE_SHARE

_JOINED = r"(?:[-'’&.][\w@]+)*"
NAME_PARTICLES = ("al", "el", "ad", "as", "ash", "an", "ar", "at", "az", "bin", "ibn")
"""Lower-case particles that open a capitalised name ("al-Sisi", "bin-Salman")."""


def _capitalised(capital: str) -> str:
    """A capitalised word (its first letter matching the class ``capital``) or a name opening with a particle."""
    return rf"(?:{capital}[\w@]*|(?:{'|'.join(NAME_PARTICLES)})(?=-[A-Z])){_JOINED}\.?"


_CAPITALISED = _capitalised(r"\p{Lu}")
_CONNECTOR = "(?:" + "|".join(sorted(CONNECTORS)) + ")"
_WORD = r"(?:[A-Z]\.){2,}|[\w@]+(?:[-'’&.][\w@]+)*\.?"
"""``pipeline.text.tokenize``'s word pattern."""
_AFTER = rf"(?=[^\w@]*(?P<next>{_WORD})?)"
_RUN = regex.compile(rf"(?<![\w@])(?<![\w@][-'’&.]){_CAPITALISED}(?:\s+(?:{_CONNECTOR}\s+)*{_CAPITALISED})*{_AFTER}")
"""A run of capitalised words (connectors between them) and the word after it; its words are its white-space-separated
parts (read with ``str.split``: cheaper than the engine's captures)."""
_ASCII_RUN = re.compile(
    rf"[A-Z](?<![\w@].)(?<![\w@][-'’&.].)[\w@]*{_JOINED}\.?"
    rf"(?:\s+(?:{_CONNECTOR}\s+)*{_capitalised('[A-Z]')})*{_AFTER}"
)
"""``_RUN`` where every capital is an ASCII letter and no run opens with "al-" or the like: its first character
is a class the engine skips to (``re``'s search loop), where ``_RUN`` tries every position (~2.5x faster)."""
_PREFIXED = re.compile(r"-(?=[A-Z])(?:" + "|".join(f"(?<={prefix}-)" for prefix in NAME_PARTICLES) + ")")
_OTHER_CHARACTER = re.compile(r"[^\x00-\x1b\x20-\x7f]")
"""Characters on which ``re`` and ``regex`` may read ``\\w``, ``\\s`` or a capital differently: non-ASCII ones
and the separators \\x1c-\\x1f (white space to ``re`` only)."""
SAME_CATEGORIES = frozenset({"Ll", "Lo", "Lm", "Nd", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Zs", "Sc", "Sm", "Sk"})
"""Unicode categories whose characters both engines read alike (no capitals, marks, other numbers or joiners)."""
_NEXT = regex.compile(_AFTER)
_GAP = re.compile(r"[^\w@]*")
_GAP_BACKWARDS = regex.compile(r"(?r)[^\w@]*")
_TOKEN_BACKWARDS = regex.compile(r"(?r)[\w@]+(?:[-'’&.][\w@]+)*")
_ASCII_TOKEN = re.compile(r"[\w@]+(?:[-'&.][\w@]+)*")
"""``_TOKEN_BACKWARDS`` read forwards in an ASCII text written backwards: the pattern reads the same both ways, and
``re`` sets up a search in a fraction of the ``regex`` module's time (a few words are read before each place)."""
_INITIALS = re.compile(r"(?:[A-Z]\.)+")
_CAPITAL = re.compile("[A-Z]")
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


def _reads_alike(sentence: str) -> bool:
    """Whether ``_ASCII_RUN`` finds the runs ``_RUN`` finds in a sentence: no character either engine reads its own
    way, and no run opening with a particle."""
    if not (sentence.isascii() and reads_ascii(sentence)):  # most sentences have no such character to look for
        other = _OTHER_CHARACTER.findall(sentence)
        if other and not all(unicodedata.category(char) in SAME_CATEGORIES for char in other):
            return False
    return _PREFIXED.search(sentence) is None


def _title_case(sentence: str) -> bool:
    """``pipeline.text.is_title_case``, reading words only until the share of capitalised ones cannot be reached:
    the sentence's capital letters bound the number of capitalised words (most sentences stop at their first
    lower-case word)."""
    most = len(_CAPITAL.findall(sentence))
    if most < 3:
        return False
    capitalised = lower = 0
    for match in _LONG_WORD.finditer(sentence):
        if match.group(1) is None:
            lower += 1
            if most / (most + lower) < TITLE_CASE_SHARE:
                return False
        else:
            capitalised += 1
    words = capitalised + lower
    return words >= 3 and capitalised / words >= TITLE_CASE_SHARE


def gap_before(sentence: str, run: Run) -> str:
    """What precedes a run, back to the word before it."""
    return _GAP_BACKWARDS.match(sentence, 0, run.spans[0][0]).group()


def gap_after_next(sentence: str, run: Run) -> str:
    """What follows the word after a run, up to the word after that."""
    return _GAP.match(sentence, run.next_end).group()


def _kept_period(word: str) -> bool:
    """Whether a word's final period is part of it: initials ("U.S.", "M.") and abbreviations ("Mr.", "Ill.")."""
    return bool(_INITIALS.fullmatch(word)) or word[:-1].lower() in ABBREVIATIONS


_NEXT_GROUP = _ASCII_RUN.groupindex["next"]
"""The number of the ``next`` group of ``_ASCII_RUN`` and ``_RUN`` (read by number: cheaper than by name)."""
_new_run = tuple.__new__
"""Makes a ``Run`` from a tuple of its fields without the named tuple's Python-level ``__new__`` (a dozen runs an
article)."""


@cache
def scan_sentence(sentence: str) -> SentenceScan:
    """The capitalised runs of a sentence (memoised: places and actors read the same sentences of an article)."""
    first = _GAP.match(sentence).end()
    runs: list[Run] = []
    for match in (_ASCII_RUN if _reads_alike(sentence) else _RUN).finditer(sentence):
        text = match.group()
        last = len(text) - 1
        if "'s" in text or "’s" in text or text.find(".", 0, last) >= 0:
            runs.extend(_split(sentence, match, first))
            continue
        start, end = match.span()
        words = text.split()
        spans = [(start, end)] if len(words) == 1 else _spans(text, start, words)
        next_start, next_end = match.span(_NEXT_GROUP)
        gap_after = sentence[end:next_start] if next_start >= 0 else sentence[end:]
        if text[last] == "." and not _kept_period(words[-1]):
            words[-1] = words[-1][:-1]
            spans[-1] = (spans[-1][0], spans[-1][1] - 1)
            gap_after = "." + gap_after
        words = tuple(words)
        following = match.group(_NEXT_GROUP) or ""
        runs.append(_new_run(Run, (words, words, tuple(spans), False, start == first, gap_after, following, next_end)))
    return SentenceScan(tuple(runs), _title_case(sentence))


def _spans(text: str, start: int, words: list[str]) -> list[tuple[int, int]]:
    """Where each of a run's words (``text`` at ``start``, split at white space) lies in the sentence."""
    spans = []
    position = 0
    for word in words:
        position = text.index(word, position)
        spans.append((start + position, start + position + len(word)))
        position += len(word)
    return spans


def _words(match) -> tuple[list[str], list[tuple[int, int]]]:
    """The words of a run (connectors included) and where each lies in the sentence."""
    text, start = match.group(), match.start()
    words = text.split()
    if len(words) == 1:
        return words, [(start, match.end())]
    return words, _spans(text, start, words)


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
    if sentence.isascii():
        backwards = sentence[position - 1 :: -1] if position > 0 else ""
        return (match.group()[::-1].lower() for match in _ASCII_TOKEN.finditer(backwards))
    return (match.group().lower() for match in _TOKEN_BACKWARDS.finditer(sentence, 0, position))
