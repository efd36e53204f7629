"""Normalization: ``ExtractedArticle`` -> ``schemas.Article`` with canonical URL, content hash and stable ID."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import apache_beam as beam
import courlan
from pydantic import ValidationError

from pipeline.documents import ExtractedArticle
from pipeline.errors import REJECTS, RejectedInput, emit_reject, unexpected
from pipeline.outputs import SplitOutputs
from pipeline.text import ENGLISH_STOP_WORDS
from schemas.models import Article

STAGE = "normalize"
ID_CHARS = 16
MIN_HEADLINE_COVERAGE = 0.25
"""A body with a smaller share of its headline's words is an exact copy only of the same headline and body."""
STEM_CHARS = 4
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def canonical_url(url: str | None) -> str | None:
    """The URL with scheme and host lowercased, tracking parameters and fragment removed; None if not http(s)."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    try:
        # strict=False: drop tracking parameters only; strict mode drops every parameter, and "?sid=1" and
        # "?sid=2" are two articles on many sites.
        normalized = courlan.normalize_url(url, strict=False)
    except (ValueError, AttributeError):
        normalized = url
    return urlunsplit(urlsplit(normalized)._replace(fragment=""))


def normalized_content(text: str) -> str:
    """Text folded for exact comparison: Unicode NFKC, case-folded, punctuation and spacing ignored."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def content_hash(text: str) -> str:
    """SHA-256 of the normalized content."""
    return hashlib.sha256(normalized_content(text).encode()).hexdigest()


def article_id(identity: str, digest: str) -> str:
    """Stable ID of one version of one article: its canonical URL (or seed location) and content hash."""
    return hashlib.sha256(f"{identity}\x1f{digest}".encode()).hexdigest()[:ID_CHARS]


def event_id_for(first_article_id: str) -> str:
    """An event's ID, derived from its first article."""
    return f"ev_{first_article_id}"


def _outlet(source: str | None, url: str | None) -> str | None:
    if source:
        return source.strip()
    if url:
        host = urlsplit(url).hostname or ""
        return host.removeprefix("www.") or None
    return None


def headline_coverage(title: str, text: str) -> float | None:
    """Share of the headline's content words (3+ letters, no stop words) found in the body, a word matching by
    its first 4 letters too (teens, teenagers); None for a headline of fewer than two such words."""
    headline = {word for word in normalized_content(title).split() if len(word) > 2 and word not in ENGLISH_STOP_WORDS}
    if len(headline) < 2:
        return None
    body = set(normalized_content(text).split())
    stems = {word[:STEM_CHARS] for word in body}
    return sum(1 for word in headline if word in body or word[:STEM_CHARS] in stems) / len(headline)


def covers_headline(title: str, text: str) -> bool:
    """Whether a body mentions enough of its headline (``MIN_HEADLINE_COVERAGE``) to stand for the article when
    compared with others; true when the headline is too short to tell."""
    coverage = headline_coverage(title, text)
    return coverage is None or coverage >= MIN_HEADLINE_COVERAGE


def content_fields(title: str, text: str | None, summary: str | None) -> dict:
    """``content_kind``, ``word_count`` and ``content_hash`` of an article's content: its body, else its headline
    and summary.

    A body that hardly mentions its headline (a share under ``MIN_HEADLINE_COVERAGE`` of its words) is hashed with
    the headline: such a body is usually page chrome the extractor kept, and matching chrome makes no copy.
    """
    content = text or " ".join(part for part in (title, summary) if part)
    hashed = content if not text or covers_headline(title, text) else f"{title}\n{text}"
    return {
        "content_kind": "body" if text else ("summary" if summary else "title_only"),
        "word_count": len(normalized_content(content).split()),
        "content_hash": content_hash(hashed),
    }


def normalize_article(extracted: ExtractedArticle, run_id: str, ingested_at: datetime) -> Article:
    """The schema row for an extracted article; raises ``RejectedInput`` when it does not validate."""
    text = extracted.text.strip() if extracted.text else None
    summary = extracted.summary.strip() if extracted.summary else None
    content = text or " ".join(part for part in (extracted.title, summary) if part)
    if not normalized_content(content):
        raise RejectedInput("no_text", "neither headline nor body has any words")
    canonical = canonical_url(extracted.url)
    fields = content_fields(extracted.title, text, summary)
    identity = article_id(canonical or extracted.source_ref, fields["content_hash"])
    try:
        return Article(
            article_id=identity,
            url=extracted.url,
            canonical_url=canonical,
            source=_outlet(extracted.source, canonical),
            origin=extracted.origin,
            source_ref=extracted.source_ref,
            title=extracted.title.strip(),
            text=text,
            summary=summary,
            author=extracted.author,
            language=extracted.language,
            categories=list(extracted.categories),
            published_at=extracted.published_at,
            **fields,
            event_id=event_id_for(identity),
            feed_url=extracted.feed_url,
            feed_title=extracted.feed_title,
            entry_key=extracted.entry_key,
            fallback_reason=extracted.fallback_reason,
            run_id=run_id,
            ingested_at=ingested_at,
        )
    except ValidationError as error:
        raise RejectedInput("invalid_article", str(error)) from error


class _NormalizeArticle(beam.DoFn):
    def __init__(self, run_id: str, ingested_at: datetime):
        self._run_id = run_id
        self._ingested_at = ingested_at

    def process(self, extracted: ExtractedArticle) -> Iterable:
        try:
            yield normalize_article(extracted, self._run_id, self._ingested_at)
        except RejectedInput as error:
            yield emit_reject(extracted.source_ref, STAGE, error, extracted.title)
        except Exception as error:  # one bad record must not stop the run: it becomes a reject
            yield emit_reject(extracted.source_ref, STAGE, unexpected(error, extracted.source_ref), extracted.title)


class NormalizeArticles(beam.PTransform):
    """``ExtractedArticle``s -> ``Article``s (main) and ``Reject``s (``rejects``)."""

    def __init__(self, run_id: str, ingested_at: datetime):
        super().__init__()
        self._run_id = run_id
        self._ingested_at = ingested_at

    def expand(self, extracted):
        return (
            extracted
            | "NormalizeArticle" >> beam.ParDo(_NormalizeArticle(self._run_id, self._ingested_at))
            | "NormalizeOutputs" >> SplitOutputs(REJECTS, main="articles")
        )
