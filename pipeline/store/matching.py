"""Cross-run deduplication: match a run's new articles against what the database already holds.

Runs inside the loader's transaction, on the ``staged_*`` temporary tables, in three steps:

1. **fetch**: SQL finds the candidates and Python verifies them. Nothing reloads all stored texts: candidates come
   from joins on stored keys (content hash and canonical URL, LSH band keys, event blocking keys), and only the
   candidates' texts (re-shingled for exact verification) or features are read back;
2. **resolve** (``resolve``, pure): decides with the graph's own rules which stored original a copy has
   (``dedup.exact.original_rank``), which stored article a near-copy republishes (``dedup.near.best_parent``),
   which stored event a new event joins (``events.cluster.attach``) and which stored storyline a new storyline
   joins, and derives every pointer, event, storyline and link;
3. **write**: the staged articles take the resolved pointers, events and storylines, the links are staged, and
   articles stored already are dropped from the run.

An article matched to a stored one joins that article's event, and its copies and near-duplicates follow it, so a
copy always shares its original's event.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import duckdb
import pyarrow as pa

from pipeline import ids
from pipeline.dedup.exact import exact_keys, original_rank
from pipeline.dedup.minhash import MinHashConfig, shingle_sets, verified_similarity
from pipeline.dedup.near import best_parent
from pipeline.events.blocking import MAX_BLOCK_SIZE
from pipeline.events.cluster import attach_levels
from pipeline.events.features import EventFeatures
from pipeline.events.score import EventThresholds
from pipeline.store.statements import registered, sql
from pipeline.store.storylines import stored_storylines
from schemas.generate import arrow_schema, to_row
from schemas.models import ArticleLink

MAX_CANDIDATE_EVENTS = 20
"""Stored events considered per new event: those sharing the most blocking keys with it."""
MIN_SHARED_KEYS = 3
"""Blocking keys (of ~50 an article) a stored event shares with a new event to be considered. Most stored events
that share one or two are unrelated: they filled the 20 by the event-ID tie-break and were scored for nothing.
Across two successive runs (``benchmarks/events_windows.py``, half A) 3 grouped as well as 1 or better."""
MAX_SUMMARY_MEMBERS = 50
"""A stored event is scored (``attach``) on at most this many of its latest representatives' features."""

STORED, EXACT, MINHASH, EVENT = "stored", "exact", "minhash", "event"
"""How a new article was matched: it is stored already, copies a stored original, republishes a stored
article, or (its event) reports a stored event."""


class StagedArticle(NamedTuple):
    """A new article of the run, as the graph left it (``exact_keys`` reads its content fields)."""

    article_id: str
    duplicate_of: str | None
    near_duplicate_of: str | None
    near_duplicate_score: float | None
    event_id: str
    content_hash: str
    canonical_url: str | None
    content_kind: str
    word_count: int
    storyline_id: str | None = None


class StoredArticle(NamedTuple):
    """A stored article a new one may point at, with what ``original_rank`` reads and its event."""

    article_id: str
    published_at: datetime | None
    source_ref: str
    event_id: str


class EventMatch(NamedTuple):
    """The stored event a new event reports (``attach``), with its canonical article."""

    event_id: str
    similarity: float
    canonical_article_id: str


@dataclass(frozen=True)
class Candidates:
    """What the database holds that the run's articles may match, verified:

    - ``stored``: new article ID -> its stored original (the article itself, or the one it copies), for articles
      stored already (the ``event_id`` is the stored article's own);
    - ``exact``: new article ID -> ``(exact key, stored original)`` sharing a content hash or canonical URL;
    - ``near``: new article ID -> ``(stored article, similarity)`` verified on the two texts' shingles;
    - ``events``: new event ID -> the stored event it reports;
    - ``storyline_events``: new event ID -> a stored event it does not report but reaches the storyline thresholds
      with (``attach(..., storyline=True)``), for the new events ``events`` does not hold;
    - ``storylines``: stored event ID -> its storyline, for every stored event a new article may end up in.
    """

    stored: Mapping[str, StoredArticle] = field(default_factory=dict)
    exact: Mapping[str, Sequence[tuple[str, StoredArticle]]] = field(default_factory=dict)
    near: Mapping[str, Sequence[tuple[StoredArticle, float]]] = field(default_factory=dict)
    events: Mapping[str, EventMatch] = field(default_factory=dict)
    storyline_events: Mapping[str, str] = field(default_factory=dict)
    storylines: Mapping[str, str] = field(default_factory=dict)


class Match(NamedTuple):
    """A new article matched to a stored article (``stored_id``; none for an event match) and its event."""

    stored_id: str | None
    event_id: str
    method: str
    score: float


