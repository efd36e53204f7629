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
4. ``score(a, b)`` in [0, 1] combines lexical cosine, entity cosine (between full texts only, by default)
   and (optionally) embedding cosine, multiplied by a publication-time decay; ``score_components`` returns
   the parts for a links table.
5. ``cluster(ids, scored_edges, thresholds)`` is centroid-linkage agglomerative clustering over the sparse
   candidate graph, which does not chain A~B~C when A and C differ; ``pair_threshold`` says which of the
   ``EventThresholds`` a pair must reach.
6. ``summarize(features)`` builds an event summary (a centroid with the same shape as article features and a
   time range), and ``attach(new, summaries)`` attaches a new article to the best stored event or returns
   ``None`` so the caller creates a new event.

The time factor is 1 when either side has no date; two full texts then need the (higher) undated threshold,
since dates are what tell successive events of one running story apart.
"""

from __future__ import annotations

import heapq
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

from pipeline.stopwords import ENGLISH_STOP_WORDS

LOGGER = logging.getLogger(__name__)

FEATURES_VERSION = 2
"""Version of the feature recipe (term extraction, weighting, how many terms are kept; embeddings are outside it).
Stored features carry the version that computed them, and a run first re-computes those of another version
(``pipeline.dedup.refresh``), so new articles are never compared with stored events on a different scale. Bump it
with any such change. Version 2 keeps 160 terms and weighs full texts with the general-English prior; rows stored
before versions were recorded count as 1 (most of them 48 terms and corpus IDF alone)."""
ENTITY_PREFIX = "e:"
TITLE_WEIGHT = 2
MAX_TERMS = 160
"""Terms kept per article or event. Two independent reports of one event share the event's specific words
(figures, names, what was decided) but few of its top-weighted ones; keeping 48 terms cut them off. Chosen on
half A of the same-topic corpus (``benchmarks/corpora/same_topic``, with dates): pairwise F1 0.65 at 48, 0.80 at
96, 0.82 at 128, 0.88 at 160 and 200, 0.86 at 240."""
MAX_ENTITIES = 24
N_BLOCKING_KEYS = 6
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

DEFAULT_CLUSTER_THRESHOLD = 0.35
DEFAULT_TITLE_THRESHOLD = 0.2
DEFAULT_ATTACH_THRESHOLD = 0.35
DEFAULT_UNDATED_THRESHOLD = 0.45
MIN_TEXT_WORDS = 40
DEFAULT_TIME_SCALE_HOURS = 48.0
DEFAULT_TIME_GRACE_HOURS = 24.0
MIN_EDGE_SCORE = 0.1
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
class ScoreWeights:
    """Weights of the similarity components and the time decay scale.

    Components missing on either side (no entities, no embedding) drop out of the weighted mean, so they
    neither help nor hurt. ``headline_entities`` replaces ``entities`` when a side is title-only: a headline's
    capitalised phrases are its words again (and Title Case headlines have none), so counting them twice
    only rewards sentence-case headlines. The time factor is ``exp(-0.5 * (max(0, gap_hours - time_grace_hours) /
    time_scale_hours) ** 2)``: no penalty within a day (date-only fields and time zones make publication
    times uncertain by that much), about 0.6 two days later, nothing left after a week.
    """

    lexical: float = 0.6
    entities: float = 0.4
    headline_entities: float = 0.0
    embedding: float = 0.5
    time_scale_hours: float = DEFAULT_TIME_SCALE_HOURS
    time_grace_hours: float = DEFAULT_TIME_GRACE_HOURS

    def __post_init__(self) -> None:
        if min(self.lexical, self.entities, self.headline_entities, self.embedding) < 0 or self.lexical <= 0:
            raise ValueError(f"weights must be >= 0 and lexical > 0, got {self}")
        if self.time_scale_hours <= 0 or self.time_grace_hours < 0:
            raise ValueError(f"need time_scale_hours > 0 and time_grace_hours >= 0, got {self}")


DEFAULT_WEIGHTS = ScoreWeights()


@dataclass(frozen=True)
class EventThresholds:
    """Scores at or above which two items are one event: ``full_text`` between two full texts, ``title`` when a
    side is title-only, ``attach`` (between full texts) for a new run's event to join a stored one, and at least
    ``undated`` between two full texts when either has no publication date.

    Dates are what tell successive events of one running story apart (two rounds of the same talks share their
    words); without one, the content alone must be closer. ``undated`` was chosen on half A of the same-topic
    corpus run story by story without dates (F1 0.54 at 0.45, 0.50 at 0.5, 0.46 at 0.4, 0.37 at 0.35).

    Embeddings raise every score (two unrelated news reports still sit around 0.2 in embedding space, two of
    one topic around 0.7), so runs with ``--embeddings`` use ``EMBEDDING_THRESHOLDS``.
    """

    full_text: float = DEFAULT_CLUSTER_THRESHOLD
    title: float = DEFAULT_TITLE_THRESHOLD
    attach: float = DEFAULT_ATTACH_THRESHOLD
    undated: float = DEFAULT_UNDATED_THRESHOLD

    def __post_init__(self) -> None:
        _check_thresholds(self.full_text, self.title, self.attach, self.undated)


DEFAULT_THRESHOLDS = EventThresholds()
EMBEDDING_THRESHOLDS = EventThresholds(full_text=0.5, title=0.2, attach=0.5, undated=0.55)
"""Chosen with the embedding weight 0.5 (weights 0.35 to 2 tried): the title threshold on UCI half A (F1 0.901 at
0.2, 0.900 at 0.225, 0.894 at 0.175 and 0.890 at 0.25); the full-text one on half A of the same-topic corpus (F1
with dates 0.96 at 0.5, 0.92 to 0.95 from 0.35 to 0.52) within the range that scores the rewrite corpus
perfectly (0.48 to 0.52); the undated one on half A of that corpus run story by story without dates (F1 0.60 at
0.55, 0.56 at 0.5, 0.46 at 0.6). Measured through the pipeline by ``benchmarks/events_uci.py --embeddings``."""


@dataclass(frozen=True)
class EventFeatures:
    """Compact, JSON-serialisable features of an article or of an event (a centroid of articles).

    ``terms`` and ``entities`` are L2-normalised weight maps; ``first_seen``/``last_seen`` are POSIX seconds
    (equal for an article, the published range for an event; ``None`` when unknown); ``embedding`` is an
    optional L2-normalised vector; ``n_articles`` is 1 for an article; ``full_text`` says the article has
    a body of at least ``MIN_TEXT_WORDS`` words (for an event: all its articles do).
    """

    terms: dict[str, float]
    entities: dict[str, float] = field(default_factory=dict)
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
            first_seen=data.get("first_seen"),
            last_seen=data.get("last_seen"),
            embedding=tuple(embedding) if embedding is not None else None,
            n_articles=int(data.get("n_articles", 1)),
            full_text=bool(data.get("full_text", False)),
        )


@dataclass(frozen=True)
class ScoreComponents:
    """Why two items scored what they did: each similarity in [0, 1], the time factor and the total."""

    lexical: float
    entities: float | None
    embedding: float | None
    time_factor: float
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

    def terms(self) -> set[str]:
        """Distinct terms (words and ``e:``-prefixed entities), for the document-frequency count."""
        return set(self.words) | set(self.entities)


def term_counts(title: str, text: str | None = None) -> TermCounts:
    """Count an article's words and entities once."""
    words: Counter = Counter(_word_terms(text or ""))
    for word in _word_terms(title or ""):
        words[word] += TITLE_WEIGHT
    full_text = len((text or "").split()) >= MIN_TEXT_WORDS
    return TermCounts(words, _entities(title or "", text), full_text)


