"""GroupEvents in a TestPipeline: the Beam stage groups exactly as the pure functions do, and links explain it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import apache_beam as beam
import pytest
from apache_beam.testing.util import BeamAssertException, assert_that, equal_to

from pipeline.dedup.exact import original_rank
from pipeline.documents import ExtractedArticle
from pipeline.events.blocking import MAX_BLOCK_SIZE, member_features
from pipeline.events.cluster import group_articles
from pipeline.events.features import EventFeatures
from pipeline.events.model import FEATURES
from pipeline.events.score import DEFAULT_THRESHOLDS
from pipeline.events.stage import (
    MEMBERS,
    REPRESENTATIVES,
    ApplyEvents,
    GroupEvents,
    JoinNearGroups,
    _block_members,
    _shared_in_bucket,
)
from pipeline.ids import event_id as event_id_for
from pipeline.normalize import normalize_article
from pipeline.packing import pack, unpack
from tests.conftest import local_test_pipeline, story_items
from tests.events.test_grouping import HEADLINES

T0 = datetime(2014, 3, 10, 16, 0, tzinfo=timezone.utc)
NOW = datetime(2024, 4, 9, tzinfo=timezone.utc)


def _articles():
    articles = []
    for minutes, (key, title) in enumerate(sorted(HEADLINES.items())):
        extracted = ExtractedArticle(f"{key}.json", "seed", title, published_at=T0 + timedelta(minutes=minutes))
        articles.append(normalize_article(extracted, "r1", NOW))
    return articles


def _expected_events(articles) -> list[tuple[str, str]]:
    """(article_id, event_id) as the pure functions group them; the event is named after its earliest article."""
    by_id = {a.article_id: a for a in articles}
    assignment = group_articles({a.article_id: (a.title, a.text, a.published_at) for a in articles})
    groups: dict[str, list[str]] = {}
    for article_id, representative in assignment.items():
        groups.setdefault(representative, []).append(article_id)
    expected = []
    for members in groups.values():
        event_id = event_id_for(min(members, key=lambda article_id: original_rank(by_id[article_id])))
        expected.extend((article_id, event_id) for article_id in members)
    return expected


def _links_within(expected_events):
    event_of = dict(expected_events)
    shared = {event for event in event_of.values() if list(event_of.values()).count(event) > 1}

    def check(links):
        if any(event_of[link.article_id] != event_of[link.other_article_id] for link in links):
            raise BeamAssertException(f"a link joins two events: {links}")
        if any(link.method != "event" or link.run_id != "r1" for link in links):
            raise BeamAssertException(f"unexpected link fields: {links}")
        if any(set(link.features) != set(FEATURES) for link in links):
            raise BeamAssertException(f"a link lacks the model's feature values: {links}")
        linked = {event_of[link.article_id] for link in links}
        if linked != shared:
            raise BeamAssertException(f"events with several articles but no link: {shared - linked}")

    return check


def test_group_events_matches_the_pure_grouping_and_links_only_members_of_one_event():
    articles = _articles()
    expected = _expected_events(articles)
    by_key = {a.source_ref.removesuffix(".json"): a.article_id for a in articles}
    event_of = dict(expected)
    assert event_of[by_key["bank-2"]] == event_of[by_key["bank-3"]]
    assert len(set(event_of.values())) > 2, "three stories do not collapse into one or two events"
    with local_test_pipeline() as pipeline:
        grouped = pipeline | beam.Create(articles) | GroupEvents(DEFAULT_THRESHOLDS, "r1")
        events = grouped["events"] | "EventIds" >> beam.Map(lambda item: (item[0], item[1][0]))
        assert_that(events, equal_to(expected), label="events")
        assert_that(grouped["links"], _links_within(expected), label="links")
        assert_that(
            grouped["features"] | beam.Map(lambda row: row.article_id), equal_to(list(by_key.values())), label="rows"
        )


def _story_articles(dated: bool):
    articles = []
    for item in story_items("trial", with_dates=dated):
        extracted = ExtractedArticle(item.item_id, "seed", item.title, text=item.text, published_at=item.published)
        articles.append(normalize_article(extracted, "r1", NOW))
    return articles


def _one_block_articles():
    """70 headlines sharing one rare word: a block over the size limit, paired only within its time window."""
    words = sorted({w.lower() for title in HEADLINES.values() for w in title.split() if w.isalpha() and len(w) > 3})
    articles = []
    for minutes in range(70):
        title = f"Zorblax {words[minutes % len(words)]} {words[(minutes * 7 + 3) % len(words)]} update {minutes}"
        extracted = ExtractedArticle(
            f"z{minutes:02d}.json", "seed", title, published_at=T0 + timedelta(minutes=minutes)
        )
        articles.append(normalize_article(extracted, "r1", NOW))
    return articles


@pytest.mark.parametrize(
    "make_articles",
    [lambda: _story_articles(dated=True), lambda: _story_articles(dated=False), _one_block_articles],
    ids=["full-texts-dated", "full-texts-undated", "oversized-block"],
)
@pytest.mark.parametrize("buckets", [1, 5])
def test_scoring_within_blocks_groups_exactly_as_the_pure_reference(make_articles, buckets):
    """Whatever the number of buckets the blocks are scored in (one bucket holds every block)."""
    articles = make_articles()
    expected = _expected_events(articles)
    assert len(set(dict(expected).values())) < len(articles), "scored pairs merge articles"
    with local_test_pipeline() as pipeline:
        grouped = pipeline | beam.Create(articles) | GroupEvents(DEFAULT_THRESHOLDS, "r1", buckets=buckets)
        events = grouped["events"] | "EventIds" >> beam.Map(lambda item: (item[0], item[1][0]))
        assert_that(events, equal_to(expected), label="events")
        assert_that(grouped["links"], _links_within(expected), label="links")


def test_only_the_keys_another_article_holds_reach_the_blocks_and_a_loner_sends_no_member():
    loud = [f"x{i:03d}" for i in range(MAX_BLOCK_SIZE + 1)]  # a block over the size limit
    refs = [("a", ("k1", "k2", "own-a")), ("b", ("k1", "k2", "loud")), ("c", ("own-c",))]
    refs += [(item, ("loud",)) for item in loud]
    found = dict(_shared_in_bucket((0, [pack(ref) for ref in refs])))
    assert found["a"] == (["k1", "k2"], [])
    assert found["b"] == (["k1", "k2", "loud"], ["loud"])
    assert "c" not in found, "its one key makes no pair"
    features = EventFeatures(terms={"own": 1.0})
    members = [
        unpack(packed) for _, packed in _block_members(("b", {"features": [pack(features)], "shared": [found["b"]]}), 2)
    ]
    assert {key for _, _, keys in members for key in keys} == {"k1", "k2", "loud"}
    assert {member_features(member)[1:] for _, member, _ in members} == {
        (frozenset({"k1", "k2", "loud"}), frozenset({"loud"}))
    }
    assert not list(_block_members(("c", {"features": [pack(features)], "shared": []}), 2))


def test_copies_and_near_duplicates_take_the_event_of_their_group_root_which_alone_is_grouped():
    """An exact copy of a near-duplicate reaches the group of its original's near root through IDs; only roots
    are representatives; the near parent lands on its article; an article of no event keeps its own."""
    made = {
        key: normalize_article(ExtractedArticle(f"{key}.json", "seed", title, published_at=T0), "r1", NOW)
        for key, title in [("root", "Ferry pier vote"), ("near", "Ferry pier vote held"), ("lone", "Storm warning")]
    }
    root, near, lone = made["root"].article_id, made["near"].article_id, made["lone"].article_id
    copy_of_near = made["near"].model_copy(update={"article_id": "copy-n", "duplicate_of": near})
    copy_of_lone = made["lone"].model_copy(update={"article_id": "copy-l", "duplicate_of": lone})
    unevented = made["lone"].model_copy(update={"article_id": "other", "event_id": "ev_own"})
    articles = [*made.values(), copy_of_near, copy_of_lone, unevented]
    with local_test_pipeline() as pipeline:
        marked = pipeline | "Articles" >> beam.Create(articles)
        parents = pipeline | "Parents" >> beam.Create([(near, (root, 0.91234))])
        near_roots = pipeline | "Roots" >> beam.Create([(root, root), (near, root)])
        groups = marked | JoinNearGroups(parents, near_roots)
        events = pipeline | "Events" >> beam.Create([(root, ("ev_r", "st_r")), (lone, ("ev_l", "st_l"))])
        applied = groups["articles"] | ApplyEvents(groups[MEMBERS], events)
        assert_that(
            groups[REPRESENTATIVES] | "RepIds" >> beam.Map(lambda a: a.article_id),
            equal_to([root, lone, "other"]),
            label="representatives",
        )
        assert_that(
            applied
            | beam.Map(
                lambda a: (a.article_id, a.event_id, a.storyline_id, a.near_duplicate_of, a.near_duplicate_score)
            ),
            equal_to(
                [
                    (root, "ev_r", "st_r", None, None),
                    (near, "ev_r", "st_r", root, 0.9123),
                    ("copy-n", "ev_r", "st_r", None, None),
                    (lone, "ev_l", "st_l", None, None),
                    ("copy-l", "ev_l", "st_l", None, None),
                    ("other", "ev_own", None, None, None),
                ]
            ),
            label="events",
        )