class ResolvedArticle(NamedTuple):
    """A new article's pointers, event and storyline once matched against the database."""

    article_id: str
    duplicate_of: str | None
    near_duplicate_of: str | None
    near_duplicate_score: float | None
    event_id: str
    storyline_id: str | None = None


class Resolution(NamedTuple):
    """What the write applies: each new article resolved, the new links, and the articles stored already."""

    articles: list[ResolvedArticle]
    links: list[ArticleLink]
    stored_already: list[str]


def article_matches(articles: Iterable[StagedArticle], candidates: Candidates) -> dict[str, Match]:
    """New article ID -> its match to a stored article: stored already, else (an original) a copy of the first
    stored original by ``original_rank``, else (an original) a near-copy of the most similar stored article."""
    matches = {}
    for article in articles:
        if article.article_id in candidates.stored:
            stored = candidates.stored[article.article_id]
            matches[article.article_id] = Match(stored.article_id, stored.event_id, STORED, 1.0)
            continue
        if article.duplicate_of is not None:
            continue
        keys = set(exact_keys(article))
        originals = [stored for key, stored in candidates.exact.get(article.article_id, ()) if key in keys]
        if originals:
            original = min(originals, key=original_rank)
            matches[article.article_id] = Match(original.article_id, original.event_id, EXACT, 1.0)
            continue
        near = candidates.near.get(article.article_id)
        if near:
            by_node = {original_rank(stored): stored for stored, _ in near}
            node, similarity = best_parent([(original_rank(stored), similarity) for stored, similarity in near])
            parent = by_node[node]
            matches[article.article_id] = Match(parent.article_id, parent.event_id, MINHASH, round(similarity, 4))
    return matches


def resolve(articles: Sequence[StagedArticle], candidates: Candidates, run_id: str) -> Resolution:
    """Point the run's new articles at what is stored: pure, in the order the rules depend on each other.

    1. A copy of a stored original points at it (``duplicate_of``); the run's copies and near-copies of an
       article that is stored or copies a stored one point at its stored original.
    2. A near-copy of a stored article points at it (``near_duplicate_of``) unless the run gave it a parent;
       a copy has no near-duplicate parent.
    3. A new event moves into the stored event of its best match (stored, then exact, then the highest score);
       an exact copy or near-copy of a stored article joins that article's event; then near-copies join their
       parent's event and copies their original's event.
    4. Near-copies of stored articles and new events that report stored events get a link (to the stored
       article, or to the stored event's canonical article).
    5. A new storyline joins a stored one (``_storyline_remap``); an article without a storyline of its own in a
       stored event takes the event's.
    """
    matches = article_matches(articles, candidates)
    for event_id, found in candidates.events.items():
        matches[ids.first_article_id(event_id)] = Match(None, found.event_id, EVENT, round(found.similarity, 4))
    state = {article.article_id: article._asdict() for article in articles}

    for article_id, row in state.items():
        match = matches.get(article_id)
        if match and match.method == EXACT:
            row["duplicate_of"] = match.stored_id
    for article_id, row in state.items():
        for pointer in ("duplicate_of", "near_duplicate_of"):
            target = matches.get(row[pointer])
            if target and target.method in (STORED, EXACT) and target.stored_id != article_id:
                row[pointer] = target.stored_id
        match = matches.get(article_id)
        if match and match.method == MINHASH and row["near_duplicate_of"] is None:
            row["near_duplicate_of"], row["near_duplicate_score"] = match.stored_id, match.score
        if row["duplicate_of"] is not None:
            row["near_duplicate_of"] = row["near_duplicate_score"] = None

    remap = _event_remap(articles, matches)
    for article_id, row in state.items():
        row["event_id"] = remap.get(row["event_id"], row["event_id"])
        match = matches.get(article_id)
        if match and match.method in (EXACT, MINHASH):
            row["event_id"] = match.event_id
    stored_events = {m.stored_id: m.event_id for m in matches.values() if m.stored_id}
    stored_events.update({article_id: m.event_id for article_id, m in matches.items() if m.method == STORED})
    for pointer in ("near_duplicate_of", "duplicate_of"):
        event_of = {**{a: r["event_id"] for a, r in state.items() if a not in stored_events}, **stored_events}
        for row in state.values():
            if row[pointer] in event_of:
                row["event_id"] = event_of[row[pointer]]

    storylines = _storyline_remap(articles, state, candidates)
    for row in state.values():
        row["storyline_id"] = storylines.get(row["storyline_id"], row["storyline_id"])
        if row["storyline_id"] is None:
            row["storyline_id"] = candidates.storylines.get(row["event_id"])

    canonical = {found.event_id: found.canonical_article_id for found in candidates.events.values()}
    links = [
        ArticleLink(
            link_id=ids.link_id(article_id, other, match.method),
            article_id=article_id,
            other_article_id=other,
            method=match.method,
            score=match.score,
            run_id=run_id,
        )
        for article_id, match in matches.items()
        if match.method in (MINHASH, EVENT)
        for other in [match.stored_id or canonical[match.event_id]]
    ]
    resolved = [
        ResolvedArticle(**{name: state[a.article_id][name] for name in ResolvedArticle._fields}) for a in articles
    ]
    stored_already = [article_id for article_id, match in matches.items() if match.method == STORED]
    return Resolution(resolved, links, stored_already)


