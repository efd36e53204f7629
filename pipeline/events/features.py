"""Event features: what an article (or an event, a centroid of its articles) is compared by. Pure functions.

1. ``term_counts(title, text)`` counts an article's words, entities (capitalised phrases), headline words, lead
   words, stated numbers and dates once; Beam counts its ``terms()`` into a corpus document-frequency map
   (``doc_freq``) over ``n_docs`` articles.
2. ``features_from_counts(counts, published_at, doc_freq, n_docs)`` turns them into compact, JSON-serialisable
   ``EventFeatures``: L2-normalised TF-IDF weight maps (title terms count double) and the publication time.
   ``idf`` is corpus counts plus a general-English prior (wordfreq), because a feed or a run is often dominated by a
   few running stories whose own keywords corpus IDF alone would make common.
3. ``pair_features(a, b)`` are the similarities the learned scorer (``pipeline.events.score``) weighs;
   ``summarize`` builds an event's centroid, which compares like an article.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

from wordfreq import zipf_frequency

from pipeline.text import ENGLISH_STOP_WORDS, MONTH_ABBREVIATIONS, MONTHS, WEEKDAY_ABBREVIATIONS, WEEKDAYS

FEATURES_VERSION = 5
"""Version of the feature recipe (term extraction, weighting, how many terms are kept; embeddings are outside it).
Stored features carry the version that computed them, and a run first re-computes those of another version
(``pipeline.store.features``), so new articles are never compared with stored events on a different scale. Bump it
with any such change. Version 2 keeps 160 terms and weighs full texts with the general-English prior; rows stored
before versions were recorded count as 1 (most of them 48 terms and corpus IDF alone). Version 3 adds the
headline's, the lead's and the stated numbers' own weight maps for the learned scorer. Version 4 leaves weekdays
and months out of entities, and a body of fewer than ``MIN_LEAD_WORDS`` without a lead. Version 5 states no
number or date of a wire dateline (``dateline_date``)."""
ENTITY_PREFIX = "e:"
TITLE_WEIGHT = 2
MAX_TERMS = 160
"""Terms kept per article or event. Two independent reports of one event share the event's specific words
(figures, names, what was decided) but few of its top-weighted ones; keeping 48 terms cut them off. Chosen on
half A of the same-topic corpus (``benchmarks/corpora/same_topic``, with dates): pairwise F1 0.65 at 48, 0.80 at
96, 0.82 at 128, 0.88 at 160 and 200, 0.86 at 240."""
MAX_ENTITIES = 24
MAX_TITLE_TERMS = 16
LEAD_WORDS = 60
"""Words of the body that make its lead (the opening paragraph or two, where a report says what happened)."""
MIN_LEAD_WORDS = 5
"""A body of fewer words ("body", "Read more") has no lead: two such summaries share a lead cosine of 1 whatever
they report. No text of the dev corpora holds 1 to 6 words, as a run reads them."""
MAX_LEAD_TERMS = 40
MAX_NUMBERS = 24
NUMBER_PREFIX = "n:"
DATE_PREFIX = "d:"
MAX_DATES = 12
MIN_TEXT_WORDS = 40
BACKGROUND_DOCS = 10_000
"""Weight of the general-English prior in the IDF of headlines, as a number of pseudo-documents (see ``idf``)."""
FULL_TEXT_BACKGROUND_DOCS = 3_000
"""The same for full texts. Chosen with the full-text threshold on half A of the same-topic corpus (F1 with dates
0.90 for 1,000 to 10,000 pseudo-documents and thresholds 0.3 to 0.35, against 0.88 with corpus IDF alone; each
story alone 0.92 against 0.48) and on the rewrite corpus (perfect from threshold 0.35 up to 1,000 and 3,000)."""
BACKGROUND_DOC_WORDS = 300
"""Words of a typical background document, to turn a word's frequency into a document frequency."""
MIN_ZIPF = 1.0

_WORD_RE = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
_SENTENCE_END_RE = re.compile(r"[.!?:;\"“”\n•|]")
_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | {"said", "says", "say", "new", "mr", "ms", "mrs", "just", "like"}
_CALENDAR_WORDS = frozenset(WEEKDAYS) | MONTHS | WEEKDAY_ABBREVIATIONS | MONTH_ABBREVIATIONS
"""Capitalised but no names: "on Monday" or "in December" in two unrelated reports is no shared entity."""


