"""Locations: the places an article names, resolved to a gazetteer entry, with the primary location told apart.

Mentions (``place_mentions``): capitalised phrases are split into their longest sub-spans found in the gazetteer
(``pipeline.enrich.gazetteer``: countries, continents, first-level divisions, US counties, towns of 1,000+ people, 500+
in the US), plus AP state abbreviations after a comma ("Dekalb, Ill."). Countries, continents and divisions are places
wherever they are named ("U.S. officials", "China said"). A town must earn it: its evidence (log10 of its population,
plus a locative preposition before it, its country or US state named in the article, or a "Town, State" pattern) must
reach ``MIN_TOWN_EVIDENCE``; a name that is also a lower-case word of the text, a stop word, a given name or the surname
of a person named in the text needs a locative preposition or a "Town, State" pattern. Words of a person's name ("Rick
Perry", "Mary Wheeler": after a given name only a division, a country or a town of 15,000+ stays a place; a state or
country named like a given name is the place before two or more capitalised words, "Georgia Environmental Protection
Division"), calendar words, a common word heading a longer name ("University of Rochester", "North Lumpkin Street"), a
place naming a newspaper ("The New York Times"), a known body's name ("Agence France-Presse") and a country before a
dollar sign ("US$") are never places; a place inside an organisation's name ("Ohio State University", "Dublin City
Council") or a hyphenated word ("R-Charleston", "Denver-based") is one, as the place corpora mark them. A name with a
middle initial ("Tyrise M. Bell") is a person's; a report's opening place in capitals before a dash ("MANSFIELD — ") is
its dateline, a place.

Demonyms ("Egyptian mediators", "Turkish") name actors, not places: some corpora mark them as places, wirebeam
does not (the scoring leaves those gold mentions out); a demonym still puts its country into the article's context.

Disambiguation, one entry per name in an article (its spans share their cues and "Town, State" patterns): the
entry with the best score wins: log10(population) (capped at ``MAX_PRIOR``), plus 2 when the article names its
country, 4 when it names its US state or a division within ``NEAR_KM``, 6 for a "Town, State" pattern naming its
state or country, and ``SUPPORT_BONUS`` for each other place name of the article that could lie near it (a
place within ``CLOSE_KM`` counts 1, in a neighbouring ``CELL_DEGREES`` grid cell ``NEIGHBOUR_SUPPORT``, in the same
US state only half): co-mentioned places cluster, so "Springfield", "Greene County" and "Rogersville" together are
the ones in Missouri. A second pass adds what the first found (countries of towns, states: "Gainesville" makes
"Georgia" the US state) and counts support from the entries chosen. Divisions and countries named by their exact
name outrank towns of the same name unless the context says otherwise; a country's name lends no support through
the towns that share it (Egypt, Georgia), and a national capital named like a division is the capital
("Washington") unless a town the article names could lie in the division. A town the paper's web host names
("columbustelegram.com") counts as one more place name of the article: resolved with the others, it lends them
support. A county's name without "County" is the county the article names in full ("DeKalb's plan" beside "DeKalb
County"), unless it is a big city's. A town alone in its country, when the article names other countries but not
its own or a neighbour, or alone in its US state, when the article names other states, needs more evidence (a Kenyan
report's "Nyanza" is no Rwandan town).

Primary location: each mention scores 1, +2 after a locative preposition, +6 when that preposition follows an
event word ("talks in Cairo", "protests in Bolivia"), doubled in the headline. The primary is the place with the
most event-cued score, else the most locative-cued score; a country loses a tie to a city. Others are
*concerned* places.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import NamedTuple
from urllib.parse import urlsplit

from pipeline.enrich import gazetteer
from pipeline.enrich.actors import (
    ACTOR_PLACE_POPULATION,
    FEATURE_WORDS,
    NEWSPAPER_WORDS,
    PERSON_TITLES,
    SPEECH_VERBS,
    STOP_WORDS,
)
from pipeline.enrich.mentions import bounded_memo, fold, sentence_spans
from pipeline.enrich.scan import Run, gap_after_next, gap_before, scan_sentence, words_before
from pipeline.enrich.surnames import country_surname, names_country
from pipeline.text import CONNECTORS

LOGGER = logging.getLogger(__name__)

LOCATIVES = frozenset(
    {"in", "at", "near", "from", "outside", "across", "throughout", "inside", "to", "into", "of", "around", "towards"}
)
STRONG_LOCATIVES = LOCATIVES - {"of", "to"}
"""Prepositions after which a name is a place ("of" and "to" also precede people and organisations)."""
EVENT_WORDS = frozenset(
    [
        "talks",
        "negotiations",
        "negotiation",
        "summit",
        "meeting",
        "meetings",
        "met",
        "gathered",
        "convened",
        "conference",
        "protest",
        "protests",
        "rally",
        "rallies",
        "march",
        "clashes",
        "clash",
        "attack",
        "attacks",
        "strike",
        "strikes",
        "airstrike",
        "bombing",
        "shooting",
        "explosion",
        "election",
        "elections",
        "vote",
        "ceremony",
        "visit",
        "hearing",
        "trial",
        "court",
        "game",
        "match",
        "concert",
        "festival",
        "show",
        "launch",
        "opened",
        "arrested",
        "killed",
        "died",
        "injured",
        "stalled",
        "stumble",
        "stumbled",
        "ended",
        "concluded",
        "began",
        "resumed",
        "flood",
        "earthquake",
        "crash",
        "outbreak",
        "cases",
    ]
)
"""Words after which "in <place>" says where the event itself happens."""

GENERIC_COUNTRY_DOMAINS = frozenset({"AI", "CC", "CO", "FM", "GG", "IO", "LY", "ME", "TV", "WS"})
"""Country-code domains used as generic names ("bit.ly", "twitch.tv"): they say nothing of a site's country."""
DIRECTION_WORDS = frozenset({"the", "northern", "southern", "eastern", "western", "central", "north", "south"})
BROAD_KINDS = frozenset({"country", "continent", "admin1", "admin2"})
MIN_TOWN_EVIDENCE = 6.0
"""A town is a place when its evidence reaches this (chosen on each half of the place corpora: 6.0 on both)."""
CUE_EVIDENCE = 1.5
COUNTRY_EVIDENCE = 1.0
REGION_EVIDENCE = 2.5
PATTERN_EVIDENCE = 4.0
DIVISION_EVIDENCE = 1.5
"""A division named by its own name ("Gaza", "Alberta") is likelier a place than a town of its size."""
AMBIGUOUS_PENALTY = 3.0
LONE_DIVISION_PENALTY = 1.0
"""Taken from a foreign division named without a preposition when the article names neither its country nor a
neighbour ("Jewish" community, "Mary", "BA" flights; chosen on both halves: any value from 1 to 3 does as well)."""
MUNICIPAL_WORDS = frozenset({"police", "sheriff", "mayor", "council", "township", "fire", "schools", "selectmen"})
"""Words after a name that make it a town's, as a preposition does ("Grand Ledge Police Chief", "Ozark police")."""
FOREIGN_PENALTY = 3.0
"""Evidence a town loses when the article names countries but neither the town's nor a neighbour of it, and names
no other place in the town's country (chosen on half A of the place corpora among 1, 2 and 3)."""
OTHER_STATE_PENALTY = 2.0
"""Evidence a US town loses when the article names US states but not the town's, and no other place in it (chosen
on half A among 1, 2 and 3)."""
NEAR_KM = 250
LOCAL_KINDS = frozenset({"city", "admin2"})
BIG_TOWN_POPULATION = 100_000
"""A town this big keeps its own name beside a county of the same name (Dallas and Dallas County)."""
CELL_DEGREES = 1.25
"""Grid cell of the co-mention check: two places in neighbouring cells (within ~125-250 km) are near (chosen with
the settings of ``benchmarks.enrichment``)."""
SUPPORT_BONUS = 1.5
"""Per other place name of the article that could lie near an entry (same US state or neighbouring cell)."""
SUPPORT_EVIDENCE = 1.0
"""A town near up to two other places the article names gains this much evidence per place."""
MAX_CANDIDATES = 25
STATE_SUPPORT = 0.5
NEIGHBOUR_SUPPORT = 0.75
"""Support from a place in a neighbouring cell but not within ``CLOSE_KM``: Athens, Texas, lies in Henderson County,
Texas; Athens, Georgia, only in a cell beside Henderson County, North Carolina (chosen with the settings of
``benchmarks.enrichment``)."""
CLOSE_KM = 150
KM_PER_DEGREE = 6371.0 * math.pi / 180
"""A place this close lends full support (chosen on each half: 150 over 60 and 100 on both)."""
EVIDENCE_CANDIDATES = 5
GENERIC_WORDS = FEATURE_WORDS | frozenset(
    [
        "north",
        "south",
        "east",
        "west",
        "central",
        "northern",
        "southern",
        "eastern",
        "western",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "island",
        "university",
        "center",
        "centre",
        "creek",
        "bay",
        "delta",
        "tour",
        "rivers",
        "river",
        "lake",
        "valley",
        "park",
        "beach",
        "harbor",
        "port",
        "union",
        "metro",
        "mission",
        "enterprise",
        "liberty",
        "independence",
        "unity",
        "hope",
        "victory",
    ]
)
"""Words that also name towns but, alone and without a preposition, are compass points or common nouns."""
STATE_TOWN_POPULATION = 100_000
"""A town named like a US state is read as that town only when it is a city this big (Washington, New York City) or
in a "Town, State" pattern: villages called California or Oklahoma, Pennsylvania, cluster and outvote the states."""
CAPITAL_BONUS = 4.0
"""Given to a national capital named like a division of its country, as news names the capital (Washington, D.C.,
against Washington state), unless a town the article names could lie in the division ("Yakima, Washington")."""
ALTERNATE_PENALTY = 3.0
"""Prior taken from a town matched by one of its alternate names (Berea, an old name of Aleppo, is a town in
Kentucky first)."""
MAX_PRIOR = 7.0
"""Population prior cap: a country or continent weighs like a city of ten million, so context can outweigh it."""
EVENT_WINDOW = 4
"""Words read before a name's preposition for an event word."""
_INITIAL = re.compile(r"[A-Z]\.")
_LOWER_WORD = re.compile(r"\b[a-z][a-z]+\b")
DATELINE_MARKS = ("—", "–", "-", ",", "(")
"""What follows a dateline's place in capitals at the start of a report ("MANSFIELD — The ...")."""


