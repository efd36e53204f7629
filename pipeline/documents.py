"""The element shapes that flow between the stages before articles become ``schemas.Article`` rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

BodyFormat = Literal["text_file", "text", "html", "none"]
SHARED_PAGE = "shared_page"
"""``fallback_reason`` of a feed entry that is an article of its own but links a page another entry's article
holds (a live blog's updates, briefs linking one section page): its own text is stored, without canonical URL."""


@dataclass(frozen=True)
class RawDocument:
    """One input record as read from a source, before extraction.

    ``body_format`` says how to read ``body``: ``text_file`` is a plain-text article whose first line is the
    headline, ``text`` is body text only, ``html`` is a web page, ``none`` means the metadata is all there is.
    ``meta`` holds what the source stated: title, url, summary, published, source, author, language,
    categories, feed_url, feed_title, entry_key; for feed entries also ``fallback_reason`` (the page is missing
    and the body is the entry's own text) or ``fallback_text`` (the entry's text, used if the page has no article).
    """

    source_ref: str
    origin: Literal["seed", "feed"]
    body_format: BodyFormat
    body: str = ""
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ExtractedArticle:
    """Article fields extracted from a document, not yet normalized or identified."""

    source_ref: str
    origin: Literal["seed", "feed"]
    title: str
    text: str | None = None
    summary: str | None = None
    url: str | None = None
    source: str | None = None
    """The outlet the record itself names (a seed's ``source``, a text file's "Data sourced from")."""
    site_name: str | None = None
    """The site name a page states (``og:site_name``); the source only of a page without a web address."""
    author: str | None = None
    language: str | None = None
    categories: tuple[str, ...] = ()
    published_at: datetime | None = None
    feed_url: str | None = None
    feed_title: str | None = None
    entry_key: str | None = None
    fallback_reason: str | None = None
    """Why the entry's own text stands in for its page; None when the page (or a seed) was used."""