@dataclass(frozen=True)
class EventFeatures:
    """Compact, JSON-serialisable features of an article or of an event (a centroid of articles).

    ``terms`` (headline and body), ``entities``, ``title_terms``, ``lead_terms``, ``numbers`` and ``dates``
    (stated in the text) are L2-normalised TF-IDF weight maps; ``first_seen``/``last_seen`` are POSIX seconds
    (equal for an article, the published range for an event; ``None`` when unknown); ``embedding`` is an
    optional L2-normalised vector; ``n_articles`` is 1 for an article; ``full_text`` says the article has
    a body of at least ``MIN_TEXT_WORDS`` words (for an event: all its articles do).
    """

    terms: dict[str, float]
    entities: dict[str, float] = field(default_factory=dict)
    title_terms: dict[str, float] = field(default_factory=dict)
    lead_terms: dict[str, float] = field(default_factory=dict)
    numbers: dict[str, float] = field(default_factory=dict)
    dates: dict[str, float] = field(default_factory=dict)
    first_seen: float | None = None
    last_seen: float | None = None
    embedding: tuple[float, ...] | None = None
    n_articles: int = 1
    full_text: bool = False

    def to_dict(self) -> dict:
        """Plain JSON-ready dict."""
        return {
            "terms": self.terms,
            "entities": self.entities,
            "title_terms": self.title_terms,
            "lead_terms": self.lead_terms,
            "numbers": self.numbers,
            "dates": self.dates,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "embedding": list(self.embedding) if self.embedding is not None else None,
            "n_articles": self.n_articles,
            "full_text": self.full_text,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> EventFeatures:
        """Inverse of ``to_dict``."""
        embedding = data.get("embedding")
        return cls(
            terms=dict(data["terms"]),
            entities=dict(data.get("entities") or {}),
            title_terms=dict(data.get("title_terms") or {}),
            lead_terms=dict(data.get("lead_terms") or {}),
            numbers=dict(data.get("numbers") or {}),
            dates=dict(data.get("dates") or {}),
            first_seen=data.get("first_seen"),
            last_seen=data.get("last_seen"),
            embedding=tuple(embedding) if embedding is not None else None,
            n_articles=int(data.get("n_articles", 1)),
            full_text=bool(data.get("full_text", False)),
        )


def _normalize_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _strip_possessive(word: str) -> str:
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _stem(word: str) -> str:
    """Very light English suffix stripping: possessives and plurals only (keeps words readable)."""
    word = _strip_possessive(word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=1 << 18)
def _word_term(word: str) -> str | None:
    """The term a word of a text counts as (lowercased, lightly stemmed), or ``None`` for a stop word or a short
    one; cached, as a few thousand words make most of any text."""
    word = word.lower().replace("’", "'").strip(".")
    if word in _STOP_WORDS:
        return None
    word = _stem(word.replace(".", ""))
    if len(word) < 2 or word in _STOP_WORDS or word.isdigit() and len(word) < 3:
        return None
    return word


def _word_counts(text: str) -> Counter:
    """How often each term (``_word_term``) occurs in a text, in order of first occurrence."""
    counts = Counter(map(_word_term, _WORD_RE.findall(_normalize_text(text))))
    counts.pop(None, None)
    return counts


_GAP_WORD_RE = re.compile(rf"([\W_]*)({_WORD_RE.pattern})|[\W_]+\Z")
"""Each word (``_WORD_RE``) with the text between it and the word before (what ``_WORD_RE`` does not match); a
line's trailing non-word text matches as one empty pair, so a long run of it is scanned once, not once a character."""


def _is_title_case(words: Iterable[str]) -> bool:
    """True when most words are capitalised (a Title Case headline), where capitals say nothing."""
    alphabetic = content = capitalised = 0
    for word in words:
        if word[0].isalpha():
            alphabetic += 1
            if word.lower() not in _STOP_WORDS:
                content += 1
                capitalised += word[0].isupper()
    return alphabetic >= 3 and content > 0 and capitalised / content >= 0.6


@lru_cache(maxsize=1 << 12)
def _gap(between: str) -> tuple[bool, bool]:
    """Whether the text between two words ends a sentence, and whether it ends a phrase (a sentence or a comma)."""
    ends = _SENTENCE_END_RE.search(between) is not None
    return ends, ends or "," in between


def _is_phrase_edge(word: str) -> bool:
    """Whether a word is left off the ends of a capitalised phrase: a stop word, or a weekday or a month (full,
    abbreviated or possessive: "Monday's")."""
    word = word.lower()
    return word in _STOP_WORDS or _strip_possessive(word.replace("’", "'")) in _CALENDAR_WORDS


def _phrase(run: list[str], starts_sentence: bool) -> Iterator[str]:
    """The keys of a run of capitalised words: stop words and calendar words stripped from its ends, none for one
    capitalised word that starts a sentence."""
    while run and _is_phrase_edge(run[0]):
        run = run[1:]
        starts_sentence = False
    while run and _is_phrase_edge(run[-1]):
        run = run[:-1]
    if not run or (starts_sentence and len(run) == 1 and run[0].istitle()):
        return
    words = [_strip_possessive(w.lower().replace("’", "'")).replace(".", "") for w in run]
    yield " ".join(words)
    if len(words) > 1:
        yield words[-1]


def _entity_phrases(gaps_and_words: Iterable[tuple[str, str]]) -> Iterator[str]:
    """Capitalised phrases (runs of capitalised words) of a text, from its ``_GAP_WORD_RE`` matches, as lowercase
    keys; the last word of a multi-word phrase is yielded too, so "Benjamin Netanyahu" also matches "Netanyahu"."""
    run: list[str] = []
    run_starts_sentence = False
    first = True
    gap = _gap
    for between, word in gaps_and_words:
        # what lies between two words matters only beside a run (most words are lower-case between lower-case ones)
        if run and gap(between)[1]:
            yield from _phrase(run, run_starts_sentence)
            run = []
        if word[0].isupper() or (word.isupper() and len(word) > 1):
            if not run:
                run_starts_sentence = first or gap(between)[0]
            run.append(word)
        elif run:
            yield from _phrase(run, run_starts_sentence)
            run = []
        first = False
    if run:
        yield from _phrase(run, run_starts_sentence)


def _scanned(line: str) -> tuple[bool, list[tuple[str, str]]]:
    """Whether NFKC leaves a line as it is, and the ``_GAP_WORD_RE`` matches of the line NFKC-normalised (its
    trailing non-word run left out): the words of its word counts and of its entities, found once."""
    normalized = _normalize_text(line)
    gaps_and_words = _GAP_WORD_RE.findall(normalized)
    if gaps_and_words and not gaps_and_words[-1][1]:
        gaps_and_words.pop()
    return normalized == line, gaps_and_words


def _line_entities(line: str, scanned: tuple[bool, list[tuple[str, str]]]) -> Iterator[str]:
    """``_entity_phrases`` of a line (its ``_scanned`` form), none when the line is in Title Case."""
    unchanged, gaps_and_words = scanned
    words = [word for _, word in gaps_and_words] if unchanged else _WORD_RE.findall(line)
    if not _is_title_case(words):
        yield from _entity_phrases(gaps_and_words)


def _entities(title: str, title_scan: tuple, lines: Iterable[tuple[str, tuple]]) -> Counter:
    """Entity counts of a headline and of a body's lines (each with its ``_scanned`` form)."""
    counts: Counter = Counter()
    if title:
        counts.update(_line_entities(title, title_scan))
    for line, scanned in lines:
        counts.update(_line_entities(line, scanned))
    return Counter({ENTITY_PREFIX + k: v for k, v in counts.items() if len(k) > 1 and k not in _STOP_WORDS})


def _scanned_counts(scans: Iterable[tuple[bool, list[tuple[str, str]]]]) -> Counter:
    """``_word_counts`` of a text from its lines' ``_scanned`` forms (the words ``_WORD_RE`` finds in the text
    NFKC-normalised: no word spans a line break, and NFKC changes no line break nor joins across one)."""
    counts = Counter(map(_word_term, [word for _, gaps_and_words in scans for _, word in gaps_and_words]))
    counts.pop(None, None)
    return counts


@dataclass(frozen=True)
class TermCounts:
    """An article's term frequencies (headline words weighted ``TITLE_WEIGHT``) and entity counts: what its
    features and the corpus document frequencies are both made of, so both come from one pass over the text."""

    words: Counter
    entities: Counter
    full_text: bool
    title: Counter = field(default_factory=Counter)
    lead: Counter = field(default_factory=Counter)
    numbers: Counter = field(default_factory=Counter)
    dates: Counter = field(default_factory=Counter)

    def terms(self) -> set[str]:
        """Distinct terms (words, ``e:`` entities, ``n:`` numbers and ``d:`` dates), for the document-frequency
        count."""
        return set(self.words) | set(self.entities) | set(self.numbers) | set(self.dates)


_NUMBER_RE = re.compile(r"(?<![\w.])\d+(?:[.,:/-]\d+)*")
_DIGIT_RE = re.compile(r"\d")
"""One digit: scanning for it alone is fast (a character set the regular expression engine skips to), and every
stated number or date holds one."""


def _digits(text: str) -> list[int]:
    """Positions of a text's digits (``_DIGIT_RE``), where its ``_numbers`` and ``_dates`` are looked for."""
    return [match.start() for match in _DIGIT_RE.finditer(text)]


def _matches(pattern: re.Pattern, text: str, starts: Iterable[int]) -> Iterator[re.Match]:
    """``pattern.finditer(text)`` when every match can only start at one of ``starts`` (in increasing order): the
    pattern tried there alone, from where the last match ended (lookbehinds and ``\b`` still see the text before)."""
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(text, start)):
            end = match.end()
            yield match


