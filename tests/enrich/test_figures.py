"""Key figures: numbers with what they count; dates, years, ages and measures are not figures."""

from pipeline.enrich.figures import extract_figures


def test_counts_with_casualty_words_and_qualifiers():
    figures = extract_figures(
        "More than 1,500 Palestinians have been killed. Hamas released 33 hostages. "
        "Israel asks for approximately 10 hostages. Over 2 million people are homeless."
    )
    found = {(figure.value, figure.counts, figure.qualifier) for figure in figures}
    assert found == {
        (1500.0, "Palestinians killed", "more than"),
        (33.0, "hostages", None),
        (10.0, "hostages", "approximately"),
        (2_000_000.0, "people", "over"),
    }


def test_dates_years_ages_and_measures_are_not_figures():
    text = (
        "The October 7, 2023 assault came after a 17-year-old blockade. Talks on July 2 lasted six weeks. "
        "The corridor is 14.5 kilometers long and the two sides disagree."
    )
    assert extract_figures(text) == []


def test_the_sentence_is_kept_with_the_figure():
    (figure,) = extract_figures("At least 25 people were reportedly killed in that single strike.")
    assert figure.sentence.startswith("At least 25 people")
    assert figure.counts == "people killed"


def test_a_month_after_a_joiner_or_combining_mark_is_read_as_the_pattern_reads_it():
    for mark in ("\u200d", "\u200c", "\u0301", "\u203f"):
        text = f"Police said {mark}Jan 5 people were killed in the attack."
        assert [figure.value for figure in extract_figures(text)] == [5.0], repr(mark)
