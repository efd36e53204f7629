"""Text pieces the enrichers share: sentences, tokens, capitalised phrases and a folded matching key.

Everything here is rule-based and deterministic. A *phrase* is a run of capitalised tokens inside one sentence
(connectors such as "of" may sit between them: "Bank of England"); the enrichers decide what a phrase names.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

WEEKDAYS = frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
WEEKDAY_ABBREVIATIONS = frozenset(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
MONTH_ABBREVIATIONS = frozenset(["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"])
"""Calendar words: never names, and their abbreviations end in a period without ending a sentence."""

ABBREVIATIONS = frozenset(
    [
        *MONTH_ABBREVIATIONS,
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "mt",
        "jos",
        "inc",
        "corp",
        "co",
        "ltd",
        "jr",
        "sr",
        "gen",
        "gov",
        "sen",
        "rep",
        "lt",
        "col",
        "sgt",
        "prof",
        "no",
        "vs",
        "ill",
        "la",
        "calif",
        "fla",
        "mass",
        "conn",
        "ariz",
        "tenn",
        "wash",
        "mich",
        "minn",
        "penn",
        "va",
        "md",
    ]
)
"""Words written with a trailing period that does not end a sentence ("Mt. Gox", "Dekalb, Ill.")."""

TITLE_CASE_SHARE = 0.85
"""Share of capitalised longer words from which a line counts as title case."""

CONNECTORS = frozenset({"of", "de", "del", "da", "la", "le", "van", "von", "der", "du", "bin", "ibn", "al", "el"})
"""Lower-case words that may join two capitalised words into one name."""

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[\w@]+(?:[-'’&.][\w@]+)*\.?", re.UNICODE)
_INITIALS = re.compile(r"(?:[A-Z]\.)+")
_ARABIC_ARTICLE = re.compile(r"^(al|el|ad|as|ash|an|ar|at|az|bin|ibn)-[A-Z]")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
_DASHES = re.compile(r"[\s\-‐‑‒–—_]+")
_NOT_WORD = re.compile(r"[^\w\s]")


class Token(NamedTuple):
    """One word of a sentence, with its offsets and what follows it up to the next word."""

    text: str
    start: int
    end: int
    gap_after: str


class Phrase(NamedTuple):
    """A run of capitalised tokens in one sentence."""

    tokens: tuple[str, ...]
    sentence_index: int
    first_token_index: int
    possessive: bool

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """Matching key: no accents, lower case, no punctuation, hyphens and dashes as spaces ("Ben-Gvir" == "Ben Gvir")."""
    if text.isascii():
        ascii_text = text
    else:
        decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
        ascii_text = "".join(char for char in decomposed if not unicodedata.combining(char))
    ascii_text = _DASHES.sub(" ", ascii_text.lower())
    return " ".join(_NOT_WORD.sub("", ascii_text).split())


@lru_cache(maxsize=8)
def sentence_spans(text: str) -> tuple[tuple[int, str], ...]:
    """Sentences of a text with their start offsets: every line break ends one, and so does . ! ? before a
    capital (not after "Mr." etc.). Memoised: every enricher reads the same article's sentences."""
    sentences: list[tuple[int, str]] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        line_start = offset + len(raw) - len(raw.lstrip())
        offset += len(raw)
        line = raw.strip()
        if not line:
            continue
        start = 0
        for match in _SENTENCE_BREAK.finditer(line):
            before = line[start : match.start()].rstrip('"”’)')
            last_word = before.rsplit(" ", 1)[-1].rstrip(".").lower()
            if last_word in ABBREVIATIONS or len(last_word) == 1 or re.search(r"(?:[a-z]\.){2,}$", before.lower()):
                continue
            _append(sentences, line_start + start, line[start : match.start()])
            start = match.end()
        _append(sentences, line_start + start, line[start:])
    return tuple(sentences)


def _append(sentences: list[tuple[int, str]], start: int, sentence: str) -> None:
    stripped = sentence.strip()
    if stripped:
        sentences.append((start + len(sentence) - len(sentence.lstrip()), stripped))


def split_sentences(text: str) -> list[str]:
    """Sentences of a text (see ``sentence_spans``)."""
    return [sentence for _, sentence in sentence_spans(text)]


@lru_cache(maxsize=4096)
def tokenize(sentence: str) -> tuple[Token, ...]:
    """Words of a sentence; a trailing period stays only on abbreviations and initials ("U.S.", "Mt.").

    Memoised: the place and actor extractors read the same sentences of an article in turn.
    """
    spans = [(match.group(), match.start(), match.end()) for match in _TOKEN.finditer(sentence)]
    starts = [start for _, start, _ in spans[1:]] + [len(sentence)]
    tokens = []
    for (word, start, end), next_start in zip(spans, starts, strict=True):
        if word[-1] == "." and not _INITIALS.fullmatch(word) and word[:-1].lower() not in ABBREVIATIONS:
            word, end = word[:-1], end - 1
        tokens.append(Token(word, start, end, sentence[end:next_start]))
    return tuple(tokens)


def is_capitalised(word: str) -> bool:
    """Whether a token starts like a name ("Cairo", "U.S.", "al-Tanf", "eBay"-style brands excluded)."""
    return word[:1].isupper() or ("-" in word and bool(_ARABIC_ARTICLE.match(word)))


@lru_cache(maxsize=4096)
def is_title_case(text: str) -> bool:
    """Whether a line capitalises most of its longer words, as many headlines do (capitals then say little)."""
    words = [word for word in re.findall(r"[A-Za-z][\w'’-]*", text) if len(word) >= 4]
    if len(words) < 3:
        return False
    return sum(word[0].isupper() for word in words) / len(words) >= TITLE_CASE_SHARE


@lru_cache(maxsize=4096)
def capitalised_phrases(sentence: str, sentence_index: int) -> tuple[Phrase, ...]:
    """Runs of capitalised tokens, broken at punctuation and possessives, joined across connectors (memoised)."""
    tokens = tokenize(sentence)
    phrases: list[Phrase] = []
    run: list[str] = []
    run_start = 0

    def close(possessive: bool = False) -> None:
        while run and run[-1] in CONNECTORS:
            run.pop()
        if run:
            phrases.append(Phrase(tuple(run), sentence_index, run_start, possessive))
        run.clear()

    for index, token in enumerate(tokens):
        word = token.text
        possessive = len(word) > 2 and word[-2:] in ("'s", "’s")
        if possessive:
            word = word[:-2]
        if is_capitalised(word) and not word.isdigit():
            if not run:
                run_start = index
            run.append(word)
        elif run and word in CONNECTORS and token.gap_after.strip() == "":
            run.append(word)
            continue
        else:
            if run:
                close()
            continue
        if possessive or token.gap_after.strip():
            close(possessive)
    close()
    return tuple(phrases)
