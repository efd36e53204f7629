"""Actors: the countries, organisations and people an article names as taking part, one spelling each, with a role.

Method (rule-based, measured in ``benchmarks/enrichment_quality.py``): capitalised phrases are split into known
pieces by longest match against the gazetteers (countries, demonyms, organisations, places, person titles); what is
left is an organisation when its name has an organisation's shape ("... Party", "... Inc", an acronym but not a
shouted English word, "WeWork", a possessive "Google's", a name before a title: "SoftBank CEO", an acronym's long
form "... (FARC)", a newspaper's "Denver Post", an outlet before "reported"), a person when it
starts with a common given name, follows a title ("Minister", "Dr.") or the sentence says so around it ("X, 29,",
"X, the defense minister", "replacing X"), and is dropped otherwise. A surname alone joins the full name met
elsewhere in the text. In title-case headlines capitals say little, so only gazetteer matches and given-name persons
count there.

Roles: ``mediator`` when a sentence says the actor mediates ("mediated by the US, Egypt and Qatar", "Egyptian
mediators"); ``party`` when two actors face each other ("talks between Hamas and Israel", "Israel-Hamas talks",
"Israel and Hamas cannot reach ..." in a sentence about talks, deals or fighting); ``mentioned`` otherwise.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from types import EllipsisType

from pipeline.enrich import gazetteer
from pipeline.enrich.language import Language, detect_language, reads_english
from pipeline.enrich.mentions import bounded_memo, fold, split_sentences
from pipeline.enrich.scan import NAME_PARTICLES, Run, gap_before, scan_sentence
from pipeline.enrich.surnames import country_surname, names_country, names_state_town
from pipeline.text import MONTH_ABBREVIATIONS, MONTHS, WEEKDAY_ABBREVIATIONS, WEEKDAYS

LOGGER = logging.getLogger(__name__)

ROLES = ("mediator", "party", "mentioned")
PERSON_TITLES = frozenset(
    [
        "president",
        "vice",
        "prime",
        "minister",
        "secretary",
        "director",
        "chief",
        "ceo",
        "coo",
        "cfo",
        "founder",
        "chairman",
        "chairwoman",
        "chair",
        "senator",
        "sen",
        "rep",
        "representative",
        "gov",
        "governor",
        "mayor",
        "judge",
        "justice",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "general",
        "gen",
        "commander",
        "colonel",
        "col",
        "lieutenant",
        "lt",
        "brigadier",
        "admiral",
        "sergeant",
        "sgt",
        "officer",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "ambassador",
        "envoy",
        "adviser",
        "advisor",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "professor",
        "sheikh",
        "rabbi",
        "imam",
        "cardinal",
        "archbishop",
        "bishop",
        "chancellor",
        "premier",
        "leader",
        "head",
        "deputy",
        "attorney",
        "national",
        "security",
        "foreign",
        "defense",
        "defence",
        "interior",
        "finance",
        "police",
        "far",
        "right",
        "analyst",
        "coach",
        "quarterback",
        "qb",
        "dl",
        "rb",
        "wr",
        "te",
        "lb",
        "cb",
        "striker",
        "manager",
        "captain",
        "coach",
    ]
)
"""Words that may precede a person's name; none of them is part of the name."""

TITLE_MODIFIERS = frozenset(
    {"vice", "prime", "national", "security", "foreign", "defense", "defence", "interior", "finance", "far", "right"}
    | {"state", "district", "assistant", "associate", "acting", "interim", "senior", "executive", "special", "county"}
    | {"outgoing", "incoming"}
)
"""Title words that are a title only before another one or a given name ("National Security Adviser", "Vice
President", "Secretary of Defense William Perry", "State Sen.", "District Attorney", "Outgoing Deputy Secretary of
State Richard Armitage"), not before other words
("National Horse Show", "National Guard", "State Department", "District Court"; "far" and "right", titles since the
first rules, not in "the Far South Side" nor "Students Taking A Right Stand")."""
LOCAL_TITLES = frozenset(
    {"sheriff", "coroner", "prosecutor", "detective", "commissioner", "superintendent", "trooper", "inspector"}
    | {"councilman", "councilwoman", "alderman", "bailiff", "constable", "marshal"}
)
"""Offices of local news that precede a name ("Sheriff Paul Bailey") and alone name no body ("Sheriff's deputies");
the actor rules' titles besides ``PERSON_TITLES``, which the place rules read too."""
OWNER_TITLES = frozenset({"owner", "publisher", "editor"})
"""Roles in a team or a business that precede a name ("Owner Josh Harris said"), actors' titles as ``LOCAL_TITLES``."""
ACTOR_TITLES = PERSON_TITLES | LOCAL_TITLES | OWNER_TITLES
NO_BODY_WORDS = LOCAL_TITLES | OWNER_TITLES | TITLE_MODIFIERS | {"let"}
"""Words that are no organisation alone, even possessive or before a body's next word: a local office or a title's
word ("Sheriff's deputies"), or "Let's" opening a sentence."""


def _is_title(words: tuple[str, ...], index: int) -> bool:
    """Whether ``words[index]`` is a person's title there: a ``TITLE_MODIFIERS`` word only before a title or a given
    name."""
    keys = [word.lower().rstrip(".") for word in words[index:]]  # "Sen." is "sen"
    if keys[0] not in TITLE_MODIFIERS:
        return keys[0] in ACTOR_TITLES
    following = next((i for i, key in enumerate(keys) if key not in TITLE_MODIFIERS), None)
    return following is not None and (_given_name(words[index + following]) or keys[following] in ACTOR_TITLES)


ORG_SUFFIXES = frozenset(
    [
        "inc",
        "corp",
        "corporation",
        "co",
        "ltd",
        "llc",
        "plc",
        "ag",
        "sa",
        "gmbh",
        "group",
        "bank",
        "party",
        "ministry",
        "council",
        "commission",
        "agency",
        "association",
        "committee",
        "department",
        "university",
        "institute",
        "foundation",
        "authority",
        "police",
        "army",
        "forces",
        "force",
        "court",
        "conference",
        "media",
        "network",
        "airlines",
        "airways",
        "motors",
        "entertainment",
        "studios",
        "records",
        "holdings",
        "partners",
        "capital",
        "fund",
        "union",
        "organization",
        "organisation",
        "federation",
        "league",
        "club",
        "services",
        "service",
        "office",
        "center",
        "centre",
        "school",
        "college",
        "hospital",
        "company",
        "brigades",
        "movement",
        "front",
        "alliance",
        "board",
        "bureau",
        "administration",
        "assembly",
        "parliament",
        "congress",
        "senate",
        "government",
        "guard",
        "navy",
        "corps",
        "society",
        "trust",
        "exchange",
    ]
)
"""Last words that make a name an organisation's ("Peoples Democratic Party", "Goddard Space Flight Center")."""

INDUSTRY_WORDS = frozenset(
    {"oil", "energy", "mining", "industries", "technologies", "pharmaceuticals", "chemicals", "electronics"}
    | {"communications", "resources", "securities", "investments", "insurance", "shipping"}
)
"""Last words of companies' names after their own name ("Hunt Oil", "Peabody Energy", "Samsung Electronics"): a
name of two or more words ending in one is a company's, though the word alone heads nothing ("Securities and
Exchange Commission", "Department of Natural Resources" stay whole)."""

LEGAL_FORMS = frozenset({"co", "inc", "corp", "ltd", "llc", "plc", "ag", "gmbh"})
"""Legal-form suffixes an organisation's key leaves out: one company, with or without them."""
ORG_HEADS = frozenset(
    {"bank", "university", "ministry", "department", "council", "church", "house", "court", "organization"}
    | {"organisation", "institute", "commission", "committee", "agency", "association", "federation", "league"}
    | {"center", "centre", "centers", "commonwealth", "bureau", "office", "board"}
)
"""First words of organisation names shaped "X of Y" or "X for Y" ("Bank of England", "Centers for Disease Control")."""

ORG_LAST_WORDS = frozenset(
    [
        "ministry",
        "department",
        "commission",
        "committee",
        "agency",
        "organization",
        "organisation",
        "institute",
        "council",
        "authority",
        "command",
        "bureau",
        "association",
        "federation",
        "foundation",
    ]
)
"""Last words that make a name of two or more words a body's ("Foreign Ministry", "Northern Command"), whose
title-like words stay in the name."""

ORG_WORDS = frozenset({"electric", "deutsche", "railway", "railways", "petroleum", "telecom", "telecommunications"})
"""Words no person's name holds, which anywhere in a name of two or more words make it an organisation's ("Deutsche
Bahn", "Hokuriku Electric Power")."""

SEA_WORDS = frozenset({"ocean", "sea", "seas", "gulf", "bay", "strait", "straits", "channel"})
"""Words after a country's name or demonym that make the two a sea's name ("Indian Ocean", "South China Sea"), no
country actor."""

LONE_BODIES = frozenset({"army", "navy", "parliament"})
"""Body words that name a body alone ("former Navy secretary", "the Army said"), as "Senate" and "Congress" do
among the known organisations."""

PLURAL_BODIES = frozenset({"committee", "council", "commission", "union", "service", "association"})
"""Body words whose plural ends an organisation's name as well ("Popular Resistance Committees")."""

