"""Clustering: reports into events and storylines, within a run and across runs (``cluster_levels``).

``cluster(ids, scored_edges, thresholds)`` is average-linkage agglomerative clustering of the model's pair scores
over the sparse candidate graph, which does not chain A~B~C when A and C differ. Across runs the loader
(``pipeline.store.matching.regroup``) clusters a run's new reports with the stored members of the events they may
join, and the other events of those events' storylines, by the same function, stored events given as groups (or
fixed clusters) and stored storylines as groups (or, when they may not split, as one cluster at the storyline
level), so a new report joins a stored event or storyline only as it would within one run. ``group_articles``
runs the whole recipe on a batch, as the pipeline does.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime

import numpy as np

from pipeline.events.blocking import bounded_parts, candidate_pairs
from pipeline.events.features import EventFeatures, batch_features
from pipeline.events.model import GroupingModel
from pipeline.events.score import DEFAULT_THRESHOLDS, EventThresholds, score

MAX_DENSE_COMPONENT = 800
"""Largest part of the candidate graph whose every pair ``cluster`` scores (at most 319,600 pairs); a larger
component is split by ``blocking.bounded_parts`` (spectral bisection, refined), so a run's cost stays linear in its
size. A broad story of headlines runs to hundreds of reports (UCI dev: up to 322 in one half), and one half's
headlines form one component. On UCI half A (1,366 headlines, fold model fitted on half B), the share of same-story
pairs ever scored: 0.970 at 600, 0.972 at 800, 0.976 at 1,000 (0.960, 0.965, 0.969 unrefined; time-ordered slices
at 1,000, as before: 0.923 with the previous fold model, which gives 0.981 at 600)."""


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
    **options,
) -> dict[Hashable, Hashable]:
    """Each id mapped to its event's representative: the first level of ``cluster_levels`` (same options)."""
    return cluster_levels(ids, scored_edges, thresholds, **options)[0]


def cluster_levels(
    ids: Iterable[Hashable],
    scored_edges: Iterable[tuple[Hashable, Hashable, float]],
    thresholds: EventThresholds = DEFAULT_THRESHOLDS,
    *,
    features: Mapping[Hashable, EventFeatures],
    max_dense: int = MAX_DENSE_COMPONENT,
    cache: dict | None = None,
    groups: Iterable[Sequence[Hashable]] = (),
    fixed: Iterable[Sequence[Hashable]] = (),
    storylines: Iterable[Sequence[Hashable]] = (),
) -> tuple[dict[Hashable, Hashable], dict[Hashable, Hashable]]:
    """Average-linkage agglomerative clustering of the model's pair scores over a sparse candidate graph, at two
    levels: events, then storylines (events of one running story).

    Items joined by candidate edges scoring ``thresholds.lowest`` or more form components (``dense_scores``; pair
    scores already known can be passed in ``cache``, which it fills); within each
    every pair is scored (blocking misses some pairs of one event, and average linkage needs them). Two clusters
    merge, best first, while the mean score of their cross pairs reaches ``pair_threshold``: a cluster joins
    another only when it is close to the whole of it, so A~B and B~C do not chain A to C. The clusters then are
    events; merging goes on down to the storyline thresholds, and those clusters are storylines (so each event lies
    in one storyline). Deterministic: components and their members are ordered by ``str``.

    Across runs (``pipeline.store.matching``) the items are a run's new reports with the stored members of the events
    they may join: ``groups`` (ids known to be together, e.g. a stored event's members) lie in one component
    whatever their scores, and each of ``fixed`` (a stored event that may not split) starts as one cluster, its
    inner pairs unscored; each of ``storylines`` (a stored storyline that may not split) lies in one component and
    starts the storyline level as one cluster, with every cluster holding one of its ids. A component is never cut
    inside a group.

    Returns:
        Each id mapped to its event's representative and to its storyline's (the smallest id, by ``str``).
    """
    ids = sorted(set(ids), key=str)
    fixed = [sorted(group, key=str) for group in fixed]
    storylines = [sorted(group, key=str) for group in storylines]
    together = [*groups, *fixed, *storylines]
    components, pair_scores = dense_scores(
        ids, scored_edges, features, thresholds.model, thresholds.lowest, max_dense, cache, together, fixed
    )
    where = {item: (number, i) for number, component in enumerate(components) for i, item in enumerate(component)}
    sums = [np.zeros((len(component), len(component))) for component in components]
    for (a, b), value in pair_scores.items():
        (number, i), (other, j) = where[a], where[b]
        if number == other:
            sums[number][i, j] = sums[number][j, i] = value
    event_of: dict[Hashable, Hashable] = {}
    storyline_of: dict[Hashable, Hashable] = {}
    fixed_of = {group[0]: group for group in fixed}
    storyline_of_first = {group[0]: group for group in storylines}
    for component, matrix in zip(components, sums, strict=True):
        starts = [[where[item][1] for item in fixed_of[first]] for first in component if first in fixed_of]
        stories = [
            [where[item][1] for item in storyline_of_first[first]] for first in component if first in storyline_of_first
        ]
        for storyline in _average_link(component, matrix, thresholds, features, starts, stories):
            first = min((item for group in storyline for item in group), key=str)
            for group in storyline:
                for item in group:
                    event_of[item] = group[0]
                    storyline_of[item] = first
    return event_of, storyline_of


