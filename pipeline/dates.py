"""Parse the dates sources state into UTC datetimes; anything unclear is ``None``, never a guess."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser

_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_DATE_LINE_MAX_CHARS = 60
_EPOCH_MS_THRESHOLD = 10**11


def to_utc(value: datetime) -> datetime:
    """A datetime in UTC; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def parse_datetime(value: object) -> datetime | None:
    """A stated date (datetime, epoch seconds or milliseconds, ISO 8601, RFC 822 or a plain date) in UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) >= _EPOCH_MS_THRESHOLD else value
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.isdigit():
        return parse_datetime(int(text))
    try:
        return to_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    try:
        return to_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    if not _YEAR.search(text):
        return None
    try:
        return to_utc(dateutil_parser.parse(text, fuzzy=False))
    except (ValueError, OverflowError):
        return None


def parse_date_line(line: str) -> datetime | None:
    """The date a line states when the whole line is a date (a dateline such as 'Mon Apr 08 2024')."""
    line = line.strip()
    if not line or len(line) > _DATE_LINE_MAX_CHARS or not _YEAR.search(line):
        return None
    return parse_datetime(line)
