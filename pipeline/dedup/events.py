"""Event grouping: link articles that report the same happening (level 3 of deduplication).

Pure functions, no Beam. The pipeline wires them like this:

1. ``term_counts(title, text)`` counts an article's words and entities once; Beam counts its ``terms()``
   into a corpus document-frequency map (``doc_freq``) with ``n_docs`` articles.
2. ``event_features(title, text, published_at, doc_freq, n_docs)`` turns one article into compact,
   JSON-serialisable ``EventFeatures``: its top TF-IDF weighted terms (title terms count double), its named
   entities (capitalised phrases, IDF weighted) and its publication time. ``idf`` is corpus counts plus a
   general-English prior (wordfreq), because a feed or a run is often dominated by a few running stories whose
   own keywords corpus IDF alone would make common.
3. ``blocking_keys(features)`` gives a few rare salient keys per article; grouping by key yields candidate
   pairs (``block_pairs`` bounds the pairs of an oversized block) instead of comparing all pairs.
4. ``score(a, b, model)`` in [0, 1] is the learned pair scorer's probability that two items report one event
   (``pipeline.events.model``: a logistic regression fitted on labelled real reports) over ``pair_features``:
   TF-IDF cosines of whole text, headline and lead, IDF-weighted cosines of entities and of stated numbers, and
   the publication-time gap; ``score_components`` returns the feature values with the score for a links table.
5. ``cluster(ids, scored_edges, thresholds)`` is centroid-linkage agglomerative clustering over the sparse
   candidate graph, which does not chain A~B~C when A and C differ; ``pair_threshold`` says which of the
   ``EventThresholds`` a pair must reach.
6. ``summarize(features)`` builds an event summary (a centroid with the same shape as article features and a
   time range), and ``attach(new, summaries)`` attaches a new article to the best stored event or returns
   ``None`` so the caller creates a new event.

Without a date on either side the model scores the pair from its content alone (its ``dated`` feature is 0):
it was fitted on reports with and without dates.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from itertools import zip_longest

import numpy as np
from wordfreq import zipf_frequency

from pipeline.events.model import GroupingModel, shipped_model
from pipeline.text import ENGLISH_STOP_WORDS

LOGGER = logging.getLogger(__name__)

FEATURES_VERSION = 3
"""Version of the feature recipe (term extraction, weighting, how many terms are kept; embeddings are outside it).
Stored features carry the version that computed them, and a run first re-computes those of another version
(``pipeline.store.features``), so new articles are never compared with stored events on a different scale. Bump it
with any such change. Version 2 keeps 160 terms and weighs full texts with the general-English prior; rows stored
before versions were recorded count as 1 (most of them 48 terms and corpus IDF alone). Version 3 adds the
headline's, the lead's and the stated numbers' own weight maps for the learned scorer."""
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
MAX_LEAD_TERMS = 40
MAX_NUMBERS = 24
NUMBER_PREFIX = "n:"
DATE_PREFIX = "d:"
MAX_DATES = 12
N_BLOCKING_KEYS = 32
N_TITLE_KEYS = 4
N_DATE_KEYS = 4
N_NUMBER_KEYS = 6
"""Blocking keys: 32 terms and entities, 4 headline words, 4 stated dates, 6 numbers. On GVC dev half A this
puts 0.978 of the true same-incident pairs in a block (6 terms and entities: 0.71; 16: 0.92), ECB+ half A 0.995,
at about 230 and 23 pairs an article."""
MAX_BLOCK_SIZE = 64
EMBEDDING_BANDS = 24
EMBEDDING_BAND_BITS = 8
"""Random-hyperplane LSH of embeddings for blocking: two items share one of the 24 bands of 8 sign bits with
probability 0.91 at cosine 0.7 (two headlines of one event often sit there), 0.62 at 0.5 and 0.22 at 0.2
(unrelated). 16 bands of 10 bits gave the same UCI half A F1 but found only 45% of pairs at cosine 0.64."""
EMBEDDING_LSH_SEED = 20240501
EMBEDDING_BLOCK_WINDOW = 8
"""Time-order window of an oversized embedding-key block: headlines of one busy topic crowd the same buckets, and
pairing each with 64 neighbours in 24 bands exhausted memory on 3,458 UCI headlines."""