def _bounded_components(
    ids: Sequence[Hashable],
    edges: Sequence[tuple[Hashable, Hashable, float]],
    max_dense: int,
    groups: Sequence[Sequence[Hashable]] = (),
) -> Iterator[list[Hashable]]:
    """Components over ``edges`` and ``groups``; one larger than ``max_dense`` split into parts by
    ``bounded_parts``, each group then moved whole into the part holding most of it."""
    links = [(group[0], item, 1.0) for group in groups for item in group[1:]]
    for component in _components(ids, [*edges, *links]):
        if len(component) <= max_dense:
            yield component
            continue
        parts = bounded_parts(component, [*edges, *links], max_dense)
        part_of = {item: number for number, part in enumerate(parts) for item in part}
        for group in groups:
            if group[0] in part_of:
                home = max(sorted({part_of[item] for item in group}), key=lambda p: sum(part_of[i] == p for i in group))
                part_of.update({item: home for item in group})
        yield from (part for number in range(len(parts)) if (part := [i for i in component if part_of[i] == number]))


def dense_scores(
    ids: Sequence[Hashable],
    scored_edges: Iterable[tuple[Hashable, Hashable, float]],
    features: Mapping[Hashable, EventFeatures],
    model: GroupingModel,
    min_edge: float,
    max_dense: int = MAX_DENSE_COMPONENT,
    cache: dict | None = None,
    groups: Sequence[Sequence[Hashable]] = (),
    fixed: Sequence[Sequence[Hashable]] = (),
) -> tuple[list[list[Hashable]], dict[tuple[Hashable, Hashable], float]]:
    """The components of the candidate graph (edges scoring ``min_edge`` or more, and ``groups`` kept together; a
    larger one than ``max_dense`` split by ``blocking.bounded_parts``) and the scores of every pair within each:
    the given edges' and the others' (from ``cache`` when there, else scored and added to it), but none inside one
    of ``fixed``. Pairs are keys ``(a, b)`` with ``str(a) <= str(b)``."""
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
    components = list(_bounded_components(sorted(ids, key=str), strong, max_dense, groups))
    fixed_in = {item: number for number, group in enumerate(fixed) for item in group}
    for component in components:
        for a, b in itertools.combinations(component, 2):
            if a in fixed_in and fixed_in[a] == fixed_in.get(b):
                continue
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
    starts: Sequence[Sequence[int]] = (),
    stories: Sequence[Sequence[int]] = (),
) -> list[list[list[Hashable]]]:
    """Average-linkage merges within one component (``cluster_levels``), from the matrix of its pair scores
    (changed in place into sums of cluster pairs): storylines, each a list of its events, each event a sorted list
    of ids (smallest first). The items at each of ``starts`` (positions) begin as one cluster; then each step merges
    the pair of clusters with the highest mean score among those reaching their threshold: the event thresholds
    until none does, then the storyline thresholds, the clusters holding items of one of ``stories`` merged
    first."""
    n = len(component)
    if n == 1:
        return [[list(component)]]
    sizes = np.ones(n)
    full_text = np.array([features[item].full_text for item in component])
    dated = np.array([features[item].first_seen is not None for item in component])
    alive = np.ones(n, dtype=bool)
    members = [[item] for item in component]
    events_in: list[list[list[Hashable]]] = []
    storylines = False

    def eligible_means(i: int) -> np.ndarray:
        """Mean scores of cluster ``i`` with every other, -1 where below the pair's threshold."""
        both_full = full_text[i] & full_text
        needed = np.where(both_full, np.where(dated[i] & dated, thresholds.full_text, thresholds.undated), 0.0)
        needed = np.where(both_full, needed, thresholds.title)
        if storylines:
            full_text_level = np.where(dated[i] & dated, thresholds.storyline, thresholds.storyline_undated)
            needed = np.minimum(needed, np.where(both_full, full_text_level, thresholds.storyline_title))
        mean = sums[i] / (sizes[i] * sizes)
        mean[(mean < needed) | ~alive | ~alive[i]] = -1.0
        mean[i] = -1.0
        return mean

    def merge(keep: int, gone: int) -> None:
        sums[keep] += sums[gone]
        sums[:, keep] += sums[:, gone]
        sums[keep, keep] = 0.0
        sizes[keep] += sizes[gone]
        full_text[keep] &= full_text[gone]
        dated[keep] &= dated[gone]
        alive[gone] = False
        members[keep].extend(members[gone])
        if storylines:
            events_in[keep].extend(events_in[gone])

    for start in starts:
        for gone in start[1:]:
            merge(start[0], gone)
    for level in ("events", "storylines"):
        storylines = level == "storylines"
        if storylines:
            events_in = [[sorted(members[i], key=str)] if alive[i] else [] for i in range(n)]
            cluster_of = {item: i for i in range(n) if alive[i] for item in members[i]} if stories else {}
            for story in stories:
                held = sorted({cluster_of[component[i]] for i in story})
                for gone in held[1:]:
                    cluster_of.update(dict.fromkeys(members[gone], held[0]))
                    merge(held[0], gone)
        means = np.stack([eligible_means(i) for i in range(n)])
        while True:
            best = int(np.argmax(means))
            if means.flat[best] < 0:
                break
            keep, gone = sorted(divmod(best, n))
            merge(keep, gone)
            means[gone], means[:, gone] = -1.0, -1.0
            means[keep] = means[:, keep] = eligible_means(keep)
    return [sorted(events_in[i], key=lambda group: str(group[0])) for i in range(n) if alive[i]]


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
