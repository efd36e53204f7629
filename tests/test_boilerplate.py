"""Site chrome: repeated paragraphs stripped per outlet, junk bodies flagged and kept as headlines."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.util import assert_that, equal_to

from pipeline import cli
from pipeline.boilerplate import (
    MIN_SOURCE_REPEATS,
    WALLS,
    StripBoilerplate,
    clean_article,
    clean_body,
    folded_paragraphs,
    paragraph_hash,
    paragraph_observations,
    shared_key,
    source_key,
    wall_of,
)
from pipeline.dedup.exact import MarkExactDuplicates
from pipeline.dedup.minhash import MinHashConfig
from pipeline.documents import ExtractedArticle
from pipeline.events.score import DEFAULT_THRESHOLDS
from pipeline.graph import RunPlan, build_pipeline
from pipeline.normalize import content_hash, normalize_article
from pipeline.store.load import load_run
from pipeline.store.side_inputs import export_paragraphs
from schemas.models import Run
from tests.conftest import local_test_pipeline, query

NOW = datetime(2024, 4, 9, tzinfo=timezone.utc)
VERIFICATION = (
    "Just One More Thing...\n\nWe have sent you a verification email. Please check your email and click on the link "
    "to activate your profile.\n\nIf you do not receive the verification message within a few minutes of signing up, "
    "please check your Spam or Junk folder.\n\nClose"
)
FOOTER = (
    "Sign up for the Daily Bugle morning briefing and get the region's top stories with your coffee.\n"
    "Copyright 2024 Daily Bugle Media. All rights reserved. This material may not be republished without consent."
)


def story(number: int) -> str:
    """A distinct body of a few paragraphs."""
    return "\n".join(
        f"Report {number} paragraph {line}: the council of town {number} met on day {line} about road {number * 7}."
        for line in range(4)
    )


def article(ref: str, title: str, text: str, source: str = "bugle.example", summary: str | None = None):
    extracted = ExtractedArticle(ref, "seed", title, text=text, summary=summary, source=source)
    return normalize_article(extracted, "r1", NOW)


def test_verification_notice_is_a_wall_and_the_article_keeps_its_headline():
    cleaned = clean_article(article("a", "Man shot in Atlanta", VERIFICATION), {})
    assert cleaned.body_status == "verification_wall"
    assert cleaned.text is None and cleaned.content_kind == "title_only"
    assert cleaned.original_text == VERIFICATION
    assert cleaned.content_hash == content_hash("Man shot in Atlanta")
    assert cleaned.word_count == 4


def test_subscriber_wall_and_javascript_notice_are_recognised():
    wall = "Already a subscriber?\n\nClick on the button below to set up your account or log in if you have one."
    assert clean_body(wall, None, {})[1] == "subscription_wall"
    assert clean_body("Please enable Javascript to watch this video\nAdvertisement", None, {})[1] == (
        "javascript_required"
    )


def test_a_wall_is_recognised_in_any_case_with_or_without_other_scripts():
    # ASCII paragraphs take one lower-cased scan of all the walls, others one case-insensitive scan of them all
    for notice, kind in [
        ("We use cookies to improve your experience.", "consent_wall"),
        ("ALREADY A SUBSCRIBER? Click the button below.", "subscription_wall"),
        ("Please Sign In To Continue reading.", "login_wall"),
        ("Please ENABLE JAVASCRIPT to watch this video.", "javascript_required"),
    ]:
        assert wall_of(notice) == kind
        assert wall_of(f"Città: {notice}") == kind
    assert wall_of("The council voted on the new pier.") is None
    assert wall_of("Le conseil a voté sur la jetée.") is None
    # case folds that lower-casing misses still match: long s, Kelvin sign, dotted capital I, dotless i
    assert wall_of("Already a \u017fubscriber? Click the button below.") == "subscription_wall"
    assert wall_of("PLEASE \u212aEEP READING: WE USE COO\u212aIES.") == "consent_wall"
    assert wall_of("PLEASE S\u0130GN \u0130N TO CONTINUE.") == "login_wall"
    assert wall_of("Please s\u0131gn \u0131n to continue.") == "login_wall"
    assert wall_of("\u201cWe use cookies,\u201d the notice said.") == "consent_wall"


def test_wall_of_finds_what_the_case_insensitive_walls_find():
    # the lower-cased scan stands for the case-insensitive one on every paragraph without a case trap
    notices = ["We use cookies.", "Already a subscriber?", "Please sign in to continue.", "Enable JavaScript."]
    others = ["The council voted on the new pier.", "Le conseil a voté sur la jetée.", "Ölpreis: ΣΥΝΕΔΡΙΑΣΗ"]
    for text in notices + others:
        variants = (text, text.upper(), text.title(), f"\u201c{text}\u201d", f"{text} \u00c9TAT", f"\u0130 {text}")
        # a wall starts a word: after the start, a space, a quote, a hyphen; not inside a word
        for variant in (*variants, f"({text})", f"e-{text}", f"x{text.lower()}", f"\u00e9{text}", f"_{text}"):
            expected = next((name for name, pattern in WALLS.items() if pattern.search(variant)), None)
            assert wall_of(variant) == expected, variant
            if variant[0] not in "x\u00e9_":
                assert (expected is None) == (text in others), variant


def test_chrome_only_body_is_chrome_and_a_short_remainder_becomes_the_summary():
    assert clean_body("Advertisement\nShare\nPrint\n1 of 3\n---", None, {}) == ("", "chrome")
    cleaned = clean_article(article("a", "Two slain", "Two people were slain on Sunday.\nAdvertisement"), {})
    assert (cleaned.body_status, cleaned.text) == ("too_short", None)
    assert cleaned.summary == "Two people were slain on Sunday."
    assert cleaned.content_kind == "summary"


def test_real_body_keeps_its_text_and_says_ok():
    body = story(1)
    cleaned = clean_article(article("a", "Council meets", body), {})
    assert (cleaned.body_status, cleaned.text, cleaned.original_text) == ("ok", body, None)


def test_known_paragraphs_of_the_outlet_are_stripped_and_the_original_kept():
    body = story(2) + "\n" + FOOTER
    known = {source_key("bugle.example", paragraph_hash(line)): 3 for line in FOOTER.splitlines()}
    cleaned = clean_article(article("a", "Council meets", body), known)
    assert cleaned.text == story(2) and cleaned.original_text == body
    assert cleaned.content_hash == content_hash(story(2))
    other_outlet = clean_article(article("b", "Council meets", body, source="other.example"), known)
    assert other_outlet.text == body
    shared = {shared_key(paragraph_hash(line)): 5 for line in FOOTER.splitlines()}
    assert clean_article(article("c", "Council meets", body, source="other.example"), shared).text == story(2)


def test_paragraphs_normalized_once_for_observation_clean_as_when_normalized_again():
    body = "Advertisement\n" + story(2) + "\n" + FOOTER + "\n\u2014\n" + VERIFICATION
    item = article("a", "Council meets", body)
    folded = folded_paragraphs(item.text)
    assert [digest for digest, _ in folded] == [paragraph_hash(line) for line in item.text.splitlines() if line.strip()]
    known = {source_key("bugle.example", paragraph_hash(line)) for line in FOOTER.splitlines()}
    cleaned = clean_article(item, known, folded)
    assert cleaned == clean_article(item, known)
    assert cleaned.text == story(2) + "\nJust One More Thing..." and cleaned.body_status == "ok"
    assert paragraph_observations(item, folded) == paragraph_observations(item)


def test_a_paragraph_repeated_in_enough_articles_of_an_outlet_is_stripped_in_the_run():
    bugle = [article(f"b{n}", f"Headline {n}", story(n) + "\n" + FOOTER) for n in range(MIN_SOURCE_REPEATS)]
    elsewhere = article("x", "Elsewhere", story(9) + "\n" + FOOTER, source="other.example")
    with local_test_pipeline() as pipeline:
        cleaned = (pipeline | beam.Create([*bugle, elsewhere]) | StripBoilerplate())["articles"]
        rows = cleaned | beam.Map(lambda a: (a.title, a.text, a.body_status))
        expected = [(f"Headline {n}", story(n), "ok") for n in range(MIN_SOURCE_REPEATS)]
        assert_that(rows, equal_to([*expected, ("Elsewhere", story(9) + "\n" + FOOTER, "ok")]))


def test_copies_of_one_story_do_not_make_its_paragraphs_chrome():
    copies = [article(f"b{n}", "Same headline", story(1) + f"\nUpdated at {n} pm with more.") for n in range(5)]
    with local_test_pipeline() as pipeline:
        cleaned = (pipeline | beam.Create(copies) | StripBoilerplate())["articles"]
        texts = cleaned | beam.Map(lambda a: a.text.startswith(story(1)))
        assert_that(texts, equal_to([True] * 5))


def test_different_headlines_with_the_same_junk_body_are_not_copies_but_the_same_story_is():
    walls = [article(f"w{n}", f"Shooting number {n} downtown", VERIFICATION) for n in range(3)]
    wire = [article(f"c{n}", "Storm hits coast", story(4), source=f"paper{n}.example") for n in range(2)]
    with local_test_pipeline() as pipeline:
        cleaned = (pipeline | beam.Create([*walls, *wire]) | StripBoilerplate())["articles"]
        marked = cleaned | MarkExactDuplicates()
        rows = marked | beam.Map(lambda a: (a.title, a.body_status, a.duplicate_of is not None))
        expected = [(f"Shooting number {n} downtown", "verification_wall", False) for n in range(3)]
        assert_that(rows, equal_to([*expected, ("Storm hits coast", "ok", False), ("Storm hits coast", "ok", True)]))


def test_stored_paragraphs_of_earlier_runs_count_towards_an_outlets_chrome(tmp_path):
    db_path = tmp_path / "db.duckdb"
    first = tmp_path / "first"
    second = tmp_path / "second"
    first.mkdir(), second.mkdir()
    story_url = "https://bugle.example/news/{}"
    write_records(first, [(story_url.format(n), f"Headline {n}", story(n) + "\n" + FOOTER) for n in range(2)])
    assert cli.main(["run", "--offline", "--seeds", str(first), "--db", str(db_path)]) == 0
    texts = query(db_path, "SELECT text FROM articles ORDER BY title")
    assert all(FOOTER.splitlines()[0] in text for (text,) in texts), "two articles are not yet a pattern"
    assert query(db_path, "SELECT count(*) FROM article_paragraphs") == [(2,)]
    write_records(second, [(story_url.format(7), "Headline 7", story(7) + "\n" + FOOTER)])
    paragraphs = tmp_path / "stored_paragraphs.parquet"
    assert export_paragraphs(db_path, paragraphs)
    staging = tmp_path / "staging"
    started = datetime.now(timezone.utc)
    plan = RunPlan(
        "r2", started, str(second), str(staging), MinHashConfig(), DEFAULT_THRESHOLDS, paragraphs_path=str(paragraphs)
    )
    with beam.Pipeline(runner=FnApiRunner()) as pipeline:
        build_pipeline(pipeline, plan)
    load_run(
        db_path,
        staging,
        Run(run_id="r2", started_at=started, mode="offline", status="completed"),
        MinHashConfig(),
        DEFAULT_THRESHOLDS,
    )
    assert query(db_path, "SELECT text, original_text FROM articles WHERE title = 'Headline 7'") == [
        (story(7), story(7) + "\n" + FOOTER)
    ]
    assert query(db_path, "SELECT count(*) FROM article_paragraphs") == [(3,)]


def write_records(directory, records) -> None:
    """(url, title, text) records as a JSON Lines seed file."""
    with open(directory / "items.jsonl", "w", encoding="utf-8") as handle:
        for url, title, text in records:
            handle.write(json.dumps({"url": url, "title": title, "text": text}) + "\n")
