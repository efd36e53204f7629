"""Event date: relative days against the publication date, datelines, honest null when unknown."""

from datetime import date, datetime, timezone

from pipeline.enrich.dates import event_date

TUESDAY = datetime(2024, 8, 27, 9, 30, tzinfo=timezone.utc)


def test_weekday_in_the_lead_resolves_to_the_latest_such_day_before_publication():
    found = event_date("Talks end", "The negotiations in Cairo on Sunday ended without a deal.", TUESDAY)
    assert found.day == date(2024, 8, 25)
    assert found.source == "relative"


def test_yesterday_and_today_resolve_against_publication():
    assert event_date("Strike hits port", "The strike happened yesterday.", TUESDAY).day == date(2024, 8, 26)
    assert event_date("Talks today", None, TUESDAY).day == date(2024, 8, 27)


def test_dateline_anchors_relative_days_without_publication_time():
    found = event_date("Hopes dim", "Mon Apr 08 2024\nBoth sides dampened hopes on Monday.", None)
    assert found.day == date(2024, 4, 8)


def test_background_dates_later_in_the_text_are_not_the_event_date():
    text = "Talks ended without agreement.\nThey follow months of war.\nThe war began after the October 7, 2023 attack."
    assert event_date("Talks end", text, None) is None


def test_publication_date_is_the_fallback_and_is_labelled_so():
    found = event_date("Talks end", "Talks ended without agreement.", TUESDAY)
    assert (found.day, found.source) == (date(2024, 8, 27), "published")


def test_unknown_date_is_null():
    assert event_date("Talks end", "Talks ended without agreement.", None) is None