RANK_WORDS = ACTOR_TITLES | {"assistant", "associate", "acting", "interim", "senior", "executive", "special", "master"}
"""Words of a rank, which open no body's name before a title ("Assistant Police Chief", "Detroit Deputy Police
Chief" are titles; "Detroit Police Chief" is a body's and a title)."""
RANK_OPENERS = frozenset({"major", "surgeon"})
"""Words that open a title with the title word after them ("Major General"), not an organisation."""

ROLE_NOUNS = frozenset(
    {"spokesman", "spokeswoman", "spokesperson", "negotiator", "leader", "official", "commander", "cleric"}
    | {"economist", "correspondent", "lawmaker", "activist", "analyst", "envoy", "ambassador", "member"}
    | {"president", "minister", "secretary", "chairman", "chairwoman", "governor", "mayor", "senator", "premier"}
    | {"chancellor", "king", "queen", "prince", "general", "director", "adviser", "advisor", "chief", "judge"}
    | {"defendant", "witness", "suspect", "victim", "plaintiff", "survivor", "resident", "student", "teacher"}
    | {"singer", "actor", "actress", "rapper", "author", "writer", "artist", "coach", "player", "veteran"}
    | {"journalist", "reporter", "photographer", "lawyer", "farmer", "driver", "worker", "nurse", "pilot"}
    | {"star", "tycoon", "candidate", "businessman", "businesswoman", "trumpeter", "guitarist", "pianist"}
)
"""Lower-case nouns of people a name may follow without a comma ("Foreign Ministry spokeswoman Tasnim Aslam",
"tennis star Justine Henin-Hardenne"): a name of two or more words after one is read as after a title (one word is
not: "the official Xinhua news agency"); capitalised, opening a sentence, one is no part of the name after it
("Defendant Asher Weisgan has ...")."""

APPOSITION_NOUNS = frozenset(
    {"president", "minister", "secretary", "director", "chairman", "chairwoman", "governor", "mayor", "premier"}
    | {"chancellor", "king", "queen", "prince", "founder", "ceo", "head", "general", "commander", "official"}
    | {"spokesman", "spokeswoman", "spokesperson", "ambassador", "envoy", "negotiator", "leader", "cleric"}
    | {"correspondent", "lawmaker", "activist", "analyst", "economist", "member", "senator", "judge", "adviser"}
    | {"advisor", "aide", "chief", "deputy", "officer", "lawyer", "candidate"}
)
"""Nouns of a person's office that set a name off with commas: "Foreign Minister, Nobutaka Machimura," and
"Saadoun al-Dulaimi, the defense minister," name people (a name of two or more words)."""
APPOSITION_VERBS = frozenset({"has", "had", "was", "is", "will", "would", "who", "whose"})
"""Words after a name set off by commas that make it a person's ("A Sunni Arab, Saadoun al-Dulaimi, has ...")."""
AFFILIATION_WORDS = frozenset({"of", "for", "the"})
_AFFILIATION = re.compile(
    r"(?i)\b(?:spokes(?:man|woman|person)|leaders?|members?|head|chief|commanders?|fighters) (?:of|for) (?:the )?$"
)
"""What before a name makes it a body's: "a spokesman for the Tamil Tigers", "members of Jemaah Islamiyah"."""
CLAUSE_WORDS = frozenset({"and", "or", "in", "on", "at", "to", "who", "which", "that", "was", "were", "is", "are"})
"""Words after a name that show it is a whole noun phrase, as do a verb's endings ("denied", "says"), not a modifier
("members of the Genovese crime family")."""
PERSON_OBJECT_VERBS = frozenset({"replacing", "replaces", "replaced", "succeeding", "succeeds", "succeeded"})
"""Verbs whose object is a person: a name of two or more words after one is read as after a title."""
_APPOSITION_AFTER = re.compile(
    r",\s+(?:who\b|whose\b|\d{1,3},|(?:a|an|the)\s+(?:[\w'’.-]+\s+){0,4}?(?:"
    + "|".join(sorted(APPOSITION_NOUNS))
    + r")\b)"
)
"""What after a name says it is a person's: ", who", ", 45,", ", the country's defense minister"."""
GROUP_WORDS = frozenset(
    {"arab", "arabs", "muslim", "muslims", "christian", "christians", "kurd", "kurds", "kurdish", "sunni", "sunnis"}
    | {"shiite", "shiites", "shi'ite", "shi'ites", "shia", "jew", "jews", "jewish", "hindu", "buddhist", "sikh"}
    | {"catholic", "catholics", "protestant", "islamist", "islamists", "druze", "alawite", "copt", "copts"}
    | {"islamic", "tamil", "tamils", "pashtun", "pashtuns", "baluch", "hutu", "hutus", "tutsi", "tutsis"}
)
"""Religions and peoples: a name ending in one is a group's ("Sunni Arab", "Shi'ite Muslim"), no person; alone, no
body ("Islamic militants", "Tamil rebels")."""

BODY_NOUNS = frozenset(
    {"firm", "company", "band", "automaker", "carmaker", "airline", "carrier", "lender", "insurer", "retailer"}
    | {"broadcaster", "newspaper", "network", "maker", "giant", "charity", "group"}
)
"""Lower-case nouns a body's name may follow ("the rock band Good Charlotte", "drug maker Merck"): a name after one,
not opening with a given name or a title, is an organisation's."""

NOT_ACRONYMS = frozenset(
    [
        "TV",
        "PC",
        "CEO",
        "COO",
        "CFO",
        "CTO",
        "DL",
        "TD",
        "QB",
        "RB",
        "WR",
        "TE",
        "LB",
        "CB",
        "SDK",
        "ICT",
        "AI",
        "GDP",
        "OK",
        "PM",
        "AM",
        "BC",
        "AD",
        "ID",
        "VR",
        "AR",
        "UI",
        "OS",
        "IT",
        "PR",
        "HQ",
        "EST",
        "PST",
        "GMT",
        "UTC",
        "FAQ",
        "DIY",
        "LOL",
        "OMG",
        "NB",
        "PS",
        "RIP",
        "VIP",
        "MVP",
        "NFT",
        "API",
        "USB",
        "GPS",
        "HD",
        "NW",
        "SW",
        "NE",
        "SE",
        "NYC",
        "DC",
        "SUV",
        "ATV",
        "DUI",
        "DWI",
        "CPR",
        "DNA",
        "EMS",
        "SWAT",
        "HIV",
        "MRI",
        "ICU",
        "ER",
        "UK",
        "US",
        "USA",
        "UAE",
        *("SARS", "MERS", "AIDS", "COVID", "TB", "PTSD", "ADHD", "ALS", "STD", "BSE", "HPV", "RSV", "CJD"),
    ]
)
"""Capitalised abbreviations that are not organisations (countries are matched before this list applies); the last
are diseases' ("the 2003 SARS outbreak")."""

STOP_WORDS = frozenset(
    [
        *WEEKDAYS,
        *MONTHS,
        *WEEKDAY_ABBREVIATIONS,
        *MONTH_ABBREVIATIONS,
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "my",
        "your",
        "but",
        "and",
        "or",
        "if",
        "as",
        "at",
        "in",
        "on",
        "for",
        "with",
        "from",
        "by",
        "to",
        "of",
        "after",
        "before",
        "when",
        "while",
        "because",
        "although",
        "though",
        "however",
        "meanwhile",
        "despite",
        "amid",
        "amidst",
        "according",
        "also",
        "both",
        "all",
        "some",
        "many",
        "most",
        "more",
        "several",
        "other",
        "another",
        "each",
        "every",
        "no",
        "not",
        "yes",
        "here",
        "there",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "how",
        "where",
        "then",
        "now",
        "today",
        "tonight",
        "yesterday",
        "tomorrow",
        "later",
        "earlier",
        "still",
        "even",
        "only",
        "just",
        "soon",
        "again",
        "instead",
        "indeed",
        "first",
        "last",
        "next",
        "finally",
        "once",
        "breaking",
        "update",
        "updated",
        "live",
        "video",
        "photos",
        "watch",
        "read",
        "key",
        "highlights",
    ]
)
"""Capitalised words that start sentences or headings and name nothing."""

