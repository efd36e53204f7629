"""Event type: what kind of happening an article reports, in a small taxonomy aligned with PLOVER.

The categories are PLOVER's top-level event types (Halterman et al., "PLOVER and POLECAT", 2023), lower-cased:

| code      | PLOVER    | e.g.                                              |
|-----------|-----------|---------------------------------------------------|
| consult   | CONSULT   | talks, negotiations, meetings, visits, mediation  |
| agree     | AGREE     | deals, agreements, ceasefires reached, signed     |
| support   | SUPPORT   | praise, endorse, back                             |
| concede   | CONCEDE   | ease, lift restrictions, release, apologise       |
| cooperate | COOPERATE | joint operations, partnerships, mergers           |
| aid       | AID       | humanitarian, financial or military aid           |
| retreat   | RETREAT   | withdraw, pull out                                |
| request   | REQUEST   | demand, call for, urge, ask                       |
| accuse    | ACCUSE    | accuse, blame, allege, criticise, condemn         |
| reject    | REJECT    | reject, refuse, deny, veto                        |
| threaten  | THREATEN  | threaten, warn of, ultimatum                      |
| protest   | PROTEST   | protests, demonstrations, strikes, boycotts       |
| sanction  | SANCTION  | sanctions, tariffs, embargo, expel                |
| mobilize  | MOBILIZE  | deploy troops, mobilise, put on alert             |
| coerce    | COERCE    | arrest, detain, raid, ban, seize, sue, charge     |
| assault   | ASSAULT   | attacks, airstrikes, shootings, killings, bombing |

Method: cue words per type (``CUES``: whole words, stems, two-word sequences, matched word by word with dictionary
look-ups) are counted over the headline (weight 3), the first two sentences (weight 2) and the rest up to
``MAX_SENTENCES`` (weight 1); a cue within a few words after a negation ("without an agreement", "failed to reach
a deal") does not count. The type with the highest score wins, with the heaviest sentence holding one of its cues
as evidence.

The confidence is the winner's share of all the cue weight (1.0 when every cue agrees). A minimum confidence was
tried as a further gate and chosen off by measurement (``benchmarks/enrichment.py``: on GVC's shooting reports
and UCI's business, technology, entertainment and health headlines it lost correct types and removed no wrong
ones); what removed the wrong ones is that a headline alone must name public life (UCI headlines left untyped
0.90 -> 0.997).

No type (``None``) when the evidence is weak or the report is not a political or social event: the winner scores
under ``MIN_SCORE`` (one lead cue) or has no cue in the headline or lead; or the article's words are mostly
those of sport, entertainment, health, science or business news (``OTHER_DOMAIN``) rather than of politics and
public life (``POLITICAL``), by a factor of ``DOMAIN_RATIO``; or its headline or lead names a natural hazard or
an accident (``HAZARDS``: an earthquake, a flood, a crash, a derailment) and nothing names an attacker
(``ATTACKERS``), unless the type is one of people acting on people (``HAZARD_TYPES``: aid, an arrest or sentence, a
protest, blame). Measured on GVC, UCI and the ECB+ events labelled in ``benchmarks/labels/ecbplus_event_types.json``
(``benchmarks/enrichment.py --changes``).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from pipeline.enrich.mentions import split_sentences

LOGGER = logging.getLogger(__name__)

CUES: dict[str, str] = {
    "consult": "talks meeting met_with summit visit visits visited mediat* negotiat* discussion discussions consult* "
    "delegation delegations envoy",
    "agree": "agree agrees agreed agreement deal accord signed ceasefire_reached pact treaty",
    "support": "prais* endors* backs backed support supports supported welcomed",
    "concede": "ease eases eased lift lifts lifted apologis* apologiz* concession* released",
    "cooperate": "partnership joint merger merge merged merges collaborat* cooperat* acqui* buy_rival buys_rival",
    "aid": "aid humanitarian donat* relief assistance",
    "retreat": "withdraw* withdrew* pull_out pulls_out pulled_out retreat*",
    "request": "demand* call_for calls_for called_for urge urges urged ask_for asks_for asked_for appeal*",
    "accuse": "accus* blam* alleg* criticis* criticiz* condemn*",
    "reject": "reject* refus* deny denies denied veto* dismiss*",
    "threaten": "threat* warn warns warned ultimatum",
    "protest": "protest* demonstrat* rally rallies boycott* marched marches walkout* picket* strikers on_strike "
    "general_strike strike_action strike_over hunger_strike day_strike hour_strike week_strike workers_strike "
    "drivers_strike doctors_strike nurses_strike teachers_strike rail_strike",
    "sanction": "sanction* tariff tariffs embargo expel*",
    "mobilize": "deploy* mobilis* mobiliz* troops_massed",
    "coerce": "arrest* detain* raid* ban bans banned seiz* sue sued sues charged indict* sentenced",
    "assault": "attack* airstrike airstrikes air_strike air_strikes drone_strike drone_strikes missile_strike "
    "missile_strikes rocket_strike rocket_strikes military_strike military_strikes shoot* shot killed killing bomb* "
    "shell* fighting clash* kidnapp* assault*",
}
"""Cue words per type: ``word`` exactly, ``stem*`` any word it begins, ``two_words`` in sequence. A lone "strike"
is no cue: an earthquake strikes, workers strike (PLOVER's PROTEST: the labour strikes named here), air and
missile strikes assault."""
HAZARDS = (
    "earthquake earthquakes quake quakes tremor temblor aftershock* tsunami* flood floods flooding flooded "
    "hurricane* typhoon* cyclone* tornado* wildfire* bushfire* blaze landslide* mudslide* avalanche* eruption volcan* "
    "drought heatwave blizzard thunderstorm* snowstorm* rainstorm* hailstorm* windstorm* sandstorm* crash crashes "
    "crashed derail* collision collided capsiz* shipwreck accident accidents fell_from fall_from falling_from "
    "forest_fire forest_fires bush_fire bush_fires grass_fire brush_fire house_fire house_fires building_fire "
    "factory_fire apartment_fire market_fire hotel_fire hospital_fire nightclub_fire warehouse_fire tower_fire "
    "fire_broke storm_surge tropical_storm tropical_storms winter_storm ice_storm dust_storm snow_storm"
)
ATTACKERS = (
    "gunman gunmen shooter shooters shooting shootings shot gunfire gunshot* attack* assailant* militant* "
    "insurgent* rebel* terror* bomb* airstrike* stabb* murder* arson* hostage* troops soldiers rocket* missile* "
    "violence riot* gun guns firearm* rifle* shotgun* handgun* pistol* militia* armed_men armed_group armed_groups "
    "armed_gang armed_gangs stormed open_fire opened_fire opens_fire opening_fire set_fire sets_fire setting_fire "
    "set_ablaze police_fire police_fired"
)
"""Natural hazards and accidents (a lone "fire" or "storm" is none: police open fire, armed men set fire to a
village, militia storm a town; a forest fire, a storm surge are), and the words of an attacker or a gun (a hunting
accident is a shooting; a truck's crash called an attack is one): a report whose headline or lead names a hazard and
which names no attacker tells of no political or social event, whatever its words of killing ("killed"), easing
("advisory lifted"), warning or deploying (rescuers) say; only ``HAZARD_TYPES`` are read in it."""
_ILLNESS = re.compile(r"\b(?:heart|panic|asthma) attacks?\b")
"""An attack that is an illness ("died after suffering a heart attack"), read as no attacker."""
HAZARD_TYPES = frozenset({"aid", "coerce", "protest", "accuse"})
"""Types of people acting on people that a hazard's report may still be about (aid to its victims, a builder jailed
over a collapse, a protest over the relief, blame)."""
POLITICAL = (
    "government minist* president parliament* senat* congress* elect* vote votes voted voters voting polic* troops "
    "army military militant militants rebel rebels official officials authorit* diplomat* court prosecutor "
    "prosecutors protest* war ceasefire sanction sanctions treaty mayor governor lawmaker lawmakers party opposition "
    "refugee refugees hostage hostages airstrike airstrikes bombing gunman gunmen walkout* picket* "
    "strikers on_strike"
)
OTHER_DOMAIN = (
    "game season coach league championship tournament goal goals scored player players team album film movie actor "
    "actress singer concert fans patient patients virus disease infect* vaccin* symptom symptoms hospital doctor "
    "doctors cases outbreak scientist scientists study researcher researchers species shares investor investors "
    "earnings revenue quarter customer customers product smartphone app sequel sequels heavyweight titles"
)
"""Words of politics and public life, and of sport, culture, health, science and business news."""
NEGATIONS = frozenset({"no", "not", "without", "cannot", "never", "fail", "fails", "failed", "unable", "t"})
"""A cue within ``NEGATION_WORDS`` words after one of these does not count ("failed to reach a deal", "can't")."""
NEGATION_WORDS = 4
EVENT_TYPES = tuple(CUES)
_NEXT_WORD = re.compile(r"[^a-z]+([a-z]+)")
_WORDS_BACKWARDS = regex.compile(r"(?r)[a-z]+")
MEMO_WORDS = 200_000
"""Words whose labels a vocabulary remembers (a bounded memo: a worker reads millions of words)."""


class _Vocabulary:
    """Word-level matcher of a cue list: exact words, stems (``stem*``) and two-word sequences (``a_b``)."""

    def __init__(self, labelled: dict[str, str]) -> None:
        self.exact: dict[str, str] = {}
        self.stems: dict[str, str] = {}
        self.pairs: dict[tuple[str, str], str] = {}
        for label, cues in labelled.items():
            for cue in cues.split():
                if "_" in cue:
                    first, second = cue.split("_")
                    self.pairs[(first, second)] = label
                elif cue.endswith("*"):
                    self.stems[cue[:-1]] = label
                else:
                    self.exact[cue] = label
        self.stem_lengths = sorted({len(stem) for stem in self.stems}, reverse=True)
        self.first_words = frozenset(first for first, _ in self.pairs)
        self._labels: dict[str, str | None] = {}
        self._candidates = re.compile(
            "[^a-z]("
            + _trie(
                {**dict.fromkeys(self.exact.keys() | self.first_words, "word"), **dict.fromkeys(self.stems, "stem")}
            )
            + ")"
        )
        """Words that may be cues, found by one regular expression shaped as a trie (one branch per letter), after
        the character before the word: a class the engine's search loop skips to (where a lookbehind, ``(?<![a-z])``,
        is tried at every position: a third slower). ``matches`` puts a space before the text."""

    def _label(self, word: str) -> str | None:
        """The label of one word by exact match or stem (memoised: news reuses its words)."""
        label = self.exact.get(word)
        if label is None:
            for length in self.stem_lengths:
                if length <= len(word) and (label := self.stems.get(word[:length])) is not None:
                    break
        if len(self._labels) < MEMO_WORDS:
            self._labels[word] = label
        return label

    def matches(self, text: str):
        """(offset, label) of every cue in a lower-cased text (its words: runs of the letters a-z)."""
        labels = self._labels
        spaced = " " + text  # a character before the first word, for the pattern to open with
        for match in self._candidates.finditer(spaced):
            word = match.group(1)
            label = self.exact.get(word)
            if label is None and word in self.first_words and (after := _NEXT_WORD.match(spaced, match.end())):
                label = self.pairs.get((word, after.group(1)))
            if label is None:
                label = labels[word] if word in labels else self._label(word)
            if label is not None:
                yield match.start(), label  # the word's offset in ``text``


def _trie(entries: dict[str, str]) -> str:
    """A regular expression matching any entry ("word": the whole word, "stem": the stem and any letters after it),
    nested as a trie so that the engine follows one branch per letter instead of trying every entry."""
    root: dict = {}
    for entry, kind in entries.items():
        node = root
        for char in entry:
            node = node.setdefault(char, {})
        node[""] = "stem" if kind == "stem" or node.get("") == "stem" else "word"

    def pattern(node: dict) -> str:
        if node.get("") == "stem":
            return "[a-z]*"
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if node.get("") == "word":
            branches.append("(?![a-z])")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return pattern(root)


_CUES = _Vocabulary(CUES)
_DOMAINS = _Vocabulary({"political": POLITICAL, "other": OTHER_DOMAIN})
_HAZARDS = _Vocabulary({"hazard": HAZARDS, "attacker": ATTACKERS})
DOMAIN_RATIO = 2.0
MIN_SCORE = 2
MAX_SENTENCES = 20
"""Only the headline and the first sentences are read: what a report is about is said early."""
HEADLINE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT = 3, 2, 1
LEAD_SENTENCES = 2


@dataclass(frozen=True)
class EventType:
    """The event type of an article, its score and the sentence that shows it."""

    code: str
    score: int
    evidence: str
    confidence: float | None = None
    """Share of the cue weight that points to this type (1.0: every cue agrees); unknown for stored rows."""


def _weight(index: int, has_title: bool) -> int:
    if has_title and index == 0:
        return HEADLINE_WEIGHT
    return LEAD_WEIGHT if index <= LEAD_SENTENCES else BODY_WEIGHT


def type_scores(title: str, text: str | None, body: Sequence[str] | None = None) -> dict[str, tuple[int, int, str]]:
    """code -> (score, best sentence weight, evidence sentence) for every type with a cue (``body``: the text's
    sentences, split here when not given)."""
    body = split_sentences(text or "") if body is None else body
    sentences = [title, *body] if title else body
    scores: dict[str, list] = defaultdict(lambda: [0, 0, ""])
    for index, sentence in enumerate(sentences[:MAX_SENTENCES]):
        weight = _weight(index, bool(title))
        lowered = sentence.lower()
        for position, code in _CUES.matches(lowered):
            if _negated(lowered, position):
                continue
            entry = scores[code]
            entry[0] += weight
            if weight > entry[1]:
                entry[1], entry[2] = weight, sentence
    return {code: (score, weight, evidence) for code, (score, weight, evidence) in scores.items()}


def _negated(lowered: str, position: int) -> bool:
    """Whether one of the ``NEGATION_WORDS`` words before ``position`` is a negation."""
    before = _WORDS_BACKWARDS.finditer(lowered, 0, position)
    return any(word.group() in NEGATIONS for word, _ in zip(before, range(NEGATION_WORDS), strict=False))


def is_political(title: str, text: str | None) -> bool:
    """Whether an article reads as politics or public life rather than sport, culture, health or business; a
    headline without a body must name public life (most headlines of other news have no word of either list)."""
    counts = {"political": 0, "other": 0}
    for _, label in _DOMAINS.matches(f"{title}\n{text or ''}".lower()):
        counts[label] += 1
    if not (text or "").strip() and not counts["political"]:
        return False
    return counts["other"] < DOMAIN_RATIO * max(1, counts["political"])


def _hazard_only(title: str, body: Sequence[str]) -> bool:
    """Whether the headline or lead names a natural hazard or an accident (``HAZARDS``) and the sentences read name
    no attacker (``ATTACKERS``)."""
    read = [title, *body][:MAX_SENTENCES] if title else list(body[:MAX_SENTENCES])
    lead_end = len("\n".join(read[: LEAD_SENTENCES + 1]))
    lowered = _ILLNESS.sub(lambda illness: " " * len(illness.group()), "\n".join(read).lower())
    hazard = False
    for offset, label in _HAZARDS.matches(lowered):
        if label == "attacker":
            return False
        hazard = hazard or offset < lead_end
    return hazard


def classify_event(title: str, text: str | None, body: Sequence[str] | None = None) -> EventType | None:
    """The PLOVER-aligned event type of an article, or ``None`` when the evidence is weak or off-topic (``body``:
    the text's sentences, split here when not given)."""
    if not isinstance(title, str):
        raise TypeError("title must be a string")
    body = split_sentences(text or "") if body is None else body
    scores = type_scores(title, text, body)
    if not scores:
        return None
    code = max(scores, key=lambda c: (scores[c][0], scores[c][1], -EVENT_TYPES.index(c)))
    score, weight, evidence = scores[code]
    if score < MIN_SCORE or weight < LEAD_WEIGHT or not is_political(title, text):
        return None
    if code not in HAZARD_TYPES and _hazard_only(title, body):
        return None
    confidence = score / sum(total for total, _, _ in scores.values())
    return EventType(code, score, evidence, round(confidence, 3))