def _numbers(text: str, digits: list[int] | None = None) -> Iterator[str]:
    """Figures stated in a text (counts, ages, amounts, times, phone numbers, street numbers), as ``n:`` keys.
    ``digits``: the text's ``_digits``, if already found."""
    for match in _matches(_NUMBER_RE, text, _digits(text) if digits is None else digits):
        yield NUMBER_PREFIX + match.group().replace(",", "").rstrip(".:/-")


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


_DATE_RE = re.compile(
    r"\b(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"
    r"(?:,?\s+(?P<year>(?:19|20)\d{2})\b)?"
    r"|\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)?\d{2})\b",
    re.IGNORECASE,
)
_CASELESS_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\u0130\u0131\u017f\u212a")
"""The characters ``[a-z]`` matches under ``re.IGNORECASE`` (every code point checked in the tests)."""


def _date_starts(text: str, digits: list[int]) -> Iterator[int]:
    """Where a ``_DATE_RE`` match can start, in order: at a digit (``12/15/2014``), and at the start of the letters
    before the spaces (and a period) before a digit ("Dec. 15": a month's name, its letters and period run up to
    the spaces before the day)."""
    for digit in digits:
        before = digit - 1
        while before >= 0 and text[before].isspace():
            before -= 1
        if before < digit - 1:
            if before >= 0 and text[before] == ".":
                before -= 1
            start = before
            while start >= 0 and text[start] in _CASELESS_LETTERS:
                start -= 1
            if start < before:
                yield start + 1
        yield digit