MEDIATOR_CUE = re.compile(r"\bmediat|\bbroker(?:ed|ing) by\b|\bfacilitat(?:ed|ing) by\b", re.IGNORECASE)
PARTY_CONTEXT = re.compile(
    r"\b(talks?|negotiat\w*|ceasefire|truce|deal|agreement|accord|war|conflict|fight\w*|clash\w*|dispute|"
    r"peace|hostilit\w*|summit|meeting)\b"
)
"""Read in the lower-cased sentence: a case-sensitive pattern is searched twice as fast."""
MEDIATOR_STEMS = ("mediat", "broker", "facilitat")
"""What a sentence with a ``MEDIATOR_CUE`` holds in lower case (a cheaper test first)."""
_BETWEEN = re.compile(r"\bbetween (.{2,60}?) and (.{2,60}?)(?:[,.;]|$| over| on| in| to)")
_PROSE = re.compile(r"\b[a-z]{3,}\b.*[.!?][\"'’”]?$")
"""A body's sentence in running text: a lower-case word and a closing period ("Israeli Prime Minister Ehud Olmert met
Palestinian President Mahmoud Abbas."), read as prose although most of its words are capitalised."""
BRANCHED = r"(?i:al)[- ]Qa[ei]da"
"""Organisations whose regional branches are organisations of their own, spelled as the gazetteer's aliases are
(al-Qaeda's; "Islamic State in Iraq and the Levant" is the Islamic State itself)."""
_BRANCH = re.compile(
    rf"(?<![\w-])(?P<known>{BRANCHED}) in (?P<where>(?:the )?[A-Z][\w'’-]*(?: (?:of )?[A-Z][\w'’-]*)*)"
)
_CAMEL_CASE = re.compile(r"^[A-Z]?[a-z]+[A-Z]")
_TWO_INITIALS = re.compile(r"[A-Z]\.[A-Z]\.?")
"""Two initials with dots name no unknown body: a place's or a person's ("H.K. shares", "N.Z.", "J.K."; "U.N." is a
known organisation's alias)."""
_WEB_NAME = re.compile(r"[A-Za-z][\w-]*(?:\.[a-z]{2,3})?\.(?:com|org|net|io|co|uk|de|fr|info|biz|gov)")
"""A one-word web address ("Buzzwad.com", "Amazon.co.uk"): a site's name, never a person's."""
SPEECH_VERBS = frozenset({"said", "says", "told", "added", "wrote", "tweeted", "announced", "stated", "warned"})
APPOSITION = ", who"
"""The cue passed on for a name that a clause after it says is a person's (``_APPOSITION_AFTER``)."""
_NUMERAL = re.compile(r"[IVXL]+|JR|SR")
"""Capitalised words a person's name may end in ("Benedict XVI")."""


def _capitals(word: str) -> bool:
    """Whether a word of a name is written in capitals ("TV", "NOPD"), which a person's name is not."""
    return len(word) > 1 and word.isalpha() and word.isupper() and not _NUMERAL.fullmatch(word)


NICKNAMES = {
    "bill": "william",
    "will": "william",
    "billy": "william",
    "bob": "robert",
    "rob": "robert",
    "bobby": "robert",
    "jim": "james",
    "jimmy": "james",
    "mike": "michael",
    "tom": "thomas",
    "tommy": "thomas",
    "joe": "joseph",
    "dick": "richard",
    "rick": "richard",
    "ben": "benjamin",
    "bibi": "benjamin",
    "dan": "daniel",
    "dave": "david",
    "steve": "steven",
    "tony": "anthony",
    "chris": "christopher",
    "matt": "matthew",
    "nick": "nicholas",
    "andy": "andrew",
    "alex": "alexander",
    "sam": "samuel",
    "ed": "edward",
    "ted": "edward",
    "chuck": "charles",
    "charlie": "charles",
    "pat": "patrick",
    "jack": "john",
    "johnny": "john",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "kate": "katherine",
    "kathy": "katherine",
    "sue": "susan",
    "jenny": "jennifer",
    "jen": "jennifer",
    "peggy": "margaret",
    "maggie": "margaret",
}
"""Common English short forms of first names -> the full form an actor's key uses."""
BROADCAST_WORDS = frozenset({"News", "Radio", "Television"})
_CALL_SIGN = re.compile(r"[A-Z]{2,5}\d{0,2}")
"""A broadcaster's initials or call sign ("ABC", "WKRN", "NBC4"), which before ``BROADCAST_WORDS`` name an outlet."""
MAX_ACRONYM = 5
"""Longest all-capital word read as an acronym ("NATO", "UNHCR"); longer ones are shouted words ("SOCCER")."""
CREDIT_OPENING = re.compile(
    r"(?:By|Photo|Photos|Photograph|Image|Credit|Credits|(?:Additional )?[Rr]eporting by|Editing by|Writing by|"
    r"Written by|Compiled by)\b"
)
CREDIT_CLOSING = re.compile(r"(?:/|\(\s*)(?:Getty Images|AFP|AP Photo|Reuters|EPA|Shutterstock)\b[^.]{0,20}$")
"""Bylines and photo credits (a sentence opening or closing so): their names are the reporter's or photographer's,
not actors of the news."""
CAPTION_WORDS = frozenset(
    {"handout", "caption", "photo", "photos", "photograph", "image", "images", "courtesy", "provided", "submitted"}
    | {"contributed"}
)
"""Words of a photo's caption or credit run into a name ("Show Caption Sharonda Benson", "Family Handout Alexis
Mercer", "Christian Bandemer Provided by family"): no name's, they split the words around them."""
AGENCIES = r"(?:Reuters|AFP|AP(?: Photo)?|Getty Images|EPA(?:-EFE)?|Shutterstock|Anadolu(?: Agency)?|Xinhua|Bloomberg)"
INLINE_CREDIT = re.compile(
    rf"[(\[]\s*(?:(?:Photo|Image|Credit|File)(?: by)?:?\s*)?(?:{AGENCIES}\s*/[^)\]]*|[^()\[\]]*?/\s*{AGENCIES}\s*)[)\]]"
)
"""A photo credit inside a sentence: "(Reuters / Mohamed El-Shahed)", "[Jane Doe/AFP]"."""
DATELINE_AGENCY = re.compile(rf"^([^\n()]{{2,60}}?)\s*\(\s*(?:{AGENCIES}|Associated Press)\s*\)(?=\s*[-—–:])")
"""The agency of a report's dateline ("ANKARA, Nov 20 (Reuters) -", "ATLANTA (AP) —"): it filed the report and
takes no part in the news."""
CLAUSE_OPENING = re.compile(r"[-—–:]\s*[\"'“‘]?\s*$")
"""What ends the text before a clause that opens as a sentence does ("FRANKFURT, Nov 19 - The European Central
Bank", "He said: The Senate"): its "The" is no name's."""
NEWS_AGENCIES = frozenset(
    {"organisation:reuters", "organisation:associated-press", "organisation:agence-france-presse"}
)
"""Agencies report the news and take no part in it: they are actors only as ``mentioned``."""
ORGANISATION_NEXT_WORDS = frozenset(
    {"shares", "stock", "spokesman", "spokeswoman", "spokesperson", "subsidiary", "company", "firm"}
    | {"fighters", "militants", "rebels", "guerrillas", "insurgents"}
)
"""Words after a one-word name that make it an organisation's ("Viacom shares", "Reuters spokesman")."""
STREET_WORDS = frozenset(
    {"street", "st", "road", "rd", "avenue", "ave", "drive", "boulevard", "blvd", "lane", "highway", "parkway"}
)
"""Words of streets, which end no person's name ("Cherry Street"; "Terry Park" may be one); not "Dr", more often
"Doctor" than "Drive"."""
FACILITY_WORDS = frozenset({"hotel", "airport", "stadium", "square", "mosque", "palace"})
"""Last words of buildings' and grounds' names, which end no person's name ("the Christopher Hotel")."""
NOT_SURNAMES = (
    STREET_WORDS
    | FACILITY_WORDS
    | frozenset({"island", "islands", "county", "state", "province", "region", "international", "national"})
)
"""Last words of places' names that end no person's name ("Cherry Street", "Drummond Island", "Madison County",
"Karen State", "Wayne State", "Christopher Hotel"), nor do an event's adjectives ("Sydney International")."""
FEATURE_WORDS = STREET_WORDS | frozenset(
    {"dr", "valley", "river", "creek", "lake", "mountain", "mountains", "bridge", "park", "airport"}
)
"""Words after a place's name that make the whole a street or a feature named after the place ("Eldorado Valley",
"Berea Road"), not the place; alone, no person ("Pope Street" is no Pope's title and a street)."""
NEWSPAPER_WORDS = frozenset(
    [
        "times",
        "herald",
        "post",
        "tribune",
        "journal",
        "gazette",
        "chronicle",
        "daily",
        "telegraph",
        "courier",
        "examiner",
        "inquirer",
        "dispatch",
        "bulletin",
        "news",
    ]
)
"""Words after a place's name that make the whole a newspaper's name ("The New York Times"): the paper, an
organisation (``_actors_of``), not a place of the news (as GeoVirus and LGL mark them; chosen on half A of the
place corpora: 161 km F1 0.783 -> 0.785, half B 0.754 -> 0.754, shipped settings)."""
REPORT_VERBS = frozenset({"reported", "reports", "quoted"})
"""Words after a name that make it an outlet's, unless a person's ("Xinhua reports", "The New York Times reported";
"Witnesses reported" is a plural noun's)."""
NEXT_WORD_CUES = SPEECH_VERBS | ORGANISATION_NEXT_WORDS | REPORT_VERBS | {"news"}
"""The next words the actor rules read; after any of them, a one-word name that follows "the" is an organisation's
("the Brotherhood said", "the Xinhua news agency"): a person's name takes no article."""


@dataclass(frozen=True)
class Actor:
    """One actor of an article, normalised: the same ``actor_id`` for every spelling."""

    actor_id: str
    name: str
    kind: str
    iso2: str | None
    iso3: str | None
    role: str
    mentions: int
    evidence: str


@dataclass(slots=True)
class _Found:
    """An actor met in an article: its spellings and roles with their counts (plain dicts: one is made per actor,
    and a ``Counter`` costs more to make than the rest of the actor's reading)."""

    actor_id: str
    kind: str
    names: dict[str, int] = field(default_factory=dict)
    iso3: str | None = None
    sentences: list[int] = field(default_factory=list)
    roles: dict[str, int] = field(default_factory=dict)
    role_sentences: dict[str, int] = field(default_factory=dict)