def terms(title: str, text: str | None = None) -> set[str]:
    """Distinct terms of an article (words and ``e:``-prefixed entities), for the document-frequency count."""
    return term_counts(title, text).terms()


@lru_cache(maxsize=1 << 20)
def background_doc_rate(term: str) -> float:
    """Share of general English documents (of ``BACKGROUND_DOC_WORDS`` words) expected to hold the term, from
    wordfreq's word frequencies; unknown words count as rare (Zipf ``MIN_ZIPF``)."""
    zipf = max(zipf_frequency(term.removeprefix(ENTITY_PREFIX), "en"), MIN_ZIPF)
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
    word_weights = {t: (1 + math.log(c)) * idf(t, doc_freq, n_docs, background) for t, c in counts.words.items()}
    entity_weights = {e: (1 + math.log(c)) * idf(e, doc_freq, n_docs, background) for e, c in counts.entities.items()}
    vector = None
    if embedding is not None:
        norm = math.sqrt(sum(x * x for x in embedding)) or 1.0
        vector = tuple(round(x / norm, 6) for x in embedding)
    seconds = _to_seconds(published_at)
    return EventFeatures(
        terms=_top_normalized(word_weights, MAX_TERMS),
        entities=_top_normalized(entity_weights, MAX_ENTITIES),
        first_seen=seconds,
        last_seen=seconds,
        embedding=vector,
        full_text=counts.full_text,
    )


