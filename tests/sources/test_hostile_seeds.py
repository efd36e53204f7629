"""Malformed and hostile seed files: each bad item is its own reject, the good items beside it are kept."""

from __future__ import annotations

import json
import os
import threading

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from pipeline.documents import RawDocument
from pipeline.errors import RejectedInput
from pipeline.sources.sanitize import clean_text, fix_char_references
from pipeline.sources.seeds import ReadSeeds, decode_file, read_seed_file
from tests.conftest import local_test_pipeline

GOOD = {"title": "Café opens", "text": "The café opened on Monday."}


def _split(items) -> tuple[list[RawDocument], list[tuple[str | None, str]]]:
    items = list(items)
    documents = [item for item in items if isinstance(item, RawDocument)]
    rejects = [(item.source_ref, item.reason) for item in items if isinstance(item, RejectedInput)]
    return documents, rejects


def _jsonl(*lines: bytes) -> bytes:
    return b"\n".join(lines) + b"\n"


GOOD_LINE = json.dumps(GOOD).encode()


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        (b"[" * 50_000 + b"]" * 50_000, "invalid_json"),
        (b'{"title": "big", "text": ' + b"9" * 5_000 + b"}", "invalid_json"),
        (b'{"title": "cut off', "invalid_json"),
        (b'{"title": ["not", "text"]}', "invalid_record"),
    ],
    ids=["deep_nesting", "huge_number", "truncated", "wrong_shape"],
)
def test_a_bad_jsonl_line_is_its_own_reject_and_the_lines_after_it_are_kept(bad_line, reason):
    documents, rejects = _split(read_seed_file("f.jsonl", _jsonl(GOOD_LINE, bad_line, GOOD_LINE)))
    assert [document.source_ref for document in documents] == ["f.jsonl#1", "f.jsonl#3"]
    assert rejects == [("f.jsonl#2", reason)]


def test_one_invalid_utf8_line_does_not_turn_the_other_lines_to_mojibake():
    latin1 = json.dumps({"title": "Déjà vu"}, ensure_ascii=False).encode("latin-1")
    documents, rejects = _split(
        read_seed_file("f.jsonl", _jsonl(json.dumps(GOOD, ensure_ascii=False).encode(), latin1))
    )
    assert [document.meta["title"] for document in documents] == ["Café opens", "Déjà vu"]
    assert rejects == []


def test_a_line_separator_inside_a_json_string_does_not_split_the_record():
    line = json.dumps({"title": "One\u2028record", "text": "Body\u2029text"}, ensure_ascii=False).encode()
    documents, rejects = _split(read_seed_file("f.jsonl", _jsonl(line)))
    assert rejects == [] and documents[0].meta["title"] == "One\u2028record"


def test_lone_surrogates_in_json_fields_are_replaced_and_pairs_joined():
    record = '{"title": "A \\ud800 B", "author": "\\udc00", "text": "smile \\ud83d\\ude00"}'
    documents, _ = _split(read_seed_file("r.json", record.encode()))
    meta = documents[0].meta
    assert meta["title"] == "A \ufffd B" and meta["author"] == "\ufffd" and documents[0].body == "smile 😀"
    documents[0].body.encode("utf-8")  # storable


def test_a_raw_nul_byte_in_a_jsonl_line_is_dropped_and_the_line_kept():
    documents, rejects = _split(read_seed_file("f.jsonl", _jsonl(b'{"title": "x", "text": "nul \x00 inside"}')))
    assert rejects == [] and documents[0].body == "nul  inside"