@bounded_memo(65_536)
def actor_id_for(kind: str, name: str) -> str:
    """The normalised key of an actor: ``country:ISR``, ``organisation:hamas``, ``person:itamar-ben-gvir``; a
    person's common short first name is keyed by its full form ("Bill Burns" -> ``person:william-burns``)."""
    if kind == "country":
        return f"country:{name}"
    words = fold(name).split()
    if kind == "person" and len(words) > 1:
        words[0] = NICKNAMES.get(words[0], words[0])
    if kind == "organisation" and len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()  # "Hokuriku Electric Power Co" is "Hokuriku Electric Power"
    return f"{kind}:{'-'.join(words)}"


@bounded_memo(65_536)
def _country_code(words: tuple[str, ...]) -> str | None:
    key = fold(" ".join(words))
    if len(words) == 1 and words[0].isupper() and words[0].replace(".", "") not in ("US", "USA", "UK", "UAE"):
        return None
    return gazetteer.country_names().get(key) or gazetteer.demonyms().get(key)


@bounded_memo(65_536)
def _organisation(words: tuple[str, ...]) -> str | None:
    name = " ".join(words)
    canonical = gazetteer.organisation_names().get(fold(name))
    if canonical and (len(name) > 3 or name.isupper() or "." in name):
        return canonical
    return None


ACTOR_PLACE_POPULATION = 15_000
"""A name is read as a place (not a person's or organisation's) only when it names a division, a country or a town
of at least this many people: small towns share their names with many people ("Burns", "Lena")."""


@bounded_memo(65_536)
def _is_place(words: tuple[str, ...]) -> bool:
    candidates = gazetteer.places().get(fold(" ".join(words)))
    return any(place.kind != "city" or place.population >= ACTOR_PLACE_POPULATION for place in candidates)


def _division(words: tuple[str, ...]) -> bool:
    """Whether words name a division or territory of the gazetteer, whatever their shape ("West Bank": no bank)."""
    return any(place.kind != "city" for place in gazetteer.places().get(fold(" ".join(words)), ()))


def _given_name(word: str) -> bool:
    """A common given name, or a hyphenated one by its first part ("Anne-Marie", "Nancy-Amelia")."""
    if gazetteer.is_first_name(word):
        return word.lower() not in GROUP_WORDS or word == "Christian"  # "Sunni Human Rights", not "Christian Bale"
    return "-" in word and bool(_HYPHENATED_NAME.fullmatch(word)) and gazetteer.is_first_name(word.split("-")[0])


_HYPHENATED_NAME = re.compile(r"[A-Z][a-z]{2,}-[A-Z][a-z]+")


@bounded_memo(65_536)
def _town_only(words: tuple[str, ...]) -> bool:
    """Whether every place of the name is a town: after a title, such a name is a person's ("President Bush")."""
    return all(place.kind == "city" for place in gazetteer.places().get(fold(" ".join(words)), ()))


@bounded_memo(65_536)
def _shaped_organisation(words: tuple[str, ...]) -> bool:
    lowered = [word.lower().rstrip(".") for word in words]
    if (
        len(words) >= 2
        and (
            _body_word(lowered[-1])
            or lowered[-1][:-1] in PLURAL_BODIES
            or (lowered[-1] in INDUSTRY_WORDS and "of" not in lowered)  # not "Minister of Communications"
        )
        and _heads_body(lowered)
    ):
        return True  # "... Committees": a plural body word too
    if 3 <= len(words) <= 5 and words[-1] == "Community" and all(word.isalpha() for word in words):
        return True  # "Southern African Development Community"; not "LGBTQ Community", "NYC Community"
    if len(words) >= 2 and not ORG_WORDS.isdisjoint(lowered) and not AFFILIATION_WORDS.intersection(lowered):
        return True  # not "Larry Culp of General Electric"
    headed = lowered[0] in ORG_HEADS or (
        len(words) >= 4
        and lowered[1] in ORG_HEADS
        and (lowered[0] in TITLE_MODIFIERS or _country_code(words[:1]) or not _given_name(words[0]))
    )
    if len(words) >= 3 and ("of" in lowered or "for" in lowered) and headed and not _polity(words):
        return True  # "Bank of England", "U.S. Centers for Disease Control", "National Institute of Allergy"
    if len(words) >= 3 and "for" in words[1:-1] and _body_word(lowered[words.index("for") - 1]):
        return True  # "Salafist Group for Preaching and Combat", "Movement for Democratic Change"
    word = words[0].replace(".", "").replace("&", "")
    return (
        len(words) == 1
        and 2 <= len(word) <= MAX_ACRONYM
        and word.isupper()
        and word.isalpha()
        and word not in NOT_ACRONYMS
        and not gazetteer.is_common_word(word)  # a shouted word: "the rumors are TRUE"
        and words[0].rstrip(".") not in gazetteer.abbreviations()  # "N.Y.", "D.C.": a state's
        and not _TWO_INITIALS.fullmatch(words[0])
    )


def _polity(words: tuple[str, ...]) -> bool:
    """Whether a name is a country's or a division's formal name, "Commonwealth of" and the place ("Commonwealth of
    Australia", "Commonwealth of Pennsylvania"): the place, no body ("Commonwealth of Independent States" is one)."""
    if words[0].lower() != "commonwealth" or words[1] != "of":
        return False
    return bool(_country_code(words[2:])) or any(
        place.kind in ("country", "admin1") for place in gazetteer.places().get(fold(" ".join(words[2:])))
    )


def _body_word(word: str) -> bool:
    """Whether a lower-case word ends a body's name ("group", "ministry", "movement")."""
    return word in ORG_SUFFIXES or word in ORG_LAST_WORDS


def _heads_body(lowered: list[str]) -> bool:
    """Whether a name ending in a body's word is the body's: not when it opens with a plural before "of", which names
    the body's parts or members ("Houses of Parliament", "Members of Parliament"; "Fraternal Order of Police" is)."""
    if "of" not in lowered[1:-1]:
        return True
    head = lowered[lowered.index("of") - 1]
    return not head.endswith("s") or head.endswith("ss") or head[:-1] in PLURAL_BODIES or head in ORG_SUFFIXES


def _split_hyphenated(words: tuple[str, ...]) -> tuple[str, ...]:
    """ "Israel-Hamas" -> ("Israel", "Hamas") when each part is a country or organisation on its own; a leading
    "X-based" says where a body sits and is no part of its name, nor are the words before it ("Algerian-based
    Salafist Group", "Rock Hill-based Carolinas Cab Co.")."""
    if "-" not in " ".join(words):
        return words
    based = next((i for i, word in enumerate(words[:2]) if word.endswith("-based")), len(words))
    if based < len(words) - 1:  # "The Virginia-based National Center", "Rock Hill-based Carolinas Cab Co."
        words = words[based + 1 :]
    out: list[str] = []
    for word in words:
        parts = word.split("-")
        if len(parts) > 1 and all(_country_code((part,)) or _organisation((part,)) for part in parts):
            out.extend(parts)
        else:
            out.append(word)
    return tuple(out)


