"""Key figures: numbers an article states with what they count ("33 hostages", "1,500 Palestinians killed").

Method: a number (digits, "1,500", "2 million", or a spelled number up to twenty) followed within a few words by a
plural noun is a count of that noun; a casualty word shortly after ("were killed", "injured") joins what it counts.
Years, dates, ages ("17-year-old"), money, measures and spans of time are not key figures, and a spelled-out
number ("two sides") is one only with a casualty word ("three people died").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from string import ascii_letters

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
        "litres",
        "liters",
        "gallons",
        "barrels",
        "magnitude",
        "bps",
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
QUALIFIER_WORDS = (
    "more than",
    "at least",
    "over",
    "about",
    "around",
    "approximately",
    "nearly",
    "almost",
    "up to",
    "some",
    "roughly",
)
QUALIFIERS = regex.compile(rf"(?r)({'|'.join(QUALIFIER_WORDS)})\s+$", re.IGNORECASE)
"""Read backwards from the number (``(?r)``): only the words just before it are looked at."""
_NUMBER = re.compile(
    r"[^\w$€£.,/-](?P<quantity>(?=[\d" + "".join(sorted({word[0] for word in SPELLED})) + "])"
    r"(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(SPELLED) + r")"
    r"(?:\s+(?P<scale>thousand|million|billion))?)(?![\w%-]|[.,]\d)",
    re.IGNORECASE,
)
"""A number (``quantity``) after a character that is no part of a word, a number or a sum, read in the sentence
with a space before it (``extract_figures``). The pattern opens with that character, a class the engine's search
loop skips to, where a lookbehind is tried at every position (a quarter slower); the lookahead names the first
characters a number can have (digits, the first letters of ``SPELLED``): the engine then skips other positions a
third faster than by trying each alternative."""
_ASCII_NUMBER = re.compile(_NUMBER.pattern, re.IGNORECASE | re.ASCII)
"""``_NUMBER`` for a text ``reads_ascii`` (a fifth faster)."""
_DIGIT = re.compile("[0-9]")


def _may_count(sentence: str) -> bool:
    """Whether ``_ASCII_NUMBER`` may find a number in a sentence: it has an ASCII digit or a spelled number in any
    case (the pattern's ASCII case folding lowers only ASCII letters, as ``str.lower`` does; two sentences in three
    have neither, and the pattern would try every space of them)."""
    if _DIGIT.search(sentence) is not None:
        return True
    lowered = sentence.lower()
    return any(word in lowered for word in SPELLED)


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")
_MONTH_BEFORE = regex.compile(rf"(?r)\b({'|'.join(MONTHS)})[a-z]*\.?\s+$", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
ASCII_LETTERS = frozenset(ascii_letters)
_MAX_NOUN_GAP = 2
_CLAUSE_END = re.compile(r"[,;:()\[\]—–]")
CONJUNCTIONS = frozenset({"and", "or", "but"})
_ANOTHER_NUMBER = re.compile(r"(?:\s+[A-Za-z]+){0,3}?\s+(?:\d|(?:" + "|".join(SPELLED) + r")\b)", re.IGNORECASE)
"""After a conjunction: a number within a few words ("and injured more than 150")."""
_MAX_OUTCOME_GAP = 4
_OUTCOME_END = re.compile(r"[;:]")
"""Where the search for a number's outcome stops: a semicolon or colon opens another clause ("300 homes; 5
firefighters were injured"), while a comma, bracket or dash may open an aside after which the outcome is still the
number's ("20 people, mostly students, were arrested")."""


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
    """(noun phrase, outcome) counted by the words after a number, or None when no plural noun follows in the same
    clause (a comma, colon or bracket ends it: "risen to 21, officials say")."""
    window = after[:120]
    found = list(_WORD.finditer(window))
    words = [match.group() for match in found]
    clause_end = _CLAUSE_END.search(window)
    clause_words = sum(match.start() < clause_end.start() for match in found) if clause_end else len(words)
    for index, word in enumerate(words[: min(_MAX_NOUN_GAP + 1, clause_words)]):
        lowered = word.lower()
        if lowered in TIME_AND_MEASURE:
            return None
        if _plural(word) or lowered in (
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
            outcome = ""
            outcome_end = _OUTCOME_END.search(window, found[index].end())
            outcome_words = sum(m.start() < outcome_end.start() for m in found) if outcome_end else len(words)
            for position in range(index + 1, min(index + 1 + _MAX_OUTCOME_GAP, outcome_words)):
                following = words[position].lower()
                if following in OUTCOMES:
                    outcome = following
                    break
                if following in CONJUNCTIONS and _ANOTHER_NUMBER.match(window, found[position].end()):
                    break  # "killed 12 people and injured 150": no "12 people injured" ("shot and killed" is)
            return noun, outcome
    return None


def _plural(word: str) -> bool:
    """Whether a word reads as a plural noun: ends in "s", but not in "ss", "us", "is" ("basis", "serious",
    "virus"; "RBIs" is one) or a possessive's "'s" ("Turkey's")."""
    return (
        len(word) > 3
        and word[-1] in "sS"
        and not word.lower().endswith(("ss", "'s", "’s"))
        and not word.endswith(("us", "is"))
    )


def extract_figures(text: str | None, body: Sequence[str] | None = None) -> list[Figure]:
    """Key figures of a text, in reading order (one per number; ``body``: the text's sentences, split here when
    not given)."""
    figures: list[Figure] = []
    plain = reads_ascii(text or "")
    numbers, after_month, qualifier_of = (
        (_ASCII_NUMBER, _after_month, _plain_qualifier) if plain else (_NUMBER, _MONTH_BEFORE.search, _qualifier)
    )
    for sentence in split_sentences(text or "") if body is None else body:
        if plain and not _may_count(sentence):
            continue
        for match in numbers.finditer(" " + sentence):  # the space: a character before a number opening it
            start, end = match.start("quantity") - 1, match.end("quantity") - 1
            number, scale = match.group("number"), match.group("scale")
            before = sentence[:start]
            if _is_year(number, scale) or before.rstrip().endswith(("$", "€", "£", "No.")) or after_month(before):
                continue
            counted = _counted(sentence[end:])
            if counted is None:
                continue
            noun, outcome = counted
            if number.lower() in SPELLED and not outcome:
                continue
            figures.append(
                Figure(
                    value=_value(number, scale),
                    quantity=sentence[start:end],
                    counts=f"{noun} {outcome}".strip(),
                    qualifier=qualifier_of(before),
                    sentence=sentence,
                )
            )
    return figures


def _qualifier(before: str) -> str | None:
    """The qualifier (``QUALIFIERS``) just before a number, lower-cased."""
    found = QUALIFIERS.search(before)
    return found.group(1).lower() if found else None


# The two readers below do what ``_MONTH_BEFORE`` and ``QUALIFIERS`` do, without the regex engine's backward search
# (several microseconds a number), for the texts ``reads_ascii`` passes: every letter, digit and white space in them
# is ASCII, so ``str`` methods and the patterns read them alike.


def _plain_qualifier(before: str) -> str | None:
    """``_qualifier`` of a ``reads_ascii`` text."""
    stripped = before.rstrip()
    if len(stripped) == len(before):
        return None  # the pattern wants white space before the number
    lowered = stripped.lower()
    return next((phrase for phrase in QUALIFIER_WORDS if lowered.endswith(phrase)), None)


def _after_month(before: str) -> bool:
    """Whether ``_MONTH_BEFORE`` finds a month's name just before a number, in a ``reads_ascii`` text."""
    stripped = before.rstrip()
    if len(stripped) == len(before):
        return False
    end = len(stripped) - 1 if stripped.endswith(".") else len(stripped)
    start = end
    while start and stripped[start - 1] in ASCII_LETTERS:
        start -= 1
    if start and not stripped[start - 1].isascii():  # a joiner or combining mark: the pattern's word rules decide
        return bool(_MONTH_BEFORE.search(before))
    if start and (stripped[start - 1].isalnum() or stripped[start - 1] == "_"):
        return False  # no word boundary before the name
    return stripped[start:end].lower().startswith(MONTHS)
