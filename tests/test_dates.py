from datetime import datetime, timezone

from pipeline.dates import parse_date_line, parse_datetime


def test_stated_formats_become_utc():
    expected = datetime(2024, 4, 8, 10, 30, tzinfo=timezone.utc)
    assert parse_datetime("2024-04-08T12:30:00+02:00") == expected
    assert parse_datetime("Mon, 08 Apr 2024 10:30:00 GMT") == expected
    assert parse_datetime(int(expected.timestamp() * 1000)) == expected
    assert parse_datetime(str(int(expected.timestamp()))) == expected


def test_a_naive_time_is_taken_as_utc():
    assert parse_datetime("2024-04-08 10:30") == datetime(2024, 4, 8, 10, 30, tzinfo=timezone.utc)


def test_unclear_dates_are_null_never_invented():
    assert parse_datetime("on Sunday") is None
    assert parse_datetime("") is None
    assert parse_datetime(None) is None
    assert parse_datetime("not a date 2024 at all, really") is None


def test_a_dateline_is_a_whole_line_date():
    assert parse_date_line("Mon Apr 08 2024") == datetime(2024, 4, 8, tzinfo=timezone.utc)
    assert parse_date_line("The talks began on October 7, 2023, and ended without a deal.") is None