def _dates(text: str, digits: list[int] | None = None) -> Iterator[str]:
    """Calendar dates stated in a text ("Dec. 15", "December 15th, 2014", "12/15/2014") as ``d:`` keys of the
    month and day, and of the year and month when the year is given: what tells two similar incidents apart
    when no publication date does. ``digits``: the text's ``_digits``, if already found."""
    starts = _date_starts(text, _digits(text) if digits is None else digits)
    for match in _matches(_DATE_RE, text, starts):
        if match.group("month"):
            month = _MONTHS.index(match.group("month")[:3].casefold()) + 1
            day, year = match.group("day"), match.group("year")
        else:
            month, day, year = int(match.group("m")), match.group("d"), match.group("y")
            if len(year) == 2:
                year = "20" + year
        if not (1 <= month <= 12 and 1 <= int(day) <= 31):
            continue
        yield f"{DATE_PREFIX}{month:02d}-{int(day):02d}"
        if year:
            yield f"{DATE_PREFIX}{year}-{month:02d}"


_MONTH_NAME = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_DATELINE_RE = re.compile(
    r"\A\s*(?!(?i:mon|tues|wednes|thurs|fri|satur|sun)day\b)(?P<place>[^\W\d_][\w'’.\- ]{0,40}?)"
    r"(?:,\s*[A-Z][\w'’.\- ]{0,30})?,\s+"
    rf"(?P<date>(?:{_MONTH_NAME}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH_NAME})(?:,?\s+(?:19|20)\d{{2}})?)"
    r"\s*(?P<agency>\([^()\n]{1,40}\))?\s*[-–—]"
)


