import gzip
from datetime import datetime, timezone

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from pipeline.documents import RawDocument
from pipeline.errors import RejectedInput
from pipeline.extract import ExtractArticles, extract_article, parse_text_article
from pipeline.normalize import normalize_article
from tests.conftest import SEEDS, local_test_pipeline, shared_data


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text()


def test_page_chrome_is_stripped_from_plain_text():
    title, body, _ = parse_text_article(_seed("000"))
    assert title.startswith("Cairo Truce Talks Fail to Yield Progress")
    assert "Advertisement" not in body and "Scroll to continue" not in body
    assert "Home/" not in body and "Tags:" not in body and "Cairo Truce\n" not in body + "\n"
    assert title not in body, "repeated headlines are page chrome"
    assert body.startswith("Israel-Hamas ceasefire talks in Cairo stall again")
    assert body.endswith("makeshift camps set up by displaced families")


def test_a_dateline_under_the_headline_is_the_publication_date():
    _, body, meta = parse_text_article(_seed("004"))
    assert meta["published"] == datetime(2024, 4, 8, tzinfo=timezone.utc)
    assert "Mon Apr 08 2024" not in body


def test_dates_inside_sentences_are_not_publication_dates():
    _, _, meta = parse_text_article(_seed("002"))
    assert "published" not in meta


def test_a_sourced_from_line_names_the_outlet():
    _, body, meta = parse_text_article(_seed("003"))
    assert meta["source"] == "cnbc.com" and "sourced from" not in body
    assert "• CIA Director Burns" in body, "bullets inside the body are content"


def test_html_page_is_extracted_with_metadata():
    path = shared_data("articles", "html", "04a6711caa7c687592777718866e781e976e0fe684faebe8b3cedcef8cd0ea34.html.gz")
    html = gzip.decompress(path.read_bytes()).decode()
    article = extract_article(RawDocument("page.html", "seed", "html", html, {}))
    assert article.title and len(article.text.split()) > 100
    assert article.published_at is None or article.published_at.tzinfo is not None


def test_a_title_only_record_is_an_article():
    meta = {"title": "Fed holds rates", "url": "https://example.com/x", "published": "2014-03-10T17:00:00Z"}
    article = extract_article(RawDocument("r.jsonl#1", "seed", "none", "", meta))
    assert article.title == "Fed holds rates" and article.text is None
    assert article.published_at == datetime(2014, 3, 10, 17, tzinfo=timezone.utc)


def test_an_entry_of_a_saved_feed_is_from_its_own_site_not_from_the_feed():
    meta = {
        "title": "Fed holds rates",
        "url": "https://www.example.com/x",
        "source": "Top News",
        "feed_title": "Top News",
    }
    article = extract_article(RawDocument("feed.rss#1", "seed", "none", "", meta))
    assert article.source is None and article.feed_title == "Top News"
    assert normalize_article(article, "r", datetime(2024, 1, 1, tzinfo=timezone.utc)).source == "example.com"
    named = extract_article(RawDocument("feed.rss#2", "seed", "none", "", {**meta, "source": "Reuters"}))
    assert named.source == "Reuters"


def test_an_untitled_text_takes_its_first_sentence_as_headline():
    article = extract_article(RawDocument("r.json#0", "seed", "text", "Talks ended. Nothing agreed.", {}))
    assert article.title == "Talks ended."


def test_html_in_a_stated_title_and_summary_becomes_text_with_paragraphs_kept_apart():
    meta = {"title": "<b>Talks</b> in <br>Cairo", "summary": "<p>Delegations <b>met</b>.</p><p>Talks go on.</p>"}
    article = extract_article(RawDocument("r.json#0", "seed", "text", "Body of the report.", meta))
    assert article.title == "Talks in Cairo"
    assert article.summary == "Delegations met.\nTalks go on."


def test_a_page_without_an_article_is_rejected():
    with pytest.raises(RejectedInput) as error:
        extract_article(RawDocument("p.html", "seed", "html", "<html><body><script>x=1</script></body></html>", {}))
    assert error.value.reason == "no_article_found"


def test_an_unexpected_error_on_one_document_is_a_reject_and_the_rest_goes_on():
    documents = [
        RawDocument("ok.txt", "seed", "text_file", "Headline\nBody."),
        RawDocument("feed#3", "feed", "none", "", {"title": "T", "categories": 5}),
    ]
    with local_test_pipeline() as pipeline:
        result = pipeline | beam.Create(documents) | ExtractArticles()
        refs = result.articles | "Refs" >> beam.Map(lambda article: article.source_ref)
        reasons = result.rejects | "Reasons" >> beam.Map(lambda r: (r.source_ref, r.reason, r.detail.split(":")[0]))
        assert_that(refs, equal_to(["ok.txt"]), label="articles")
        assert_that(reasons, equal_to([("feed#3", "unexpected_error", "TypeError")]), label="rejects")


def test_extract_stage_emits_articles_and_rejects():
    documents = [
        RawDocument("a.txt", "seed", "text_file", "Headline A\nBody of A."),
        RawDocument("b.txt", "seed", "text_file", "• Home/\n• News/\n"),
        RawDocument("c.html", "seed", "html", "<html><body></body></html>"),
    ]
    with local_test_pipeline() as pipeline:
        result = pipeline | beam.Create(documents) | ExtractArticles()
        titles = result.articles | "Titles" >> beam.Map(lambda article: (article.title, article.text))
        reasons = result.rejects | "Reasons" >> beam.Map(
            lambda reject: (reject.source_ref, reject.stage, reject.reason)
        )
        assert_that(titles, equal_to([("Headline A", "Body of A.")]), label="articles")
        assert_that(
            reasons,
            equal_to([("b.txt", "extract", "no_text"), ("c.html", "extract", "no_article_found")]),
            label="rejects",
        )


def test_a_page_over_the_time_limit_is_rejected_and_within_it_extracted():
    page = "<html><head><title>Port reopens</title></head><body><article>" + "<p>The port reopened today.</p>" * 40
    documents = [RawDocument("slow.html", "seed", "html", page + "</article></body></html>")]
    with local_test_pipeline() as pipeline:
        result = pipeline | beam.Create(documents) | ExtractArticles(timeout=0.001)
        reasons = result.rejects | beam.Map(lambda reject: (reject.source_ref, reject.reason))
        assert_that(reasons, equal_to([("slow.html", "extraction_timeout")]), label="rejects")
        assert_that(result.articles, equal_to([]), label="articles")
    with local_test_pipeline() as pipeline:
        result = pipeline | beam.Create(documents) | ExtractArticles()
        titles = result.articles | beam.Map(lambda article: article.title)
        assert_that(titles, equal_to(["Port reopens"]))


def test_a_page_keeps_the_time_of_day_it_states():
    html = (
        '<html><head><meta property="article:published_time" content="2024-03-20T14:00:00Z"><title>T</title></head>'
        "<body><article><h1>Talks resume in Cairo</h1><p>"
        + "Negotiators met in Cairo on Wednesday to discuss a truce. " * 20
        + "</p></article></body></html>"
    )
    article = extract_article(RawDocument("page.html", "seed", "html", html, {}))
    assert article.published_at == datetime(2024, 3, 20, 14, 0, tzinfo=timezone.utc)
