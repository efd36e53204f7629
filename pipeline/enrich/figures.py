"""Key figures: numbers an article states with what they count ("33 hostages", "1,500 Palestinians killed").

Method: a number (digits, "1,500", "2 million", or a spelled number up to twenty) followed within a few words by a
plural noun is a count of that noun; a casualty word shortly after ("were killed", "injured") joins what it counts.
Years, dates, ages ("17-year-old"), money, measures and spans of time are not key figures, and a spelled-out
number ("two sides") is one only with a casualty word ("three people died").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import regex

from pipeline.enrich.mentions import reads_ascii, split_sentences

LOGGER = logging.getLogger(__name__)

SPELLED = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "dozen": 12,
}
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
TIME_AND_MEASURE = frozenset(
    [
        "seconds",
        "minutes",
        "hours",
        "days",
        "weeks",
        "months",
        "years",
        "decades",
        "centuries",
        "times",
        "percent",
        "points",
        "kilometers",
        "kilometres",
        "miles",
        "meters",
        "metres",
        "feet",
        "inches",
        "pounds",
        "kilograms",
        "kg",
        "km",
        "tons",
        "tonnes",
        "degrees",
        "dollars",
        "euros",
        "cents",
        "yards",
        "acres",
        "pages",
        "episodes",
        "seasons",
        "rounds",
    ]
)
OUTCOMES = frozenset(
    [
        "killed",
        "dead",
        "died",
        "injured",
        "wounded",
        "hurt",
        "displaced",
        "arrested",
        "detained",
        "released",
        "freed",
        "missing",
        "evacuated",
        "rescued",
        "captured",
        "held",
        "abducted",
        "kidnapped",
        "deported",
    ]
)
QUALIFIERS = regex.compile(
    r"(?r)(more than|at least|over|about|around|approximately|nearly|almost|up to|some|roughly)\s+$", re.IGNORECASE
)
"""Read backwards from the number (``(?r)``): only the words just before it are looked at."""
_NUMBER = re.compile(
    r"(?<![\w$€£.,/-])(?=[\d" + "".join(sorted({word[0] for word in SPELLED})) + "])"
    r"(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(SPELLED) + r")"
    r"(?:\s+(?P<scale>thousand|million|billion))?(?![\w%-]|[.,]\d)",
    re.IGNORECASE,
)
"""The lookahead names the first characters a number can have (digits, the first letters of ``SPELLED``): the
engine then skips other positions a third faster than by trying each alternative."""
_ASCII_NUMBER = re.compile(_NUMBER.pattern, re.IGNORECASE | re.ASCII)
"""``_NUMBER`` for a text ``reads_ascii`` (a fifth faster)."""
_MONTH_BEFORE = regex.compile(
    r"(?r)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+$", re.IGNORECASE
)
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_MAX_NOUN_GAP = 2
_MAX_OUTCOME_GAP = 4


@dataclass(frozen=True)
class Figure:
    """A stated number and what it counts."""

    value: float
    quantity: str
    counts: str
    qualifier: str | None
    sentence: str


def _value(number: str, scale: str | None) -> float:
    base = float(SPELLED.get(number.lower(), 0) or number.replace(",", ""))
    return base * SCALES.get((scale or "").lower(), 1)


def _is_year(number: str, scale: str | None) -> bool:
    return scale is None and number.isdigit() and len(number) == 4 and 1800 <= int(number) <= 2100


def _counted(after: str) -> tuple[str, str] | None:
    """(noun phrase, outcome) counted by the words after a number, or None when no plural noun follows."""
    words = _WORD.findall(after[:120])
    for index, word in enumerate(words[: _MAX_NOUN_GAP + 1]):
        lowered = word.lower()
        if lowered in TIME_AND_MEASURE:
            return None
        if (lowered.endswith("s") and not lowered.endswith("ss") and len(lowered) > 3) or lowered in (
            "people",
            "children",
            "men",
            "women",
            "police",
            "personnel",
            "staff",
            "troops",
            "civilians",
        ):
            noun = " ".join(words[: index + 1])
            outcome = next(
                (w.lower() for w in words[index + 1 : index + 1 + _MAX_OUTCOME_GAP] if w.lower() in OUTCOMES), None
            )
            return noun, outcome or ""
    return None


def extract_figures(text: str | None) -> list[Figure]:
    """Key figures of a text, in reading order (one per number)."""
    figures: list[Figure] = []
    numbers = _ASCII_NUMBER if reads_ascii(text or "") else _NUMBER
    for sentence in split_sentences(text or ""):
        for match in numbers.finditer(sentence):
            number, scale = match.group("number"), match.group("scale")
            before = sentence[: match.start()]
            if (
                _is_year(number, scale)
                or before.rstrip().endswith(("$", "€", "£", "No."))
                or _MONTH_BEFORE.search(before)
            ):
                continue
            counted = _counted(sentence[match.end() :])
            if counted is None:
                continue
            noun, outcome = counted
            if number.lower() in SPELLED and not outcome:
                continue
            qualifier = QUALIFIERS.search(sentence[: match.start()])
            figures.append(
                Figure(
                    value=_value(number, scale),
                    quantity=match.group(0),
                    counts=f"{noun} {outcome}".strip(),
                    qualifier=qualifier.group(1).lower() if qualifier else None,
                    sentence=sentence,
                )
            )
    return figures