def _storyline_remap(
    articles: Iterable[StagedArticle], state: Mapping[str, Mapping], candidates: Candidates
) -> dict[str, str]:
    """New storyline ID -> the stored storyline it joins: that of a stored event one of its articles is now in
    (its resolved event) or one of its new events reaches the storyline thresholds with; of several, the smallest
    stored event ID's."""
    joins: dict[str, str] = {}
    for article in articles:
        reached = (state[article.article_id]["event_id"], candidates.storyline_events.get(article.event_id))
        for event_id in reached:
            if article.storyline_id is None or event_id not in candidates.storylines:
                continue
            if article.storyline_id not in joins or event_id < joins[article.storyline_id]:
                joins[article.storyline_id] = event_id
    return {storyline: candidates.storylines[event_id] for storyline, event_id in joins.items()}


def _event_remap(articles: Iterable[StagedArticle], matches: Mapping[str, Match]) -> dict[str, str]:
    """New event ID -> the stored event of its members' best match: stored, then exact, then the highest score
    (ties: the smaller stored event ID)."""
    best: dict[str, tuple] = {}
    for article in articles:
        match = matches.get(article.article_id)
        if match is None:
            continue
        rank = (match.method != STORED, match.method != EXACT, -match.score, match.event_id)
        if article.event_id not in best or rank < best[article.event_id]:
            best[article.event_id] = rank
    return {event_id: rank[-1] for event_id, rank in best.items()}


def fetch_candidates(
    connection: duckdb.DuckDBPyConnection,
    staged: Sequence[StagedArticle],
    minhash: MinHashConfig,
    thresholds: EventThresholds,
) -> Candidates:
    """Everything stored that the run's articles may match, each kind only for the articles (and events) the
    kinds before it left unmatched: stored already or exact copies, then near-copies, then events."""
    stored = {row[0]: StoredArticle(*row[1:]) for row in connection.execute(sql("stored_already")).fetchall()}
    exact: dict[str, list[tuple[str, StoredArticle]]] = defaultdict(list)
    for article_id, key, *stored_row in connection.execute(sql("exact_candidates")).fetchall():
        exact[article_id].append((key, StoredArticle(*stored_row)))
    candidates = Candidates(stored=stored, exact=exact)
    matched = set(article_matches(staged, candidates))
    with _registered(connection, "matched_articles", {"article_id": sorted(matched)}):
        near = verified_near_copies(connection.execute(sql("near_candidates")).fetchall(), minhash)
        candidates = Candidates(stored=stored, exact=exact, near=near)
        matched = set(article_matches(staged, candidates))
    with _registered(connection, "matched_articles", {"article_id": sorted(matched)}):
        found, related = event_matches(connection, thresholds)
    named = {a.event_id for a in staged} | {m.event_id for m in found.values()} | set(related.values())
    named |= {s.event_id for s in stored.values()} | {s.event_id for rows in exact.values() for _, s in rows}
    named |= {s.event_id for rows in near.values() for s, _ in rows}
    return Candidates(stored, exact, near, found, related, stored_storylines(connection, named))


def verified_near_copies(rows: Iterable[tuple], config: MinHashConfig) -> dict[str, list[tuple[StoredArticle, float]]]:
    """``(article_id, text, *StoredArticle, stored text)`` candidate pairs -> new article ID -> the stored
    articles it republishes, with their verified similarity (``minhash.verified_similarity``)."""
    rows = list(rows)
    texts: dict[str, str] = {}
    for article_id, text, stored_id, *_, stored_text in rows:
        texts[article_id], texts[stored_id] = text, stored_text
    sets = dict(zip(texts, shingle_sets(list(texts.values()), config), strict=True))
    near: dict[str, list[tuple[StoredArticle, float]]] = defaultdict(list)
    for article_id, _, stored_id, published_at, source_ref, event_id, _ in rows:
        similarity = verified_similarity(sets[article_id], sets[stored_id], config)
        if similarity is not None:
            near[article_id].append((StoredArticle(stored_id, published_at, source_ref, event_id), similarity))
    return near


