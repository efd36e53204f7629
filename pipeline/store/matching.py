"""Cross-run deduplication: match a run's new articles against what the database already holds.

Runs inside the loader's transaction, on the ``staged_*`` temporary tables, in three steps:

1. **fetch**: SQL finds the candidates and Python verifies them. Nothing reloads all stored texts: candidates come
   from joins on stored keys (content hash and canonical URL, LSH band keys, event blocking keys), and only the
   candidates' texts (re-shingled for exact verification) or features are read back;
2. **resolve** (``resolve``, pure): decides with the graph's own rules which stored original a copy has
   (``dedup.exact.original_rank``), which stored article a near-copy republishes (``dedup.near.best_parent``),
   which stored event and storyline each new report joins (``regroup``: the run's new reports clustered with the
   stored members of the events they may join and of those events' storylines, by
   ``events.cluster.cluster_levels``, the rule of one run), and derives every pointer, event, storyline and link;
3. **write**: the staged articles take the resolved pointers, events and storylines, the links are staged,
   articles stored already are dropped from the run, and stored articles that clustering put in another event or
   storyline (a stored event or storyline split or merged) move there.

An article matched to a stored one joins that article's event, and its copies and near-duplicates follow it, so a
copy always shares its original's event.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import duckdb
import numpy as np
import pyarrow as pa

from pipeline import ids
from pipeline.dedup.exact import exact_keys, original_rank
from pipeline.dedup.minhash import MinHashConfig, shingle_sets, verified_similarity
from pipeline.dedup.near import best_parent
from pipeline.events.blocking import MAX_BLOCK_SIZE
from pipeline.events.cluster import cluster_levels
from pipeline.events.features import EventFeatures
from pipeline.events.score import EventThresholds, score
from pipeline.store.articles import move_stored
from pipeline.store.features import current_features
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
MAX_STORED_MEMBERS = 50
"""A candidate stored event takes part in a run's clustering (``regroup``) with at most this many of its latest
representatives."""
MAX_STORYLINE_EVENTS = 20
"""Other events of a candidate stored event's storyline that take part in a run's clustering (``regroup``), the
latest; a storyline with more stays whole."""
MAX_STORYLINE_MEMBERS = 10
"""Representatives of each of those other events that take part (its latest). 50 grouped as 10 on half A of
``benchmarks/events_windows.py`` (GVC, GVC undated, UCI: 0.689, 0.706, 0.928)."""
MAX_SPLIT_MEMBERS = 20
"""A stored event of at most this many representatives is clustered anew with a run's new reports (it may split,
or merge with another); a larger one stays whole (it may grow or merge, not split). Chosen on half A of
``benchmarks/events_windows.py`` (2 windows; GVC, GVC undated, ECB+, UCI): every event whole 0.686, 0.702, 0.846,
0.925; at most 20 0.679, 0.712, 0.871, 0.923; at most 50 0.679, 0.712, 0.871, 0.916 (UCI's broad stories)."""

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


class Member(NamedTuple):
    """A report taking part in cross-run clustering (``regroup``): new or stored, with what ``original_rank``
    reads, its event (the run's, or the stored one) and its features."""

    article_id: str
    published_at: datetime | None
    source_ref: str
    event_id: str
    features: EventFeatures


class Regrouped(NamedTuple):
    """Where cross-run clustering put a new article: its event and storyline (stored or new; ``None``: the run's
    own) and, when it joined a stored event, that event's canonical article and its mean score with the event's
    stored members it was clustered with (the evidence link)."""

    event_id: str
    storyline_id: str | None = None
    link: tuple[str, float] | None = None


class Regrouping(NamedTuple):
    """What cross-run clustering decided: new article ID -> ``Regrouped``; stored article ID -> the event it moves
    to (part of a stored event split off or merged into another); stored event ID -> the event that takes it whole;
    event ID -> its storyline, for every event clustering left or made; stored event ID -> the storyline it moves to
    (its storyline split, or merged into another), for the stored events that stay."""

    articles: Mapping[str, Regrouped] = {}
    moved: Mapping[str, str] = {}
    merged: Mapping[str, str] = {}
    storylines: Mapping[str, str] = {}
    restoried: Mapping[str, str] = {}


@dataclass(frozen=True)
class Candidates:
    """What the database holds that the run's articles may match, verified:

    - ``stored``: new article ID -> its stored original (the article itself, or the one it copies), for articles
      stored already (the ``event_id`` is the stored article's own);
    - ``exact``: new article ID -> ``(exact key, stored original)`` sharing a content hash or canonical URL;
    - ``near``: new article ID -> ``(stored article, similarity)`` verified on the two texts' shingles;
    - ``regrouping``: the new reports of events none of whose articles matched, clustered with stored ones
      (``regroup``);
    - ``storylines``: stored event ID -> its storyline (as clustering left it), for every stored event a new article
      may end up in.
    """

    stored: Mapping[str, StoredArticle] = field(default_factory=dict)
    exact: Mapping[str, Sequence[tuple[str, StoredArticle]]] = field(default_factory=dict)
    near: Mapping[str, Sequence[tuple[StoredArticle, float]]] = field(default_factory=dict)
    regrouping: Regrouping = field(default_factory=Regrouping)
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
    moved: list[tuple[str, str, str | None]] = []
    """Stored articles moving event: ``(article_id, event_id, storyline_id or None to keep)``."""
    merged: list[tuple[str, str, str | None]] = []
    """Stored events moving whole: ``(old_event_id, event_id, storyline_id or None to keep)``."""
    restoried: list[tuple[str, str]] = []
    """Stored events staying, moving storyline: ``(event_id, storyline_id)``."""


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
       an exact copy or near-copy of a stored article joins that article's event; a regrouped article takes the
       event clustering gave it; then near-copies join their parent's event and copies their original's event.
    4. Near-copies of stored articles and new articles that joined stored events get a link (to the stored
       article, or to the stored event's canonical article).
    5. A regrouped article takes the storyline clustering gave it; another new storyline joins a stored one
       (``_storyline_remap``); an article without a storyline of its own in a stored event takes the event's
       (``candidates.storylines``: as clustering left them).
    """
    matches = article_matches(articles, candidates)
    regrouped, merged = candidates.regrouping.articles, candidates.regrouping.merged
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
        if article_id in regrouped:
            row["event_id"] = regrouped[article_id].event_id
    stored_events = {m.stored_id: m.event_id for m in matches.values() if m.stored_id}
    stored_events.update({article_id: m.event_id for article_id, m in matches.items() if m.method == STORED})
    for pointer in ("near_duplicate_of", "duplicate_of"):
        event_of = {**{a: r["event_id"] for a, r in state.items() if a not in stored_events}, **stored_events}
        for row in state.values():
            if row[pointer] in event_of:
                row["event_id"] = event_of[row[pointer]]

    storylines = _storyline_remap(articles, state, candidates)
    for row in state.values():
        row["event_id"] = merged.get(row["event_id"], row["event_id"])
        row["storyline_id"] = storylines.get(row["storyline_id"], row["storyline_id"])
        if row["storyline_id"] is None:
            row["storyline_id"] = candidates.storylines.get(row["event_id"])
    for article_id, found in regrouped.items():
        state[article_id]["storyline_id"] = found.storyline_id or state[article_id]["storyline_id"]

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
        if match.method == MINHASH
        for other in [match.stored_id]
    ]
    links += [
        ArticleLink(
            link_id=ids.link_id(article_id, found.link[0], EVENT),
            article_id=article_id,
            other_article_id=found.link[0],
            method=EVENT,
            score=found.link[1],
            run_id=run_id,
        )
        for article_id, found in sorted(regrouped.items())
        if found.link is not None
    ]
    resolved = [
        ResolvedArticle(**{name: state[a.article_id][name] for name in ResolvedArticle._fields}) for a in articles
    ]
    stored_already = [article_id for article_id, match in matches.items() if match.method == STORED]
    moved = [(a, event, candidates.storylines.get(event)) for a, event in sorted(candidates.regrouping.moved.items())]
    merges = [(old, event, candidates.storylines.get(event)) for old, event in sorted(merged.items())]
    restoried = sorted(candidates.regrouping.restoried.items())
    return Resolution(resolved, links, stored_already, moved, merges, restoried)


def _storyline_remap(
    articles: Iterable[StagedArticle], state: Mapping[str, Mapping], candidates: Candidates
) -> dict[str, str]:
    """New storyline ID -> the storyline it joins: that of a stored event one of its articles is now in (its
    resolved event), as regrouping left it (a stored storyline, or one its clustering made); of several, the
    smallest stored event ID's."""
    joins: dict[str, str] = {}
    for article in articles:
        event_id = state[article.article_id]["event_id"]
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
    pinned = {s.event_id for s in stored.values()} | {s.event_id for rows in exact.values() for _, s in rows}
    pinned |= {s.event_id for rows in near.values() for s, _ in rows}
    with _registered(connection, "matched_articles", {"article_id": sorted(matched)}):
        regrouping = regroup(connection, thresholds, pinned)
    named = {a.event_id for a in staged} | pinned | set(regrouping.moved.values()) | set(regrouping.merged.values())
    named |= {f.event_id for f in regrouping.articles.values()}
    storylines = {**stored_storylines(connection, named), **regrouping.restoried, **regrouping.storylines}
    return Candidates(stored, exact, near, regrouping, storylines)


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


def regroup(connection: duckdb.DuckDBPyConnection, thresholds: EventThresholds, pinned: set[str]) -> Regrouping:
    """Cluster the run's new reports of events none of whose articles matched (``matched_articles``) together with
    the stored representatives of the events they may join and of those events' storylines, by the rule of one run
    (``cluster_levels``), so a new report joins a stored event or storyline only as it would have within one run,
    and a stored event or storyline may split or merge.

    Candidates per new event: the ``MAX_CANDIDATE_EVENTS`` stored events sharing the most blocking keys, at least
    ``MIN_SHARED_KEYS`` (``candidate_events``; a key held by more than ``MAX_BLOCK_SIZE`` stored articles counts
    only its latest ones, so the join stays bounded as the database grows). Only those a new report scores
    ``thresholds.lowest`` or more with on the stored features take part, each with at most ``MAX_STORED_MEMBERS``
    latest representatives, then weighed as the run weighs its own (``features.current_features``) and scored
    again. (Deciding on the re-weighed features instead re-weighs every candidate's representatives: on GVC half
    A's second window 2.5x the rows and regroup 1.3 -> 2.2 s CPU, and two windows grouped no closer to one run.)
    One of more than ``MAX_SPLIT_MEMBERS``, or holding an article this run matched (``pinned``), stays whole. The
    other events of their storylines take part whole, the ``MAX_STORYLINE_EVENTS`` latest of each with at most
    ``MAX_STORYLINE_MEMBERS`` representatives; a storyline with more events stays whole (it may grow or merge, not
    split). A new event takes part whole (its reports may still part), with the other new events of its storyline,
    when one of its reports reaches a stored one; the new events of one storyline lie in one component, as in the
    run, so one that reaches nothing stored is not cut from the others (UCI half A cut by time: agreement with
    one run 0.966 -> 0.988)."""
    unparsed: dict[str, tuple] = {}
    storyline_events: dict[str | None, set[str]] = defaultdict(set)
    new_events: dict[str, list[str]] = defaultdict(list)
    for event_id, article_id, published_at, source_ref, storyline_id, features in connection.execute(
        sql("unmatched_event_features")
    ).fetchall():
        storyline_events[storyline_id].add(event_id)
        new_events[event_id].append(article_id)
        unparsed[article_id] = (article_id, published_at, source_ref, event_id, features)
    if not unparsed:
        return Regrouping()
    new = _LazyMembers(unparsed)  # most new reports are never scored: their features are not read
    candidates = candidate_events(connection, list(new_events))
    found = _stored_members(connection, {e for events in candidates.values() for e in events}, MAX_STORED_MEMBERS)
    stored, stored_events, canonical = found.members, found.events, found.canonical
    whole = set(pinned) | found.large
    reached, taking_part = set(), set()
    for new_event, articles in new_events.items():
        for stored_event in candidates.get(new_event, ()):
            if new_event in taking_part and stored_event in reached:
                continue  # known to take part, and to be reached
            if any(
                score(new[a].features, stored[b].features, thresholds.model) >= thresholds.lowest
                for a in articles
                for b in stored_events[stored_event]
            ):
                reached.add(stored_event)
                taking_part.add(new_event)
    if not reached:
        return Regrouping()
    of_storyline = {event: storyline for storyline, events in storyline_events.items() for event in events}
    taking_part |= {
        e for event in taking_part if of_storyline[event] is not None for e in storyline_events[of_storyline[event]]
    }
    stories = _stored_storylines(connection, reached)
    brought = _stored_members(connection, stories.brought, MAX_STORYLINE_MEMBERS)
    stories.brought.intersection_update(brought.events)  # an event whose only article is being upgraded has none
    stored.update(brought.members)
    stored_events.update(brought.events)
    canonical.update(brought.canonical)
    whole |= stories.brought
    clustered = reached | stories.brought
    current = current_features(connection, [b for event in clustered for b in stored_events[event]])
    members = {a: new[a] for event in taking_part for a in new_events[event]}
    members.update({b: stored[b]._replace(features=current[b]) for event in clustered for b in stored_events[event]})
    features = {a: member.features for a, member in members.items()}
    edges = [
        (a, b, score(features[a], features[b], thresholds.model))
        for event in sorted(taking_part)
        for stored_event in candidates.get(event, ())
        if stored_event in reached
        for a in new_events[event]
        for b in stored_events[stored_event]
    ]
    storyline_items: dict[str, list[str]] = defaultdict(list)
    for event in sorted(clustered):
        storyline_items[stories.of_event[event]] += stored_events[event]
    event_of, storyline_of = cluster_levels(
        members,
        edges,
        thresholds,
        features=features,
        groups=[new_events[event] for event in sorted(taking_part)]
        + [
            [a for event in sorted(events & taking_part) for a in new_events[event]]
            for story, events in sorted(storyline_events.items(), key=lambda pair: str(pair[0]))
            if story is not None and len(events & taking_part) > 1
        ]
        + [stored_events[event] for event in sorted(clustered - whole)]
        + [items for story, items in sorted(storyline_items.items()) if story not in stories.whole],
        fixed=[stored_events[event] for event in sorted(clustered & whole)],
        storylines=[items for story, items in sorted(storyline_items.items()) if story in stories.whole],
    )
    return _regrouping(members, stored, edges, event_of, storyline_of, whole, canonical, stories)


class _LazyMembers(dict):
    """New article ID -> its ``Member``, its stored JSON features parsed when first read."""

    def __init__(self, unparsed: Mapping[str, tuple]):
        super().__init__()
        self._unparsed = unparsed

    def __missing__(self, article_id: str) -> Member:
        *fields, features = self._unparsed[article_id]
        member = self[article_id] = Member(*fields, EventFeatures.from_dict(json.loads(features)))
        return member


class _Found(NamedTuple):
    """Stored events' representatives (``_stored_members``): article ID -> member, event ID -> its
    representatives' IDs and its canonical article, and the events of more than ``MAX_SPLIT_MEMBERS``."""

    members: dict[str, Member]
    events: dict[str, list[str]]
    canonical: dict[str, str]
    large: set[str]


def _stored_members(connection: duckdb.DuckDBPyConnection, event_ids: Iterable[str], limit: int) -> _Found:
    """The ``limit`` latest representatives of each stored event, with their stored features
    (``stored_event_features.sql``)."""
    found = _Found({}, defaultdict(list), {}, set())
    with _registered(connection, "fetched_events", {"event_id": sorted(event_ids)}):
        rows = connection.execute(sql("stored_event_features"), {"limit": limit}).fetchall()
    for event_id, article_id, published_at, source_ref, features, canonical_id, count in rows:
        found.members[article_id] = Member(
            article_id, published_at, source_ref, event_id, EventFeatures.from_dict(json.loads(features))
        )
        found.events[event_id].append(article_id)
        found.canonical[event_id] = canonical_id
        if count > MAX_SPLIT_MEMBERS:
            found.large.add(event_id)
    return found


class _Stories(NamedTuple):
    """The stored storylines of the reached events (``_stored_storylines``): event ID -> its storyline, for every
    event of them; the events brought in besides the reached ones; each storyline's events left out; the storylines
    that stay whole."""

    of_event: dict[str, str]
    brought: set[str]
    left_out: dict[str, list[str]]
    whole: set[str]


def _stored_storylines(connection: duckdb.DuckDBPyConnection, reached: Iterable[str]) -> _Stories:
    """The storylines of the ``reached`` stored events, their other events taking part (the
    ``MAX_STORYLINE_EVENTS`` latest of each) and those left out (``storyline_events.sql``); an event stored before
    storylines stands for a storyline of its own."""
    stories = _Stories({}, set(), defaultdict(list), set())
    with _registered(connection, "reached_events", {"event_id": sorted(reached)}):
        rows = connection.execute(sql("storyline_events"), {"events": MAX_STORYLINE_EVENTS}).fetchall()
    for event_id, storyline_id, is_reached, taken in rows:
        stories.of_event[event_id] = storyline_id
        if not taken:
            stories.left_out[storyline_id].append(event_id)
            stories.whole.add(storyline_id)
        elif not is_reached:
            stories.brought.add(event_id)
    for event_id in reached:
        stories.of_event.setdefault(event_id, ids.storyline_id(ids.first_article_id(event_id)))
    return stories


def _cluster_ids(
    clusters: Mapping[str, Sequence[str]],
    stored_of: Mapping[str, str],
    whole: set[str],
    id_article: Callable[[str], str],
    new_id: Callable[[Sequence[str]], str],
) -> dict[str, str]:
    """Cluster representative -> the cluster's ID, at either level: the ID of a stored event (or storyline) whose
    members taking part (``stored_of``: member -> stored ID) it holds all of, or whose ID article it holds (of
    several: one staying whole, then the one it holds most of, then the smallest ID); else ``new_id`` of its
    items, as one run derives it."""
    taking_part = Counter(stored_of.values())
    named = {}
    for rep, items in clusters.items():
        held = Counter(stored_of[item] for item in items if item in stored_of)
        present = set(items)
        owners = [e for e in held if held[e] == taking_part[e] or id_article(e) in present]
        named[rep] = min(owners, key=lambda e: (e not in whole, -held[e], e)) if owners else new_id(items)
    return named


def _regrouping(
    members: Mapping[str, Member],
    stored: Mapping[str, Member],
    edges: Sequence[tuple[str, str, float]],
    event_of: Mapping[str, str],
    storyline_of: Mapping[str, str],
    whole: set[str],
    canonical: Mapping[str, str],
    stories: _Stories,
) -> Regrouping:
    """Cross-run clusters as events and storylines (IDs by ``_cluster_ids``). A stored event staying whole whose
    cluster took another's ID moves whole; a stored event (or a storyline's event left out) whose storyline took
    another's ID moves storyline."""

    def first(items: Sequence[str]) -> str:
        return min((members[item] for item in items), key=original_rank).article_id

    levels = []
    for reps, stored_of, kept, id_article, new_id in (
        (event_of, {a: stored[a].event_id for a in members if a in stored}, whole, ids.first_article_id, ids.event_id),
        (
            storyline_of,
            {a: stories.of_event[stored[a].event_id] for a in members if a in stored},
            stories.whole,
            lambda storyline: storyline.removeprefix(ids.STORYLINE_PREFIX),
            ids.storyline_id,
        ),
    ):
        clusters: dict[str, list[str]] = defaultdict(list)
        for article_id, rep in reps.items():
            clusters[rep].append(article_id)
        levels.append(
            _cluster_ids(clusters, stored_of, kept, id_article, lambda items, new_id=new_id: new_id(first(items)))
        )
    cluster_id, story_id = levels
    scores = defaultdict(list)
    for a, b, similarity in edges:
        if cluster_id[event_of[a]] == stored[b].event_id:
            scores[a].append(similarity)
    regrouped, moved, merged, storylines = {}, {}, {}, {}
    for article_id, rep in event_of.items():
        event, storyline = cluster_id[rep], story_id[storyline_of[article_id]]
        storylines[event] = storyline
        if article_id not in stored:
            link = (
                (canonical[event], round(sum(scores[article_id]) / len(scores[article_id]), 4))
                if scores[article_id]
                else None
            )
            regrouped[article_id] = Regrouped(event, storyline, link)
        elif stored[article_id].event_id != event:
            if stored[article_id].event_id in whole:
                merged[stored[article_id].event_id] = event
            else:
                moved[article_id] = event
    restoried = {
        event: storylines[event]
        for event, storyline in stories.of_event.items()
        if event in storylines and storylines[event] != storyline
    }
    now = {stories.of_event[stored[a].event_id]: story_id[rep] for a, rep in storyline_of.items() if a in stored}
    for storyline, left_out in stories.left_out.items():
        if now[storyline] != storyline:
            restoried.update(dict.fromkeys(left_out, now[storyline]))
    return Regrouping(regrouped, moved, merged, storylines, restoried)


_STORED_CANDIDATES = (
    "SELECT stored_event_id FROM stored_candidate_keys GROUP BY stored_event_id, stored ORDER BY stored"
)
_SHARED_KEYS = (
    "SELECT n.staged, r.stored FROM staged_candidate_keys n JOIN stored_candidate_keys r USING (blocking_key)"
)


def candidate_events(connection: duckdb.DuckDBPyConnection, staged_event_ids: Sequence[str]) -> dict[str, list[str]]:
    """New event ID -> the stored events it is scored against: the ``MAX_CANDIDATE_EVENTS`` sharing the most
    blocking keys with it, at least ``MIN_SHARED_KEYS`` (ties: the smaller event ID). SQL numbers both sides' events
    and joins them on their keys (``staged_candidate_keys.sql``, ``stored_candidate_keys.sql``), a row per shared
    key; NumPy counts the keys of each pair (on the 4k run's second window 675k pairs for 1,799 new events, of which
    16k share 3 or more: DuckDB grouping the pairs by their two IDs took 0.26 s CPU, this 0.14 s)."""
    events = list(staged_event_ids)
    numbered = pa.table(
        {"event_id": pa.array(events, pa.string()), "position": pa.array(range(len(events)), pa.int32())}
    )
    with registered(connection, "unmatched_events", numbered):
        connection.execute(sql("staged_candidate_keys"))
    connection.execute(sql("stored_candidate_keys"), {"window": MAX_BLOCK_SIZE})
    stored = [event for (event,) in connection.execute(_STORED_CANDIDATES).fetchall()]
    shared = connection.execute(_SHARED_KEYS).fetchnumpy()
    connection.execute("DROP TABLE staged_candidate_keys; DROP TABLE stored_candidate_keys")
    candidates: dict[str, list[str]] = defaultdict(list)
    if not stored:
        return candidates
    pairs, keys = np.unique(shared["staged"].astype(np.int64) * len(stored) + shared["stored"], return_counts=True)
    kept = keys >= MIN_SHARED_KEYS
    new, old = np.divmod(pairs[kept], len(stored))
    for at in np.lexsort((old, -keys[kept], new)):  # by new event, then most keys, then stored event ID
        found = candidates[events[new[at]]]
        if len(found) < MAX_CANDIDATE_EVENTS:
            found.append(stored[old[at]])
    return candidates


def write_resolution(connection: duckdb.DuckDBPyConnection, resolution: Resolution) -> None:
    """Apply a resolution to the staged run: pointers, events and storylines of the new articles, their links
    (but event links between articles now in different events), the articles stored already dropped, and stored
    articles moved to the events and storylines clustering gave them."""
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
    move_stored(connection, resolution.moved, resolution.merged, resolution.restoried)
    connection.execute(sql("drop_parted_staged_links"))


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
