"""Every ID and key wirebeam derives, written once: articles, events, links between articles, feed entries,
enrichment rows and rejects.

All are content-derived (a SHA-256 of what identifies the thing, its parts joined by U+001F), so a re-run
derives the same IDs and the loader can skip what is stored already.
"""

from __future__ import annotations

import hashlib

ARTICLE_ID_CHARS = 16
LINK_ID_CHARS = 20
REJECT_ID_CHARS = 20
ENTRY_KEY_CHARS = 32
ROW_KEY_CHARS = 32
EVENT_PREFIX = "ev_"
STORYLINE_PREFIX = "sl_"
"""Prefix of an event ID; the rest is the ID of the event's first article."""
SEPARATOR = "\x1f"


def digest(*parts: str, chars: int) -> str:
    """The first ``chars`` hex digits of the SHA-256 of ``parts`` joined by ``SEPARATOR``."""
    return hashlib.sha256(SEPARATOR.join(parts).encode()).hexdigest()[:chars]


def article_id(identity: str, content_hash: str) -> str:
    """Stable ID of one version of one article: its canonical URL (or seed location) and content hash."""
    return digest(identity, content_hash, chars=ARTICLE_ID_CHARS)


def event_id(first_article_id: str) -> str:
    """An event's ID, derived from its first article."""
    return f"{EVENT_PREFIX}{first_article_id}"


def storyline_id(first_article_id: str) -> str:
    """A storyline's ID, derived from its first article."""
    return f"{STORYLINE_PREFIX}{first_article_id}"


def first_article_id(event_id: str) -> str:
    """The article an event's ID was derived from."""
    return event_id.removeprefix(EVENT_PREFIX)


def link_id(article_id: str, other_article_id: str, method: str) -> str:
    """Stable ID of a link from an article to another (``minhash``, ``event``)."""
    return digest(article_id, other_article_id, method, chars=LINK_ID_CHARS)


def entry_key(guid: str | None, link: str | None, text: str) -> tuple[str, str]:
    """``(key, source)``: a feed entry's identity from its GUID, else its link, else its text; the same for an
    entry of a live feed and of a saved feed read as a seed."""
    source, value = ("guid", guid) if guid else ("link", link) if link else ("content", text)
    return digest(source, value, chars=ENTRY_KEY_CHARS), source


def row_key(*parts: str) -> str:
    """Stable key of an enrichment row: a hash of what identifies it."""
    return digest(*parts, chars=ROW_KEY_CHARS)


def reject_id(source_ref: str, stage: str, reason: str, detail: str | None) -> str:
    """A reject's ID: what failed and why, so the same failure is stored once."""
    return digest(source_ref, stage, reason, detail or "", chars=REJECT_ID_CHARS)