class PlaceMention(NamedTuple):
    """One place name in an article: where (``start``/``end`` in the text, or in the title when ``in_title``)."""

    start: int
    end: int
    surface: str
    place: gazetteer.Place
    in_title: bool
    cue: int
    sentence: str


@dataclass(frozen=True)
class Location:
    """A place an article names, resolved to a gazetteer entry."""

    location_id: str
    name: str
    kind: str
    country_code: str
    latitude: float | None
    longitude: float | None
    is_primary: bool
    score: int
    mentions: int
    evidence: str


class _Span(NamedTuple):
    """A gazetteer hit before resolution (a named tuple: made a dozen times per article, cheaper than a frozen
    dataclass)."""

    sentence: int
    start: int
    end: int
    surface: str
    candidates: tuple[gazetteer.Place, ...]
    cue: int
    locative: bool
    ambiguous: bool
    pattern: tuple[gazetteer.Place, ...]
    exact_broad: bool


def _cue(before: Iterator[str]) -> tuple[int, bool]:
    """(primary cue, strong locative) of a name from the lower-cased words before it, nearest first: 2 after a
    locative preposition, 6 when an event word shortly precedes it."""
    for word in before:
        if word not in DIRECTION_WORDS:
            break
    else:
        return 0, False
    if word not in LOCATIVES:
        return 0, False
    window = islice(before, EVENT_WINDOW)
    return (6 if any(other in EVENT_WORDS for other in window) else 2), word in STRONG_LOCATIVES


