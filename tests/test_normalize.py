from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from pipeline.documents import ExtractedArticle
from pipeline.normalize import NormalizeArticles, canonical_url, content_hash, headline_coverage, normalize_article
from tests.conftest import local_test_pipeline

NOW = datetime(2024, 4, 9, tzinfo=timezone.utc)


def _extracted(**fields) -> ExtractedArticle:
    return ExtractedArticle(**{"source_ref": "a.jsonl#1", "origin": "seed", "title": "Talks stall", **fields})


def test_canonical_url_drops_tracking_and_fragment():
    assert canonical_url("HTTPS://Example.COM/news/a?utm_source=rss&id=3#top") == "https://example.com/news/a?id=3"
    assert canonical_url("http://www.ksl.com/?sid=34729878&nid=148&s_cid=rss-extlink") == (
        "http://www.ksl.com/?nid=148&sid=34729878"
    )
    assert canonical_url("http://www.ksl.com/?sid=1") != canonical_url("http://www.ksl.com/?sid=2")
    assert canonical_url("ftp://example.com/a") is None
    assert canonical_url("not a url") is None


def test_content_hash_ignores_case_spacing_and_punctuation():
    assert content_hash("Talks stall, again.") == content_hash("  talks STALL again ")
    assert content_hash("Talks stall") != content_hash("Talks resume")


def test_ids_are_stable_and_content_derived():
    first = normalize_article(_extracted(text="Body.", url="https://example.com/a"), "r1", NOW)
    again = normalize_article(_extracted(text="Body.", url="https://example.com/a?utm_medium=x"), "r2", NOW)
    edited = normalize_article(_extracted(text="Body, edited.", url="https://example.com/a"), "r1", NOW)
    assert first.article_id == again.article_id
    assert first.article_id != edited.article_id
    assert first.event_id == f"ev_{first.article_id}"


def test_content_kind_and_outlet_from_url():
    article = normalize_article(_extracted(url="https://www.reuters.com/world/x"), "r1", NOW)
    assert article.content_kind == "title_only" and article.source == "reuters.com"
    assert article.word_count == 2
    with_summary = normalize_article(_extracted(summary="Delegations left Cairo."), "r1", NOW)
    assert with_summary.content_kind == "summary"


def test_normalize_stage_rejects_articles_without_words():
    with local_test_pipeline() as pipeline:
        result = (
            pipeline
            | beam.Create([_extracted(text="Body."), _extracted(title="…", source_ref="b.txt")])
            | NormalizeArticles("r1", NOW)
        )
        kinds = result.articles | "Kinds" >> beam.Map(lambda article: (article.source_ref, article.content_kind))
        reasons = result.rejects | "Reasons" >> beam.Map(lambda reject: (reject.source_ref, reject.reason))
        assert_that(kinds, equal_to([("a.jsonl#1", "body")]), label="articles")
        assert_that(reasons, equal_to([("b.txt", "no_text")]), label="rejects")


def test_body_that_never_mentions_its_headline_is_a_copy_only_with_the_same_headline():
    chrome = "Bill Lindelof, Cathy Locke and Richard Chang answer your questions about the courts and the weather."
    first = normalize_article(ExtractedArticle("a", "seed", "Teen killed by accidental gunshot", text=chrome), "r", NOW)
    second = normalize_article(ExtractedArticle("b", "seed", "Man arrested after family deaths", text=chrome), "r", NOW)
    again = normalize_article(ExtractedArticle("c", "seed", "Teen killed by accidental gunshot", text=chrome), "r", NOW)
    assert first.content_hash != second.content_hash
    assert first.content_hash == again.content_hash
    story = "A teen was killed by an accidental gunshot on Sunday, police said."
    wire = normalize_article(ExtractedArticle("d", "seed", "Teen killed by accidental gunshot", text=story), "r", NOW)
    retitled = normalize_article(ExtractedArticle("e", "seed", "Sunday gunshot kills teen", text=story), "r", NOW)
    assert wire.content_hash == retitled.content_hash == content_hash(story)


def test_headline_coverage_matches_words_and_their_stems():
    # "four" is a stop word; "teens" matches "teenagers" by its first letters, "shot" misses "shooting"
    assert headline_coverage("Four teens shot at party", "Four teenagers were shooting victims at a party") == 2 / 3
    assert headline_coverage("Four teens shot at party", "Weather: sunny and warm") == 0.0
    assert headline_coverage("en", "anything") is None