def dateline_date(body: str) -> tuple[int, int] | None:
    """Where the date of a wire dateline opening ``body`` lies ("HOUSTON, Nov 19 (Reuters) -": the span of "Nov 19"):
    it says when the report was filed, which its publication time tells, not when anything happened; every report
    of a wire's day states it. A dateline's place is in capitals or its agency follows the date ("Houston, Nov 19
    (Reuters) -"): "The attack on the embassy, Sept 11 - ..." opens no dateline."""
    match = _DATELINE_RE.match(body)
    if match is None or not (match["place"].isupper() or match["agency"]):
        return None
    return match.span("date")


def term_counts(title: str, text: str | None = None) -> TermCounts:
    """Count an article's words, entities, headline words, lead words and numbers once (each line's words found
    once for its word counts and its entities; the digits once for numbers and dates)."""
    title = title or ""
    body = text or ""
    title_scan = _scanned(title)
    lines = [(line, _scanned(line)) for line in body.splitlines()]
    title_words = _scanned_counts([title_scan])
    words = _scanned_counts([scanned for _, scanned in lines])
    for word, count in title_words.items():
        words[word] += TITLE_WEIGHT * count
    tokens = body.split()
    lead = _word_counts(" ".join(tokens[:LEAD_WORDS])) if len(tokens) >= MIN_LEAD_WORDS else Counter()
    full_text = len(tokens) >= MIN_TEXT_WORDS
    filed = dateline_date(body)
    stated = f"{title}\n{body if filed is None else body[: filed[0]] + body[filed[1] :]}"
    digits = _digits(stated)
    numbers = Counter(_numbers(stated, digits))
    dates = Counter(_dates(stated, digits))
    return TermCounts(words, _entities(title, title_scan, lines), full_text, title_words, lead, numbers, dates)


def terms(title: str, text: str | None = None) -> set[str]:
    """Distinct terms of an article (words and ``e:``-prefixed entities), for the document-frequency count."""
    return term_counts(title, text).terms()


@lru_cache(maxsize=1 << 20)
def background_doc_rate(term: str) -> float:
    """Share of general English documents (of ``BACKGROUND_DOC_WORDS`` words) expected to hold the term, from
    wordfreq's word frequencies; unknown words count as rare (Zipf ``MIN_ZIPF``)."""
    word = term[2:] if term[:2] in (ENTITY_PREFIX, NUMBER_PREFIX, DATE_PREFIX) else term
    zipf = max(zipf_frequency(word, "en"), MIN_ZIPF)
    return min(1.0, BACKGROUND_DOC_WORDS * 10 ** (zipf - 9))


def idf(term: str, doc_freq: Mapping[str, int], n_docs: int, background_docs: float = BACKGROUND_DOCS) -> float:
    """IDF of a term with a general-English prior: the corpus counts as ``n_docs`` documents plus
    ``background_docs`` pseudo-documents in which the term occurs at its background rate.

    A feed or a run is often dominated by a few running stories, so corpus IDF alone makes each story's own
    keywords ("titanfall", "ceasefire") common: incidental words then outweigh them in headlines, and in a run
    on one story the scores of full texts sink below any fixed threshold. The prior keeps words rare in English
    weighty until the corpus has seen far more documents than the prior, so scores keep one scale from a
    five-article run to a large database.
    """
    expected = doc_freq.get(term, 0) + background_docs * background_doc_rate(term) + 0.5
    return max(0.0, math.log((n_docs + background_docs) / expected))


MAX_KNOWN_IDF = 1 << 18
"""IDF values ``_known_idf`` keeps for one corpus size before it starts over (a worker's memory stays bounded)."""