def _within_km(a: gazetteer.Place, b: gazetteer.Place, km: float) -> bool:
    """Whether two places lie within ``km`` of each other (places without a point never do). Places whose latitudes
    alone lie further apart (most pairs) need no great-circle distance: it is at least the distance along a
    meridian (a kilometre to spare for rounding)."""
    if a.latitude is None or b.latitude is None or abs(a.latitude - b.latitude) * KM_PER_DEGREE > km + 1:
        return False
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) <= km


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _abbreviation(sentence: str, run: Run, position: int) -> tuple[gazetteer.Place, ...]:
    """A US/Canadian abbreviation: dotted ones anywhere ("W.Va.", "B.C."), AP ones ("Ga.") after a comma; the word
    at ``position`` in a run, or the word after the run."""
    inside = position < len(run.words)
    word = run.raw[position] if inside else run.next_word
    key = word.rstrip(".")
    place = gazetteer.abbreviations().get(key)
    if place is None:
        return ()
    if "." in key:
        return (place,)
    before, after = _gaps(sentence, run, position) if inside else (run.gap_after, gap_after_next(sentence, run))
    return (place,) if "," in before and (word.endswith(".") or after.startswith(".")) else ()


def _gaps(sentence: str, run: Run, position: int, count: int = 1) -> tuple[str, str]:
    """The gaps before and after ``count`` words of a run from ``position`` (inside the run: a space)."""
    before = gap_before(sentence, run) if position == 0 else " "
    return before, run.gap_after if position + count == len(run.words) else " "


def _sentences(
    title: str, text: str | None, body: Sequence[tuple[int, str]] | None = None
) -> list[tuple[bool, int, str]]:
    out = [(True, 0, title)] if title and title.strip() else []
    body = sentence_spans(text or "") if body is None else body
    return out + [(False, start, sentence) for start, sentence in body]


# What a run's words say on their own: gazetteer hits (kind "place", "abbreviation" or "hyphen", position, end,
# the folded name of a place, (ambiguous by shape, the lower-case word that makes it ambiguous when the text uses it)),
# the folded words of people's names, and the countries of demonyms. Plain tuples of strings and numbers (no
# NamedTuple, frozenset or Place): the collector stops tracking those, so a worker's memo adds nothing to its full
# collections.
_Reading = tuple[tuple[tuple, ...], tuple[str, ...], tuple[str, ...]]


@bounded_memo(16_384)
def _reading(words: tuple[str, ...]) -> _Reading:
    """A run's reading, longest gazetteer match first (memoised by surface form: names recur within and across
    articles)."""
    if len(words) > 2 and any(_INITIAL.fullmatch(word) for word in words[1:-1]):
        # "Tyrise M. Bell": a name with a middle initial is a person's
        return (), tuple({fold(word) for word in words if not _INITIAL.fullmatch(word)}), ()
    names = gazetteer.places()
    hits: list[tuple] = []
    people: set[str] = set()
    countries: list[str] = []
    run = gazetteer.run_names(words)
    known = gazetteer.name_tables()[0]
    demonyms, abbreviations, organisations = (
        gazetteer.demonyms(),
        gazetteer.abbreviations(),
        gazetteer.organisation_names(),
    )
    position = 0
    while position < len(words):
        found = None
        word = words[position]
        if "." in word and word.rstrip(".") in abbreviations:
            # "Fla.", "Minn.": a state's abbreviation before any town it spells ("Flå", "Minden")
            hits.append(("abbreviation", position, position + 1, "", None))
            position += 1
            continue
        organisation = 0
        for end, key in run.spans(position):
            if key in known and (candidates := names.get(key)):
                found = (end, key, candidates)
                break
            if key in organisations and end > position + 1:
                organisation = end  # "Agence France-Presse": a known body's name holds no place
                break
        if organisation:
            position = organisation
            continue
        titled = words[position].lower().rstrip(".") in PERSON_TITLES
        if titled and (found is None or found[0] == position + 1) and (named := _name_words(words[position + 1 :])):
            # a title and a name ("Prince Harry"), unless the title opens a longer place name ("Prince Edward Island")
            people.update(fold(w) for w in named)
            position += 1 + len(named)
            continue
        if found is None:
            word = words[position]
            if word.rstrip(".") in abbreviations:
                hits.append(("abbreviation", position, position + 1, "", None))
            if "-" in word:
                hits.append(("hyphen", position, position + 1, "", None))
            if (code := demonyms.get(run.folded[position])) is not None:
                countries.append(gazetteer.countries()[code].alpha2)
            if word.lower() not in STOP_WORDS and (gazetteer.is_first_name(word) or word.lower() in PERSON_TITLES):
                # a person's name: the capitalised words after a given name or title are not places
                named = _name_words(words[position + 1 :])
                if named and (not _names_place(names.get(fold(" ".join(named)))) or _surname(words, position, named)):
                    people.update(fold(w) for w in named)
                    position += 1 + len(named)
                    continue
            position += 1
            continue
        end, key, candidates = found
        if end < len(words) and words[end].lower().rstrip(".") in NEWSPAPER_WORDS:
            position = end + 1  # "The New York Times", "Midland Daily News": a paper's name
            continue
        if end < len(words) and words[end].lower().rstrip(".") in FEATURE_WORDS:
            position = end + 1  # "Eldorado Valley", "Berea Road": a feature named after a place
            continue
        span_words = words[position:end]
        named = _name_words(words[end:])
        if (
            end - position == 1
            and named
            and span_words[0].lower() not in STOP_WORDS
            and gazetteer.is_first_name(span_words[0])
            and (not _names_place(names.get(fold(" ".join(named)))) or _surname(words, position, named))
            and not (candidates[0].kind in ("country", "admin1") and len(named) > 1)
        ):
            people.update(fold(w) for w in named)
            position = end + len(named)
            continue
        previous = words[position - 1] if position else ""
        after_person = (
            position > 0
            and previous.lower() not in STOP_WORDS
            and (gazetteer.is_first_name(previous) or previous.lower().rstrip(".") in PERSON_TITLES)
        )
        single = end - position == 1
        if key in demonyms:
            countries.append(gazetteer.countries()[demonyms[key]].alpha2)
        short_capitals = single and span_words[0].isupper() and len(span_words[0].rstrip(".")) <= 3
        by_code = all(place.kind == "admin1" and fold(place.name) != key for place in candidates)
        if (
            (short_capitals and candidates[0].kind not in ("country", "admin1"))
            or (by_code and not span_words[0].isupper())  # "ACT" is a territory, "the Act" a law
            or (single and span_words[0].lower() in STOP_WORDS)
            or key in organisations
            or (after_person and candidates[0].kind not in ("country", "continent"))
            or (key in demonyms and candidates[0].kind != "country")
        ):
            if after_person:
                people.add(key)
            position = end
            continue
        if single and end < len(words) and key in GENERIC_WORDS:
            # a common word heading a longer name ("University of Rochester", "Central Activities Center")
            position = end
            continue
        shaped = single and (key in GENERIC_WORDS or (span_words[0].isupper() and len(span_words[0]) > 3))
        hits.append(("place", position, end, key, (shaped, span_words[0].lower() if single else None)))
        position = end
    return tuple(hits), tuple(people), tuple(countries)