MIN_TEXT_WORDS = 40
MAX_DENSE_COMPONENT = 400
"""Largest candidate-graph component whose every pair ``cluster`` scores (at most 79,800 pairs); a larger one is
split over its stronger edges first, so a run's cost stays linear in its size."""
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


def _check_thresholds(*thresholds: float) -> None:
    for threshold in thresholds:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"thresholds must be in (0, 1], got {threshold}")


@dataclass(frozen=True)
class EventThresholds:
    """The grouping model and the scores (its probabilities) at or above which two items are one event:
    ``full_text`` between two full texts, ``title`` when a side is title-only, ``attach`` (between full texts)
    for a new run's event to join a stored one, and at least ``undated`` between two full texts when either has
    no publication date (``undated``: without dates the scores of one event's reports sit lower, and so do those of
    different events). Those not given are the model's own, chosen with it on the data it was fitted on
    (``pipeline/events/fit.py``)."""

    full_text: float | None = None
    title: float | None = None
    attach: float | None = None
    undated: float | None = None
    model: GroupingModel = field(default_factory=shipped_model, compare=True)

    def __post_init__(self) -> None:
        full_text = self.model.thresholds["full_text"] if self.full_text is None else self.full_text
        defaults = {
            "full_text": full_text,
            "title": self.model.thresholds["headline"],
            "attach": full_text,
            "undated": self.model.thresholds.get("undated", full_text),
        }
        for name, value in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        _check_thresholds(self.full_text, self.title, self.attach, self.undated)

    @property
    def lowest(self) -> float:
        """The lowest threshold: a candidate edge scoring less joins no component (a cluster's mean score with
        another reaches a threshold only if one of their pairs does)."""
        return min(self.full_text, self.title, self.attach, self.undated)


DEFAULT_THRESHOLDS = EventThresholds()
EMBEDDING_THRESHOLDS = DEFAULT_THRESHOLDS
"""With ``--embeddings`` the embeddings add blocking keys (paraphrases that share no rare word still become
candidates); the shipped model does not score them, so the thresholds are the same."""
DEFAULT_CLUSTER_THRESHOLD = DEFAULT_THRESHOLDS.full_text
DEFAULT_TITLE_THRESHOLD = DEFAULT_THRESHOLDS.title


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


@dataclass(frozen=True)
class ScoreComponents:
    """Why two items scored what they did: the model's feature values (``pair_features``) and its score."""

    features: dict[str, float]
    total: float


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


def _word_terms(text: str) -> Iterator[str]:
    for match in _WORD_RE.finditer(_normalize_text(text)):
        word = match.group().lower().replace("’", "'").strip(".")
        if word in _STOP_WORDS:
            continue
        word = _stem(word.replace(".", ""))
        if len(word) < 2 or word in _STOP_WORDS or word.isdigit() and len(word) < 3:
            continue
        yield word


def _is_title_case(text: str) -> bool:
    """True when most words are capitalised (a Title Case headline), where capitals say nothing."""
    words = [w for w in _WORD_RE.findall(text) if w[0].isalpha()]
    if len(words) < 3:
        return False
    capitalised = sum(w[0].isupper() for w in words if w.lower() not in _STOP_WORDS)
    content = sum(w.lower() not in _STOP_WORDS for w in words)
    return content > 0 and capitalised / content >= 0.6


