"""Blocking's bounded parts: a candidate-graph component too large to score in full is split where it is thin."""

from __future__ import annotations

import itertools
import random

import pytest

from pipeline.events.blocking import (
    BULK_MEMBERS,
    COMMON_BLOCK,
    HEADLINE_BLOCK_WINDOW,
    MAX_BLOCK_SIZE,
    block_candidates,
    block_meetings,
    block_member,
    block_pairs,
    block_window,
    blocking_keys,
    bounded_parts,
    candidate_pairs,
    evident,
    member_features,
    oversized,
    scored_here,
)
from pipeline.events.cluster import dense_scores
from pipeline.events.features import EventFeatures, batch_features


def _cliques(sizes: list[int], bridges: int, seed: int = 7) -> tuple[list[list[str]], list[tuple[str, str, float]]]:
    """Groups of ids, each fully linked by strong edges, and a few weak edges between consecutive groups."""
    rng = random.Random(seed)
    groups = [[f"g{g}-{i:03d}" for i in range(size)] for g, size in enumerate(sizes)]
    edges = [(a, b, rng.uniform(0.6, 1.0)) for group in groups for a, b in itertools.combinations(group, 2)]
    for left, right in itertools.pairwise(groups):
        edges += [(rng.choice(left), rng.choice(right), 0.3) for _ in range(bridges)]
    return groups, edges


@pytest.mark.parametrize("sizes", [[12, 9], [150, 140, 160]], ids=["small-exact-solver", "large-sparse-solver"])
def test_an_oversized_component_splits_between_its_dense_groups(sizes):
    groups, edges = _cliques(sizes, bridges=3)
    ids = sorted(item for group in groups for item in group)
    parts = bounded_parts(ids, edges, max_size=max(sizes))
    assert sorted(map(sorted, parts)) == sorted(map(sorted, groups))
    reversed_parts = bounded_parts(list(reversed(ids)), edges, max_size=max(sizes))
    assert sorted(map(sorted, reversed_parts)) == sorted(map(sorted, parts)), "the same parts in any input order"


def test_every_part_is_bounded_even_without_a_thin_cut():
    groups, edges = _cliques([40], bridges=0)
    parts = bounded_parts(groups[0], edges, max_size=15)
    assert all(len(part) <= 15 for part in parts)
    assert sorted(item for part in parts for item in part) == sorted(groups[0])


def test_dense_scoring_of_an_oversized_component_scores_whole_stories_within_the_bound():
    """Two stories joined by two strong edges, their ids and (missing) times interleaved: time-ordered slices
    would mix them, the bounded parts are the stories."""
    stories = {
        "quake": "Earthquake of magnitude {} strikes off Chile coast, tsunami warning issued for {}",
        "vote": "Parliament vote on budget bill {} delayed as coalition talks stall in {}",
    }
    places = ["Arica", "Iquique", "Lima", "Valparaiso", "Antofagasta", "Tacna", "Calama", "Tocopilla"]
    articles = {
        f"{i}-{story}": (pattern.format(6 + i / 10, place), None, None)
        for story, pattern in stories.items()
        for i, place in enumerate(places)
    }
    features = batch_features(articles)
    ids = sorted(features)
    bridges = [("0-quake", "0-vote", 0.95), ("5-quake", "3-vote", 0.95)]
    edges = [(a, b, 0.9) for a, b in itertools.combinations(ids, 2) if a[2:] == b[2:]] + bridges
    components, scores = dense_scores(ids, edges, features, model=None, min_edge=0.2, max_dense=8)
    assert sorted(map(sorted, components)) == [sorted(i for i in ids if i.endswith(s)) for s in ("quake", "vote")]
    assert len(scores) == 2 * 28 + len(bridges), "every pair of each story scored, none across but the bridges"


def test_bad_bounds_are_rejected():
    with pytest.raises(ValueError, match="max_size"):
        bounded_parts(["a", "b"], [("a", "b", 1.0)], max_size=1)


def test_a_pair_outside_an_oversized_blocks_window_is_found_by_a_rarer_key_it_shares():
    common = {f"n{i:03d}": EventFeatures(terms={"aaa": 1.0}) for i in range(300)}
    pair = {"x": EventFeatures(terms={"aaa": 0.8, "zzz": 0.6}), "y": EventFeatures(terms={"aaa": 0.8, "zzz": 0.6})}
    features = {**common, **pair}
    window_pairs = set(block_pairs([(item, None) for item in features], max_block_size=block_window("aaa")))
    assert ("x", "y") not in window_pairs, "the two lie outside each other's window in the common block"
    assert ("x", "y") in candidate_pairs(features)


