import gzip
import json

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from pipeline.documents import RawDocument
from pipeline.errors import RejectedInput
from pipeline.sources.feeds import parse_feed
from pipeline.sources.seeds import ReadSeeds, decode_file, is_seed_path, read_seed_file
from tests.conftest import local_test_pipeline, shared_data

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>Talks resume</title><link>https://example.com/a</link><guid>tag:example.com,2024:g1</guid>
<pubDate>Mon, 08 Apr 2024 10:00:00 GMT</pubDate><description>Delegations met.</description></item>
<item><title>Talks stall</title><link>https://example.com/b</link></item>
</channel></rss>"""


def test_text_file_is_one_document_read_as_an_article_with_headline():
    (document,) = read_seed_file("a.txt", b"Headline\nBody line.")
    assert document == RawDocument("a.txt", "seed", "text_file", "Headline\nBody line.")


def test_jsonl_yields_a_document_per_line_and_rejects_bad_lines_only():
    lines = [
        json.dumps({"title": "One", "url": "https://example.com/1", "published": "2024-04-08"}),
        "{not json",
        json.dumps({"url": "https://example.com/3"}),
        json.dumps({"title": "Four", "summary": "Only a summary."}),
    ]
    items = list(read_seed_file("x.jsonl", "\n".join(lines).encode()))
    assert [type(item).__name__ for item in items] == ["RawDocument", "RejectedInput", "RejectedInput", "RawDocument"]
    assert [item.reason for item in items if isinstance(item, RejectedInput)] == ["invalid_json", "missing_fields"]
    assert items[1].source_ref == "x.jsonl#2"
    assert items[3].body_format == "none" and items[3].meta["summary"] == "Only a summary."


def test_records_whose_title_or_text_is_not_text_are_rejected():
    records = [{"title": "T", "text": ["a"]}, {"title": "T", "html": {"p": 1}}, {"title": 2024}]
    first, second, third = read_seed_file("r.json", json.dumps(records).encode())
    assert (first.reason, second.reason, third.reason) == ("invalid_record",) * 3
    assert "'text' must be text" in first.detail and third.detail == "'title' must be text, got int 2024"


def test_json_array_and_html_records():
    records = [{"title": "T", "html": "<p>Body</p>"}, {"headline": "U", "body": "Text", "publisher": "AP"}]
    first, second = read_seed_file("r.json", json.dumps(records).encode())
    assert first.body_format == "html" and first.source_ref == "r.json#0"
    assert second.body_format == "text" and second.meta["source"] == "AP" and second.meta["title"] == "U"


def test_saved_rss_feed_yields_its_entries_keyed_like_live_feed_entries():
    first, second = read_seed_file("feed.rss", RSS)
    live = parse_feed(RSS, "https://example.com/feed.xml")
    assert first.meta["title"] == "Talks resume"
    assert [first.meta["entry_key"], second.meta["entry_key"]] == [entry.entry_key for entry in live.entries]
    assert first.meta["feed_title"] == "Wire" and second.source_ref == "feed.rss#1"


def test_html_page_is_one_document():
    page = next(iter(sorted(shared_data("articles", "html").glob("*.html.gz"))))
    (document,) = read_seed_file("page.html", gzip.decompress(page.read_bytes()))
    assert document.body_format == "html" and "<html" in document.body.lower()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"  \n", "empty_file"),
        ("blob.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary_file"),
        ("bad.json", b"{", "invalid_json"),
        ("notes.docx", b"PK", "unsupported_file_type"),
        ("broken.xml", b"<rss><channel><title>x</title><item>&&</rss>", "malformed_feed"),
    ],
)
def test_unusable_files_are_rejected_with_a_reason(name, data, reason):
    with pytest.raises(RejectedInput) as error:
        list(read_seed_file(name, data))
    assert error.value.reason == reason


def test_short_latin1_text_keeps_its_accents():
    text = "Un café naïve à Paris\nLe président a parlé."
    assert decode_file(text.encode("latin-1")) == text


def test_non_utf8_text_is_decoded_by_detection():
    text = "Переговоры в Каире завершились без соглашения, сообщили источники." * 3
    assert decode_file(text.encode("windows-1251")) == text


def test_feed_lists_and_hidden_files_are_not_seeds():
    assert is_seed_path("a.txt") and is_seed_path("sub/b.jsonl")
    assert not is_seed_path("feeds.opml") and not is_seed_path(".hidden/x.txt")


def test_read_seeds_stage_emits_documents_and_rejects(tmp_path):
    (tmp_path / "a.txt").write_text("Headline A\nBody A.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl").write_text('{"title": "B"}\n{oops\n')
    (tmp_path / "empty.html").write_text("")
    (tmp_path / "feeds.opml").write_text("<opml/>")
    with local_test_pipeline() as pipeline:
        result = pipeline | ReadSeeds(str(tmp_path))
        refs = result.documents | "DocRefs" >> beam.Map(lambda document: document.source_ref)
        rejects = result.rejects | "RejectKeys" >> beam.Map(lambda reject: (reject.source_ref, reject.reason))
        assert_that(refs, equal_to(["a.txt", "sub/b.jsonl#1"]), label="documents")
        assert_that(
            rejects, equal_to([("sub/b.jsonl#2", "invalid_json"), ("empty.html", "empty_file")]), label="rejects"
        )