def test_a_single_nul_byte_does_not_make_a_text_file_binary_but_many_do():
    assert decode_file(b"Headline\nBody with a stray \x00 byte.") == "Headline\nBody with a stray  byte."
    with pytest.raises(RejectedInput, match="control bytes"):
        decode_file(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00")
    with pytest.raises(RejectedInput, match="control bytes"):
        decode_file(b"\x00\x01\x02binary")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_read(codec):
    text = "Überschrift\nDer Text des Artikels."
    assert decode_file(text.encode(codec)) == text
    documents, rejects = _split(read_seed_file("a.txt", text.encode(codec)))
    assert rejects == [] and documents[0].body == text


@pytest.mark.parametrize("published", ["9999-12-31T00:00:00Z", "0001-01-01", 1e300, float("nan"), -1e20])
def test_an_absurd_date_is_stored_as_null_with_a_flag(published):
    record = json.dumps({**GOOD, "published": published}).encode()
    documents, rejects = _split(read_seed_file("d.json", record))
    assert documents[0].meta["published"] is None
    assert rejects == [("d.json#0", "date_out_of_range")]


def test_a_plausible_date_is_kept_without_a_flag():
    documents, rejects = _split(read_seed_file("d.json", json.dumps({**GOOD, "published": "2024-04-08"}).encode()))
    assert documents[0].meta["published"] == "2024-04-08" and rejects == []


@pytest.mark.parametrize("empty", ["", "   ", "<p></p>", "<div> </div>"])
def test_a_record_with_title_and_summary_but_empty_html_is_a_title_only_item(empty):
    record = json.dumps({"title": "Talks resume", "summary": "Delegations met.", "html": empty}).encode()
    documents, rejects = _split(read_seed_file("t.json", record))
    assert rejects == [] and documents[0].body_format == "none" and documents[0].meta["summary"]


def test_a_feed_entry_with_empty_content_encoded_is_a_title_only_item():
    feed = b"""<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>W</title>
    <item><title>Talks</title><link>https://example.com/a</link><description>Met.</description>
    <content:encoded><![CDATA[<p> </p>]]></content:encoded></item></channel></rss>"""
    documents, rejects = _split(read_seed_file("f.rss", feed))
    assert rejects == [] and documents[0].body_format == "none"


def test_an_overlong_single_line_text_file_keeps_its_body_and_an_overlong_body_is_cut_with_a_flag():
    line = ("word " * 2_000).encode()
    documents, rejects = _split(read_seed_file("long.txt", line))
    assert documents[0].body_format == "text" and len(documents[0].body) == len(line) and rejects == []
    huge = ("word " * 500_000).encode()
    documents, rejects = _split(read_seed_file("huge.txt", huge))
    assert len(documents[0].body) == 2_000_000 and rejects == [("huge.txt", "field_truncated")]


def test_surrogate_character_references_in_a_feed_do_not_stop_its_entries():
    feed = b"""<rss version="2.0"><channel><title>W</title>
    <item><title>Smile &#55357;&#56832; and lone &#xD800;</title><link>https://example.com/a</link></item>
    <item><title>Plain</title><link>https://example.com/b</link></item></channel></rss>"""
    documents, rejects = _split(read_seed_file("f.rss", feed))
    assert [document.meta["title"] for document in documents] == ["Smile 😀 and lone \ufffd", "Plain"]
    assert rejects == []


def test_sanitizers():
    assert clean_text("a\ud83d\ude00b\udfff\x00") == "a😀b\ufffd"
    assert fix_char_references(b"&#55357;&#56832;|&#xd83d;|&#65;") == b"&#128512;|&#65533;|&#65;"


def test_fifos_devices_and_bad_links_are_skipped_with_a_reject_each_in_a_directory_named_with_brackets(tmp_path):
    seeds = tmp_path / "news [x]"
    seeds.mkdir()
    (seeds / "good.txt").write_text("Headline\nBody.")
    os.mkfifo(seeds / "pipe.txt")
    (seeds / "zero.txt").symlink_to("/dev/zero")
    (seeds / "dangling.txt").symlink_to(seeds / "missing.txt")
    (seeds / "loop.txt").symlink_to(seeds / "loop.txt")
    (seeds / "linked.txt").symlink_to(seeds / "good.txt")
    os.symlink(seeds, seeds / "again")
    bad_name = os.fsdecode(b"caf\xe9.txt")
    (seeds / bad_name).write_text("Bad name\nStill read.")
    expected_rejects = [
        ("pipe.txt", "not_a_regular_file"),
        ("zero.txt", "not_a_regular_file"),
        ("dangling.txt", "dangling_link"),
        ("loop.txt", "symlink_loop"),
        ("again", "linked_directory"),
    ]
    finished = threading.Event()

    def run() -> None:
        with local_test_pipeline() as pipeline:
            result = pipeline | ReadSeeds(str(seeds))
            refs = result.documents | "Refs" >> beam.Map(lambda document: document.source_ref)
            rejects = result.rejects | "Keys" >> beam.Map(lambda reject: (reject.source_ref, reject.reason))
            assert_that(refs, equal_to(["good.txt", "linked.txt", "caf\ufffd.txt"]), label="documents")
            assert_that(rejects, equal_to(expected_rejects), label="rejects")
        finished.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=60)
    if not finished.is_set():
        with open(seeds / "pipe.txt", "wb"):  # unblock a reader stuck on the FIFO before failing
            pass
        pytest.fail("reading the seeds hung (or failed: see the thread's traceback)")
