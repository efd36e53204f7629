"""``MarkNearDuplicates`` through Beam: who is whose parent, the links and components it emits, what it signs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from pipeline import ids
from pipeline.dedup.minhash import MinHashConfig, shingle_sets, verified_similarity
from pipeline.dedup.near import MarkNearDuplicates
from pipeline.documents import ExtractedArticle
from pipeline.normalize import normalize_article
from tests.conftest import local_test_pipeline

NOW = datetime(2024, 4, 9, tzinfo=timezone.utc)
STORY = " ".join(
    f"The harbour council voted {n} times on the new ferry pier while fishermen protested outside the hall."
    for n in range(8)
)
OTHER = " ".join(
    f"Storm warning number {n} closed the mountain pass and stranded lorries near the border post overnight."
    for n in range(8)
)
CONFIG = MinHashConfig()


def article(ref: str, title: str, text: str, hours: int):
    extracted = ExtractedArticle(ref, "seed", title, text=text, published_at=NOW + timedelta(hours=hours))
    return normalize_article(extracted, "r1", NOW)


def test_near_copies_point_at_the_earliest_most_similar_article_with_one_link_each_and_one_component():
    original = article("orig", "Harbour council votes on ferry pier", STORY, 0)
    trimmed = article("trim", "Harbour council votes on pier", STORY[: len(STORY) * 3 // 4], 2)
    edited = article("edit", "Council votes on ferry pier", STORY.replace("fishermen", "trawlermen", 2), 1)
    storm = article("storm", "Storm warning closes mountain pass", OTHER, 0)
    copy = original.model_copy(update={"article_id": "copy", "duplicate_of": original.article_id})
    sets = dict(zip("ote", shingle_sets([STORY, trimmed.text, edited.text], CONFIG), strict=True))
    score = {pair: round(verified_similarity(sets[pair[0]], sets[pair[1]], CONFIG), 4) for pair in ("to", "eo", "te")}
    o, t, e = original.article_id, trimmed.article_id, edited.article_id
    with local_test_pipeline() as pipeline:
        near = pipeline | beam.Create([original, trimmed, edited, storm, copy]) | MarkNearDuplicates(CONFIG, "r1")
        best_for_trim = max((score["to"], o), (score["te"], e), key=lambda item: item[0])
        assert_that(
            near["parents"] | beam.MapTuple(lambda item, parent: (item, (parent[0], round(parent[1], 4)))),
            equal_to([(e, (o, score["eo"])), (t, (best_for_trim[1], best_for_trim[0]))]),
            label="parents: only near-duplicates have one",
        )
        links = near["links"] | beam.Map(
            lambda link: (link.link_id, link.article_id, link.other_article_id, link.method)
        )
        assert_that(
            links,
            equal_to(
                [
                    (ids.link_id(e, o, "minhash"), e, o, "minhash"),
                    (ids.link_id(t, o, "minhash"), t, o, "minhash"),
                    (ids.link_id(t, e, "minhash"), t, e, "minhash"),
                ]
            ),
            label="links: later -> earlier",
        )
        assert_that(near["roots"], equal_to([(o, o), (e, o), (t, o)]), label="one component rooted at the earliest")
        signed = near["signatures"] | beam.Map(lambda signature: signature.article_id)
        assert_that(signed, equal_to([o, t, e, storm.article_id]), label="copies are not signed")
