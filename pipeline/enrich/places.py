"""Locations: the places an article names, resolved to a gazetteer entry, with the primary location told apart.

Method: capitalised phrases (and their sub-spans, longest first) are looked up among GeoNames cities, US states
and countries (``pipeline.enrich.gazetteer``). A name that is also a common word or a given name ("Nice",
"Jackson"), or the surname of a person named in the text, counts only after "in/at/near/from" or when the place
is a large city. Of several entries for one name, one in a country the text names wins, then the most populous.

Primary location: each mention scores 1, +2 after a locative preposition, +4 when that preposition follows an
event word ("talks in Cairo", "protests in Bolivia"), doubled in the headline. The primary is the place with the
most event-cued score, else the most locative-cued score; a country loses a tie to a city. Others are
*concerned* places. Demonyms ("Egyptian mediators") name actors, not places, and so does a country named
without a locative preposition ("Israel refused"): countries count as places only "in/at/from/... X".
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass

from pipeline.enrich import gazetteer
from pipeline.enrich.actors import PERSON_TITLES, STOP_WORDS
from pipeline.enrich.mentions import capitalised_phrases, fold, split_sentences, tokenize

LOGGER = logging.getLogger(__name__)

LOCATIVES = frozenset({"in", "at", "near", "from", "outside", "across", "throughout", "inside", "to", "into"})
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
    ]
)
"""Words after which "in <place>" says where the event itself happens."""

MAJOR_CITY_POPULATION = 1_000_000
EVENT_WINDOW = 4


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


def _candidates(words: tuple[str, ...]) -> tuple[gazetteer.Place, ...]:
    return gazetteer.places().get(fold(" ".join(words)), ())


def _cue(tokens: list[str], start: int) -> int:
    """2 after a locative preposition, 6 when an event word comes shortly before it, else 0."""
    before = start - 1
    while before >= 0 and tokens[before] in ("the", "northern", "southern", "eastern", "western", "central"):
        before -= 1
    if before < 0 or tokens[before] not in LOCATIVES:
        return 0
    window = tokens[max(0, before - EVENT_WINDOW) : before]
    return 6 if any(word in EVENT_WORDS for word in window) else 2


def _ambiguous(word: str, text_lower: set[str], surnames: set[str]) -> bool:
    """Whether a one-word name is also a common word, a given name or a surname met in the text."""
    key = word.lower()
    return key in text_lower or key in STOP_WORDS or key in surnames or gazetteer.is_first_name(word)


def _spans(words: tuple[str, ...]):
    """Sub-spans of a phrase, longest first, each word used once."""
    index = 0
    while index < len(words):
        for end in range(min(len(words), index + 4), index, -1):
            if _candidates(words[index:end]):
                yield index, words[index:end]
                index = end
                break
        else:
            index += 1


def extract_locations(title: str, text: str | None) -> list[Location]:
    """Places of an article, primary first, then by score."""
    if not isinstance(title, str):
        raise TypeError("title must be a string")
    sentences = [title, *split_sentences(text or "")] if title else split_sentences(text or "")
    full_text = "\n".join(sentences)
    text_lower = set(re.findall(r"\b[a-z][a-z]+\b", full_text))
    surnames = {
        fold(phrase.tokens[-1])
        for index, sentence in enumerate(sentences)
        for phrase in capitalised_phrases(sentence, index)
        if len(phrase.tokens) >= 2 and gazetteer.is_first_name(phrase.tokens[0]) and not _candidates(phrase.tokens)
    }
    named_countries = {
        place.country_code
        for index, sentence in enumerate(sentences)
        for phrase in capitalised_phrases(sentence, index)
        for _, span in _spans(phrase.tokens)
        for place in _candidates(span)[:1]
        if place.kind == "country"
    }
    scores: dict[str, int] = defaultdict(int)
    cues: dict[str, int] = defaultdict(int)
    cue_scores: dict[tuple[str, int], int] = defaultdict(int)
    mentions: dict[str, int] = defaultdict(int)
    entries: dict[str, gazetteer.Place] = {}
    evidence: dict[str, str] = {}
    for index, sentence in enumerate(sentences):
        tokens = [token.text.lower() for token in tokenize(sentence)]
        weight = 2 if index == 0 else 1
        for phrase in capitalised_phrases(sentence, index):
            words = phrase.tokens
            if words[0].lower() in PERSON_TITLES or (
                len(words) > 1 and gazetteer.is_first_name(words[0]) and not _candidates(words[:1])
            ):
                continue
            for offset, span in _spans(words):
                if gazetteer.organisation_names().get(fold(" ".join(span))) or fold(span[0]) in gazetteer.demonyms():
                    continue
                start = phrase.first_token_index + offset
                cue = _cue(tokens, start) if offset == 0 else 0
                place = _choose(_candidates(span), named_countries)
                if place is None or (len(span) == 1 and len(words) > 1 and place.kind == "city"):
                    continue
                if place.kind == "country" and not cue:
                    continue
                if (
                    len(span) == 1
                    and place.kind != "country"
                    and not cue
                    and place.population < MAJOR_CITY_POPULATION
                    and _ambiguous(span[0], text_lower, surnames)
                ):
                    continue
                key = place.location_id
                entries[key] = place
                mentions[key] += 1
                scores[key] += (1 + cue) * weight
                cue_scores[(key, cue)] += (1 + cue) * weight
                if key not in evidence or cue > cues[key]:
                    evidence[key] = sentence
                cues[key] = max(cues[key], cue)
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


def _choose(candidates: tuple[gazetteer.Place, ...], named_countries: set[str]) -> gazetteer.Place | None:
    if not candidates:
        return None
    if candidates[0].kind in ("country", "admin1"):
        return candidates[0]
    in_named = [place for place in candidates if place.country_code in named_countries]
    return in_named[0] if in_named else candidates[0]


def _primary(entries: dict[str, gazetteer.Place], cue_scores: dict[tuple[str, int], int]) -> str | None:
    """The place the event happens in: most event-cued mentions ("talks in X"), else most locative-cued ones."""
    for cue in (6, 2):
        cued = [key for key in entries if cue_scores.get((key, cue))]
        if cued:
            return max(cued, key=lambda key: (cue_scores[(key, cue)], entries[key].kind != "country", key))
    return None
