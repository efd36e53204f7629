"""Event date: the day an article's event happened, apart from when the article was published.

Sources, best first: a weekday or "yesterday/today" in the headline or lead, resolved against the publication
date (or a dateline) as the latest such day not after it ("on Sunday" in a Tuesday article -> that Sunday); a
dateline that opens the text ("Mon Apr 08 2024", parsed by ``pipeline.dates``); a full date stated in the lead;
the publication date itself. Dates stated later in the text are usually background ("since October 7, 2023")
and are not used. With none of these the event date is ``None``: unknown, never guessed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pipeline.dates import parse_date_line, parse_datetime
from pipeline.enrich.mentions import split_sentences
from pipeline.text import WEEKDAYS

LOGGER = logging.getLogger(__name__)

LEAD_SENTENCES = 2
DATELINE_LINES = 3
_RELATIVE = re.compile(
    r"\b(?:(?:on|last|this|late|early)\s+)?(?P<weekday>"
    + "|".join(WEEKDAYS)
    + r")\b|\b(?P<day>yesterday|today|tonight)\b",
    re.IGNORECASE,
)
_FULL_DATE = re.compile(
    r"\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+(?:19|20)\d{2}"
    r"|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
CENTURIES = ("19", "20")
"""A full date's year opens with one of these: a sentence without either states no full date (a quick test that
spares ``_FULL_DATE`` most lead sentences)."""


@dataclass(frozen=True)
class EventDate:
    """When the event happened, how it was found and the words that say so."""

    day: date
    source: str
    evidence: str


def _dateline(text: str) -> datetime | None:
    for line in [line for line in text.splitlines() if line.strip()][:DATELINE_LINES]:
        if stated := parse_date_line(line):
            return stated
    return None


def resolve_relative(expression: str, anchor: date) -> date | None:
    """The day a weekday or "yesterday/today" names, seen from ``anchor`` (the latest such day not after it)."""
    word = expression.lower().split()[-1]
    if word in ("today", "tonight"):
        return anchor
    if word == "yesterday":
        return anchor - timedelta(days=1)
    if word in WEEKDAYS:
        return anchor - timedelta(days=(anchor.weekday() - WEEKDAYS.index(word)) % 7)
    return None


def event_date(
    title: str, text: str | None, published_at: datetime | None, body: Sequence[str] | None = None
) -> EventDate | None:
    """The event date of an article, or ``None`` when nothing says when it happened (``body``: the text's
    sentences, split here when not given)."""
    if published_at is not None and not isinstance(published_at, datetime):
        raise TypeError("published_at must be a datetime or None")
    text = text or ""
    dateline = _dateline(text)
    anchor = published_at or dateline
    lead = [title, *(split_sentences(text) if body is None else body)[:LEAD_SENTENCES]]
    if anchor is not None:
        for sentence in lead:
            if match := _RELATIVE.search(sentence):
                day = resolve_relative(match.group(0), anchor.date())
                if day is not None:
                    return EventDate(day, "relative", sentence)
    if dateline is not None:
        return EventDate(dateline.date(), "dateline", dateline.date().isoformat())
    for sentence in lead:
        if any(century in sentence for century in CENTURIES) and (match := _FULL_DATE.search(sentence)):
            stated = parse_datetime(match.group(0))
            if stated is not None:
                return EventDate(stated.date(), "stated", sentence)
    if published_at is not None:
        return EventDate(published_at.date(), "published", published_at.isoformat())
    return None
