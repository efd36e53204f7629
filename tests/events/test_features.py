"""Event features' term counts and weights: the entity rules on real-looking text, and weights that always follow
the document frequencies given (``idf`` values are kept between calls)."""

from __future__ import annotations

from collections import Counter

from pipeline.events import features as module
from pipeline.events.features import features_from_counts, term_counts

REPORT = (
    "Fire crews were called to a warehouse near the river on Monday, and John Smith, who owns the building, said "
    "nobody was hurt when the roof collapsed. Crews from three stations fought the fire for four hours before it "
    "was out, and the road along the river stayed closed until the evening while engineers checked the walls."
)


def test_names_are_entities_in_running_text_but_not_in_a_title_case_headline_and_compatibility_letters_count_as_plain():
    entities = term_counts("Warehouse roof collapses after fire near Leeds river", REPORT).entities
    assert {"e:john smith", "e:smith", "e:monday", "e:leeds"} <= set(entities)
    assert "e:fire" not in entities and "e:crews" not in entities  # capitalised as a sentence's first word only
    assert "e:leeds" not in term_counts("Warehouse Roof Collapses After Fire Near Leeds River", REPORT).entities
    fullwidth = term_counts("", REPORT.replace("John Smith", "Ｊｏｈｎ Ｓｍｉｔｈ")).entities
    assert fullwidth == term_counts("", REPORT).entities


def test_weights_follow_each_calls_own_document_frequencies_whatever_was_computed_before():
    counts = term_counts("Warehouse roof collapses near Leeds", REPORT)
    assert counts.full_text
    frequencies = [Counter(), Counter(dict.fromkeys(counts.terms(), 7)), Counter({"warehouse": 40, "roof": 2})]
    remembered = [features_from_counts(counts, None, doc_freq, 50) for doc_freq in frequencies]
    for doc_freq, features in zip(frequencies, remembered, strict=True):
        module._known_idf.cache_clear()
        assert features_from_counts(counts, None, doc_freq, 50) == features
    assert remembered[0].terms != remembered[1].terms != remembered[2].terms


def test_a_long_run_of_punctuation_ending_a_line_reads_as_nothing_and_is_scanned_once():
    # 200,000 trailing characters: scanned once a character, this took minutes; the counts are those without them.
    padded = REPORT + "\n" + "=-" * 100_000 + "\nThe road reopened on Tuesday." + " ." * 1000
    plain = REPORT + "\n\nThe road reopened on Tuesday."
    padded_counts, plain_counts = term_counts("Roof collapses", padded), term_counts("Roof collapses", plain)
    assert padded_counts.entities == plain_counts.entities and padded_counts.words == plain_counts.words
    assert "e:tuesday" in padded_counts.entities