def _entity_phrases(text: str) -> Iterator[str]:
    """Capitalised phrases (runs of capitalised words) as lowercase keys; the last word of a multi-word
    phrase is yielded too, so "Benjamin Netanyahu" also matches "Netanyahu"."""
    text = _normalize_text(text)
    run: list[str] = []
    sentence_start = True
    position = 0

    def flush(run_words: list[str], starts_sentence: bool) -> Iterator[str]:
        while run_words and run_words[0].lower() in _STOP_WORDS:
            run_words = run_words[1:]
            starts_sentence = False
        while run_words and run_words[-1].lower() in _STOP_WORDS:
            run_words = run_words[:-1]
        if not run_words or (starts_sentence and len(run_words) == 1 and run_words[0].istitle()):
            return
        words = [_strip_possessive(w.lower().replace("’", "'")).replace(".", "") for w in run_words]
        yield " ".join(words)
        if len(words) > 1:
            yield words[-1]

    run_starts_sentence = False
    for match in _WORD_RE.finditer(text):
        between = text[position : match.start()]
        position = match.end()
        boundary = bool(_SENTENCE_END_RE.search(between)) or ("," in between)
        word = match.group()
        if boundary and run:
            yield from flush(run, run_starts_sentence)
            run = []
        if _SENTENCE_END_RE.search(between):
            sentence_start = True
        if word[0].isupper() or (word.isupper() and len(word) > 1):
            if not run:
                run_starts_sentence = sentence_start
            run.append(word)
        else:
            if run:
                yield from flush(run, run_starts_sentence)
                run = []
        sentence_start = False
    if run:
        yield from flush(run, run_starts_sentence)


def _entities(title: str, text: str | None) -> Counter:
    counts: Counter = Counter()
    if title and not _is_title_case(title):
        counts.update(_entity_phrases(title))
    for line in (text or "").splitlines():
        if not _is_title_case(line):
            counts.update(_entity_phrases(line))
    return Counter({ENTITY_PREFIX + k: v for k, v in counts.items() if len(k) > 1 and k not in _STOP_WORDS})


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


def _numbers(text: str) -> Iterator[str]:
    """Figures stated in a text (counts, ages, amounts, times, phone numbers, street numbers), as ``n:`` keys."""
    for match in _NUMBER_RE.finditer(text):
        yield NUMBER_PREFIX + match.group().replace(",", "").rstrip(".:/-")


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE_RE = re.compile(
    r"\b(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"
    r"(?:,?\s+(?P<year>(?:19|20)\d{2})\b)?"
    r"|\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)?\d{2})\b",
    re.IGNORECASE,
)


def _dates(text: str) -> Iterator[str]:
    """Calendar dates stated in a text ("Dec. 15", "December 15th, 2014", "12/15/2014") as ``d:`` keys of the
    month and day, and of the year and month when the year is given: what tells two similar incidents apart
    when no publication date does."""
    for match in _DATE_RE.finditer(text):
        if match.group("month"):
            month = _MONTHS.index(match.group("month")[:3].lower()) + 1
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


def term_counts(title: str, text: str | None = None) -> TermCounts:
    """Count an article's words, entities, headline words, lead words and numbers once."""
    body = text or ""
    title_words = Counter(_word_terms(title or ""))
    words: Counter = Counter(_word_terms(body))
    for word, count in title_words.items():
        words[word] += TITLE_WEIGHT * count
    lead = Counter(_word_terms(" ".join(body.split()[:LEAD_WORDS])))
    full_text = len(body.split()) >= MIN_TEXT_WORDS
    numbers = Counter(_numbers(f"{title or ''}\n{body}"))
    dates = Counter(_dates(f"{title or ''}\n{body}"))
    return TermCounts(words, _entities(title or "", text), full_text, title_words, lead, numbers, dates)


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

    def weighted(counted: Mapping[str, int], k: int) -> dict[str, float]:
        weights = {t: (1 + math.log(c)) * idf(t, doc_freq, n_docs, background) for t, c in counted.items()}
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