def _spans(sentences: list[tuple[bool, int, str]], context: set[str]) -> list[_Span]:
    """Every gazetteer hit of the article, longest match first inside each capitalised phrase; adds the countries
    of demonyms met to ``context``."""
    lower_words = _LowerWords("\n".join(sentence for _, _, sentence in sentences))
    people: set[str] = set()
    spans: list[_Span] = []
    for index, (_, _, sentence) in enumerate(sentences):
        scanned = scan_sentence(sentence)
        title_case = scanned.title_case
        for run in scanned.runs:
            hits, run_people, countries = _reading(run.words)
            if run_people:
                people.update(run_people)
            if countries:
                context.update(countries)
            for kind, position, end, key, ambiguity in hits:
                if kind == "abbreviation":
                    if abbreviated := _abbreviation(sentence, run, position):
                        spans.append(_make(index, sentence, run, position, 1, abbreviated, False, title_case))
                elif kind == "hyphen":
                    spans.extend(_hyphen_parts(index, sentence, run, position, lower_words, title_case))
                elif end == len(run.words) and run.gap_after[:1] == "$":
                    continue  # a currency ("US$1,800", "A$5"), no place
                else:
                    ambiguous = ambiguity[0] or ambiguity[1] in lower_words
                    candidates = gazetteer.places().get(key)
                    span = _make(index, sentence, run, position, end - position, candidates, ambiguous, title_case)
                    if not span.locative and _speaker(run, position, end, candidates):
                        people.add(key)  # "Brent told CTV": a person, and so is "Brent" elsewhere
                        continue
                    spans.append(span)
    return [
        span
        for span in spans
        if span.locative
        or fold(span.surface) not in people
        or (  # a surname that is a country the article names otherwise ("Amman", "Jordanian")
            span.candidates[0].kind == "country"
            and names_country("\n".join(sentence for _, _, sentence in sentences), span.surface)
        )
    ]


def _speaker(run: Run, position: int, end: int, candidates: tuple[gazetteer.Place, ...]) -> bool:
    """Whether a one-word name that closes its run and is a given name says something ("Brent told", "Clayton
    said"): a person, unless the name is a country's or a state's ("Jordan said") or follows a preposition ("in
    London said")."""
    return (
        end == len(run.words)
        and end - position == 1
        and run.next_word.lower() in SPEECH_VERBS
        and candidates[0].kind not in ("country", "admin1")
        and gazetteer.is_first_name(run.words[position])
    )


