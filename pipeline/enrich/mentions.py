"""Text pieces the enrichers share: sentences and a folded matching key (words, stop words and capitalised
phrases are in ``pipeline.text``).

Everything here is rule-based and deterministic.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache
from typing import TypeVar

from pipeline.text import ABBREVIATIONS

_SENTENCE_BREAK = re.compile(r"\.([\"”’)]?\s+)(?=[\"“‘(]?[A-Z0-9])")
"""A sentence break: the group after . ! ? (``_breaks``: in a copy of the line where ! and ? read as .). The pattern
opens with one literal character, which ``re``'s search loop finds several times faster than a class of them
(``[.!?]``, itself twice as fast as a lookbehind tried at every position)."""
_DASHES = re.compile(r"[\s\-‐‑‒–—_]+")
_NOT_WORD = re.compile(r"[^\w\s]")
_INITIALS_END = re.compile(r"(?:[a-z]\.){2,}$")
_UNLIKE_ASCII = re.compile(r"[^\x00-\x1b\x20-\x7f]")
"""Characters a pattern may read differently in ASCII mode: non-ASCII ones, and \\x1c-\\x1f (white space only to
Unicode patterns)."""


F = TypeVar("F", bound=Callable)
MEMOS: list[tuple[Callable, int]] = []
"""The enrichers' bounded memos (``bounded_memo``) and their bounds."""
TRIM_EVERY = 64
"""``trim_memos`` looks at the memos' sizes on every this many calls."""
_trim_calls = [0]


def bounded_memo(maxsize: int) -> Callable[[F], F]:
    """A ``functools.cache`` that ``trim_memos`` empties once it holds ``maxsize`` entries: a hit is one dict lookup,
    where an LRU cache also moves the entry on every hit and evicts one on every miss once full (about 4% of the
    enrichment's CPU in a worker whose memos have filled, ``benchmarks.enrichment``'s steady state)."""

    def wrap(function: F) -> F:
        memo = cache(function)
        MEMOS.append((memo, maxsize))
        return memo  # type: ignore[return-value]

    return wrap


def trim_memos() -> None:
    """Empty the bounded memos that have reached their bound (looked at on every ``TRIM_EVERY``-th call: a memo may
    pass its bound by what that many articles add). ``enrich.enrich_article`` calls it after each article."""
    _trim_calls[0] += 1
    if _trim_calls[0] % TRIM_EVERY:
        return
    for memo, maxsize in MEMOS:
        if memo.cache_info().currsize >= maxsize:
            memo.cache_clear()


@bounded_memo(65_536)
def fold(text: str) -> str:
    """Matching key: no accents, lower case, no punctuation, hyphens and dashes as spaces ("Ben-Gvir" == "Ben Gvir")."""
    if text.isascii():  # most names: one pass of a table (``_ASCII_FOLD``), no normalisation
        return " ".join(text.translate(_ASCII_FOLD).split())
    return plain_fold(text)


def plain_fold(text: str) -> str:
    """``fold`` of any text, by its rules: accents off, then dashes as spaces and punctuation away."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    ascii_text = _DASHES.sub(" ", "".join(char for char in decomposed if not unicodedata.combining(char)).lower())
    return " ".join(_NOT_WORD.sub("", ascii_text).split())


_ASCII_FOLD = str.maketrans(
    {
        char: " " if _DASHES.fullmatch(char) else "" if _NOT_WORD.fullmatch(char) else char.lower()
        for char in map(chr, range(128))
    }
)
"""``plain_fold``'s rules for each ASCII character: a dash or white space a space, punctuation nothing, a letter its
lower case (the words then split and joined by one space)."""


def sentence_spans(text: str) -> tuple[tuple[int, str], ...]:
    """Sentences of a text with their start offsets: every line break ends one, and so does . ! ? before a
    capital (not after "Mr." etc.). ``enrich.enrich_article`` splits an article once for every enricher."""
    sentences: list[tuple[int, str]] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        line_start = offset + len(raw) - len(raw.lstrip())
        offset += len(raw)
        line = raw.strip()
        if not line:
            continue
        start = 0
        for match in _breaks(line):
            end = match.start(1)
            before = line[start:end].rstrip('"”’)')
            last = before[before.rfind(" ") + 1 :].lower()
            last_word = last.rstrip(".")
            initials = last.count(".") > 1 and _INITIALS_END.search(last)  # "U.S.": two periods or more
            if last_word in ABBREVIATIONS or len(last_word) == 1 or initials:
                continue
            _append(sentences, line_start + start, line[start:end])
            start = match.end()
        _append(sentences, line_start + start, line[start:])
    return tuple(sentences)


def _breaks(line: str) -> Iterator[re.Match]:
    """The sentence breaks of a line: ``_SENTENCE_BREAK``'s matches, at the line's offsets."""
    return _SENTENCE_BREAK.finditer(line.replace("!", ".").replace("?", "."))


def _append(sentences: list[tuple[int, str]], start: int, sentence: str) -> None:
    stripped = sentence.strip()
    if stripped:
        sentences.append((start + len(sentence) - len(sentence.lstrip()), stripped))


def split_sentences(text: str) -> list[str]:
    """Sentences of a text (see ``sentence_spans``)."""
    return [sentence for _, sentence in sentence_spans(text)]


def reads_ascii(text: str) -> bool:
    """Whether a pattern compiled with ``re.ASCII`` (faster) reads ``text`` as its Unicode form does: every word
    character and white space of the text is ASCII."""
    if text.isascii():  # half the news: only the separators \x1c-\x1f can be read apart
        return "\x1c" not in text and "\x1d" not in text and "\x1e" not in text and "\x1f" not in text
    return not any(char.isalnum() or char.isspace() for char in set(_UNLIKE_ASCII.findall(text)))