@bounded_memo(16_384)
def _pieces(
    words: tuple[str, ...], title_case: bool, after_role: bool = False
) -> list[tuple[str, tuple[str, ...], bool]]:
    """Split a phrase into (kind, words, after_title) pieces: country, organisation, place, title or rest; a phrase
    after a role noun ("spokeswoman Tasnim Aslam") opens as if after a title. Memoised (one list per phrase, read
    only: its callers never change it): ``_actors_of`` misses its memo on the same words in other contexts."""
    titled = next((i for i in range(2, len(words) - 1) if _title_before_name(words, i)), 0)
    if (
        titled
        and _shaped_organisation(words[:titled])
        and not any(word.lower().rstrip(".") in RANK_WORDS for word in words[: titled - 1])
    ):
        # "Board of Assessors Chairman David Ragland": the body's name, then the person's
        return [*_pieces(words[:titled], title_case), *_pieces(words[titled:], title_case)]
    inner = next((i for i in range(1, len(words) - 2) if words[i].lower() in ORG_LAST_WORDS), 0)
    if inner and words[inner + 1][:1].isupper() and words[inner + 1].lower().rstrip(".") not in PERSON_TITLES:
        # "Police Department Homicide Division", "Transportation Ministry Zoba Yass": the body's name, then a name,
        # a person's when it is a plain name of no English word or a given name ("Zoba Yass"; not "Homicide Division")
        rest = words[inner + 1 :]
        member = bool(_PLAIN_NAME.fullmatch(" ".join(rest))) and (
            _given_name(rest[0]) or not gazetteer.word_frequency(rest[0])
        )
        return [*_pieces(words[: inner + 1], title_case), *_pieces(rest, title_case, member)]
    if _shaped_organisation(words) and not _country_code(words) and len(words) > 1 and not _division(words):
        start = 0
        body = words[-1].lower() in ORG_LAST_WORDS  # "Foreign Ministry": its title-like words are the name's
        titled = not body and ORG_WORDS.isdisjoint(word.lower() for word in words)  # "General Electric": no title
        while start < len(words) - 1 and (
            _country_code(words[start : start + 1])
            or (
                titled
                and _is_title(words, start)
                and (words[start].lower() not in TITLE_MODIFIERS or start + 2 < len(words))
            )
        ):
            start += 1
        head = [("country", words[:start], False)] if start and _country_code(words[:start]) else []
        if (
            body
            and start == 1
            and (fold(words[0]) not in gazetteer.country_names() or words[1].lower() not in ACTOR_TITLES)
        ):
            start = 0  # a demonym names the body ("Australian Trade Commission"): not one "Trade Commission" for all;
            # so does a country before no office's word ("Japan Meteorological Agency"; not "Pakistan Foreign Ministry")
        return [*head, ("organisation", words[start:], False)]
    pieces: list[tuple[str, tuple[str, ...], bool]] = []
    rest: list[str] = []
    after_title = after_role and not title_case
    index = 0

    office: list[bool] = [False]  # after "<title> of": the office's words come first ("Secretary of Defense")

    def flush() -> None:
        if office[0]:  # "of Defense William Perry" -> "William Perry"; "of Defense" alone names no one
            # the office's words lead, up to a given name or the last two ("of Homeland Security Jeh Johnson"),
            # unless an English word ends them: no name ("Superintendent of Buffalo Public Schools")
            given = next((i for i, word in enumerate(rest) if _given_name(word)), len(rest))
            if len(rest) < 3:
                rest[:] = rest[given:]
            elif given < len(rest) or not gazetteer.is_common_word(rest[-1]):
                rest[:] = rest[min(given, len(rest) - 2) :]
            office[0] = False
        if rest:
            pieces.append(("rest", tuple(rest), after_title))
            rest.clear()

    run = gazetteer.run_names(words)
    while index < len(words):
        for end, _ in run.spans(index):
            span = words[index:end]
            kind = (
                "country"
                if _country_code(span)
                and not (end < len(words) and words[end].lower() in SEA_WORDS)
                and not (not title_case and end == len(words) == index + 1 and _surname_after(rest, span))
                else "organisation"
                if _organisation(span)
                else "place"
                if _is_place(span)
                and (end - index > 1 or not rest)
                and not (after_title and end == index + 1 and _town_only(span))
                and not (end == index + 1 and end < len(words) and gazetteer.is_first_name(span[0]))
                else None
            )
            if kind:
                flush()
                pieces.append((kind, span, False))
                after_title = False
                index = end
                break
        else:
            word = words[index]
            if not title_case and _is_title(words, index):
                # "SoftBank CEO": a body; "Homeland Security Adviser": one word before a title's modifiers is the
                # office's ("National", "Security", "Foreign"; not "USEF National Hunter": a given name after them)
                office_word = len(rest) == 1 and (after_title or _plain_word(rest[0]) or _modified_title(words, index))
                if rest and not office[0] and not office_word:
                    pieces.append(("organisation", tuple(rest), False))
                rest.clear()
                office[0] = False
                after_title = True
            elif after_title and not rest and word == "of":
                office[0] = True
            else:
                rest.append(word)
            index += 1
    flush()
    return pieces


def _title_before_name(words: tuple[str, ...], index: int) -> bool:
    """Whether ``words[index]`` is a person's title before a given name ("Chairman David", not "Attorney General")."""
    following = words[index + 1]
    return (
        words[index].lower().rstrip(".") in ACTOR_TITLES
        and following.lower().rstrip(".") not in ACTOR_TITLES
        and _given_name(following)
    )


def _modified_title(words: tuple[str, ...], index: int) -> bool:
    """Whether ``words[index]`` opens a title with ``TITLE_MODIFIERS`` before its title word ("Security Adviser")."""
    keys = [word.lower().rstrip(".") for word in words[index:]]
    following = next((i for i, key in enumerate(keys) if key not in TITLE_MODIFIERS), 0)
    return following > 0 and keys[following] in ACTOR_TITLES


def _surname_after(rest: list[str], span: tuple[str, ...]) -> bool:
    """Whether a country's name after ``rest``, one given name, ends a person's name (``country_surname``: "Lisa
    Monaco", "Michael Jordan"; not "Georgia Jordan", "One Afghan soldier")."""
    return len(rest) == 1 and _given_name(rest[0]) and country_surname(rest[0], " ".join(span))


def _place_or_body_word(word: str) -> bool:
    """Whether one word is a street's, a feature's or a body's word, which alone names no person ("Pope Street",
    "the Sheriff's Office says")."""
    word = word.lower().rstrip(".")
    return word in FEATURE_WORDS or word in ORG_SUFFIXES or word in ORG_LAST_WORDS


def _plain_word(word: str) -> bool:
    """Whether one word before a title is an English word, not a body's name ("Judicial District Attorney", "Major
    General"; "SoftBank CEO" names a company)."""
    return word.lower() in RANK_OPENERS or gazetteer.is_common_word(word) or word.lower() in ACTOR_TITLES


def _defines(words: tuple[str, ...], acronym: str) -> bool:
    """Whether an acronym in brackets after a name is the name's initials, in order or not ("Palestine Liberation
    Organization (PLO)", "Revolutionary Armed Forces of Colombia (FARC)")."""
    letters = acronym.replace(".", "").replace("-", "")
    initials = "".join(word[0] for word in words if word[:1].isupper() and word.lower() not in STOP_WORDS)
    return (
        len(letters) >= 2
        and letters.isalpha()
        and letters.isupper()
        and letters not in NOT_ACRONYMS
        and sorted(initials) == sorted(letters)
    )


def _person_or_organisation(
    words: tuple[str, ...], after_title: bool, title_case: bool, next_word: str, possessive: bool
) -> tuple[str, tuple[str, ...]] | None:
    titled = words[0] == "The"  # inside a sentence: a work's or a body's name ("TV's The Simple Life"), no person
    words = tuple(word for word in words if word.lower() not in STOP_WORDS) if words[0].lower() in STOP_WORDS else words
    while len(words) > 1 and words[-1] in AFFILIATION_WORDS:
        words = words[:-1]  # "Andreas Seppi of Italy": the country is a piece of its own, the "of" no name's
    if not words:
        return None
    if _shaped_organisation(words) or (len(words) == 1 and words[0].lower() in LONE_BODIES):
        return "organisation", words
    if (
        len(words) == 2
        and words[1] in BROADCAST_WORDS
        and _CALL_SIGN.fullmatch(words[0])
        and words[0] not in NOT_ACRONYMS
        and words[0] not in gazetteer.us_state_codes()  # "OH News": a section
    ):
        return "organisation", words  # "ABC News", "CBS Radio", "NBC4 News": a broadcaster's newsroom
    if next_word in REPORT_VERBS and not after_title and not title_case and _outlet(words):
        return "organisation", words
    if titled:
        return None
    if title_case:
        if (
            len(words) >= 2
            and gazetteer.is_first_name(words[0])
            and words[1].lower() not in STOP_WORDS
            and words[1].lower().rstrip(".") not in NOT_SURNAMES  # "Drummond Island, MI (Photo: Google Maps)"
            and not _is_place(words[:1])
        ):
            return "person", words[:2]
        return None
    if len(words) >= 3 and not after_title and words[0].lower() in ROLE_NOUNS and _given_name(words[1]):
        words = words[1:]  # "Defendant Asher Weisgan", "Witness John Smith": the noun opens a sentence, no name
    if (
        2 <= len(words) <= 4
        and all(word[:1].isupper() or word.split("-", 1)[0] in NAME_PARTICLES for word in words)  # "al-Uloum"
        and words[-1].lower() not in GROUP_WORDS
        and words[-1].lower().rstrip(".") not in NOT_SURNAMES  # "Cherry Street", "Drummond Island"
        and (after_title or _given_name(words[0]) or next_word in SPEECH_VERBS or next_word == APPOSITION)
    ):
        if not (after_title or next_word == APPOSITION) and all(
            gazetteer.is_common_word(word) and not _given_name(word) for word in words
        ):
            return "organisation", words  # "Right Sector said": English words only, a body's name
        capitals = [i for i, word in enumerate(words) if _capitals(word)]
        if capitals and capitals[-1] == len(words) - 1:
            return ("organisation", words) if next_word in SPEECH_VERBS else None  # "Press TV says": no person
        if capitals:  # "NOPD Superintendent Michael Harrison", "Qualys CTO Wolfgang Kandek"
            tail = words[capitals[-1] + 1 :]
            given = next((i for i, word in enumerate(tail) if _given_name(word)), len(tail))
            return ("person", tail[given:]) if len(tail) - given >= 2 else None
        return "person", words
    if (
        len(words) == 1
        and len(words[0]) > 1
        and (after_title or next_word in SPEECH_VERBS)
        and not _place_or_body_word(words[0])
        and not _WEB_NAME.fullmatch(words[0])  # "Job: Owner Buzzwad.com", "Polygraph.info said": a site, no person
        # "... are TRUE said the NEWS": a shouted word, no person ("Obama" and "Trump" are common words too)
        and not (words[0].isupper() and gazetteer.is_common_word(words[0]))
    ):
        return "person", words
    if (
        len(words) == 1
        and (_CAMEL_CASE.search(words[0]) or possessive or next_word in ORGANISATION_NEXT_WORDS)
        and not gazetteer.is_first_name(words[0])
        and words[0] not in NOT_ACRONYMS
        and words[0].lower() not in NO_BODY_WORDS
        and words[0].lower() not in GROUP_WORDS
        and not _TWO_INITIALS.fullmatch(words[0])
    ):
        return "organisation", words
    return None