def pair_threshold(
    a: EventFeatures, b: EventFeatures, thresholds: EventThresholds = DEFAULT_THRESHOLDS, attaching: bool = False
) -> float:
    """The score two items need to be one event: between full texts ``thresholds.full_text`` (or ``.attach``
    when ``attaching`` a new event to a stored one), raised to ``.undated`` when either has no date; else the
    lower ``.title``. Headlines have a handful of terms and two headlines of one event often share only one or
    two rare ones, so their scores sit lower than those of two full reports of the same event."""
    if not (a.full_text and b.full_text):
        return thresholds.title
    needed = thresholds.attach if attaching else thresholds.full_text
    return max(needed, thresholds.undated) if a.first_seen is None or b.first_seen is None else needed


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


def score_components(a: EventFeatures, b: EventFeatures, weights: ScoreWeights = DEFAULT_WEIGHTS) -> ScoreComponents:
    """Similarity of two articles or events, with the part each signal played."""
    lexical = _cosine(a.terms, b.terms)
    parts = [(weights.lexical, lexical)]
    entities = None
    entity_weight = weights.entities if a.full_text and b.full_text else weights.headline_entities
    if a.entities and b.entities and entity_weight > 0:
        entities = _cosine(a.entities, b.entities)
        parts.append((entity_weight, entities))
    embedding = None
    if a.embedding is not None and b.embedding is not None and weights.embedding > 0:
        if len(a.embedding) != len(b.embedding):
            raise ValueError(f"embedding sizes differ: {len(a.embedding)} != {len(b.embedding)}")
        embedding = max(0.0, min(1.0, sum(x * y for x, y in zip(a.embedding, b.embedding, strict=True))))
        parts.append((weights.embedding, embedding))
    content = sum(w * s for w, s in parts) / sum(w for w, _ in parts)
    gap = _gap_hours(a, b)
    if gap is None:
        time_factor = 1.0
    else:
        late = max(0.0, gap - weights.time_grace_hours) / weights.time_scale_hours
        time_factor = math.exp(-0.5 * late**2)
    return ScoreComponents(lexical, entities, embedding, time_factor, round(content * time_factor, 6))


def score(a: EventFeatures, b: EventFeatures, weights: ScoreWeights = DEFAULT_WEIGHTS) -> float:
    """Similarity in [0, 1] of two articles (or an article and an event summary)."""
    return score_components(a, b, weights).total


