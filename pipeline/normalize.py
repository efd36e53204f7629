"""Normalization: ``ExtractedArticle`` -> ``schemas.Article`` with canonical URL, content hash and stable ID."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import apache_beam as beam
import courlan
from pydantic import ValidationError

from pipeline import ids
from pipeline.documents import SHARED_PAGE, ExtractedArticle
from pipeline.errors import REJECTS, RejectedInput, emit_reject, unexpected
from pipeline.outputs import SplitOutputs
from pipeline.text import headline_coverage, normalized_content
from schemas.models import Article

STAGE = "normalize"
MIN_HEADLINE_COVERAGE = 0.25
"""A body with a smaller share of its headline's words is an exact copy only of the same headline and body."""
COVERAGE_CACHE = 8192
"""Articles whose :func:`covers_headline` answer a worker keeps: more than a window of seeds holds
(``--window_mib``), so that the near-duplicate stage gets again for free what normalization computed (a
normalization of the whole body, ~2% of a run's CPU)."""


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


def content_hash(text: str) -> str:
    """SHA-256 of the normalized content."""
    return hashlib.sha256(normalized_content(text).encode()).hexdigest()


def outlet(extracted: ExtractedArticle) -> str | None:
    """The article's source, one per outlet: the outlet the record names, else its web address's host (``www.``
    and port dropped), else the site name its page states. A fetched page and a fallback from its feed entry are
    one outlet (the page's site name, "Harbour Times", is not the fallback's, and the fetched page's host may
    carry a port the fallback's does not)."""
    if extracted.source and extracted.source.strip():
        return extracted.source.strip()
    page = canonical_url(extracted.url)
    host = (urlsplit(page).hostname or "").removeprefix("www.") if page else ""
    return host or (extracted.site_name.strip() if extracted.site_name else None) or None


@lru_cache(maxsize=COVERAGE_CACHE)
def covers_headline(title: str, text: str, url: str | None = None) -> bool:
    """Whether a body mentions enough of its headline (``MIN_HEADLINE_COVERAGE``) to stand for the article when
    compared with others; true when the headline has no content words to tell by."""
    coverage = headline_coverage(title, text, url)
    return coverage is None or coverage >= MIN_HEADLINE_COVERAGE


def content_fields(title: str, text: str | None, summary: str | None, url: str | None = None) -> dict:
    """``content_kind``, ``word_count`` and ``content_hash`` of an article's content: its body, else its headline
    and summary.

    A body that hardly mentions its headline (a share under ``MIN_HEADLINE_COVERAGE`` of its words) is hashed with
    the headline: such a body is usually page chrome the extractor kept, and matching chrome makes no copy.
    """
    content = text or " ".join(part for part in (title, summary) if part)
    hashed = content if not text or covers_headline(title, text, url) else f"{title}\n{text}"
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
    page = canonical_url(extracted.url)
    canonical = None if extracted.fallback_reason == SHARED_PAGE else page  # the page is another entry's article
    fields = content_fields(extracted.title, text, summary, extracted.url)
    identity = ids.article_id(canonical or extracted.source_ref, fields["content_hash"])
    try:
        return Article(
            article_id=identity,
            url=extracted.url,
            canonical_url=canonical,
            source=outlet(extracted),
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
            event_id=ids.event_id(identity),
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