def _outlet(words: tuple[str, ...]) -> bool:
    """Whether a name before a ``REPORT_VERBS`` word may be an outlet's: no given name opens it, and one word is not
    an English word or its plural ("Police", "Witnesses", "Neighbors reported")."""
    word = words[0]
    if _given_name(word) or words[-1].lower() in GROUP_WORDS:
        return False
    return len(words) > 1 or not (
        gazetteer.word_frequency(word) or (word.endswith("s") and gazetteer.word_frequency(word[:-1]))
    )


def _newspaper(words: tuple[str, ...]) -> bool:
    """Whether words are a newspaper's name: a place's name and ``NEWSPAPER_WORDS`` only ("The Denver Post", "New
    York Daily News"; not "Bay City News Service" nor "Newport News", a town)."""
    start = int(words[0] == "The")
    end = len(words)
    while end > start and words[end - 1].lower().rstrip(".") in NEWSPAPER_WORDS:
        end -= 1
    return start < end < len(words) and _is_place(words[start:end]) and not _is_place(words[start:])


@bounded_memo(16_384)
def _actors_of(
    tokens: tuple[str, ...],
    opens_sentence: bool,
    possessive: bool,
    title_case: bool,
    next_word: str,
    before: str = "",
) -> tuple[tuple[str, str, str | None], ...]:
    """Memoised: the same names recur within an article and across articles."""
    words = _split_hyphenated(tokens)
    caption = next((i for i, word in enumerate(words) if word.lower() in CAPTION_WORDS), None)
    if caption is not None:  # "Family Handout Alexis Mercer", "Dallas Bidwell Photos": the names either side
        head = _actors_of(words[:caption], opens_sentence, False, title_case, "", before) if caption else ()
        tail = words[caption + 1 :]
        return head + (_actors_of(tail, True, possessive, title_case, next_word) if tail else ())
    if opens_sentence and len(words) > 1 and (words[0].lower() in STOP_WORDS or words[0] == "So"):
        words = words[1:]  # "So I thought": no "So I" (the place rules read "So" as they did)
    if before == "state":
        return ()
    if before == "acronym" and not _country_code(words) and not _is_place(words):
        return (("organisation", _organisation(words) or " ".join(words), None),)
    while len(words) > 1 and words[-1].lower() in WEEKDAYS:  # "University of Virginia Friday"
        words, possessive = words[:-1], False
    while len(words) > 1 and words[0].lower() in WEEKDAYS:  # "on Saturday Chinese Foreign Ministry spokesman"
        words = words[1:]
    found = []
    # "the Brotherhood said", "the Xinhua news agency" (a town's name too): an organisation ("the Smiths": people)
    the_name = before == "the" and len(words) == 1 and words[0][-1] != "s" and words[0].lower() not in PERSON_TITLES
    if _newspaper(words):
        return (("organisation", " ".join(words[words[0] == "The" :]), None),)
    pieces = _pieces(words, title_case, before == "role")
    for position, (kind, span, after_title) in enumerate(pieces):
        if (
            the_name
            and span[0].lower() not in STOP_WORDS
            and (kind == "rest" or (kind == "place" and next_word not in ORGANISATION_NEXT_WORDS and _town_only(span)))
        ):  # a town's name only before "said" or "news" ("the Xinhua news agency", not "the Omaha company")
            found.append(("organisation", span[0], None))
        elif kind == "country":
            found.append(("country", " ".join(span), _country_code(span)))
        elif kind == "organisation":
            found.append(("organisation", _organisation(span) or " ".join(span), None))
        elif kind == "rest":
            if span[0].lower() in STOP_WORDS and len(span) == 1:
                continue
            if before == "body" and position == 0 and not after_title and not gazetteer.is_first_name(span[0]):
                found.append(("organisation", " ".join(span), None))  # "the rock band Good Charlotte"
                continue
            # the next word follows the last piece only ("The Times of India reported": no "Times of")
            following = next_word if position == len(pieces) - 1 else ""
            resolved = _person_or_organisation(span, after_title, title_case, following, possessive)
            if resolved:
                found.append((resolved[0], " ".join(resolved[1]), None))
    return tuple(found)


def _roles_in_sentence(sentence: str, names: dict[str, str]) -> dict[str, str]:
    """actor_id -> role votes one sentence gives, from its wording around the actors' names."""
    votes: dict[str, str] = {}
    lowered = sentence.lower()
    # party wording gives votes only to a pair: a sentence naming one actor need not be searched for it
    party = PARTY_CONTEXT.search(lowered) if len(set(names.values())) >= 2 else None
    mediator = MEDIATOR_CUE.search(sentence) if any(cue in lowered for cue in MEDIATOR_STEMS) else None
    if "between" not in sentence and not party and not mediator:
        return votes  # no wording that gives a role: most sentences
    if "between" in sentence:
        for match in _BETWEEN.finditer(sentence):
            for actor, name in ((a, n) for n, a in names.items()):
                if fold(name) and (fold(name) in fold(match.group(1)) or fold(name) in fold(match.group(2))):
                    votes[actor] = "party"
    if party and not mediator:
        pairs = re.finditer(r"([\w'’.-]+(?: [\w'’.-]+)?)(?:-| and )([\w'’.-]+(?: [\w'’.-]+)?)", sentence)
        for match in pairs:
            left, right = fold(match.group(1)), fold(match.group(2))
            hits = [
                actor
                for name, actor in names.items()
                if fold(name) not in gazetteer.demonyms()
                and (fold(name) in (left, right) or left.endswith(fold(name)) or right.startswith(fold(name)))
            ]
            if len(set(hits)) >= 2:
                for actor in hits:
                    votes[actor] = "party"
    if mediator:
        folded = fold(sentence)
        positions = {actor: folded.find(fold(name)) for name, actor in names.items() if folded.find(fold(name)) >= 0}
        cue = MEDIATOR_CUE.search(folded) or mediator
        for actor, position in positions.items():
            if votes.get(actor) != "party" and abs(position - cue.start()) <= 80:
                votes[actor] = "mediator"
    return votes


def extract_actors(
    title: str, text: str | None, body: Sequence[str] | None = None, language: Language | None | EllipsisType = ...
) -> list[Actor]:
    """Actors of an article (headline plus body), most mentioned first; ``body``: the text's sentences and
    ``language``: ``detect_language`` of the headline and text, when the caller has them (``enrich_article``: once
    per article; ``...``: detected here when the text is not plainly English)."""
    if not isinstance(title, str):
        raise TypeError("title must be a string")
    # a language given as English or unknown: the text is read without counting its function words
    if text and (language is ... or (language is not None and language.code != "en")) and not reads_english(text):
        if language is ...:
            language = detect_language(f"{title}\n{text}")
        if language is not None and language.code != "en":
            return []  # the rules read English: "En Utiel" in a Spanish report is no actor
    text = DATELINE_AGENCY.sub(r"\1", text, count=1) if text else text
    if body is None:
        body = split_sentences(text or "")
    elif body:  # split by the caller from the text as it came: its dateline's agency goes the same way
        body = [DATELINE_AGENCY.sub(r"\1", body[0], count=1), *body[1:]]
    sentences = [title, *body] if title else body
    article = f"{title}\n{text or ''}"
    found: dict[str, _Found] = {}
    weak: dict[str, bool] = {}  # person -> named only as a sentence's one opening word before "said" ("Officials said")
    sentence_names: dict[int, dict[str, str]] = defaultdict(dict)
    unnamed: dict[str, tuple[str, int]] = {}  # surname -> a name of two or three words no rule read, its sentence
    for index, sentence in enumerate(sentences):
        if CREDIT_OPENING.match(sentence) or (("/" in sentence or "(" in sentence) and CREDIT_CLOSING.search(sentence)):
            continue
        if "/" in sentence:
            sentence = INLINE_CREDIT.sub(" ", sentence).strip()
        scanned = scan_sentence(sentence)
        title_case = scanned.title_case and (index == 0 and bool(title) or not _PROSE.search(sentence))
        branches = _branches(sentence) if "Qa" in sentence else ()
        for first, run, words in _joined(scanned.runs, None if title_case else article):
            cue, before = _context(sentence, first, run, words)
            opens = (
                first.opens
                or words[0].lower() in STOP_WORDS
                and bool(CLAUSE_OPENING.search(gap_before(sentence, first)))
            )
            branch = next((b for b in branches if b[0] <= first.spans[0][0] < b[1]), None)
            if branch is not None:  # one organisation: "al Qaida in Iraq", not al-Qaeda and Iraq
                results = (("organisation", branch[2], None),) if first.spans[0][0] <= branch[0] + 3 else ()
            else:
                results = _actors_of(words, opens, run.possessive, title_case, cue, before)
            if not results and not title_case and branch is None:
                while len(words) > 2 and words[-1].lower() in WEEKDAYS:  # "targeted Ya'akov Alperon Monday"
                    words = words[:-1]
                if _unnamed_person(words, first.opens):
                    unnamed.setdefault(fold(words[-1]), (" ".join(words), index))
            for kind, name, iso3 in results:
                key = actor_id_for(kind, iso3 or name)
                entry = found.get(key)
                if entry is None:
                    entry = found[key] = _Found(key, kind, iso3=iso3)
                if kind == "person":
                    opening = first.opens and cue in SPEECH_VERBS and not before and " " not in name
                    weak[key] = weak.get(key, True) and opening
                entry.names[name] = entry.names.get(name, 0) + 1
                entry.sentences.append(index)
                sentence_names[index][name] = key
    _full_names(found, sentence_names, unnamed, article)
    _merge_name_tails(found, sentence_names)
    _merge_surnames(found, sentence_names, article)
    _merge_initials(found, sentence_names)
    for key in [key for key, entry in found.items() if entry.kind == "country" and len(entry.names) == 1]:
        name = next(iter(found[key].names))
        if names_state_town(article, name) and not names_country(article, name):
            _drop(found, sentence_names, key)  # "Georgia's largest city" beside "Atlanta": the US state
    for key in [key for key, only in weak.items() if only and key in found]:
        _drop(found, sentence_names, key)  # a plural noun ("Officials", "Witnesses") or a surname whose full name
        # the article lacks
    for index, names in sentence_names.items():
        for actor, role in _roles_in_sentence(sentences[index], names).items():
            if actor in NEWS_AGENCIES:
                continue
            found[actor].roles[role] = found[actor].roles.get(role, 0) + 1
            found[actor].role_sentences.setdefault(role, index)
    return sorted((_to_actor(entry, sentences) for entry in found.values()), key=lambda a: (-a.mentions, a.actor_id))


