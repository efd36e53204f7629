"""Event grouping in Beam: different reports of one happening become one event.

Count term document frequencies -> (with embeddings, embed each article) -> featurise each representative
article (TF-IDF terms, entities, time, embedding) -> score candidate pairs within each block of articles sharing a
blocking key -> split the candidate graph into connected components -> cluster each component (centroid linkage,
so A~B~C does not chain) -> event ID from each cluster's earliest article. The logic lives in
``pipeline.events`` (features, blocking, score, cluster); this module only distributes it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import apache_beam as beam

from pipeline import ids
from pipeline.dedup.components import ResolveComponents
from pipeline.dedup.exact import original_rank
from pipeline.dedup.near import with_parent
from pipeline.events.blocking import (
    block_candidates,
    block_member,
    blocking_keys,
    member_features,
    reaching_pairs,
    shared_blocks,
)
from pipeline.events.cluster import cluster_levels
from pipeline.events.embeddings import Embed, embedding_text
from pipeline.events.features import FEATURES_VERSION, EventFeatures, TermCounts, features_from_counts, term_counts
from pipeline.events.model import shipped_model
from pipeline.events.score import EventThresholds, score, score_components
from pipeline.outputs import Outputs, SplitOutputs, Tagged
from pipeline.packing import KeyPackedById, pack, unpack
from pipeline.staging import LOOKUP_BUCKETS, bucket, lookup
from schemas.models import Article, ArticleFeatures, ArticleLink


def article_term_counts(title: str, text: str | None, summary: str | None) -> TermCounts:
    """The terms an article is grouped by: headline plus body (or, without one, summary)."""
    return term_counts(title, text or summary)


def count_terms(article: Article) -> tuple[Article, TermCounts]:
    """An article with its counted terms."""
    return article, article_term_counts(article.title, article.text, article.summary)


def feature_row(
    article_id: str, features: EventFeatures, terms: list[str], keys: list[str] | None = None
) -> ArticleFeatures:
    """The stored row of an article's features, stamped with the recipe version that computed them; ``keys``: their
    ``blocking_keys`` when the caller has them already."""
    return ArticleFeatures(
        article_id=article_id,
        features=features.to_dict(),
        blocking_keys=blocking_keys(features) if keys is None else keys,
        terms=terms,
        features_version=FEATURES_VERSION,
    )


def _article_text(counted: tuple[Article, TermCounts]) -> str:
    article = counted[0]
    return embedding_text(article.title, article.text or article.summary)


DOCS = "\x00docs"
"""A pseudo-term every article holds once: its document frequency is the number of documents."""


def _term_refs(counted: tuple[Article, TermCounts], buckets: int) -> list[tuple[int, bytes]]:
    """``(bucket, pack((article ID, terms)))``: the article's distinct terms (and ``DOCS``) by bucket, one element a
    bucket rather than one a term (~380 an article, each encoded, grouped and decoded by Beam on its own)."""
    article, counts = counted
    by_bucket: dict[int, list[str]] = {}
    for term in (*counts.terms(), DOCS):
        by_bucket.setdefault(bucket(term, buckets), []).append(term)
    return [(number, pack((article.article_id, tuple(terms)))) for number, terms in by_bucket.items()]


def _doc_freq_in_bucket(grouped: tuple[int, Iterable[bytes]], stored_path: str | None, prior_docs: int):
    """``(bucket, [pack((article ID, terms))])`` -> ``(article ID, pack({term: document frequency}))``: the run's
    articles holding each term plus the stored ones (looked up in ``stored_path``, ``term, doc_count`` rows;
    ``DOCS`` adds the ``prior_docs`` stored articles)."""
    terms_of = [unpack(packed) for packed in grouped[1]]
    doc_freq = Counter(term for _, terms in terms_of for term in terms)
    if DOCS in doc_freq:
        doc_freq[DOCS] += prior_docs
    if stored_path:
        stored = lookup(stored_path, "term", doc_freq, ["doc_count"])
        for term, count in zip(stored["term"].to_pylist(), stored["doc_count"].to_pylist(), strict=True):
            doc_freq[term] += count
    return [(article_id, pack({term: doc_freq[term] for term in terms})) for article_id, terms in terms_of]


def _featurise(joined: tuple[str, dict]):
    """``(article ID, {"article": [pack((rank, published_at, counts, embedding))], "doc_freq": [pack({term:
    frequency})]})`` -> ``(article ID, (rank, features, terms, blocking keys))``: the keys computed once here for
    every step that needs them."""
    article_id, grouped = joined
    doc_freq = {}
    for part in map(unpack, grouped["doc_freq"]):
        doc_freq.update(part)
    n_docs = doc_freq.pop(DOCS, 0)
    for rank, published_at, counts, embedding in map(unpack, grouped["article"]):
        features = features_from_counts(counts, published_at, doc_freq, n_docs, embedding)
        yield article_id, (rank, features, sorted(counts.terms()), blocking_keys(features))


def _grouped_by(embedded: tuple[tuple[Article, TermCounts], object]) -> tuple[str, bytes]:
    """``((article, counts), embedding)`` -> ``(article ID, pack((rank, published_at, counts, embedding)))``: only
    what featurising needs crosses the join with the document frequencies, not the whole article."""
    (article, counts), embedding = embedded
    return article.article_id, pack((original_rank(article), article.published_at, counts, embedding))


def _keys_by_bucket(keys: Iterable[str], buckets: int) -> dict[int, tuple[str, ...]]:
    """Blocking keys by their bucket (``staging.bucket``), in their order."""
    by_bucket: dict[int, list[str]] = {}
    for key in keys:
        by_bucket.setdefault(bucket(key, buckets), []).append(key)
    return {number: tuple(bucket_keys) for number, bucket_keys in by_bucket.items()}


def _blocking_refs(item, buckets: int) -> list[tuple[int, bytes]]:
    """(id, (rank, features, terms, keys)) -> ``(bucket, pack((id, its blocking keys in the bucket)))``, one element
    a bucket rather than one a key (~50 an article)."""
    article_id, (_, _, _, keys) = item
    keys = _keys_by_bucket(keys, buckets)
    return [(number, pack((article_id, bucket_keys))) for number, bucket_keys in keys.items()]


def _shared_in_bucket(grouped: tuple[int, Iterable[bytes]]):
    """``(bucket, [pack((id, blocking keys))])`` -> ``(id, (its keys whose blocks hold another article, those of them
    whose blocks are oversized))`` (``shared_blocks``); an article whose keys are all its own is left out."""
    return list(shared_blocks(map(unpack, grouped[1])).items())


def _block_members(joined: tuple[str, dict], buckets: int):
    """``(id, {"features": [pack(features)], "shared": [(keys, oversized keys)]})`` -> ``(bucket, pack((id, member,
    keys)))`` once for each bucket of its blocking keys whose blocks hold another article (``keys``: those in the
    bucket; ``member``: its features, those keys and the oversized ones, packed once by ``block_member``). A key of
    one article makes no pair: the member is smaller and its keys intersect faster without them (~34 of ~39 keys an
    article on the scale benchmark's). Sent once a key, the member was ~36 elements of ~5 KB an article, each
    encoded, grouped and decoded by Beam. With ~34 keys an article, a bucket holds nearly every article of the run
    (~5 KB each: the run's window bounds it), as the blocks of all keys together did 34 times over."""
    article_id, grouped = joined
    keys = [key for shared, _ in grouped["shared"] for key in shared]
    if not keys:
        return
    large = frozenset(key for _, oversized_keys in grouped["shared"] for key in oversized_keys)
    for features in map(unpack, grouped["features"]):
        _, member = block_member(article_id, features, keys, large)
        for number, bucket_keys in _keys_by_bucket(keys, buckets).items():
            yield number, pack((article_id, member, bucket_keys))


def _score_blocks(min_edge: float, model):
    """``(bucket, [pack((id, member, keys))])`` -> ``(id, id, score)`` for the candidate pairs (``block_candidates``)
    of each block of the bucket scoring ``min_edge`` or more by ``model``, each pair once a bucket. Scoring
    inside the block, where the features already are, saves joining them onto every pair."""

    def score_pairs(grouped):
        packed, blocks = {}, {}
        for article_id, member, keys in map(unpack, grouped[1]):
            packed[article_id] = member
            for key in keys:
                blocks.setdefault(key, []).append(article_id)
        features = {article_id: member_features(member) for article_id, member in packed.items()}
        scored = set()
        for key, block in blocks.items():
            if len(block) < 2:
                continue
            members = {article_id: features[article_id] for article_id in block}
            pairs = block_candidates(
                key,
                {
                    article_id: (item.first_seen, keys, large, item.full_text)
                    for article_id, (item, keys, large) in members.items()
                },
            )
            for left, right in reaching_pairs(pairs, packed, model or shipped_model(), min_edge):
                if (left, right) in scored:
                    continue
                scored.add((left, right))
                similarity = score(features[left][0], features[right][0], model)
                if similarity >= min_edge:
                    yield left, right, similarity

    return score_pairs


def _ranked_member(item: tuple[str, tuple]) -> tuple[str, bytes]:
    """``(id, (rank, features, terms, keys))`` -> ``(id, pack((id, (rank, features))))``: what clustering needs."""
    article_id, (rank, features, _, _) = item
    return article_id, pack((article_id, (rank, features)))


def _by_component(joined):
    """(id, {"member": [...], "component": [...]}) -> (component root, member) for each member in a component."""
    _, grouped = joined
    roots = list(grouped["component"])
    if roots:
        for member in grouped["member"]:
            yield roots[0], member


def _cluster_lone(joined, thresholds: EventThresholds, run_id: str):
    """(id, {"member": [pack(member)], "component": []}) -> ``cluster_component``'s output for a member no scored
    edge reaches (most of them), clustered where it is rather than grouped with nothing."""
    _, grouped = joined
    if not list(grouped["component"]):
        yield from cluster_component(map(unpack, grouped["member"]), (), thresholds, run_id)


def cluster_component(
    members: Iterable[tuple[str, tuple[tuple, EventFeatures]]],
    edges: Iterable[tuple[str, str, float]],
    thresholds: EventThresholds,
    run_id: str,
) -> Iterable[tuple[str, object]]:
    """Cluster one connected component of ``(id, (rank, features))`` members; yields ``("event", (id, (event_id,
    storyline_id)))`` and ``("link", ArticleLink)`` for each scored pair inside one event, with the model's feature
    values of the pair."""
    ranked = dict(members)
    features = {article_id: value[1] for article_id, value in ranked.items()}
    edges = [edge for edge in edges if edge[0] in ranked and edge[1] in ranked]
    event_reps, storyline_reps = cluster_levels(features, edges, thresholds, features=features)

    def first(group: list[str]) -> str:
        return min(group, key=lambda article_id: ranked[article_id][0])

    ids_of = {}
    for level, reps in (("event", event_reps), ("storyline", storyline_reps)):
        groups: dict[str, list[str]] = {}
        for article_id, rep in reps.items():
            groups.setdefault(rep, []).append(article_id)
        ids_of[level] = {rep: first(group) for rep, group in groups.items()}
    event_of = {}
    for article_id in event_reps:
        event_of[article_id] = ids.event_id(ids_of["event"][event_reps[article_id]])
        storyline_id = ids.storyline_id(ids_of["storyline"][storyline_reps[article_id]])
        yield "event", (article_id, (event_of[article_id], storyline_id))
    for left, right, similarity in edges:
        if event_of[left] == event_of[right]:
            later, earlier = sorted((left, right), key=lambda article_id: ranked[article_id][0], reverse=True)
            values = score_components(features[later], features[earlier], thresholds.model).features
            yield (
                "link",
                ArticleLink(
                    link_id=ids.link_id(later, earlier, "event"),
                    article_id=later,
                    other_article_id=earlier,
                    method="event",
                    score=round(similarity, 4),
                    run_id=run_id,
                    features=values,
                ),
            )


class GroupEvents(beam.PTransform):
    """Representative ``Article``s (no copies) -> dict of PCollections:

    - ``events``: ``(article_id, (event_id, storyline_id))`` for every input article;
    - ``features``: ``ArticleFeatures`` rows, stored so later runs can attach to these events;
    - ``links``: an ``ArticleLink`` for each scored pair inside one event.
    """

    def __init__(
        self,
        thresholds: EventThresholds,
        run_id: str,
        term_stats_path: str | None = None,
        prior_docs: int = 0,
        embeddings: bool = False,
        buckets: int = LOOKUP_BUCKETS,
    ):
        """``term_stats_path``: Parquet file of the stored document frequencies (``term, doc_count`` over
        ``prior_docs`` stored articles), in which the run looks its own terms up; ``embeddings`` adds sentence
        embeddings to the features (needs the ``embeddings`` extra). Document frequencies and oversized blocks
        reach the articles by joins, not side inputs: Beam 2.77's Dask runner doubles a side input that shares a
        step with its main input."""
        super().__init__()
        self._thresholds = thresholds
        self._run_id = run_id
        self._term_stats_path = term_stats_path
        self._prior_docs = prior_docs
        self._embeddings = embeddings
        self._buckets = buckets

    def expand(self, articles):
        counted = articles | "CountTerms" >> beam.Map(count_terms)
        doc_freq = (
            counted
            | "Terms" >> beam.FlatMap(_term_refs, self._buckets)
            | "GroupTerms" >> beam.GroupByKey()
            | "DocFreq" >> beam.FlatMap(_doc_freq_in_bucket, self._term_stats_path, self._prior_docs)
        )
        if self._embeddings:
            embedded = counted | "Embed" >> Embed(_article_text)
        else:
            embedded = counted | "NoEmbedding" >> beam.Map(lambda item: (item, None))
        featured = (
            {
                "article": embedded | "KeyEmbedded" >> beam.Map(_grouped_by),
                "doc_freq": doc_freq,
            }
            | "JoinDocFreq" >> beam.CoGroupByKey()
            | "Featurise" >> beam.FlatMap(_featurise)
        )
        shared_keys = (
            featured
            | "BlockingKeys" >> beam.FlatMap(_blocking_refs, self._buckets)
            | "GroupBlockingKeys" >> beam.GroupByKey()
            | "SharedBlocks" >> beam.FlatMap(_shared_in_bucket)
        )
        edges = (
            {
                "features": featured | "OnlyFeatures" >> beam.Map(lambda item: (item[0], pack(item[1][1]))),
                "shared": shared_keys,
            }
            | "JoinShared" >> beam.CoGroupByKey()
            | "BlockMembers" >> beam.FlatMap(_block_members, self._buckets)
            | "GroupBlockBuckets" >> beam.GroupByKey()
            | "ScoreBlocks" >> beam.FlatMap(_score_blocks(self._thresholds.lowest, self._thresholds.model))
            | "UniqueEdges" >> beam.Distinct()
        )
        components = edges | "ComponentEdges" >> beam.Map(lambda e: ((e[0],), (e[1],))) | ResolveComponents()
        thresholds, run_id = self._thresholds, self._run_id
        member_components = {
            "member": featured | "AsMember" >> beam.Map(_ranked_member),
            "component": components,
        } | "JoinMemberComponents" >> beam.CoGroupByKey()
        lone = member_components | "ClusterLone" >> beam.FlatMap(_cluster_lone, thresholds, run_id)
        members = member_components | "MembersByComponent" >> beam.FlatMap(_by_component)
        component_edges = (
            {"member": edges | "EdgeByLeft" >> beam.Map(lambda e: (e[0], e)), "component": components}
            | "JoinEdgeComponents" >> beam.CoGroupByKey()
            | "EdgesByComponent" >> beam.FlatMap(_by_component)
        )
        grouped = (
            {"members": members, "edges": component_edges}
            | "GroupComponents" >> beam.CoGroupByKey()
            | "Cluster"
            >> beam.FlatMap(
                lambda item: cluster_component(map(unpack, item[1]["members"]), item[1]["edges"], thresholds, run_id)
            )
        )
        clustered = (lone, grouped) | "AllClustered" >> beam.Flatten()
        features = featured | "FeatureRows" >> beam.Map(lambda item: feature_row(item[0], *item[1][1:]))
        return {
            "events": clustered | "Events" >> beam.Filter(lambda kv: kv[0] == "event") | "EventPairs" >> beam.Values(),
            "features": features,
            "links": clustered | "EventLinks" >> beam.Filter(lambda kv: kv[0] == "link") | "LinkRows" >> beam.Values(),
        }


REPRESENTATIVES = "representatives"
MEMBERS = "members"
COPIES = "copies"


def _near_joined(joined):
    """``(id, {"article": [pack(Article)], "parent": [(parent id, similarity)], "root": [near root id]})`` -> the
    article with its near-duplicate parent, ``Tagged(REPRESENTATIVES, article)`` when it stands for its group, and its
    group membership: ``Tagged(MEMBERS, (root id, id))`` for an original, ``Tagged(COPIES, (original id, id))``
    for an exact copy (its root is its original's)."""
    article_id, grouped = joined
    parents, roots = list(grouped["parent"]), list(grouped["root"])
    for article in map(unpack, grouped["article"]):
        article = with_parent(article, parents[0] if parents else None)
        yield article
        if article.duplicate_of is not None:
            yield Tagged(COPIES, (article.duplicate_of, article_id))
            continue
        root = roots[0] if roots else article_id
        yield Tagged(MEMBERS, (root, article_id))
        if root == article_id:
            yield Tagged(REPRESENTATIVES, article)


def _copy_roots(joined):
    """``(original id, {"copy": [id], "root": [root id]})`` -> ``(group root id, id)`` of each copy."""
    original_id, grouped = joined
    roots = list(grouped["root"])
    for article_id in grouped["copy"]:
        yield (roots[0] if roots else original_id), article_id


class JoinNearGroups(beam.PTransform):
    """``Article``s (exact copies marked) -> :class:`Outputs`: ``articles`` carrying their near-duplicate parent
    (``parents``: ``(id, (parent id, similarity))``), ``representatives`` (the article of each group, its root,
    which stands for the group in event grouping) and ``members``: ``(group root id, id)`` for every article.

    A group is an original with its exact copies and its near-duplicates' (``near_roots``: ``(id, root id)``
    for each member of a near-duplicate component, rooted at its earliest). The articles cross one join here;
    group membership travels as IDs.
    """

    def __init__(self, parents, near_roots):
        super().__init__()
        self._parents = parents
        self._near_roots = near_roots

    def expand(self, articles):
        joined = (
            {
                "article": articles | "KeyById" >> KeyPackedById(),
                "parent": self._parents,
                "root": self._near_roots,
            }
            | "JoinNear" >> beam.CoGroupByKey()
            | "SetParents" >> beam.FlatMap(_near_joined)
            | "NearOutputs" >> SplitOutputs(REPRESENTATIVES, MEMBERS, COPIES, main="articles")
        )
        copies = (
            {"copy": joined[COPIES], "root": self._near_roots}
            | "JoinCopyRoots" >> beam.CoGroupByKey()
            | "CopyRoots" >> beam.FlatMap(_copy_roots)
        )
        members = (joined[MEMBERS], copies) | "AllMembers" >> beam.Flatten()
        return Outputs({"articles": joined["articles"], REPRESENTATIVES: joined[REPRESENTATIVES], MEMBERS: members})


def _article_events(joined):
    """``(root id, {"member": [article id], "event": [(event_id, storyline_id)]})`` -> ``(article id, event)``."""
    _, grouped = joined
    found = list(grouped["event"])
    if found:
        for article_id in grouped["member"]:
            yield article_id, found[0]


def _with_event(joined):
    """``(id, {"article": [pack(Article)], "event": [(event_id, storyline_id)]})`` -> the article with its event."""
    _, grouped = joined
    found = list(grouped["event"])
    for article in map(unpack, grouped["article"]):
        if found:
            event_id, storyline_id = found[0]
            yield article.model_copy(update={"event_id": event_id, "storyline_id": storyline_id})
        else:
            yield article


class ApplyEvents(beam.PTransform):
    """``Article``s -> the same ``Article``s carrying the event and storyline of their group root: ``members``
    gives each article's root (``(root id, article id)``), ``root_events`` each root's ``(root id, (event_id,
    storyline_id))``. The events reach the articles' IDs first, so the articles cross one join."""

    def __init__(self, members, root_events):
        super().__init__()
        self._members = members
        self._root_events = root_events

    def expand(self, articles):
        article_events = (
            {"member": self._members, "event": self._root_events}
            | "JoinRootEvents" >> beam.CoGroupByKey()
            | "EventById" >> beam.FlatMap(_article_events)
        )
        return (
            {
                "article": articles | "KeyById" >> KeyPackedById(),
                "event": article_events,
            }
            | "JoinEvents" >> beam.CoGroupByKey()
            | "SetEvents" >> beam.FlatMap(_with_event)
        )
