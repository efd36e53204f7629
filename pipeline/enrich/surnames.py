"""The given-name rule the actor and place rules share: a country's name after one given name is that person's
surname ("Lisa Monaco", "Michael Jordan"), not a country of the news."""

from __future__ import annotations

from functools import cache, lru_cache
from importlib.resources import files

from pipeline.enrich import gazetteer
from pipeline.enrich.mentions import fold
from pipeline.text import MONTHS, WEEKDAYS

ENGLISH_NAME_FREQUENCY = 7
"""gender-guesser's frequency of a given name (1 rare .. 13; 7 is 0.25-0.5% of people) in Great Britain, Ireland or
the US from which the name is read as a name although it is a frequent English word ("Michael", "David", "Mark"; not
"Will", "Grant", "Hope")."""


@cache
def _name_dictionary() -> str:
    """gender-guesser's dictionary: a line per name and spelling, the name in columns 4-29, a "+" in column 30 marking
    a duplicate spelling, the frequencies of Great Britain, Ireland and the US in columns 31-33."""
    return files("gender_guesser").joinpath("data", "nam_dict.txt").read_text(encoding="utf-8")


@lru_cache(maxsize=1024)
def english_given_name(word: str) -> bool:
    """Whether a capitalised word is a given name at least ``ENGLISH_NAME_FREQUENCY`` in an English-speaking country
    (looked up when asked, ~4 ms: the rule needs it for a few words, and reading the whole dictionary costs ~60 ms)."""
    text, key, position = _name_dictionary(), f" {word} ", 0
    while (found := text.find(key, position)) >= 0:
        position = found + 1
        start = text.rfind("\n", 0, found) + 1
        line = text[start : text.find("\n", found)]
        if found - start != 2 or line[0] in "#=" or line[29:30] == "+" or line[3 + len(word) : 29].strip():
            continue  # the word elsewhere in a line, a comment, an equivalence or a duplicate spelling
        if any(c != " " and int(c, 16) >= ENGLISH_NAME_FREQUENCY for c in line[30:33]):
            return True
    return False


def country_surname(given: str, country: str) -> bool:
    """Whether ``country``, a country's name (not a demonym) after the one given name ``given``, is the person's
    surname: the given name is no English word unless a frequent name in English ("Lisa Monaco", "Michael Jordan";
    not "Will Iran"), is no month or weekday ("In June Russia"), and names no country nor a place of that country
    ("Georgia Jordan", "Victoria Australia")."""
    code = gazetteer.country_names().get(fold(country))
    if code is None or not gazetteer.is_first_name(given) or given.lower() in MONTHS or given.lower() in WEEKDAYS:
        return False  # "In June Russia said": a date, not June Russia
    if gazetteer.is_common_word(given) and not english_given_name(given):
        return False
    alpha2 = gazetteer.countries()[code].alpha2
    return not any(
        place.kind == "country" or place.country_code == alpha2 for place in gazetteer.places().get(fold(given))
    )