def test_full_texts_sharing_only_a_common_key_are_no_candidates_but_with_a_second_key_or_a_headline_they_are():
    def full_text(*terms: str) -> EventFeatures:
        return EventFeatures(terms={term: 1.0 for term in terms}, full_text=True)

    common = {f"n{i:02d}": full_text("aaa", f"own{i:02d}") for i in range(COMMON_BLOCK)}
    assert len(candidate_pairs(common)) == COMMON_BLOCK * (COMMON_BLOCK - 1) // 2, "a block of its size is rare enough"
    headline = EventFeatures(terms={"aaa": 1.0})
    pairs = candidate_pairs({**common, "x": full_text("aaa", "zzz"), "y": full_text("aaa", "zzz"), "h": headline})
    assert ("x", "y") in pairs, "two keys shared"
    assert {("h", item) for item in common} <= pairs, "a headline has too few keys to ask for two"
    assert not any(a in common and b in common for a, b in pairs), "one common key alone is no evidence"


def test_a_block_scores_exactly_the_pairs_it_meets_that_are_scored_here_and_evident():
    """The decision on bits (of the keys two members hold) and the one by pair against the rules for one pair, over
    blocks of every kind: small, common (over ``COMMON_BLOCK``), oversized; full texts and headlines; pairs sharing
    one key, several, oversized ones only."""
    rng = random.Random(11)
    vocabulary = [f"k{i:03d}" for i in range(160)]
    weights = [1.0 / (1 + i) ** 1.1 for i in range(len(vocabulary))]  # a few keys in most items: oversized blocks
    members, blocks = {}, {}
    for i in range(400):
        item = f"i{rng.randrange(10**6):06d}-{i}"
        keys = frozenset(rng.choices(vocabulary, weights, k=rng.randint(1, 12)))
        members[item] = (rng.choice([None, 3600.0 * rng.randrange(500)]), keys, frozenset(), rng.random() < 0.7)
        for key in keys:
            blocks.setdefault(key, []).append(item)
    large = frozenset(key for key, block in blocks.items() if oversized(key, len(block)))
    members = {item: (seen, keys, keys & large, full) for item, (seen, keys, _, full) in members.items()}
    sizes = sorted(len(block) for block in blocks.values())
    assert sizes[-1] > MAX_BLOCK_SIZE and any(COMMON_BLOCK < size <= MAX_BLOCK_SIZE for size in sizes)
    assert any(2 <= size < BULK_MEMBERS for size in sizes), "blocks of both ways of deciding"
    kinds = set()
    for key, block in blocks.items():
        block_members = {item: members[item] for item in block}
        expected = []
        for left, right in block_meetings(key, [(item, members[item][0], members[item][3]) for item in block]):
            shared = members[left][1] & members[right][1]
            headline = not (members[left][3] and members[right][3])
            kinds.add((min(len(shared), 3), bool(shared - large)))
            if scored_here(key, shared, large) and evident(len(shared), len(block), headline):
                expected.append((left, right))
        assert block_candidates(key, block_members) == expected, key
    assert {(1, True), (1, False), (2, True), (2, False), (3, True)} <= kinds


def test_headlines_of_an_oversized_block_meet_further_headlines_than_full_texts_do_but_a_bounded_number():
    hour = 3600.0
    headlines = {
        f"h{i:03d}": EventFeatures(terms={"aaa": 1.0}, first_seen=i * hour, last_seen=i * hour) for i in range(400)
    }
    full_texts = {
        f"f{i:03d}": EventFeatures(
            terms={"aaa": 0.8, "bbb": 0.6}, first_seen=i * hour, last_seen=i * hour, full_text=True
        )
        for i in range(400)
    }
    pairs = candidate_pairs({**headlines, **full_texts})
    near, far = MAX_BLOCK_SIZE + 20, HEADLINE_BLOCK_WINDOW + 20
    assert ("h000", f"h{near:03d}") in pairs, "headlines past the block's window, within the headline window"
    assert ("h000", f"h{far:03d}") not in pairs
    assert ("f000", f"f{near:03d}") not in pairs, "full texts keep the block's window"
    per_item = {item: sum(item in pair for pair in pairs) for item in headlines}
    assert max(per_item.values()) <= 2 * HEADLINE_BLOCK_WINDOW + 2 * MAX_BLOCK_SIZE