def event_matches(
    connection: duckdb.DuckDBPyConnection, thresholds: EventThresholds
) -> tuple[dict[str, EventMatch], dict[str, str]]:
    """New events none of whose articles matched (``matched_articles``) -> the stored event each reports, by
    ``attach`` (the mean model score of their articles and the stored event's latest
    ``MAX_SUMMARY_MEMBERS``) among the ``MAX_CANDIDATE_EVENTS`` sharing the most blocking keys, at least
    ``MIN_SHARED_KEYS`` (``candidate_events``; a key held by more
    than ``MAX_BLOCK_SIZE`` stored articles counts only its latest ones, so the join stays bounded: for 1,000 new
    GVC reports against 30,000 stored ones it took 1.8 s CPU instead of 15.7, and grew linearly with the
    database before); and those that report none -> a stored event they reach the storyline thresholds with
    (``Candidates.storyline_events``)."""
    staged: dict[str, list[EventFeatures]] = defaultdict(list)
    for event_id, features in connection.execute(sql("unmatched_event_features")).fetchall():
        staged[event_id].append(EventFeatures.from_dict(json.loads(features)))
    if not staged:
        return {}, {}
    candidates = candidate_events(connection, list(staged))
    stored_members: dict[str, list[EventFeatures]] = defaultdict(list)
    canonical: dict[str, str] = {}
    for event_id, features, canonical_article_id in connection.execute(
        sql("stored_event_features"), {"limit": MAX_SUMMARY_MEMBERS}
    ).fetchall():
        stored_members[event_id].append(EventFeatures.from_dict(json.loads(features)))
        canonical[event_id] = canonical_article_id
    found, related = {}, {}
    for staged_event_id, members in staged.items():
        options = {event_id: stored_members[event_id] for event_id in candidates[staged_event_id]}
        # each pair is scored once for both levels; the storyline thresholds are at most the event ones, so an
        # event joining no storyline reports no event either
        attached, near = attach_levels(members, options, thresholds) if options else (None, None)
        if near is None:
            continue
        if attached:
            stored_event_id, similarity = attached
            found[staged_event_id] = EventMatch(stored_event_id, similarity, canonical[stored_event_id])
        else:
            related[staged_event_id] = near[0]
    return found, related


def candidate_events(connection: duckdb.DuckDBPyConnection, staged_event_ids: Sequence[str]) -> dict[str, list[str]]:
    """New event ID -> the stored events it is scored against (``event_candidates.sql``, also left in the temporary
    table ``event_candidates`` for ``stored_event_features``)."""
    with _registered(connection, "unmatched_events", {"event_id": list(staged_event_ids)}):
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE event_candidates AS " + sql("event_candidates"),
            {"limit": MAX_CANDIDATE_EVENTS, "window": MAX_BLOCK_SIZE, "min_keys": MIN_SHARED_KEYS},
        )
    candidates: dict[str, list[str]] = defaultdict(list)
    for staged_event_id, stored_event_id in connection.execute("SELECT * FROM event_candidates").fetchall():
        candidates[staged_event_id].append(stored_event_id)
    return candidates


def write_resolution(connection: duckdb.DuckDBPyConnection, resolution: Resolution) -> None:
    """Apply a resolution to the staged run: pointers, events and storylines of the new articles, their links,
    and the articles stored already dropped."""
    columns = {name: [getattr(row, name) for row in resolution.articles] for name in ResolvedArticle._fields}
    schema = pa.schema([(name, pa.float64() if name == "near_duplicate_score" else pa.string()) for name in columns])
    with _registered(connection, "resolved_articles", columns, schema):
        connection.execute(sql("set_resolved_articles"))
    if resolution.links:
        links = pa.Table.from_pylist([to_row(link) for link in resolution.links], schema=arrow_schema("article_links"))
        with _registered(connection, "resolved_links", links):
            connection.execute("INSERT INTO staged_article_links BY NAME SELECT * FROM resolved_links")
    with _registered(connection, "stored_already", {"article_id": resolution.stored_already}):
        connection.execute("DELETE FROM staged_articles WHERE article_id IN (SELECT article_id FROM stored_already)")


def resolve_against_stored(
    connection: duckdb.DuckDBPyConnection, minhash: MinHashConfig, thresholds: EventThresholds, run_id: str
) -> Resolution:
    """All cross-run matching of the staged run: fetch the candidates, resolve, write once."""
    staged = [StagedArticle(*row) for row in connection.execute(sql("staged_for_matching")).fetchall()]
    resolution = resolve(staged, fetch_candidates(connection, staged, minhash, thresholds), run_id)
    write_resolution(connection, resolution)
    return resolution


def _registered(connection: duckdb.DuckDBPyConnection, name: str, data, schema: pa.Schema | None = None):
    """``data`` (an Arrow table, or columns of strings) readable as table ``name`` while the block runs."""
    if not isinstance(data, pa.Table):
        data = pa.table(data, schema=schema or pa.schema([(column, pa.string()) for column in data]))
    return registered(connection, name, data)