class _LowerWords:
    """The words an article writes in lower case (whole words of the letters a-z, as ``_LOWER_WORD`` finds them:
    "mobile" beside "Mobile"), looked up on demand: an article asks about a few words, and listing all its words
    costs more."""

    __slots__ = ("_seen", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._seen: dict[str | None, bool] = {}

    def __contains__(self, word: str | None) -> bool:
        seen = self._seen.get(word)
        if seen is None:
            seen = self._seen[word] = bool(word and _LOWER_WORD.fullmatch(word) and _whole_word_in(self._text, word))
        return seen


def _whole_word_in(text: str, word: str) -> bool:
    """Whether ``word`` stands in ``text`` with no word character (``\\w``) either side of it."""
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        if (start == 0 or not _word_char(text[start - 1])) and (end == len(text) or not _word_char(text[end])):
            return True
        start = text.find(word, start + 1)
    return False


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _names_place(candidates: tuple[gazetteer.Place, ...]) -> bool:
    """Whether words after a given name name a place rather than a surname: a division, a country or a town of at
    least ``ACTOR_PLACE_POPULATION`` ("Mary Wheeler" is a person; smaller towns share their names with people)."""
    return any(place.kind != "city" or place.population >= ACTOR_PLACE_POPULATION for place in candidates)


def _surname(words: tuple[str, ...], position: int, named: tuple[str, ...]) -> bool:
    """Whether one country's name after the given name at ``position`` ends the run and so a person's name
    (``country_surname``: "Lisa Monaco", "Michael Jordan"; not "Jordan Israel", "Will Iran")."""
    return len(named) == 1 and position + 2 == len(words) and country_surname(words[position], named[0])


def _name_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """The capitalised words that continue a person's name (up to a connector such as "of"); none when they end in
    a street or a feature ("Alton Edwardsville Road" is no person)."""
    out = []
    for word in words:
        if word in CONNECTORS:
            break
        if word.lower().rstrip(".") in FEATURE_WORDS:
            return ()
        out.append(word)
    return tuple(out)


def _hyphen_parts(index, sentence, run, position, lower_words, title_case) -> list[_Span]:
    """Places inside a hyphenated word: "R-Charleston", "Denver-based", "India-Pakistan border"."""
    spans = []
    word = run.words[position]
    offset = run.spans[position][0]
    for part in word.split("-"):
        key = fold(part)
        if len(part) > 1 and part[0].isupper() and part.lower() not in STOP_WORDS:
            candidates = gazetteer.places().get(key)
            if candidates and key not in gazetteer.organisation_names():
                ambiguous = part.lower() in lower_words or key in GENERIC_WORDS
                spans.append(
                    _make(index, sentence, run, position, 1, candidates, ambiguous, title_case, (part, offset))
                )
        offset += len(part) + 1
    return spans


def _make(index, sentence, run, position, count, candidates, ambiguous, title_case, part=None) -> _Span:
    """The span of ``count`` words of a run from ``position`` (or of ``part``: (a piece of a hyphenated word, its
    offset))."""
    stop = position + count
    words = run.words[position:stop] if part is None else part[:1]
    cue, locative = _cue(words_before(sentence, run.spans[position][0]))
    gap_after = run.gap_after if stop == len(run.words) else " "
    following = run.words[stop] if stop < len(run.words) else (run.next_word if gap_after == " " else "")
    if part is None and following.lower() in MUNICIPAL_WORDS:
        locative = True  # "Ozark police", "Grand Ledge Police Chief": the name is a town's
    dateline = position == 0 and run.opens and all(word.isupper() for word in words)
    if dateline and gap_after.strip()[:1] in DATELINE_MARKS:
        cue, locative, ambiguous = max(cue, 2), True, False
    pattern: tuple[gazetteer.Place, ...] = ()
    if run.next_word and stop == len(run.words) and gap_after.strip() == ",":
        after = _abbreviation(sentence, run, stop) or gazetteer.places().get(fold(run.next_word))
        towns = [place for place in after if place.kind == "city"][:1]
        pattern = tuple(place for place in after if place.kind in ("country", "admin1")) + tuple(towns)
    surface = " ".join(words)
    exact = candidates[0].kind in BROAD_KINDS
    end = run.spans[stop - 1][1]
    if len(run.raw[stop - 1]) > len(words[-1]) and run.raw[stop - 1][-2:] in ("'s", "’s"):
        end -= 2
    if part is not None:
        end = part[1] + len(part[0])
    return _Span(
        index,
        run.spans[position][0] if part is None else part[1],
        end,
        surface,
        candidates,
        cue,
        locative,
        ambiguous or (title_case and not locative),
        pattern,
        exact,
    )


class _Context(NamedTuple):
    """Countries, US states and other divisions an article names, and which names name them: a name's own
    entries are no context for itself ("New York" the state does not make "New York" the city a town in a named
    state)."""

    countries: set[str]
    states: set[str]
    divisions: list[gazetteer.Place]
    named: dict[str, list[tuple[str, str]]]
    counts: Counter

    def add(self, key: str, kind: str, code: str) -> None:
        if (kind, code) not in self.named[key]:
            self.named[key].append((kind, code))
            self.counts[(kind, code)] += 1

    def without(self, key: str) -> tuple[set[str], set[str], list[gazetteer.Place]]:
        """The context less what only ``key`` names."""
        sole = [item for item in self.named.get(key, ()) if self.counts[item] == 1]
        if not sole:
            return self.countries, self.states, self.divisions
        return (
            self.countries - {code for kind, code in sole if kind == "country"},
            self.states - {code for kind, code in sole if kind == "state"},
            [place for place in self.divisions if ("division", place.location_id) not in sole],
        )


def _context(merged: dict[str, _Span], demonym_countries: set[str]) -> _Context:
    """Countries, US states and other divisions the article names unambiguously (by a name no other country or
    division has: "Georgia" says nothing), or by a demonym (countries)."""
    context = _Context(set(demonym_countries), set(), [], defaultdict(list), Counter())
    for code in demonym_countries:
        context.counts[("country", code)] += 1
    for key, span in merged.items():
        top = span.candidates[0]
        if not span.exact_broad or span.ambiguous or sum(c.kind in BROAD_KINDS for c in span.candidates) > 1:
            continue
        if top.kind in ("country", "admin1", "admin2"):
            _add(context, key, top)
    return context


def _add(context: _Context, key: str, place: gazetteer.Place) -> None:
    """``place``, named by ``key``, joins the context: its country, and its US state or division."""
    context.countries.add(place.country_code)
    context.add(key, "country", place.country_code)
    if place.kind in ("admin1", "admin2"):
        if place.region:
            context.states.add(place.region)
            context.add(key, "state", place.region)
        elif place not in context.divisions:
            context.divisions.append(place)
            context.add(key, "division", place.location_id)


CELL_ROW = 1 << 16
"""A grid cell is one number, its row (latitude) times this plus its column (longitude): the article's cells are
counted and looked up by the thousand, and a number hashes for free where a pair of numbers does not."""


def _cell(place: gazetteer.Place) -> int | None:
    """The coarse grid cell (``CELL_DEGREES``) of a town or county."""
    latitude = place.latitude
    if latitude is None or place.kind not in LOCAL_KINDS:
        return None
    return int(latitude // CELL_DEGREES) * CELL_ROW + int(place.longitude // CELL_DEGREES)


_AROUND = tuple(dy * CELL_ROW + dx for dy in (-1, 0, 1) for dx in (-1, 0, 1))
# memo values: one empty set for all that hold none, points as plain tuples (the collector stops tracking those)
EMPTY: frozenset = frozenset()
_Areas = tuple[frozenset[int], frozenset[str], tuple[tuple[float, float], ...]]


def _near_keys(places_: tuple[gazetteer.Place, ...]) -> _Areas:
    """(the 3 x 3 cells around, the US states of, the points of) these places."""
    if len(places_) == 1:
        return _place_areas(places_[0])
    cells, states, own = set(), set(), set()
    for place in places_:
        place_cells, place_states, place_points = _place_areas(place)
        cells |= place_cells
        states |= place_states
        own.update(place_points)
    return (frozenset(cells) if cells else EMPTY), (frozenset(states) if states else EMPTY), tuple(own)


def _place_areas(place: gazetteer.Place) -> _Areas:
    """``_near_keys`` of one place (not memoised: a memo keyed by ``Place`` costs about what it saves and keeps
    two objects per place for the collector's full passes; its cells and state are)."""
    cell = _cell(place)
    states = _region(place.region) if place.region else EMPTY
    if cell is None:
        return NO_AREAS if states is EMPTY else (EMPTY, states, ())
    return _around(cell), states, ((place.latitude, place.longitude),)


@bounded_memo(16_384)
def _around(cell: int) -> frozenset[int]:
    """The 3 x 3 cells around a cell (one set for every place in it)."""
    return frozenset(cell + step for step in _AROUND)


@lru_cache(maxsize=1_024)
def _region(region: str) -> frozenset[str]:
    """A US state as a set (one set for every place in it)."""
    return frozenset([region])


@bounded_memo(16_384)
def _possible_areas(key: str) -> _Areas:
    """The areas any entry of a name could lie in (memoised: the gazetteer does not change)."""
    return _near_keys(gazetteer.places().get(key)[:MAX_CANDIDATES])


class _Neighbours(NamedTuple):
    """The areas (cells, US states) each place name of an article could lie in, and how many names share each."""

    areas: dict[str, _Areas]
    cells: Counter
    states: Counter


def _neighbours(areas: dict[str, _Areas]) -> _Neighbours:
    cells: Counter = Counter()
    states: Counter = Counter()
    for name_cells, name_states, _ in areas.values():
        cells.update(name_cells)
        states.update(name_states)
    return _Neighbours(areas, cells, states)


NO_AREAS: _Areas = (EMPTY, EMPTY, ())


def _support(place: gazetteer.Place, key: str, neighbours: _Neighbours, own: _Areas | None = None) -> float:
    """How many other names of the article (not ``key``; ``own``: its areas, looked up when not given) could lie
    near ``place``: for each, 1 when one of its points lies within ``CLOSE_KM``, else ``NEIGHBOUR_SUPPORT`` when it
    could lie in a neighbouring cell, else ``STATE_SUPPORT`` when it could lie in the place's US state only; added
    up in the names' order."""
    cell = _cell(place)
    if cell is None:
        return 0.0
    own_cells, own_states, _ = neighbours.areas.get(key, NO_AREAS) if own is None else own
    region = place.region
    if neighbours.cells.get(cell, 0) == (cell in own_cells) and (
        not region or neighbours.states.get(region, 0) == (region in own_states)
    ):
        return 0.0  # no other name could lie near: most entries
    total = 0
    for other, (cells, states, points) in neighbours.areas.items():
        if other == key:
            continue
        if cell in cells:
            total += 1.0 if _within_close(place, points) else NEIGHBOUR_SUPPORT
        else:
            total += STATE_SUPPORT if region in states else 0.0
    return total


def _resolve(
    span: _Span,
    countries: set[str],
    states: set[str],
    divisions: list[gazetteer.Place],
    key: str = "",
    neighbours: _Neighbours | None = None,
) -> tuple[gazetteer.Place, float]:
    """The best entry of a span, and the evidence that the name is a place at all (its best-supported entry's).

    ``neighbours``: the areas the article's place names (the span's own, ``key``, left out) could lie in; an entry
    near many of them gains ``SUPPORT_BONUS`` each (co-mentioned places cluster)."""
    candidates = span.candidates
    if len(candidates) == 1:
        return _resolve_one(span, countries, states, key, neighbours)
    best, best_score, best_support = candidates[0], -math.inf, 0
    top = candidates[0]
    guarded = span.exact_broad and (top.kind == "continent" or top.location_id.startswith(gazetteer.REGION_PREFIX))
    state = span.exact_broad and top.kind == "admin1" and bool(top.region)
    capital = state and not _towns_within(top.region, key, neighbours)
    capitals = gazetteer.capitals() if capital else EMPTY
    pattern = span.pattern
    other_state = len(states) > 1
    # the loop reads each entry's fields once (entries are scored a dozen times an article); the score adds up in
    # the order the rules read
    own = neighbours.areas.get(key, NO_AREAS) if neighbours is not None else NO_AREAS
    for place in candidates[:MAX_CANDIDATES]:
        location_id, name, kind, country_code, _, _, population, region = place
        local = kind in LOCAL_KINDS
        fits = bool(pattern) and any(_within(place, container) for container in pattern)
        if local and (guarded or (state and population < STATE_TOWN_POPULATION)) and not fits:
            # "Middle East", "California": a town of that name only as "Middle East, Maryland", "California, Pa."
            continue
        score = min(math.log10(population + 1), MAX_PRIOR)
        if ALTERNATE_PENALTY and kind == "city" and fold(name) != key:
            score -= ALTERNATE_PENALTY
        support = _support(place, key, neighbours, own) if local and neighbours is not None else 0
        score += SUPPORT_BONUS * support
        if country_code in countries:
            score += 2
        if kind == "admin1":
            if region and (other_state or (states and region not in states)):
                score += 3  # another US state is named
        elif (region in states) if region else (divisions and _near_division(place, divisions)):
            score += 4  # in a US state the article names, or near a division it names
        if fits:
            score += 6
        if capital and location_id in capitals and country_code == top.country_code:
            score += CAPITAL_BONUS  # "Washington" alone is the capital, "Washington state" the state
        if kind == "country":
            score += 1 + (2 if gazetteer.neighbours().get(country_code, frozenset()) & countries else 0)
        if score > best_score:
            best, best_score, best_support = place, score, support
    leading = candidates[:EVIDENCE_CANDIDATES]
    if any(place.kind in ("country", "continent") for place in leading):
        return best, math.inf  # a country's or continent's evidence is infinite: the others need not be weighed
    evidence = max(_evidence(span, place, countries, states) for place in leading)
    if best.kind == "city":
        evidence = max(evidence, _evidence(span, best, countries, states) + SUPPORT_EVIDENCE * min(best_support, 2))
    return best, evidence


def _resolve_one(
    span: _Span, countries: set[str], states: set[str], key: str, neighbours: _Neighbours | None
) -> tuple[gazetteer.Place, float]:
    """``_resolve`` of a name with one entry (half of them): no scores to compare, only the evidence."""
    place = span.candidates[0]
    evidence = _evidence(span, place, countries, states)
    if place.kind == "city" and neighbours:
        evidence += SUPPORT_EVIDENCE * min(_support(place, key, neighbours), 2)
    return place, evidence


def _towns_within(region: str, key: str, neighbours: _Neighbours | None) -> bool:
    """Whether another place name of the article (not ``key``) could lie in a US state ("Yakima, Washington")."""
    if neighbours is None:
        return False
    return neighbours.states.get(region, 0) > (region in neighbours.areas.get(key, NO_AREAS)[1])


def _within_close(place: gazetteer.Place, points: tuple[tuple[float, float], ...]) -> bool:
    """Whether any of these points lies within ``CLOSE_KM`` of a place (an equirectangular distance: at these
    distances it is the great-circle one to within a kilometre)."""
    latitude, longitude = place.latitude, place.longitude
    squeeze = math.cos(math.radians(latitude)) ** 2
    limit = (CLOSE_KM / KM_PER_DEGREE) ** 2
    for lat, lon in points:  # noqa: SIM110 - a loop, not any() over a generator: thousands of times an article
        if (lat - latitude) ** 2 + squeeze * (lon - longitude) ** 2 <= limit:
            return True
    return False


def _near_division(place: gazetteer.Place, divisions: list[gazetteer.Place]) -> bool:
    """Whether a town or county outside the US lies near a division the article names."""
    return any(_within_km(place, division, NEAR_KM) for division in divisions)


def _within(place: gazetteer.Place, container: gazetteer.Place) -> bool:
    """Whether a "Place, Container" pattern fits: same country, same US state, or a nearby town."""
    if container.kind == "country":
        return container.country_code == place.country_code
    if container.region:
        return container.region == place.region
    return _within_km(place, container, NEAR_KM / 2)


def _evidence(span: _Span, place: gazetteer.Place, countries: set[str], states: set[str]) -> float:
    _, _, kind, country_code, _, _, population, region = place
    if kind in ("country", "continent"):
        return math.inf
    # each rule adds its weight only when it holds (adding 0.0 changes no sum)
    evidence = math.log10(population + 1)
    locative = span.locative
    if locative:
        evidence += CUE_EVIDENCE
    if country_code in countries:
        evidence += COUNTRY_EVIDENCE
    if region and region in states and kind != "admin1":
        evidence += REGION_EVIDENCE
    fits = bool(span.pattern) and any(_within(place, p) for p in span.pattern)
    if fits:
        evidence += PATTERN_EVIDENCE
    if kind in ("admin1", "admin2"):
        evidence += DIVISION_EVIDENCE
    if kind == "admin1" and not region and not locative and not _region_named(place, countries):
        evidence -= LONE_DIVISION_PENALTY
    if span.ambiguous and not (locative or fits):
        evidence -= AMBIGUOUS_PENALTY * 3
    return evidence


def host_country(url: str | None) -> str | None:
    """The country of a URL's country-code domain ("lfpress.ca" -> "CA", "bbc.co.uk" -> "GB"), or None (".com",
    and country codes sold as generic names: ".tv", ".io")."""
    suffix = _hostname(url).rpartition(".")[2].upper()
    if len(suffix) != 2 or suffix in GENERIC_COUNTRY_DOMAINS:
        return None
    code = "GB" if suffix == "UK" else suffix
    return code if code in _alpha2_codes() else None


HOST_PREFIX = "host:"
"""Keys of the towns a web host names, among an article's place names."""
MIN_HOST_TOWN_CHARS = 5


def host_towns(url: str | None) -> tuple[str, ...]:
    """Folded names of the towns a URL's host begins or ends with, longest first ("columbustelegram.com" ->
    "columbus", "onlineathens.com" -> "athens", "thecolumbiastar.com" -> "columbia"): a local paper's town."""
    host = _hostname(url)
    return _host_towns(host) if host else ()


@lru_cache(maxsize=8)
def _hostname(url: str | None) -> str:
    """A URL's host name ("" for none or a malformed URL); memoised: both host readers parse the same URL."""
    if not url:
        return ""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


@bounded_memo(4_096)
def _host_towns(host: str) -> tuple[str, ...]:
    index = gazetteer.host_towns()
    found = []
    for label in host.split(".")[:-1]:
        label = label.removeprefix("the")
        for size in range(len(label), MIN_HOST_TOWN_CHARS - 1, -1):
            key = index.get(label[:size]) or index.get(label[-size:])
            if key:
                found.append(key)
                break
    return tuple(dict.fromkeys(found))


def _host_span(key: str) -> _Span:
    """A town a web host names, as one more place name of the article (no mention of its own): it is resolved
    with the others and lends them co-mention support."""
    towns = tuple(place for place in gazetteer.places().get(key) if place.kind == "city")
    return _Span(-1, 0, 0, key, towns, 0, True, False, (), False)


@lru_cache(maxsize=1)
def _alpha2_codes() -> frozenset[str]:
    return frozenset(country.alpha2 for country in gazetteer.countries().values())


def _region_named(place: gazetteer.Place, countries: set[str]) -> bool:
    """Whether the article names a place's country or a country bordering it."""
    code = place.country_code
    return code in countries or not gazetteer.neighbours().get(code, frozenset()).isdisjoint(countries)


def place_mentions(
    title: str,
    text: str | None,
    min_evidence: float = MIN_TOWN_EVIDENCE,
    url: str | None = None,
    body: Sequence[tuple[int, str]] | None = None,
) -> list[PlaceMention]:
    """Every place the headline and text name, resolved, in reading order. ``url``: the article's address, whose
    country-code domain counts as a country the article names (a Canadian paper's "London" is in Ontario);
    ``body``: the text's sentences with their offsets (``sentence_spans``), split here when not given."""
    if not isinstance(title, str):
        raise TypeError("title must be a string")
    sentences = _sentences(title, text, body)
    demonym_countries: set[str] = set()
    spans = _spans(sentences, demonym_countries)
    if (code := host_country(url)) is not None:
        demonym_countries.add(code)
    # one entry per name in an article: the spans of a name share their patterns and cues
    by_name: dict[str, list[_Span]] = defaultdict(list)
    for span in spans:
        by_name[fold(span.surface)].append(span)
    merged = {key: _merge_spans(group) for key, group in by_name.items()}
    for key in host_towns(url):
        if key not in merged:
            merged[HOST_PREFIX + key] = _host_span(key)
    context = _context(merged, demonym_countries)
    possible = {
        key: NO_AREAS if _names_country(span) else _possible_areas(key.removeprefix(HOST_PREFIX))
        for key, span in merged.items()
    }
    neighbours = _neighbours(possible)
    named = (frozenset(context.countries), frozenset(context.states))  # what the article itself names
    chosen = {key: _resolve(span, *context.without(key), key, neighbours) for key, span in merged.items()}
    found = Counter(
        code
        for place, evidence in chosen.values()
        if evidence >= min_evidence
        for code in (place.country_code, place.region)
        if code
    )
    # second pass: what the first pass found joins the context ("Gainesville" makes "Georgia" the state)
    # (a town's own country counts for it too: that settles "Henderson" near "Boulder City")
    for key, (place, evidence) in chosen.items():
        if evidence >= min_evidence and place.kind == "city":
            context.countries.add(place.country_code)
            context.counts[("country", place.country_code)] += 1
        elif evidence >= min_evidence and place.kind == "admin1" and place.region:
            _add(context, key, place)
    near = {
        key: _near_keys((place,)) if place.kind in LOCAL_KINDS else NO_AREAS
        for key, (place, evidence) in chosen.items()
        if evidence >= min_evidence
    }
    neighbours = _neighbours(near)
    chosen = {
        key: _foreign(_resolve(span, *context.without(key), key, neighbours), named, found)
        for key, span in merged.items()
    }
    _bare_counties(merged, chosen, min_evidence)
    countries, states = context.countries, context.states
    mentions = []
    for span in spans:
        place, _ = chosen[fold(span.surface)]
        if _resolve_evidence(span, place, chosen[fold(span.surface)][1], countries, states) < min_evidence:
            continue
        in_title, offset, sentence = sentences[span.sentence]
        mentions.append(
            PlaceMention(offset + span.start, offset + span.end, span.surface, place, in_title, span.cue, sentence)
        )
    return mentions


def _foreign(
    resolved: tuple[gazetteer.Place, float], named: tuple[frozenset[str], frozenset[str]], found: Counter
) -> tuple[gazetteer.Place, float]:
    """A town alone in its country among the article's places (``found``: first-pass places per country and US
    state), outside the countries it names (``named``: (countries, US states)) and their neighbours, loses
    ``FOREIGN_PENALTY`` of its evidence: a Kenyan report's "Nyanza" is no Rwandan town, a BBC report's "Heathrow"
    no town in Florida. A US town alone in its state, when the article names other states, loses
    ``OTHER_STATE_PENALTY``: a Kentucky paper's "Blue Grass" is no town in Pennsylvania."""
    place, evidence = resolved
    if place.kind != "city":
        return resolved
    countries, states = named
    if countries and found[place.country_code] <= 1 and not _region_named(place, countries):
        return place, evidence - FOREIGN_PENALTY
    if states and place.region and found[place.region] <= 1 and place.region not in states:
        return place, evidence - OTHER_STATE_PENALTY
    return resolved


def _names_country(span: _Span) -> bool:
    """Whether a span is a country's or continent's own name ("Egypt", "Africa"): the towns that share it (Egypt,
    Georgia) lend no co-mention support."""
    return span.exact_broad and span.candidates[0].kind in ("country", "continent")


def _bare_counties(
    merged: dict[str, _Span], chosen: dict[str, tuple[gazetteer.Place, float]], min_evidence: float
) -> None:
    """A county's name without "County" ("DeKalb's plan", "Hall") is that county when the article names it in full
    ("DeKalb County"), unless the name is a big city's or has a "Town, State" pattern of its own."""
    for key, (place, evidence) in chosen.items():
        county, county_evidence = chosen.get(key + " county", (None, 0.0))
        if (
            county is not None
            and county.kind == "admin2"
            and county_evidence >= min_evidence
            and not merged[key].pattern
            and (place.kind == "city" and place.population < BIG_TOWN_POPULATION)
        ):
            chosen[key] = (county, max(evidence, county_evidence))


def _merge_spans(spans: list[_Span]) -> _Span:
    """The spans of one name as one: any locative cue or "Town, State" pattern counts for all of them."""
    first = spans[0]
    if len(spans) == 1:
        return first
    return first._replace(
        locative=any(span.locative for span in spans),
        ambiguous=all(span.ambiguous for span in spans),
        pattern=tuple(dict.fromkeys(place for span in spans for place in span.pattern)),
    )


def _resolve_evidence(span: _Span, place: gazetteer.Place, name_evidence: float, countries, states) -> float:
    """A span's own evidence: the name's, unless this span is an ambiguous word without a cue of its own."""
    if span.ambiguous and not (span.locative or span.pattern) and place.kind not in ("country", "continent"):
        return min(name_evidence, _evidence(span, place, countries, states))
    return name_evidence


def extract_locations(
    title: str, text: str | None, url: str | None = None, body: Sequence[tuple[int, str]] | None = None
) -> list[Location]:
    """Places of an article, primary first, then by score (``body``: as ``place_mentions`` reads it)."""
    scores: dict[str, int] = defaultdict(int)
    cues: dict[str, int] = defaultdict(int)
    cue_scores: dict[tuple[str, int], int] = defaultdict(int)
    mentions: dict[str, int] = defaultdict(int)
    entries: dict[str, gazetteer.Place] = {}
    evidence: dict[str, str] = {}
    for mention in place_mentions(title, text, url=url, body=body):
        key = mention.place.location_id
        weight = 2 if mention.in_title else 1
        entries[key] = mention.place
        mentions[key] += 1
        scores[key] += (1 + mention.cue) * weight
        cue_scores[(key, mention.cue)] += (1 + mention.cue) * weight
        if key not in evidence or mention.cue > cues[key]:
            evidence[key] = mention.sentence
        cues[key] = max(cues[key], mention.cue)
    primary = _primary(entries, cue_scores)
    locations = [
        Location(
            key,
            place.name,
            place.kind,
            place.country_code,
            place.latitude,
            place.longitude,
            key == primary,
            scores[key],
            mentions[key],
            evidence[key],
        )
        for key, place in entries.items()
    ]
    return sorted(locations, key=lambda loc: (not loc.is_primary, -loc.score, loc.location_id))


def _primary(entries: dict[str, gazetteer.Place], cue_scores: dict[tuple[str, int], int]) -> str | None:
    """The place the event happens in: most event-cued mentions ("talks in X"), else most locative-cued ones."""
    for cue in (6, 2):
        cued = [key for key in entries if cue_scores.get((key, cue))]
        if cued:
            return max(cued, key=lambda key: (cue_scores[(key, cue)], entries[key].kind != "country", key))
    return None