def test_a_block_member_unpacks_to_its_own_features_and_keys_never_a_stale_one():
    texts = {
        "a": ("Storm floods Lisbon", "Heavy rain flooded central Lisbon on Monday, officials said."),
        "b": ("Storm floods Porto", "Heavy rain flooded central Porto on Tuesday, officials said."),
    }
    features = batch_features({item: (title, text, None) for item, (title, text) in texts.items()})
    for item, feature in features.items():
        keys = blocking_keys(feature)
        article_id, packed = block_member(item, feature, keys, keys[:1])
        assert article_id == item
        assert member_features(packed) == (feature, frozenset(keys), frozenset(keys[:1]))
    _, packed_a = block_member("same-id", features["a"], ["k"])
    _, packed_b = block_member("same-id", features["b"], ["k"])
    assert member_features(packed_a)[0] == features["a"] and member_features(packed_b)[0] == features["b"]


def _real_features() -> dict[str, EventFeatures]:
    """Features of real reports of every regime: dated full texts (GVC), undated ones (ECB+), headlines (UCI)."""
    import csv
    import json
    from datetime import datetime, timezone

    from tests.conftest import shared_data

    articles = {}
    for name, count in (("gvc-dev.jsonl", 400), ("ecbplus-dev.jsonl", 250)):
        with shared_data("events", name).open(encoding="utf-8") as handle:
            for number, line in zip(range(count), handle, strict=False):
                record = json.loads(line)
                published = datetime.fromisoformat(record["published"]) if record.get("published") else None
                if published is not None and published.tzinfo is None:
                    published = published.replace(tzinfo=timezone.utc)
                articles[f"{name}-{number}"] = (record["title"], record["text"], published)
    with shared_data("headlines", "uci-news-aggregator-dev.csv").open(encoding="utf-8") as handle:
        for number, row in zip(range(400), csv.DictReader(handle), strict=False):
            published = datetime.fromtimestamp(int(row["TIMESTAMP"]) / 1000, timezone.utc)
            articles[f"uci-{number}"] = (row["TITLE"], None, published)
    return batch_features(articles)


def test_bulk_screening_keeps_every_pair_that_reaches_the_edge_score_and_matches_the_exact_score():
    import numpy as np

    from pipeline.events.blocking import BULK_PAIRS, _member_vectors, reaching_pairs, screened_scores
    from pipeline.events.model import shipped_model
    from pipeline.events.score import DEFAULT_THRESHOLDS, score

    features = _real_features()
    model, floor = shipped_model(), DEFAULT_THRESHOLDS.lowest
    packed = {item: block_member(item, feature, blocking_keys(feature))[1] for item, feature in features.items()}
    blocks: dict[str, list] = {}
    for item, feature in features.items():
        for key in blocking_keys(feature):
            blocks.setdefault(key, []).append((item, feature.first_seen))
    screened = reached = 0
    for key, members in blocks.items():
        pairs = list(block_pairs(members, block_window(key)))
        if len(pairs) < BULK_PAIRS:
            continue
        ids = sorted({item for pair in pairs for item in pair})
        index = {item: position for position, item in enumerate(ids)}
        left, right = (np.array([index[pair[side]] for pair in pairs]) for side in (0, 1))
        bulk = screened_scores([_member_vectors(packed[item]) for item in ids], left, right, model)
        exact = [score(features[a], features[b], model) for a, b in pairs]
        assert np.allclose(bulk, exact, rtol=0, atol=1e-6), key
        kept = set(reaching_pairs(pairs, packed, model, floor))
        assert {pair for pair, value in zip(pairs, exact, strict=True) if value >= floor} <= kept, key
        screened += len(pairs)
        reached += sum(value >= floor for value in exact)
    assert 0 < reached < screened / 2, (screened, reached)  # the screen leaves most pairs unscored


def test_a_block_whose_members_share_too_many_terms_to_join_is_screened_by_matrices_to_the_same_pairs(monkeypatch):
    import pipeline.events.blocking as blocking
    from pipeline.events.model import shipped_model
    from pipeline.events.score import DEFAULT_THRESHOLDS

    features = _real_features()
    packed = {item: block_member(item, feature, blocking_keys(feature))[1] for item, feature in features.items()}
    blocks: dict[str, list] = {}
    for item, feature in features.items():
        for key in blocking_keys(feature):
            blocks.setdefault(key, []).append((item, feature.first_seen))
    calls = [
        pairs for key, members in blocks.items() if len(pairs := list(block_pairs(members, block_window(key)))) > 1
    ]
    model, floor = shipped_model(), DEFAULT_THRESHOLDS.lowest
    joined = [blocking.reaching_pairs(pairs, packed, model, floor) for pairs in calls]
    monkeypatch.setattr(blocking, "MAX_JOINED", 0)
    assert [blocking.reaching_pairs(pairs, packed, model, floor) for pairs in calls] == joined
    assert 0 < sum(map(len, joined)) < sum(map(len, calls)) / 2
