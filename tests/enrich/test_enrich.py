"""Entry points: the seed events read as three Cairo negotiations, rows fit the schemas."""

from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipeline.enrich import mentions
from pipeline.enrich.enrich import article_row, enrich_article, event_rows, merge_event
from pipeline.enrich.scan import scan_sentence
from pipeline.extract import parse_text_article
from schemas.enrichment import ENRICHMENT_TABLES

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
EVENTS = (("000", "001"), ("002",), ("003", "004"))
"""The seeds' three rounds of talks, as the event grouping joins them."""


@pytest.fixture(scope="module")
def seed_rows():
    enriched = {}
    for path in sorted(SEEDS.glob("*.txt")):
        title, body, meta = parse_text_article(path.read_text())
        enriched[path.name[:3]] = enrich_article(title, body, meta.get("published"))
    return {
        group: event_rows(f"event-{group[0]}", merge_event({key: enriched[key] for key in group})) for group in EVENTS
    }


def test_seed_events_are_negotiations_in_cairo_concerning_gaza(seed_rows):
    for rows in seed_rows.values():
        (summary,) = rows["event_enrichments"]
        assert summary.event_type == "consult"
        assert (summary.primary_location_name, summary.primary_country_code) == ("Cairo", "EG")
        assert "Gaza" in {row.name for row in rows["event_locations"] if not row.is_primary}


def test_seed_events_have_israel_and_hamas_as_parties_and_mediators_from_three_countries(seed_rows):
    mediators = set()
    for rows in seed_rows.values():
        roles = {row.actor_id: row.role for row in rows["event_actors"]}
        assert roles["country:ISR"] == roles["organisation:hamas"] == "party"
        mediators |= {row.country_iso3 for row in rows["event_actors"] if row.role == "mediator"}
    assert mediators == {"EGY", "QAT", "USA"}


def test_each_seed_actor_is_named_once_per_event(seed_rows):
    """003 reads "Fury from Netanyahu's Allies" (a body's shape), 004 names Benjamin Netanyahu: one actor."""
    rows = seed_rows[("003", "004")]["event_actors"]
    netanyahu = [row for row in rows if "netanyahu" in row.actor_id]
    assert [(row.actor_id, row.article_ids) for row in netanyahu] == [("person:benjamin-netanyahu", ("004", "003"))]
    surnames = {row.name.split()[-1] for row in rows if row.kind == "person" and " " in row.name}
    assert not [row.name for row in rows if " " not in row.name and row.name in surnames]


def test_april_2024_round_is_dated_to_april_2024_and_undated_rounds_are_null(seed_rows):
    dates = {group: rows["event_enrichments"][0].event_date for group, rows in seed_rows.items()}
    assert (dates[("003", "004")].year, dates[("003", "004")].month) == (2024, 4)
    assert dates[("000", "001")] is None and dates[("002",)] is None


def test_every_row_names_its_supporting_article_and_validates(seed_rows):
    rows = seed_rows[("000", "001")]
    assert {row.article_id for row in rows["event_actors"]} <= {"000", "001"}
    figures = {(row.value, row.counts) for row in rows["event_figures"]}
    assert (1500.0, "Palestinians killed") in figures and (33.0, "hostages") in figures
    for table, found in rows.items():
        for row in found:
            ENRICHMENT_TABLES[table].model_validate(row._asdict())


def test_row_keys_are_stable_across_runs():
    first = enrich_article("Talks in Cairo", "Israel and Hamas met in Cairo.", None)
    again = enrich_article("Talks in Cairo", "Israel and Hamas met in Cairo.", None)
    keys = [row.event_actor_id for row in event_rows("e1", merge_event({"a1": first}))["event_actors"]]
    assert keys == [row.event_actor_id for row in event_rows("e1", merge_event({"a1": again}))["event_actors"]]


def test_article_row_keeps_language_type_and_date():
    published = datetime(2024, 8, 27, tzinfo=timezone.utc)
    row = article_row("a1", enrich_article("Talks end", "The talks in Cairo ended on Sunday.", published))
    assert (row.language, row.event_type, row.event_date.day, row.event_date_source) == (
        "en",
        "consult",
        25,
        "relative",
    )


def test_sentence_scans_are_kept_for_one_article_only():
    scan_sentence.cache_clear()
    scan_sentence("Egypt and Qatar mediated.")  # a scan made outside any article
    assert scan_sentence.cache_info().currsize == 1
    enrich_article("Talks in Cairo", "Israel and Hamas met in Cairo. Egypt and Qatar mediated.", None)
    assert scan_sentence.cache_info().currsize == 0


def test_a_memo_past_its_bound_is_emptied_after_articles():
    @mentions.bounded_memo(2)
    def double(value: int) -> int:
        return 2 * value

    try:
        for value in range(3):
            double(value)
        assert double.cache_info().currsize == 3
        for _ in range(mentions.TRIM_EVERY):
            enrich_article("Talks in Cairo", "Israel and Hamas met in Cairo.", None)
        assert double.cache_info().currsize == 0
        assert double(4) == 8
    finally:
        mentions.MEMOS.remove((double, 2))


def test_bad_arguments_fail_early_with_clear_messages():
    with pytest.raises(TypeError, match="title"):
        enrich_article(None, "text", None)
    with pytest.raises(ValueError, match="at least one"):
        merge_event({})