@lru_cache(maxsize=4)
def _known_idf(n_docs: int, background_docs: float) -> dict[str, tuple[int, float]]:
    """``{term: (document frequency, idf)}`` last computed over a corpus of ``n_docs`` documents (keyed by the term
    alone, so a lookup hashes no tuple; a term met with another frequency is computed again): an article's terms
    recur in its other weight maps and in most other articles of a run, and ``idf`` was half of
    ``features_from_counts``' time."""
    return {}


def _top_normalized(weights: Mapping[str, float], k: int) -> dict[str, float]:
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    norm = math.sqrt(sum(w * w for _, w in top))
    if norm == 0:
        return {}
    return {t: round(w / norm, 6) for t, w in top}


def _to_seconds(published_at: datetime | None) -> float | None:
    if published_at is None:
        return None
    if published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=timezone.utc)
    return published_at.timestamp()


def event_features(
    title: str,
    text: str | None,
    published_at: datetime | None,
    doc_freq: Mapping[str, int],
    n_docs: int,
    embedding: Sequence[float] | None = None,
) -> EventFeatures:
    """Features of one article from its title, optional body, optional date and corpus term statistics.

    Args:
        title: headline (may be empty when ``text`` is given).
        text: body or feed summary, or ``None`` for title-only items.
        published_at: publication time; naive datetimes are taken as UTC.
        doc_freq: document frequency of each term of ``terms()`` over the corpus.
        n_docs: number of documents counted into ``doc_freq`` (>= 1).
        embedding: optional sentence embedding of the article (any dimension, normalised here).
    """
    if not (title or text):
        raise ValueError("an article needs a title or a text")
    return features_from_counts(term_counts(title, text), published_at, doc_freq, n_docs, embedding)


def features_from_counts(
    counts: TermCounts,
    published_at: datetime | None,
    doc_freq: Mapping[str, int],
    n_docs: int,
    embedding: Sequence[float] | None = None,
) -> EventFeatures:
    """``event_features`` of an article whose terms are already counted."""
    if n_docs < 1:
        raise ValueError(f"n_docs must be >= 1, got {n_docs}")
    background = FULL_TEXT_BACKGROUND_DOCS if counts.full_text else BACKGROUND_DOCS
    known = _known_idf(n_docs, background)
    if len(known) > MAX_KNOWN_IDF:
        known.clear()

    def weighted(counted: Mapping[str, int], k: int) -> dict[str, float]:
        weights = {}
        log, frequency_of, known_of = math.log, doc_freq.get, known.get
        for term, count in counted.items():
            frequency = frequency_of(term, 0)
            found = known_of(term)
            if found is None or found[0] != frequency:
                found = known[term] = (frequency, idf(term, doc_freq, n_docs, background))
            weights[term] = (1 + log(count)) * found[1]
        return _top_normalized(weights, k)

    vector = None
    if embedding is not None:
        norm = math.sqrt(sum(x * x for x in embedding)) or 1.0
        vector = tuple(round(x / norm, 6) for x in embedding)
    seconds = _to_seconds(published_at)
    return EventFeatures(
        terms=weighted(counts.words, MAX_TERMS),
        entities=weighted(counts.entities, MAX_ENTITIES),
        title_terms=weighted(counts.title, MAX_TITLE_TERMS),
        lead_terms=weighted(counts.lead, MAX_LEAD_TERMS),
        numbers=weighted(counts.numbers, MAX_NUMBERS),
        dates=weighted(counts.dates, MAX_DATES),
        first_seen=seconds,
        last_seen=seconds,
        embedding=vector,
        full_text=counts.full_text,
    )


def batch_features(
    articles: Mapping[Hashable, tuple[str, str | None, datetime | None]],
    embeddings: Mapping[Hashable, Sequence[float]] | None = None,
) -> dict[Hashable, EventFeatures]:
    """Features of a batch of ``{id: (title, text, published_at)}`` with the batch as the corpus, as a run
    computes them for an empty database."""
    counts = {item: term_counts(title, text) for item, (title, text, _) in articles.items()}
    doc_freq = Counter(term for counted in counts.values() for term in counted.terms())
    return {
        item: features_from_counts(counts[item], published, doc_freq, len(articles), (embeddings or {}).get(item))
        for item, (_, _, published) in articles.items()
    }