def blocking_keys(features: EventFeatures, n_keys: int = N_BLOCKING_KEYS) -> list[str]:
    """The article's most salient terms and entities, alternately (highest TF-IDF weight: frequent here and
    rare in the corpus); two articles of one event share at least one of them with high probability. With an
    embedding, its ``embedding_keys`` too."""
    if n_keys < 1:
        raise ValueError(f"n_keys must be >= 1, got {n_keys}")
    ranked_terms = sorted(features.terms.items(), key=lambda kv: (-kv[1], kv[0]))
    ranked_entities = sorted(features.entities.items(), key=lambda kv: (-kv[1], kv[0]))
    interleaved = [kv for pair in zip_longest(ranked_terms, ranked_entities) for kv in pair if kv is not None]
    keys = [key for key, _ in interleaved[:n_keys]]
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


def cluster(
    ids: Iterable[Hashable],
    scored_edges: Iterable[tuple[Hashable, Hashable, float]],
    thresholds: EventThresholds = DEFAULT_THRESHOLDS,
    *,
    features: Mapping[Hashable, EventFeatures],
    weights: ScoreWeights = DEFAULT_WEIGHTS,
    min_edge: float = MIN_EDGE_SCORE,
) -> dict[Hashable, Hashable]:
    """Centroid-linkage agglomerative clustering over a sparse candidate graph.

    Clusters connected by at least one candidate edge scoring ``min_edge`` or more are compared by
    ``score(summarize(A), summarize(B))``; the best pair merges while that score reaches ``pair_threshold``.
    Comparing centroids (not the closest members) means A~B and B~C do not pull C in with A unless C is
    close to the merged event as a whole; it is the same test ``attach`` applies across runs, so a batch and
    an incremental run agree. Deterministic: ties break on the smallest representative.

    Returns:
        Each id mapped to its cluster representative (the smallest id of the cluster, by ``str``).
    """
    members: dict[str, list[Hashable]] = {}
    summaries: dict[str, EventFeatures] = {}
    key_of: dict[Hashable, str] = {}
    for item in ids:
        if item not in features:
            raise ValueError(f"id {item!r} has no features")
        key_of[item] = str(item)
        members[str(item)] = [item]
        summaries[str(item)] = features[item]
    neighbours: dict[str, set[str]] = {k: set() for k in members}
    queue: list[tuple[float, str, str, int, int]] = []
    for left, right, similarity in scored_edges:
        if left not in key_of or right not in key_of:
            raise ValueError(f"edge ({left!r}, {right!r}) names an unknown id")
        a, b = sorted((key_of[left], key_of[right]))
        if a == b or similarity < min_edge:
            continue
        neighbours[a].add(b)
        neighbours[b].add(a)
        queue.append((-score(summaries[a], summaries[b], weights), a, b, 0, 0))
    heapq.heapify(queue)
    version = dict.fromkeys(members, 0)
    while queue:
        negative, a, b, version_a, version_b = heapq.heappop(queue)
        if a not in members or b not in members or (version[a], version[b]) != (version_a, version_b):
            continue
        if -negative < min(thresholds.full_text, thresholds.title):
            break
        if -negative < pair_threshold(summaries[a], summaries[b], thresholds):
            continue
        keep, gone = (a, b) if a < b else (b, a)
        members[keep].extend(members.pop(gone))
        summaries[keep] = summarize([summaries[keep], summaries.pop(gone)])
        version[keep] += 1
        linked = (neighbours[keep] | neighbours.pop(gone)) - {keep, gone}
        neighbours[keep] = linked
        for other in linked:
            neighbours[other].discard(gone)
            neighbours[other].add(keep)
            x, y = sorted((keep, other))
            similarity = score(summaries[x], summaries[y], weights)
            if similarity >= pair_threshold(summaries[x], summaries[y], thresholds):
                heapq.heappush(queue, (-similarity, x, y, version[x], version[y]))
    return {item: min(group, key=str) for group in members.values() for item in group}


