"""Which articles the near-duplicate stage compares, and its exact verification through Beam."""

from __future__ import annotations

from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from pipeline.dedup.minhash import MinHashConfig
from pipeline.dedup.near import MAX_BUCKET_PAIRS, MarkNearDuplicates, find_near_duplicates, is_signed
from pipeline.documents import ExtractedArticle
from pipeline.normalize import normalize_article
from tests.conftest import local_test_pipeline

NOW = datetime(2024, 4, 9, tzinfo=timezone.utc)
STORY = " ".join(
    f"The harbour council voted {n} times on the new ferry pier while fishermen protested outside the hall."
    for n in range(6)
)
FOOTER = " ".join(
    f"Subscribe to the Harbour Gazette morning letter number {n} for all local stories." for n in range(8)
)


def article(ref: str, title: str, text: str):
    return normalize_article(ExtractedArticle(ref, "seed", title, text=text), "r1", NOW)


def test_a_body_that_never_mentions_its_headline_is_not_compared():
    assert is_signed(article("a", "Harbour council votes on ferry pier", STORY))
    assert not is_signed(article("b", "Gunman wounds two in warehouse robbery", STORY))


def test_trimmed_copy_is_linked_and_articles_sharing_only_a_footer_are_not():
    # distinct words and a shared footer of half the text: exact Jaccard 0.33, containment 0.5
    own = [" ".join(f"harbour{k}x{n}" for n in range(100)) for k in range(2)]
    items = [
        article("orig", "Harbour council votes on ferry pier", STORY),
        article("trim", "Harbour council votes on pier", STORY[: len(STORY) * 2 // 3]),
        article("f1", "Harbour report one", own[0] + " " + FOOTER),
        article("f2", "Harbour report two", own[1] + " " + FOOTER),
    ]
    with local_test_pipeline() as pipeline:
        near = pipeline | beam.Create(items) | MarkNearDuplicates(MinHashConfig(), "r1")
        pairs = near["links"] | beam.Map(lambda link: link.score >= 0.3)
        assert_that(pairs, equal_to([True]), label="one link")
        by_id = {item.article_id: item.source_ref for item in items}
        parents = near["parents"] | beam.MapTuple(lambda article_id, parent: (by_id[article_id], by_id[parent[0]]))
        assert_that(parents, equal_to([("trim", "orig")]), label="parents")


def test_the_stage_links_exactly_the_pairs_the_benchmarks_measure():
    # a band bucket larger than the pair cap (copies of one story) and unrelated articles: the Beam stage and
    # find_near_duplicates (what benchmarks/neardup_*.py time and score) must make the same decisions
    copies = [f"{STORY} Edition {k} of the evening paper." for k in range(MAX_BUCKET_PAIRS + 10)]
    others = [f"Ferry pier story {k}: " + " ".join(f"word{k}x{n}" for n in range(40)) for k in range(5)]
    texts = copies + others
    items = [article(f"a{index:03d}", "Harbour council ferry pier", text) for index, text in enumerate(texts)]
    index_of = {item.article_id: index for index, item in enumerate(items)}
    expected = [(left, right) for left, right, _ in find_near_duplicates(texts, MinHashConfig(), batch_size=16)]
    assert len(expected) > MAX_BUCKET_PAIRS
    with local_test_pipeline() as pipeline:
        near = pipeline | beam.Create(items) | MarkNearDuplicates(MinHashConfig(), "r1")
        pairs = near["links"] | beam.Map(lambda link: (index_of[link.other_article_id], index_of[link.article_id]))
        assert_that(pairs, equal_to(expected))
