from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from pipeline.dedup.components import connected_components, edges_to_first
from pipeline.dedup.exact import MarkExactDuplicates
from pipeline.documents import ExtractedArticle
from pipeline.normalize import normalize_article
from tests.conftest import local_test_pipeline

NOW = datetime(2024, 4, 9, tzinfo=timezone.utc)


def _article(ref: str, text: str, url: str | None = None, published: datetime | None = None):
    extracted = ExtractedArticle(ref, "seed", "Headline", text=text, url=url, published_at=published)
    return normalize_article(extracted, "r1", NOW)


def test_components_are_rooted_at_the_smallest_node_and_do_not_mix():
    edges = [((2, "b"), (1, "a")), ((3, "c"), (2, "b")), ((5, "e"), (4, "d"))]
    roots = connected_components(edges)
    assert roots == {(1, "a"): (1, "a"), (2, "b"): (1, "a"), (3, "c"): (1, "a"), (4, "d"): (4, "d"), (5, "e"): (4, "d")}


def test_edges_join_a_group_to_its_first_member():
    assert edges_to_first([(2, "b"), (1, "a"), (2, "b"), (3, "c")]) == [((2, "b"), (1, "a")), ((3, "c"), (1, "a"))]


def test_copies_point_at_the_earliest_original_and_share_its_event():
    early = datetime(2024, 4, 8, tzinfo=timezone.utc)
    original = _article("b.txt", "Same wire text.", published=early)
    copy = _article("a.txt", "same wire text", published=None)
    same_url = _article("c.jsonl#1", "An updated version.", url="https://example.com/story")
    same_url_undated = _article("c.jsonl#2", "Another version.", url="https://example.com/story?utm_source=x")
    other = _article("d.txt", "Unrelated text.")
    with local_test_pipeline() as pipeline:
        marked = (
            pipeline
            | beam.Create([copy, original, same_url, same_url_undated, other, original])
            | MarkExactDuplicates()
            | beam.Map(lambda a: (a.source_ref, a.duplicate_of, a.event_id))
        )
        assert_that(
            marked,
            equal_to(
                [
                    ("b.txt", None, original.event_id),
                    ("a.txt", original.article_id, original.event_id),
                    ("c.jsonl#1", None, same_url.event_id),
                    ("c.jsonl#2", same_url.article_id, same_url.event_id),
                    ("d.txt", None, other.event_id),
                ]
            ),
        )


def test_one_word_headlines_without_body_are_not_copies_of_each_other_but_longer_ones_are():
    def headline(ref: str, title: str):
        return normalize_article(ExtractedArticle(ref, "seed", title), "r1", NOW)

    items = [
        headline("a", "en"),
        headline("b", "en"),
        headline("c", "Storm hits the coast"),
        headline("d", "Storm hits the coast"),
    ]
    with local_test_pipeline() as pipeline:
        marked = pipeline | beam.Create(items) | MarkExactDuplicates()
        rows = marked | beam.Map(lambda a: (a.source_ref, a.duplicate_of is not None))
        assert_that(rows, equal_to([("a", False), ("b", False), ("c", False), ("d", True)]))
