"""The given-name rule the actor and place rules share: a country's name after one given name is that person's
surname ("Lisa Monaco", "Michael Jordan"), not a country of the news."""

from __future__ import annotations

from pipeline.enrich import gazetteer
from pipeline.enrich.mentions import fold
from pipeline.text import MONTHS, WEEKDAYS


def country_surname(given: str, country: str) -> bool:
    """Whether ``country``, a country's name (not a demonym) after the one given name ``given``, is the person's
    surname: the given name is no English word unless a frequent name in English ("Lisa Monaco", "Michael Jordan";
    not "Will Iran"), is no month or weekday ("In June Russia"), and names no country nor a place of that country
    ("Georgia Jordan", "Victoria Australia")."""
    code = gazetteer.country_names().get(fold(country))
    if code is None or not gazetteer.is_first_name(given) or given.lower() in MONTHS or given.lower() in WEEKDAYS:
        return False  # "In June Russia said": a date, not June Russia
    if gazetteer.is_common_word(given) and not gazetteer.is_english_given_name(given):
        return False
    alpha2 = gazetteer.countries()[code].alpha2
    return not any(
        place.kind == "country" or place.country_code == alpha2 for place in gazetteer.places().get(fold(given))
    )
