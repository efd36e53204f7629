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

Method: cue words per type (regular expressions below, matched as one alternation, one pass per sentence) are
counted over the headline (weight 3), the first two sentences (weight 2) and the rest up to ``MAX_SENTENCES``
(weight 1); a cue right after
a negation ("without an agreement", "failed to reach a deal") does not count. The type with the highest score
wins, with the heaviest sentence holding one of its cues as evidence.

No type (``None``) when the evidence is weak or the report is not a political or social event: the winner scores
under ``MIN_SCORE`` (one lead cue) or has no cue in the headline or lead; or the article's words are mostly
those of sport, entertainment, health, science or business news (``OTHER_DOMAIN``) rather than of politics and
public life (``POLITICAL``), by a factor of ``DOMAIN_RATIO``.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass

from pipeline.enrich.mentions import split_sentences

LOGGER = logging.getLogger(__name__)

CUES: dict[str, str] = {
    "consult": r"talks|negotiat\w*|meeting|met with|summit|visit(?:s|ed)?|mediat\w*|discussions?|consult\w*|"
    r"delegations?|envoy",
    "agree": r"agree(?:s|d)?|agreement|deal|accord|signed|ceasefire reached|pact|treaty",
    "support": r"prais\w*|endors\w*|back(?:s|ed)|support(?:s|ed)?|welcomed",
    "concede": r"eas(?:e|es|ed)|lift(?:s|ed)?|apologi[sz]\w*|concession\w*|released",
    "cooperate": r"partnership|joint|merger|merge[sd]?|collaborat\w*|cooperat\w*|acqui\w*|buy(?:s)? rival",
    "aid": r"aid|humanitarian|donat\w*|relief|assistance",
    "retreat": r"withdr[ae]w\w*|pull(?:s|ed)? out|retreat\w*",
    "request": r"demand\w*|call(?:s|ed)? for|urg(?:e|es|ed)|ask(?:s|ed)? for|appeal\w*",
    "accuse": r"accus\w*|blam\w*|alleg\w*|criticis\w*|criticiz\w*|condemn\w*",
    "reject": r"reject\w*|refus\w*|den(?:y|ies|ied)|veto\w*|dismiss\w*",
    "threaten": r"threat\w*|warn(?:s|ed)?|ultimatum",
    "protest": r"protest\w*|demonstrat\w*|rall(?:y|ies)|boycott\w*|march(?:ed|es)",
    "sanction": r"sanction\w*|tariffs?|embargo|expel\w*",
    "mobilize": r"deploy\w*|mobili[sz]\w*|troops massed",
    "coerce": r"arrest\w*|detain\w*|raid\w*|bann?(?:ed|s)?|seiz\w*|sue[sd]?|charged|indict\w*|sentenced",
    "assault": r"attack\w*|air ?strikes?|strikes?|shoot\w*|shot|killed|killing|bomb\w*|shell\w*|fighting|clash\w*|"
    r"kidnapp\w*|assault\w*",
}
EVENT_TYPES = tuple(CUES)
_CUES = re.compile("|".join(rf"\b(?P<{code}>{pattern})\b" for code, pattern in CUES.items()), re.IGNORECASE)
POLITICAL = re.compile(
    r"\b(?:government|minist\w*|president|parliament\w*|senat\w*|congress\w*|elect\w*|vot(?:e|es|ed|ers|ing)|"
    r"polic\w*|troops|army|military|militants?|rebels?|officials?|authorit\w*|diplomat\w*|court|prosecutors?|"
    r"protest\w*|war|ceasefire|sanctions?|treaty|mayor|governor|lawmakers?|party|opposition|refugees?|hostages?)\b",
    re.IGNORECASE,
)
OTHER_DOMAIN = re.compile(
    r"\b(?:game|season|coach|league|championship|tournament|goals?|scored|players?|team|album|film|movie|actor|"
    r"actress|singer|concert|fans|patients?|virus|disease|infect\w*|vaccin\w*|symptoms?|hospital|doctors?|cases|"
    r"outbreak|scientists?|study|researchers?|species|shares|investors?|earnings|revenue|quarter|customers?|"
    r"product|smartphone|app)\b",
    re.IGNORECASE,
)
DOMAIN_RATIO = 2.0
MIN_SCORE = 2
NEGATION_WINDOW = 40
MAX_SENTENCES = 20
"""Only the headline and the first sentences are read: what a report is about is said early."""
"""Characters before a cue searched for a negation (three words and the negation)."""
_NEGATION = re.compile(
    r"\b(?:no|not|without|fail(?:s|ed)? to|cannot|can't|never|unable to)\s+(?:\w+\s+){0,3}$", re.IGNORECASE
)
HEADLINE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT = 3, 2, 1
LEAD_SENTENCES = 2


@dataclass(frozen=True)
class EventType:
    """The event type of an article, its score and the sentence that shows it."""

    code: str
    score: int
    evidence: str


def _weight(index: int, has_title: bool) -> int:
    if has_title and index == 0:
        return HEADLINE_WEIGHT
    return LEAD_WEIGHT if index <= LEAD_SENTENCES else BODY_WEIGHT


def type_scores(title: str, text: str | None) -> dict[str, tuple[int, int, str]]:
    """code -> (score, best sentence weight, evidence sentence) for every type with a cue."""
    sentences = [title, *split_sentences(text or "")] if title else split_sentences(text or "")
    sentences = sentences[:MAX_SENTENCES]
    scores: dict[str, list] = defaultdict(lambda: [0, 0, ""])
    for index, sentence in enumerate(sentences):
        weight = _weight(index, bool(title))
        for match in _CUES.finditer(sentence):
            if _NEGATION.search(sentence[max(0, match.start() - NEGATION_WINDOW) : match.start()]):
                continue
            entry = scores[match.lastgroup]
            entry[0] += weight
            if weight > entry[1]:
                entry[1], entry[2] = weight, sentence
    return {code: (score, weight, evidence) for code, (score, weight, evidence) in scores.items()}


def is_political(title: str, text: str | None) -> bool:
    """Whether an article reads as politics or public life rather than sport, culture, health or business."""
    body = f"{title}\n{text or ''}"
    return len(OTHER_DOMAIN.findall(body)) < DOMAIN_RATIO * max(1, len(POLITICAL.findall(body)))


def classify_event(title: str, text: str | None) -> EventType | None:
    """The PLOVER-aligned event type of an article, or ``None`` when the evidence is weak or off-topic."""
    if not isinstance(title, str):
        raise TypeError("title must be a string")
    scores = type_scores(title, text)
    if not scores:
        return None
    code = max(scores, key=lambda c: (scores[c][0], scores[c][1], -EVENT_TYPES.index(c)))
    score, weight, evidence = scores[code]
    if score < MIN_SCORE or weight < LEAD_WEIGHT or not is_political(title, text):
        return None
    return EventType(code, score, evidence)
