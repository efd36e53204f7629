"""The given-name rule the actor and place rules share: a country's name after one given name is that person's
surname ("Lisa Monaco", "Michael Jordan"), not a country of the news; and whether an article names such a country
by something else too (``names_country``), when its name alone is the country ("Jordan has hosted refugees")."""

from __future__ import annotations

import re

from pipeline.enrich import gazetteer
from pipeline.enrich.mentions import fold, split_sentences
from pipeline.enrich.scan import scan_sentence
from pipeline.text import MONTHS, WEEKDAYS

EVIDENCE_POPULATION = 15_000
"""Fewest people of a town whose name in an article says the article is about the town's country (``names_country``:
"Amman", "Irbid"); smaller towns share their names with people and other places."""
STATE_WORDS = (
    "king|queen|prince|emir|sultan|president|prime minister|premier|(?:[a-z]+ )?minister|government|parliament|army|"
    "military|embassy|ambassador|capital|border|borders|economy|monarchy"
)
"""Words of a country's offices and body: "Jordan's King Abdullah", "Jordan's foreign minister", "King Abdullah of
Jordan" say the country, not a person surnamed so."""


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


def names_country(text: str, surname: str) -> bool:
    """Whether an article names the country ``surname`` names otherwise than by that word, so that a lone
    "Jordan" is the country although a person of the article is surnamed so ("Michael Jordan met King Abdullah in
    Amman. Jordan has hosted refugees."): another of the country's names, its demonym ("Jordanian"), or a place
    of it, the capital, a division or a town of ``EVIDENCE_POPULATION`` people or more that is its name's most
    populous place and no given name ("Amman", "Irbid"; not "Douglas", the Isle of Man's capital), or one of its
    offices (``STATE_WORDS``: "Jordan's King Abdullah", "King Abdullah of Jordan")."""
    code = gazetteer.country_names().get(fold(surname))
    if code is None:
        return False
    name = re.escape(surname)
    offices = rf"(?i:{STATE_WORDS})"
    if re.search(rf"\b{name}['’]s (?:[a-z]+ )?{offices}\b|\b{offices}(?: [A-Z]\w+)? of {name}\b(?! [A-Z])", text):
        return True
    alpha2, capitals = gazetteer.countries()[code].alpha2, gazetteer.capitals()
    for sentence in split_sentences(text):
        for run in scan_sentence(sentence).runs:
            names = gazetteer.run_names(run.words)
            for start in range(len(run.words)):
                for end, key in names.spans(start):
                    if key == fold(surname):
                        continue
                    if gazetteer.country_names().get(key) == code or gazetteer.demonyms().get(key) == code:
                        return True
                    top = next(iter(gazetteer.places().get(key)), None)
                    if (
                        top is not None
                        and top.country_code == alpha2
                        and top.kind != "country"
                        and (end > start + 1 or not gazetteer.is_first_name(run.words[start]))
                        and (top.kind != "city" or top.population >= EVIDENCE_POPULATION or top.location_id in capitals)
                    ):
                        return True
    return False


def names_state_town(text: str, name: str) -> bool:
    """Whether an article names a town of ``EVIDENCE_POPULATION`` people or more of the US state called ``name``
    ("Georgia's largest city" beside "Atlanta"), its most populous place of that name."""
    state = next((place for place in gazetteer.places().get(fold(name)) if place.country_code == "US"), None)
    if state is None or state.kind != "admin1":
        return False
    for sentence in split_sentences(text):
        for run in scan_sentence(sentence).runs:
            names = gazetteer.run_names(run.words)
            for start in range(len(run.words)):
                for _, key in names.spans(start):
                    top = next(iter(gazetteer.places().get(key)), None)
                    if (
                        top
                        and top.kind == "city"
                        and top.region == state.region
                        and top.population >= EVIDENCE_POPULATION
                    ):
                        return True
    return False
