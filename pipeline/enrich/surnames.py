"""The given-name rule the actor and place rules share: a country's name after one given name is that person's
surname ("Lisa Monaco", "Michael Jordan"), not a country of the news."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from pipeline.enrich import gazetteer
from pipeline.enrich.mentions import fold

ENGLISH_NAME_FREQUENCY = 7
"""gender-guesser's frequency of a given name (1 rare .. 13; 7 is 0.25-0.5% of people) in Great Britain, Ireland or
the US from which the name is read as a name although it is a frequent English word ("Michael", "David", "Mark"; not
"Will", "Grant", "Hope")."""


@cache
def english_given_names() -> frozenset[str]:
    """Lower-case given names at least ``ENGLISH_NAME_FREQUENCY`` in an English-speaking country (gender-guesser's
    dictionary: name in columns 4-29, a "+" in column 30 marks a duplicate spelling, the frequencies of Great
    Britain, Ireland and the US in columns 31-33)."""
    text = files("gender_guesser").joinpath("data", "nam_dict.txt").read_text(encoding="utf-8")
    names = set()
    for line in text.splitlines():
        if line[:1] in ("#", "=") or len(line) < 33 or line[29] == "+":
            continue
        if any(c != " " and int(c, 16) >= ENGLISH_NAME_FREQUENCY for c in line[30:33]):
            names.add(line[3:29].strip().lower())
    return frozenset(names)


def country_surname(given: str, country: str) -> bool:
    """Whether ``country``, a country's name (not a demonym) after the one given name ``given``, is the person's
    surname: the given name is no English word unless a frequent name in English ("Lisa Monaco", "Michael Jordan";
    not "Will Iran"), and names no country nor a place of that country ("Georgia Jordan", "Victoria Australia")."""
    code = gazetteer.country_names().get(fold(country))
    if code is None or not gazetteer.is_first_name(given):
        return False
    if gazetteer.is_common_word(given) and given.lower() not in english_given_names():
        return False
    alpha2 = gazetteer.countries()[code].alpha2
    return not any(
        place.kind == "country" or place.country_code == alpha2 for place in gazetteer.places().get(fold(given))
    )
