"""Every ID and key wirebeam derives, written once: articles, events, links between articles, feed entries,
enrichment rows. All are content-derived (a hash of what identifies the thing), so a re-run derives the same IDs.
"""

from __future__ import annotations

EVENT_PREFIX = "ev_"
"""Prefix of an event ID; the rest is the ID of the event's first article."""


def event_id(first_article_id: str) -> str:
    """An event's ID, derived from its first article."""
    return f"{EVENT_PREFIX}{first_article_id}"


def first_article_id(event_id: str) -> str:
    """The article an event's ID was derived from."""
    return event_id.removeprefix(EVENT_PREFIX)