def pair_threshold(
    a: EventFeatures, b: EventFeatures, thresholds: EventThresholds = DEFAULT_THRESHOLDS, attaching: bool = False
) -> float:
    """The score two items need to be one event: ``thresholds.title`` when either is a headline; between full
    texts ``.undated`` when either has no date, else ``.full_text`` (``.attach`` when ``attaching`` a new event
    to a stored one)."""
    if not (a.full_text and b.full_text):
        return thresholds.title
    if a.first_seen is None or b.first_seen is None:
        return thresholds.undated
    return thresholds.attach if attaching else thresholds.full_text


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return min(1.0, sum(w * b[t] for t, w in a.items() if t in b))


def _gap_hours(a: EventFeatures, b: EventFeatures) -> float | None:
    if a.first_seen is None or b.first_seen is None:
        return None
    a_last = a.last_seen if a.last_seen is not None else a.first_seen
    b_last = b.last_seen if b.last_seen is not None else b.first_seen
    return max(0.0, a.first_seen - b_last, b.first_seen - a_last) / 3600.0


def pair_features(a: EventFeatures, b: EventFeatures) -> dict[str, float]:
    """The learned scorer's features of a pair (``pipeline.events.model.FEATURES``)."""
    body = _cosine(a.terms, b.terms)
    entities = _cosine(a.entities, b.entities)
    gap = _gap_hours(a, b)
    days = 0.0 if gap is None else gap / 24.0
    return {
        "body": body,
        "title": _cosine(a.title_terms, b.title_terms),
        "lead": _cosine(a.lead_terms, b.lead_terms),
        "entities": entities,
        "numbers": _cosine(a.numbers, b.numbers),
        "dates": _cosine(a.dates, b.dates),
        "body_x_entities": body * entities,
        "undated_x_body": body * (gap is None),
        "undated_x_entities": entities * (gap is None),
        "dated": float(gap is not None),
        "gap_days_log": math.log1p(days),
        "gap_over_week": float(days > 7.0),
    }


def regime(a: EventFeatures, b: EventFeatures) -> str:
    """Which of the model's regimes scores the pair: ``full_text`` when both have a body, else ``headline``."""
    return "full_text" if a.full_text and b.full_text else "headline"


def score_components(a: EventFeatures, b: EventFeatures, model: GroupingModel | None = None) -> ScoreComponents:
    """Similarity of two articles or events, with the feature values behind it."""
    values = pair_features(a, b)
    total = (model or shipped_model()).probability(regime(a, b), values)
    return ScoreComponents({k: round(v, 4) for k, v in values.items()}, round(total, 6))


def score(a: EventFeatures, b: EventFeatures, model: GroupingModel | None = None) -> float:
    """The model's probability in [0, 1] that two articles (or an article and an event summary) are one event."""
    return score_components(a, b, model).total