def group_articles(
    articles: Mapping[Hashable, tuple[str, str | None, datetime | None]],
    thresholds: EventThresholds = DEFAULT_THRESHOLDS,
    weights: ScoreWeights = DEFAULT_WEIGHTS,
    embeddings: Mapping[Hashable, Sequence[float]] | None = None,
) -> dict[Hashable, Hashable]:
    """Group a batch of ``{id: (title, text, published_at)}`` (and optional ``{id: embedding}``) into events,
    exactly as the pipeline does it (count terms, featurise, block, score candidate pairs, cluster). Returns
    id -> representative id."""
    counts = {item: term_counts(title, text) for item, (title, text, _) in articles.items()}
    doc_freq = Counter(term for counted in counts.values() for term in counted.terms())
    features = {
        item: features_from_counts(counts[item], published, doc_freq, len(articles), (embeddings or {}).get(item))
        for item, (_, _, published) in articles.items()
    }
    blocks: dict[str, list[tuple[Hashable, float | None]]] = {}
    for item, feature in features.items():
        for key in blocking_keys(feature):
            blocks.setdefault(key, []).append((item, feature.first_seen))
    pairs = {pair for key, block in blocks.items() for pair in block_pairs(block, block_window(key))}
    edges = [(a, b, score(features[a], features[b], weights)) for a, b in sorted(pairs, key=str)]
    return cluster(features, edges, thresholds, features=features, weights=weights)


def summarize(features: Sequence[EventFeatures]) -> EventFeatures:
    """Event summary: the normalised centroid of its articles' terms, entities and embeddings, their time
    range and count. Summaries merge like articles: ``summarize([summary, new_article])`` weighs the
    summary by its ``n_articles``."""
    if not features:
        raise ValueError("summarize needs at least one EventFeatures")
    term_sum: Counter = Counter()
    entity_sum: Counter = Counter()
    embeddings = [f for f in features if f.embedding is not None]
    for item in features:
        for term, weight in item.terms.items():
            term_sum[term] += weight * item.n_articles
        for entity, weight in item.entities.items():
            entity_sum[entity] += weight * item.n_articles
    embedding = None
    if embeddings and len(embeddings) == len(features):
        dims = len(embeddings[0].embedding)
        total = sum(f.n_articles for f in embeddings)
        embedding = tuple(round(sum(f.embedding[i] * f.n_articles for f in embeddings) / total, 6) for i in range(dims))
    firsts = [f.first_seen for f in features if f.first_seen is not None]
    lasts = [f.last_seen if f.last_seen is not None else f.first_seen for f in features if f.first_seen is not None]
    return EventFeatures(
        terms=_top_normalized(term_sum, MAX_TERMS),
        entities=_top_normalized(entity_sum, MAX_ENTITIES),
        first_seen=min(firsts) if firsts else None,
        last_seen=max(lasts) if lasts else None,
        embedding=embedding,
        n_articles=sum(f.n_articles for f in features),
        full_text=all(f.full_text for f in features),
    )


def attach(
    new: EventFeatures,
    events: Mapping[Hashable, EventFeatures],
    thresholds: EventThresholds = DEFAULT_THRESHOLDS,
    weights: ScoreWeights = DEFAULT_WEIGHTS,
) -> tuple[Hashable, float] | None:
    """The stored event (by summary) the new article or new-run cluster belongs to, with its score, or
    ``None`` when no summary reaches ``pair_threshold`` (the caller then creates a new event).
    ``events`` holds only the candidates, e.g. those sharing a blocking key with ``new``."""
    best: tuple[float, str, Hashable] | None = None
    for event_id, summary in events.items():
        similarity = score(new, summary, weights)
        candidate = (-similarity, str(event_id), event_id)
        needed = pair_threshold(new, summary, thresholds, attaching=True)
        if similarity >= needed and (best is None or candidate < best):
            best = candidate
    return None if best is None else (best[2], -best[0])
