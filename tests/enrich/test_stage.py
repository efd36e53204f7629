"""The enrichment stage in Beam, and the article-level rows it stores rebuilding the same enrichment."""

from __future__ import annotations

from datetime import datetime, timezone

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from pipeline.enrich.enrich import article_rows, enrich_article, event_rows, merge_event
from pipeline.enrich.stage import MAX_TEXT_CHARS, EnrichArticles
from pipeline.errors import REJECTS
from pipeline.extract import parse_text_article
from pipeline.store.enrichments import enrichment_from_rows
from schemas.generate import to_row
from schemas.models import Article
from tests.conftest import SEEDS, local_test_pipeline

TALKS = (
    "Israel and Hamas resumed indirect talks in Cairo on Sunday. Egyptian and Qatari mediators pressed both sides. "
    "The Egyptian foreign ministry said 33 hostages could be released in a first phase."
)


def _article(article_id: str, text: str, title: str = "Gaza truce talks resume in Cairo") -> Article:
    return Article(
        article_id=article_id,
        origin="seed",
        source_ref=f"{article_id}.txt",
        title=title,
        text=text,
        published_at=datetime(2024, 4, 8, tzinfo=timezone.utc),
        content_kind="body",
        word_count=len(text.split()),
        content_hash=article_id,
        event_id=f"ev_{article_id}",
        run_id="run",
        ingested_at=datetime(2024, 4, 9, tzinfo=timezone.utc),
    )


def test_stage_emits_article_rows_per_table_and_rejects_an_overlong_text_with_a_reason():
    articles = [_article("a1", TALKS), _article("a2", "word " * (MAX_TEXT_CHARS // 5 + 1))]
    with local_test_pipeline() as pipeline:
        enriched = pipeline | beam.Create(articles) | EnrichArticles()
        assert_that(
            enriched["article_enrichments"] | "Summary" >> beam.Map(lambda r: (r.article_id, r.language, r.event_type)),
            equal_to([("a1", "en", "consult")]),
            label="main",
        )
        assert_that(
            enriched["article_actors"] | "Roles" >> beam.Map(lambda r: (r.actor_id, r.role)),
            equal_to(
                [
                    ("country:ISR", "party"),
                    ("organisation:hamas", "party"),
                    ("country:EGY", "mediator"),
                    ("country:QAT", "mediator"),
                ]
            ),
            label="actors",
        )
        assert_that(
            enriched["article_locations"] | "Places" >> beam.Map(lambda r: (r.name, r.is_primary)),
            equal_to([("Cairo", True), ("Gaza", False), ("Israel", False)]),
            label="locations",
        )
        assert_that(
            enriched["article_figures"] | "Figures" >> beam.Map(lambda r: (r.article_id, r.value, r.counts)),
            equal_to([("a1", 33.0, "hostages released")]),
            label="figures",
        )
        assert_that(
            enriched[REJECTS] | "Reasons" >> beam.Map(lambda r: (r.source_ref, r.stage, r.reason)),
            equal_to([("a2.txt", "enrich", "text_too_long")]),
            label="rejects",
        )


@pytest.fixture(scope="module")
def seed_enrichments():
    enriched = {}
    for path in sorted(SEEDS.glob("*.txt")):
        title, body, meta = parse_text_article(path.read_text())
        enriched[path.name[:3]] = enrich_article(title, body, meta.get("published"))
    return enriched


def test_stored_rows_rebuild_the_same_enrichment_so_events_merge_alike(seed_enrichments):
    rebuilt = {}
    for article_id, enrichment in seed_enrichments.items():
        rows = {
            table: [to_row(record) for record in records]
            for table, records in article_rows(article_id, enrichment).items()
        }
        (summary,) = rows["article_enrichments"]
        rebuilt[article_id] = enrichment_from_rows(
            summary, rows["article_actors"], rows["article_locations"], rows["article_figures"]
        )
        assert rebuilt[article_id] == enrichment
    assert event_rows("e", merge_event(rebuilt)) == event_rows("e", merge_event(seed_enrichments))


def test_article_row_keys_are_unique_and_stable(seed_enrichments):
    first = article_rows("004", seed_enrichments["004"])
    again = article_rows("004", seed_enrichments["004"])
    for table, records in first.items():
        keys = [next(iter(record.model_dump().values())) for record in records]
        assert len(keys) == len(set(keys)), table
        assert keys == [next(iter(record.model_dump().values())) for record in again[table]]


def test_article_rows_need_an_article_id(seed_enrichments):
    with pytest.raises(ValueError, match="article_id"):
        article_rows("", seed_enrichments["000"])