def _ranked(weights: Mapping[str, float], k: int) -> list[str]:
    return [key for key, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


def blocking_keys(features: EventFeatures, n_keys: int = N_BLOCKING_KEYS) -> list[str]:
    """The article's most salient terms and entities, alternately (highest TF-IDF weight: frequent here and
    rare in the corpus), then its top headline words, stated dates and numbers; two articles of one event
    share at least one of them with high probability. With an embedding, its ``embedding_keys`` too."""
    if n_keys < 1:
        raise ValueError(f"n_keys must be >= 1, got {n_keys}")
    ranked_terms = _ranked(features.terms, n_keys)
    ranked_entities = _ranked(features.entities, n_keys)
    interleaved = [key for pair in zip_longest(ranked_terms, ranked_entities) for key in pair if key is not None]
    keys = [
        *interleaved[:n_keys],
        *_ranked(features.title_terms, N_TITLE_KEYS),
        *_ranked(features.dates, N_DATE_KEYS),
        *_ranked(features.numbers, N_NUMBER_KEYS),
    ]
    keys = list(dict.fromkeys(keys))
    return keys + embedding_keys(features.embedding) if features.embedding is not None else keys


@lru_cache(maxsize=4)
def _hyperplanes(dims: int) -> np.ndarray:
    # RandomState's stream never changes across numpy versions, so stored keys stay comparable.
    rng = np.random.RandomState(EMBEDDING_LSH_SEED)
    return rng.standard_normal((EMBEDDING_BANDS * EMBEDDING_BAND_BITS, dims))


def embedding_keys(embedding: Sequence[float]) -> list[str]:
    """Blocking keys of an embedding: for each band, the signs of its projections on ``EMBEDDING_BAND_BITS``
    fixed random hyperplanes. Paraphrases that share no rare word still meet in a band."""
    bits = (_hyperplanes(len(embedding)) @ np.asarray(embedding, dtype=np.float64)) > 0
    weights = 1 << np.arange(EMBEDDING_BAND_BITS)
    codes = bits.reshape(EMBEDDING_BANDS, EMBEDDING_BAND_BITS) @ weights
    return [f"v{band}:{int(code):x}" for band, code in enumerate(codes)]


def block_window(key: str) -> int:
    """How many time-ordered neighbours an item of an oversized block is paired with, by the block's key."""
    return EMBEDDING_BLOCK_WINDOW if key.startswith("v") and ":" in key else MAX_BLOCK_SIZE


def block_pairs(
    members: Iterable[tuple[Hashable, float | None]], max_block_size: int = MAX_BLOCK_SIZE
) -> Iterator[tuple[Hashable, Hashable]]:
    """Candidate pairs within one block of ``(id, published_seconds)``.

    A small block yields all pairs; an oversized block (a very common key) yields only pairs of items
    within ``max_block_size`` positions of each other in time order, so its cost grows linearly.
    """
    if max_block_size < 2:
        raise ValueError(f"max_block_size must be >= 2, got {max_block_size}")
    ordered = sorted(members, key=lambda m: (m[1] is None, m[1] or 0.0, str(m[0])))
    window = len(ordered) if len(ordered) <= max_block_size else max_block_size
    for i, (left, _) in enumerate(ordered):
        for right, _ in ordered[i + 1 : i + window]:
            yield (left, right) if str(left) <= str(right) else (right, left)


def _components(ids: Sequence[Hashable], edges: Iterable[tuple[Hashable, Hashable, float]]) -> list[list[Hashable]]:
    parent = {item: item for item in ids}

    def find(item: Hashable) -> Hashable:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for left, right, _ in edges:
        root_left, root_right = find(left), find(right)
        if root_left != root_right:
            parent[max(root_left, root_right, key=str)] = min(root_left, root_right, key=str)
    groups: dict[Hashable, list[Hashable]] = {}
    for item in ids:
        groups.setdefault(find(item), []).append(item)
    return list(groups.values())


def cluster(
    ids: Iterable[Hashable],
    scored_edges: Iterable[tuple[Hashable, Hashable, float]],
    thresholds: EventThresholds = DEFAULT_THRESHOLDS,
    *,
    features: Mapping[Hashable, EventFeatures],
    max_dense: int = MAX_DENSE_COMPONENT,
    cache: dict | None = None,
) -> dict[Hashable, Hashable]:
    """Average-linkage agglomerative clustering of the model's pair scores over a sparse candidate graph.

    Items joined by candidate edges scoring ``thresholds.lowest`` or more form components (``dense_scores``; pair
    scores already known can be passed in ``cache``, which it fills); within each
    every pair is scored (blocking misses some pairs of one event, and average linkage needs them). Two clusters
    merge, best first, while the mean score of their cross pairs reaches ``pair_threshold``: a cluster joins
    another only when it is close to the whole of it, so A~B and B~C do not chain A to C. Average linkage of the
    pair scores is what ``attach`` applies across runs, so a batch and an incremental run agree. Deterministic:
    components and their members are ordered by ``str``.

    Returns:
        Each id mapped to its cluster representative (the smallest id of the cluster, by ``str``).
    """
    ids = sorted(set(ids), key=str)
    components, pair_scores = dense_scores(
        ids, scored_edges, features, thresholds.model, thresholds.lowest, max_dense, cache
    )
    where = {item: (number, i) for number, component in enumerate(components) for i, item in enumerate(component)}
    sums = [np.zeros((len(component), len(component))) for component in components]
    for (a, b), value in pair_scores.items():
        (number, i), (other, j) = where[a], where[b]
        if number == other:
            sums[number][i, j] = sums[number][j, i] = value
    representative: dict[Hashable, Hashable] = {}
    for component, matrix in zip(components, sums, strict=True):
        for group in _average_link(component, matrix, thresholds, features):
            for item in group:
                representative[item] = group[0]
    return representative


def _bounded_components(
    ids: Sequence[Hashable],
    edges: Sequence[tuple[Hashable, Hashable, float]],
    min_edge: float,
    max_dense: int,
    features: Mapping[Hashable, EventFeatures],
) -> Iterator[list[Hashable]]:
    """Components over edges scoring ``min_edge`` or more; one larger than ``max_dense`` is split again over its
    stronger edges (the threshold a quarter of the way up to 1), and, past 0.99, into time-ordered slices."""
    for component in _components(ids, edges):
        if len(component) <= max_dense:
            yield component
        elif min_edge < 0.99:
            members = set(component)
            stronger = min_edge + (1.0 - min_edge) / 4
            inside = [e for e in edges if e[2] >= stronger and e[0] in members and e[1] in members]
            yield from _bounded_components(component, inside, stronger, max_dense, features)
        else:
            timed = sorted(component, key=lambda item: (features[item].first_seen or 0.0, str(item)))
            for start in range(0, len(timed), max_dense):
                yield sorted(timed[start : start + max_dense], key=str)


def dense_scores(
    ids: Sequence[Hashable],
    scored_edges: Iterable[tuple[Hashable, Hashable, float]],
    features: Mapping[Hashable, EventFeatures],
    model: GroupingModel,
    min_edge: float,
    max_dense: int = MAX_DENSE_COMPONENT,
    cache: dict | None = None,
) -> tuple[list[list[Hashable]], dict[tuple[Hashable, Hashable], float]]:
    """The components of the candidate graph (edges scoring ``min_edge`` or more; a larger one than ``max_dense``
    split over its stronger edges, ``_bounded_components``) and the scores of every pair within each: the given
    edges' and the others' (from ``cache`` when there, else scored and added to it). Pairs are keys ``(a, b)``
    with ``str(a) <= str(b)``."""
    known = set(ids)
    for item in ids:
        if item not in features:
            raise ValueError(f"id {item!r} has no features")
    pair_scores: dict[tuple[Hashable, Hashable], float] = {}
    for left, right, similarity in scored_edges:
        if left not in known or right not in known:
            raise ValueError(f"edge ({left!r}, {right!r}) names an unknown id")
        if left != right:
            pair_scores[tuple(sorted((left, right), key=str))] = similarity
    strong = [(a, b, s) for (a, b), s in pair_scores.items() if s >= min_edge]
    cache = {} if cache is None else cache
    components = list(_bounded_components(sorted(ids, key=str), strong, min_edge, max_dense, features))
    for component in components:
        for a, b in itertools.combinations(component, 2):
            if (a, b) not in pair_scores:
                if (a, b) not in cache:
                    cache[(a, b)] = score(features[a], features[b], model)
                pair_scores[(a, b)] = cache[(a, b)]
    return components, pair_scores


def _average_link(
    component: Sequence[Hashable],
    sums: np.ndarray,
    thresholds: EventThresholds,
    features: Mapping[Hashable, EventFeatures],
) -> list[list[Hashable]]:
    """Average-linkage merges within one component (``cluster``), from the matrix of its pair scores (changed in
    place into sums of cluster pairs); groups sorted, smallest id first. Each step merges the pair of clusters with
    the highest mean score among those reaching their threshold."""
    n = len(component)
    if n == 1:
        return [list(component)]
    sizes = np.ones(n)
    full_text = np.array([features[item].full_text for item in component])
    dated = np.array([features[item].first_seen is not None for item in component])
    alive = np.ones(n, dtype=bool)
    members = [[item] for item in component]

    def eligible_means(i: int) -> np.ndarray:
        """Mean scores of cluster ``i`` with every other, -1 where below the pair's threshold."""
        needed = np.where(dated[i] & dated, thresholds.full_text, thresholds.undated)
        needed = np.where(full_text[i] & full_text, needed, thresholds.title)
        mean = sums[i] / (sizes[i] * sizes)
        mean[(mean < needed) | ~alive] = -1.0
        mean[i] = -1.0
        return mean

    means = np.stack([eligible_means(i) for i in range(n)])
    while True:
        best = int(np.argmax(means))
        if means.flat[best] < 0:
            break
        keep, gone = sorted(divmod(best, n))
        sums[keep] += sums[gone]
        sums[:, keep] += sums[:, gone]
        sums[keep, keep] = 0.0
        sizes[keep] += sizes[gone]
        full_text[keep] &= full_text[gone]
        dated[keep] &= dated[gone]
        alive[gone] = False
        members[keep].extend(members[gone])
        means[gone], means[:, gone] = -1.0, -1.0
        means[keep] = means[:, keep] = eligible_means(keep)
    return [sorted(members[i], key=str) for i in range(n) if alive[i]]


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


def candidate_pairs(features: Mapping[Hashable, EventFeatures]) -> set[tuple[Hashable, Hashable]]:
    """The pairs a run scores: ``block_pairs`` of each ``blocking_keys`` block, a pair sharing several keys taken
    from the block of the first of them only (where the pipeline scores it)."""
    keys = {item: blocking_keys(feature) for item, feature in features.items()}
    blocks: dict[str, list[tuple[Hashable, float | None]]] = {}
    for item, feature in features.items():
        for key in keys[item]:
            blocks.setdefault(key, []).append((item, feature.first_seen))
    sets = {item: set(item_keys) for item, item_keys in keys.items()}
    return {
        (a, b)
        for key, block in blocks.items()
        for a, b in block_pairs(block, block_window(key))
        if min(sets[a] & sets[b]) == key
    }


def group_articles(
    articles: Mapping[Hashable, tuple[str, str | None, datetime | None]],
    thresholds: EventThresholds = DEFAULT_THRESHOLDS,
    embeddings: Mapping[Hashable, Sequence[float]] | None = None,
) -> dict[Hashable, Hashable]:
    """Group a batch of ``{id: (title, text, published_at)}`` (and optional ``{id: embedding}``) into events,
    exactly as the pipeline does it (count terms, featurise, block, score candidate pairs, cluster). Returns
    id -> representative id."""
    features = batch_features(articles, embeddings)
    pairs = candidate_pairs(features)
    edges = [(a, b, score(features[a], features[b], thresholds.model)) for a, b in sorted(pairs, key=str)]
    return cluster(features, edges, thresholds, features=features)


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


def attach(
    new: Sequence[EventFeatures],
    events: Mapping[Hashable, Sequence[EventFeatures]],
    thresholds: EventThresholds = DEFAULT_THRESHOLDS,
) -> tuple[Hashable, float] | None:
    """The stored event the new run's event (its articles' features) belongs to, with its score, or ``None``
    when none reaches ``pair_threshold`` (the caller then creates a new event). An event's score is the mean
    model score of all pairs of a new and a stored article (average linkage, as ``cluster``); ``events`` holds
    only the candidates (e.g. those sharing a blocking key with ``new``), each as some of its articles'
    features."""
    if not new:
        raise ValueError("attach needs the features of at least one new article")
    best: tuple[float, str, Hashable] | None = None
    summary = summarize(new)
    for event_id, stored in events.items():
        if not stored:
            continue
        total = sum(score(a, b, thresholds.model) for a in new for b in stored)
        similarity = round(total / (len(new) * len(stored)), 6)
        candidate = (-similarity, str(event_id), event_id)
        needed = pair_threshold(summary, summarize(stored), thresholds, attaching=True)
        if similarity >= needed and (best is None or candidate < best):
            best = candidate
    return None if best is None else (best[2], -best[0])