def summarize(features: Sequence[EventFeatures]) -> EventFeatures:
    """Event summary: the normalised centroid of its articles' terms, entities and embeddings, their time
    range and count. Summaries merge like articles: ``summarize([summary, new_article])`` weighs the
    summary by its ``n_articles``."""
    if not features:
        raise ValueError("summarize needs at least one EventFeatures")
    embeddings = [f for f in features if f.embedding is not None]

    def centroid(maps: str, k: int) -> dict[str, float]:
        total: Counter = Counter()
        for item in features:
            for term, weight in getattr(item, maps).items():
                total[term] += weight * item.n_articles
        return _top_normalized(total, k)

    embedding = None
    if embeddings and len(embeddings) == len(features):
        dims = len(embeddings[0].embedding)
        total = sum(f.n_articles for f in embeddings)
        embedding = tuple(round(sum(f.embedding[i] * f.n_articles for f in embeddings) / total, 6) for i in range(dims))
    firsts = [f.first_seen for f in features if f.first_seen is not None]
    lasts = [f.last_seen if f.last_seen is not None else f.first_seen for f in features if f.first_seen is not None]
    return EventFeatures(
        terms=centroid("terms", MAX_TERMS),
        entities=centroid("entities", MAX_ENTITIES),
        title_terms=centroid("title_terms", MAX_TITLE_TERMS),
        lead_terms=centroid("lead_terms", MAX_LEAD_TERMS),
        numbers=centroid("numbers", MAX_NUMBERS),
        dates=centroid("dates", MAX_DATES),
        first_seen=min(firsts) if firsts else None,
        last_seen=max(lasts) if lasts else None,
        embedding=embedding,
        n_articles=sum(f.n_articles for f in features),
        full_text=all(f.full_text for f in features),
    )


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    if a.keys().isdisjoint(b):  # most maps of a pair share nothing: skip the loop (the same 0 it would sum)
        return 0
    return min(1.0, sum([w * b[t] for t, w in a.items() if t in b]))


def _gap_hours(a: EventFeatures, b: EventFeatures) -> float | None:
    if a.first_seen is None or b.first_seen is None:
        return None
    a_last = a.last_seen if a.last_seen is not None else a.first_seen
    b_last = b.last_seen if b.last_seen is not None else b.first_seen
    return max(0.0, a.first_seen - b_last, b.first_seen - a_last) / 3600.0


SIMILARITY_FIELDS = ("terms", "title_terms", "lead_terms", "entities", "numbers", "dates")
"""The weight maps whose cosines are the scorer's similarity features, in ``pair_values``' order."""


def pair_values(body, title, lead, entities, numbers, dates, dated, gap_days, log1p=math.log1p) -> dict:
    """The learned scorer's features (``pipeline.events.model.FEATURES``) from the cosines of the
    ``SIMILARITY_FIELDS``, whether both sides are dated (1 or 0) and the gap in days (0 when undated): floats for
    one pair, or numpy arrays (with ``log1p=numpy.log1p``) for many at once (``blocking.screened_scores``)."""
    undated = 1.0 - dated
    return {
        "body": body,
        "title": title,
        "lead": lead,
        "entities": entities,
        "numbers": numbers,
        "dates": dates,
        "body_x_entities": body * entities,
        "undated_x_body_sqrt": body**0.5 * undated,
        "undated_x_entities_sqrt": entities**0.5 * undated,
        "undated_x_body": body * undated,
        "undated_x_entities": entities * undated,
        "dated": dated,
        "gap_days_log": log1p(gap_days),
        "gap_over_week": (gap_days > 7.0) * 1.0,
    }


def pair_features(a: EventFeatures, b: EventFeatures) -> dict[str, float]:
    """The learned scorer's features of a pair (``pair_values``)."""
    gap = _gap_hours(a, b)
    return pair_values(
        _cosine(a.terms, b.terms),
        _cosine(a.title_terms, b.title_terms),
        _cosine(a.lead_terms, b.lead_terms),
        _cosine(a.entities, b.entities),
        _cosine(a.numbers, b.numbers),
        _cosine(a.dates, b.dates),
        0.0 if gap is None else 1.0,
        0.0 if gap is None else gap / 24.0,
    )
