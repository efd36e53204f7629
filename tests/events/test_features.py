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
    assert {"e:john smith", "e:smith", "e:leeds"} <= set(entities) and "e:monday" not in entities
    assert "e:fire" not in entities and "e:crews" not in entities  # capitalised as a sentence's first word only
    assert "e:leeds" not in term_counts("Warehouse Roof Collapses After Fire Near Leeds River", REPORT).entities
    fullwidth = term_counts("", REPORT.replace("John Smith", "Ｊｏｈｎ Ｓｍｉｔｈ")).entities
    assert fullwidth == term_counts("", REPORT).entities


def test_weekdays_and_months_are_left_off_the_ends_of_names_however_the_text_writes_them():
    text = (
        "The talks ended on Mon. when the visiting President Obama Monday met the members of the Tuesday Club, and "
        "the planned Sept. talks with the office of Ann Smith's aides in January were put off until after the "
        "Friday’s vote in the chamber."
    )
    entities = set(term_counts("", text).entities)
    assert {"e:president obama", "e:obama", "e:club", "e:ann smith", "e:smith"} <= entities
    assert not {"e:mon", "e:monday", "e:tuesday", "e:sept", "e:january", "e:friday"} & entities, entities


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
    padded = REPORT + "\n" + "=-" * 100_000 + "\nThe road to Leeds reopened." + " ." * 1000
    plain = REPORT + "\n\nThe road to Leeds reopened."
    padded_counts, plain_counts = term_counts("Roof collapses", padded), term_counts("Roof collapses", plain)
    assert padded_counts.entities == plain_counts.entities and padded_counts.words == plain_counts.words
    assert "e:leeds" in padded_counts.entities


TRICKY = (
    REPORT,
    "On Dec. 15, 2014 and 12/15/14 (not x12/15/14), SEPT  3rd, sept.\n4 or Jan 5th 2015; May 2 at 3:30, 1,200.5 and .5",
    "Jan.. 5, jan5, 3/4/2020a, 31/12/99, 1.2.3-4/5 and ſept 7",
    "Ｄｅｃ. １５ ١٢/٣/٢٠١٤ and\u00a0March\u2028 9, and\tnov\r\n30",
)


def test_numbers_and_dates_are_the_matches_a_scan_of_the_whole_text_finds():
    for text in TRICKY:
        digits = module._digits(text)
        numbers = module._matches(module._NUMBER_RE, text, digits)
        assert [m.span() for m in numbers] == [m.span() for m in module._NUMBER_RE.finditer(text)]
        dates = module._matches(module._DATE_RE, text, module._date_starts(text, digits))
        assert [m.span() for m in dates] == [m.span() for m in module._DATE_RE.finditer(text)]
    assert set(term_counts("", TRICKY[1]).dates) == {
        "d:12-15",
        "d:2014-12",
        "d:09-03",
        "d:09-04",
        "d:01-05",
        "d:2015-01",
        "d:05-02",
    }


def test_caseless_letters_are_every_character_that_a_to_z_matches_ignoring_case():
    letter = module.re.compile("[a-z]", module.re.IGNORECASE)
    assert {chr(code) for code in range(0x110000) if letter.fullmatch(chr(code))} == module._CASELESS_LETTERS


def test_words_counted_line_by_line_are_those_of_the_whole_text():
    for text in (*TRICKY, "ﬁre crews\u2028left\x1cthe ﬁeld\u0085a\u0301nd\n\u0301stayed"):
        scans = [module._scanned(line) for line in text.splitlines()]
        counted = module._scanned_counts(scans)
        assert counted == module._word_counts(text) and list(counted) == list(module._word_counts(text))


def test_a_month_spelt_with_a_long_s_is_read_as_its_month():
    # the pattern matches "ſept" ignoring case; ``str.lower`` kept the long s, and looking the month up failed
    assert set(term_counts("", "Rain fell on ſept 7 and Sept 8.").dates) == {"d:09-07", "d:09-08"}
