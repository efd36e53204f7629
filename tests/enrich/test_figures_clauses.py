"""Key figures through ``enrich_article``: what a number counts is named in its own clause, by a plural noun."""

from datetime import UTC, datetime

from pipeline.enrich.enrich import enrich_article

PUBLISHED = datetime(2026, 11, 20, tzinfo=UTC)


def _figures(text: str) -> list[tuple[str, str]]:
    return [(f.quantity, f.counts) for f in enrich_article("", text, PUBLISHED).figures]


def test_a_name_after_a_comma_is_not_what_a_number_counts():
    text = (
        "The earthquake killed at least 12 people and injured more than 150, Turkey's disaster agency said. "
        "The number of people killed has risen to 21, officials say. Two bailiffs were shot and killed."
    )
    assert _figures(text) == [("12", "people"), ("Two", "bailiffs killed")]


def test_basis_points_litres_and_adjectives_are_not_counted_nouns():
    text = (
        "The central bank cut its deposit rate by 25 basis points on Thursday. More than 180 litres of rain fell. "
        "The crash left 3 serious injuries among 40 passengers."
    )
    assert _figures(text) == [("3", "serious injuries"), ("40", "passengers")]


def test_an_outcome_after_a_semicolon_or_colon_is_not_the_number_s_but_one_after_an_aside_is():
    text = (
        "The fire destroyed 300 homes; 5 firefighters were injured. Troops surrounded 40 villages: 9 residents "
        "died. Police said 20 people, mostly students, were arrested."
    )
    assert _figures(text) == [
        ("300", "homes"),
        ("5", "firefighters injured"),
        ("40", "villages"),
        ("9", "residents died"),
        ("20", "people arrested"),
    ]