def _branches(sentence: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of every regional branch of a ``BRANCHED`` organisation a sentence names ("al Qaida in
    Iraq", "Al-Qaeda in the Arabian Peninsula": an organisation of its own, named as the text spells it)."""
    return [(match.start(), match.end(), match.group()) for match in _BRANCH.finditer(sentence)]


def _context(sentence: str, first: Run, run: Run, words: tuple[str, ...]) -> tuple[str, str]:
    """(cue, before): what the words after and before a name say of it, as ``_actors_of`` reads them."""
    next_word = run.next_word.lower().rstrip(".")
    cue = next_word if next_word in NEXT_WORD_CUES else ""  # the only next words that matter: more memo hits
    start = first.spans[0][0]
    before = ""
    if start > 2 and sentence[start - 1] == " " and sentence[start - 2].islower():
        previous = sentence[sentence.rfind(" ", 0, start - 1) + 1 : start - 1]
        if (previous in ROLE_NOUNS or previous in PERSON_OBJECT_VERBS) and len(words) > 1:
            before = "role"  # "spokeswoman Tasnim Aslam", "replacing Rahm Emmanuel"
        elif previous in BODY_NOUNS or (
            previous in AFFILIATION_WORDS
            and (run.gap_after != " " or run.next_word in CLAUSE_WORDS or run.next_word.endswith(("ed", "s")))
            and _AFFILIATION.search(sentence, max(0, start - 40), start)
        ):
            before = "body"  # "the rock band Good Charlotte", "a spokesman for the Tamil Tigers"
        elif previous == "the" and len(words) == 1 and cue:
            before = "the"
    elif start > 2 and len(words) > 1 and sentence[start - 2 : start] == ", " and run.gap_after[:1] in ",.":
        previous = sentence[sentence.rfind(" ", 0, start - 2) + 1 : start - 2].lower()
        if previous in APPOSITION_NOUNS:
            before = "role"  # "Foreign Minister, Nobutaka Machimura,"
    elif first.opens and len(words) == 2 and words[0] == "The" and cue:
        before = "the"  # "The Xinhua news agency says"
    if cue == "news" and len(words) == 1 and not first.opens and sentence.startswith(" agency", run.next_end):
        before = "the"  # "the official Xinhua news agency"
    if (
        not cue
        and len(words) > 1
        and words[0] != "The"
        and not sentence.endswith("the ", 0, start)
        and run.gap_after[:1] == ","
        and _APPOSITION_AFTER.match(sentence, run.spans[-1][1])
    ):
        cue = APPOSITION  # "Saadoun al-Dulaimi, the defense minister"
    elif (
        not cue
        and len(words) > 1
        and run.gap_after == ", "
        and run.next_word in APPOSITION_VERBS
        and sentence[start - 2 : start] == ", "
    ):
        cue = APPOSITION  # "A Sunni Arab, Saadoun al-Dulaimi, has been approved"
    if (
        len(words) == 1
        and sentence.endswith(", ", 0, start)
        and words[0] in gazetteer.us_state_codes()
        and _state_code_after(sentence, start - 2)
    ):
        before = "state"  # "in Harrisburg, PA": Pennsylvania, not the Palestinian Authority
    if run.gap_after == " (" and sentence.startswith(")", run.next_end) and _defines(words, run.next_word):
        before = "acronym"  # "the Palestine Liberation Organization (PLO)"
    return cue, before


def _state_code_after(sentence: str, end: int) -> bool:
    """Whether a capitalised word ends at ``end`` and the place it names, if any, may be a US one: "Harrisburg, PA",
    "Tabernacle, NJ" (no gazetteer town), "Regina Benjamin, MD"; not "In Gaza, PA security forces" nor "In a
    statement, PA officials"."""
    words = [word.strip("()[]\"'|") for word in sentence[:end].split()[-gazetteer.MAX_NAME_WORDS :]]
    if not words or not words[-1][:1].isupper() or not words[-1][-1:].isalpha():
        return False
    start = len(words)
    while start and words[start - 1][:1].isupper():
        start -= 1
    for key in (fold(" ".join(words[i:])) for i in range(start, len(words))):  # the longest name first
        places = gazetteer.places().get(key)
        if any(place.country_code == "US" for place in places):
            return True
        if any(fold(place.name) == key for place in places):  # by its own name: "Island" is Iceland's alias only
            return False
    return True


def _unnamed_person(words: tuple[str, ...], opens: bool) -> bool:
    """Whether a name no rule read may be a person's full name, two or three plain capitalised words ("Zoba Yass");
    opening a sentence, only with a given name ("Ironically Nichols" is not one)."""
    return (
        2 <= len(words) <= 3
        and (not opens or _given_name(words[0]))
        and words[0].lower() not in STOP_WORDS
        and words[-1].lower() not in GROUP_WORDS
        and all(word[:1].isupper() or word.split("-", 1)[0] in NAME_PARTICLES for word in words)
        and not any(
            _capitals(word) or word.lower().rstrip(".") in PERSON_TITLES or word.lower() in ORG_SUFFIXES
            for word in words
        )
    )


def _full_names(
    found: dict[str, _Found],
    sentence_names: dict[int, dict[str, str]],
    unnamed: dict[str, tuple[str, int]],
    article: str,
) -> None:
    """A surname read as a person's ("Mr. Ashibli", "Ashibli said") makes a person of the full name no rule read
    ("Hashem Ashibli"), which ``_merge_surnames`` then joins; so does a surname the article writes alone elsewhere
    that is no English word and names nothing else ("Ya'akov Alperon ... Alperon was returning")."""
    if not unnamed:
        return
    named: set[str] | None = None
    for full, index in unnamed.values():
        first, last = full.split(" ", 1)[0], full.rsplit(" ", 1)[-1]
        key = actor_id_for("person", full)
        if (
            key not in found
            and _PLAIN_NAME.fullmatch(full)
            and (_given_name(first) or not gazetteer.word_frequency(first))  # not "Mount Sefton", "Intel Xeon"
            and not gazetteer.word_frequency(last)
            and article.count(last) > article.count(full)
            and not _names_alone((last,))
            and not _is_place((last,))
        ):
            if named is None:
                named = {fold(name) for entry in found.values() for name in entry.names}
            if fold(last) in named:
                continue  # "Stadia", an organisation of the article
            found[key] = _Found(key, "person", names={full: 1}, sentences=[index])
            sentence_names[index][full] = key
    for entry in list(found.values()):
        name = next(iter(entry.names))
        if entry.kind != "person" or len(entry.names) > 1 or " " in name:
            continue
        full, index = unnamed.get(fold(name), ("", 0))
        key = actor_id_for("person", full)
        if full and key not in found:
            found[key] = _Found(key, "person", names={full: 1}, sentences=[index])
            sentence_names[index][full] = key


_PLAIN_NAME = re.compile(r"[A-Z][a-z]+(?:['’-][A-Za-z][a-z]+)?(?: [A-Z][a-z]+(?:['’-][A-Za-z][a-z]+)?){1,2}")
"""A person's name as ``_full_names`` reads one from a repeated surname: two or three words in capitals and small
letters, with an apostrophe or a hyphen ("Ya'akov Alperon", "Hart-Rasberry"); no initials, capitals or accents."""
JOINING_WORDS = frozenset({"and", "for"})
"""Lower-case words inside some organisations' names ("Food and Agriculture Organization", "Centers for Disease
Control"), which a run of capitalised words does not cross (they join places and people too often)."""


def _joined(runs: tuple[Run, ...], text: str | None) -> Iterator[tuple[Run, Run, tuple[str, ...]]]:
    """(first run, last run, words) of a sentence's runs, where runs one joining word apart join when the whole is
    shaped as an organisation's name and neither names a country, a known organisation or a person on its own
    ("Israel and Palestinian Authority", "Bank of England and Federal Reserve" stay two; ``_stands_alone``), and a
    possessive joins the body's name it opens (``_possessive_body``: "Lord's Resistance Army"; ``text``, the
    article, is None in a title-case sentence: "Shooting At Baby's Birthday Party")."""
    index = 0
    while index < len(runs):
        first = last = runs[index]
        words = first.words
        continued = False  # a body's name goes on after its "for" ("Salafist Group for Preaching and Combat")
        possessed = (
            text is not None
            and index + 1 < len(runs)
            and first.possessive
            and _possessive_body(first, runs[index + 1], text)
        )
        if possessed:
            index += 1
            last, words = runs[index], (*words[:-1], first.raw[-1], *runs[index].words)
        while (
            not possessed
            and index + 1 < len(runs)
            and not last.possessive
            and last.next_word in JOINING_WORDS
            and last.gap_after == " "
            and runs[index + 1].spans[0][0] == last.next_end + 1
        ):
            joined = (*words, last.next_word, *runs[index + 1].words)
            own = first.words[1:] if first.opens and first.words[0].lower() in STOP_WORDS else first.words  # "The"
            after = runs[index + 1].words
            continued = (
                (continued and all(gazetteer.is_common_word(word) for word in after))  # "... and Combat"
                or (last.next_word == "for" and _body_word(words[-1].lower().rstrip(".")))
            ) and not (_stands_alone(after) or _is_place(after))
            if not continued and (
                not own
                or not _body_name(joined[len(first.words) - len(own) :])
                or _stands_alone(own)
                or _names_alone(after)
            ):
                break
            index += 1
            last, words = runs[index], joined
        yield first, last, words
        index += 1


def _possessive_body(run: Run, after: Run, text: str) -> bool:
    """Whether a possessive opens the body's name after it ("Lord's Resistance Army", "People's Liberation Army"):
    the name ends in a body's word, the possessive word names no country, organisation, place or person, and the
    article writes it nowhere else ("Putin's United Russia Party": Putin is named elsewhere)."""
    word = run.words[-1]
    last = after.words[-1].lower().rstrip(".")
    common_possessive = (
        gazetteer.is_common_word(word)
        and not _names_alone((word,))
        and not _is_place((word,))
        and not any(_country_code(run.words[i:]) or _organisation(run.words[i:]) for i in range(len(run.words)))
    )  # not "the United Kingdom's Health Ministry", "United Nations Children's Fund"
    return (
        after.spans[0][0] == run.spans[-1][1] + 1
        and (last in ORG_SUFFIXES or last in ORG_LAST_WORDS)
        and word.lower() not in STOP_WORDS
        and (common_possessive or not any(_names_alone(words) or _is_place(words) for words in (run.words, (word,))))
        and not _shaped_organisation(run.words)
        and text.count(word) == text.count(f"{run.raw[-1]} {after.words[0]}")
    )


def _body_name(words: tuple[str, ...]) -> bool:
    """Whether joined words name a body: a body's last word ("... Organization") or a head with "of" or "for"
    ("Institute for ..."); a company's suffix is not enough ("Gannett and GateHouse Media" are two)."""
    last = words[-1].lower().rstrip(".")
    return last in ORG_LAST_WORDS or (
        _shaped_organisation(words)
        and last not in ORG_SUFFIXES
        and (last not in INDUSTRY_WORDS or "of" in words)  # "Department of Environment and Natural Resources"
    )


@bounded_memo(16_384)
def _stands_alone(words: tuple[str, ...]) -> bool:
    """Whether the first of two runs is a name of its own: one ``_names_alone`` reads, a body's or company's
    ("Beaverton Police Department and ..."; a head alone is not: "Institute for ..."), or a title ("CEO and ...")."""
    last = words[-1].lower().rstrip(".")
    body = (last in ORG_SUFFIXES or last in ORG_LAST_WORDS) and not (len(words) == 1 and last in ORG_HEADS)
    return body or _names_alone(words) or words[0].lower().rstrip(".") in PERSON_TITLES


@bounded_memo(16_384)
def _names_alone(words: tuple[str, ...]) -> bool:
    """Whether a run names a country, a known organisation or a person (by a given name) on its own."""
    return bool(_country_code(words) or _organisation(words) or _given_name(words[0]))


def _merge_surnames(found: dict[str, _Found], sentence_names: dict[int, dict[str, str]], article: str) -> None:
    """A one-word name that ends a full person name joins it ("Netanyahu" -> "Benjamin Netanyahu"), also when its
    shape alone had made it an organisation ("Netanyahu's office") or it names a country ("Jordan, who won six
    titles" after "Michael Jordan", as the place rules read it) that the article names by nothing else
    (``names_country``: not beside "Amman" or "Jordanian"); known organisations and acronyms stay."""
    full = {  # by the last word as written ("Roed-Larsen" ends "Terje Roed-Larsen"), by its last part ("Assad") and
        # by the name a regnal numeral follows ("Abdullah II")
        last: key
        for key, entry in found.items()
        if entry.kind == "person"
        for name in entry.names
        if len(name.split()) > 1
        for last in (fold(name).split()[-1], fold(name.split()[-1]), *_before_numeral(name))
    }
    if not full:
        return
    for key in list(found):
        entry = found[key]
        name = max(entry.names.items(), key=itemgetter(1))[0]  # the first most common
        if " " in name:
            continue
        shaped = entry.kind == "organisation" and not _organisation((name,)) and not name.isupper()
        target = full.get(fold(name)) if entry.kind in ("person", "country") or shaped else None
        if entry.kind == "country" and target and (len(entry.names) > 1 or names_country(article, name)):
            continue  # "Jordanian", "Amman": the article is about the country too
        if target and target != key:
            _join(found, sentence_names, key, target)


def _before_numeral(name: str) -> tuple[str, ...]:
    """The word of a name before its regnal numeral or "JR" ("Abdullah II" -> "abdullah"), if it ends in one."""
    words = name.split()
    return (fold(words[-2]),) if len(words) > 1 and _NUMERAL.fullmatch(words[-1]) else ()


def _merge_name_tails(found: dict[str, _Found], sentence_names: dict[int, dict[str, str]]) -> None:
    """A person's name of two words or more that ends one longer person name of the article is that person ("Mr.
    Cavaco Silva" -> "Anibal Cavaco Silva"), as a one-word surname is in ``_merge_surnames``, which runs next."""
    longer = [
        (fold(name).split(), key)
        for key, entry in found.items()
        if entry.kind == "person"
        for name in entry.names
        if name.count(" ") > 1
    ]
    for key in [key for key, entry in found.items() if entry.kind == "person"] if longer else ():
        if key not in found:
            continue
        name = max(found[key].names.items(), key=itemgetter(1))[0]
        if " " not in name:
            continue  # one word: ``_merge_surnames``'
        words = fold(name).split()
        ends = {
            other
            for names, other in longer
            if len(names) > len(words) > 1 and names[-len(words) :] == words and other in found
        }
        if len(ends) == 1 and key not in ends:
            _join(found, sentence_names, key, ends.pop())


def _drop(found: dict[str, _Found], sentence_names: dict[int, dict[str, str]], key: str) -> None:
    """Actor ``key`` is no actor: gone with its spellings in the sentences."""
    del found[key]
    for names in sentence_names.values():
        for surface in [surface for surface, actor in names.items() if actor == key]:
            del names[surface]


def _join(found: dict[str, _Found], sentence_names: dict[int, dict[str, str]], key: str, target: str) -> None:
    """Actor ``key`` is actor ``target``: its sentences and spellings in the sentences become the target's."""
    found[target].sentences.extend(found.pop(key).sentences)
    for names in sentence_names.values():
        for surface, actor in names.items():
            if actor == key:
                names[surface] = target


def _initials(name: str) -> str:
    """The capitals of a name's capitalised words ("Central African Republic" -> "CAR")."""
    return "".join(word[0] for word in name.split() if word[:1].isupper() and word.lower() not in STOP_WORDS)


def _merge_initials(found: dict[str, _Found], sentence_names: dict[int, dict[str, str]]) -> None:
    """An acronym read as an organisation that spells the initials of a country the article names by several words
    is that country ("the CAR" after "Central African Republic", "DRC")."""
    countries = {
        _initials(name): key
        for key, entry in found.items()
        if entry.kind == "country"
        for name in entry.names
        if len(name.split()) > 2
    }
    if not countries:
        return
    for key in [key for key, entry in found.items() if entry.kind == "organisation"]:
        entry = found[key]
        target = countries.get(next(iter(entry.names)).replace(".", ""))
        if target and len(entry.names) == 1:
            _join(found, sentence_names, key, target)


def _to_actor(entry: _Found, sentences: list[str]) -> Actor:
    if entry.kind == "country":
        country = gazetteer.countries()[entry.iso3]
        name, iso2, iso3 = country.name, country.alpha2, country.alpha3
    else:
        name = max(entry.names, key=lambda n: (len(n.split()), entry.names[n], n))
        iso2 = iso3 = None
    role = "mentioned"
    if entry.roles:
        role = "mediator" if entry.roles.get("mediator", 0) > entry.roles.get("party", 0) else "party"
    evidence = sentences[entry.role_sentences.get(role, entry.sentences[0])]
    return Actor(entry.actor_id, name, entry.kind, iso2, iso3, role, len(entry.sentences), evidence)
