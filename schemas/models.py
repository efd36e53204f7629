"""wirebeam's data contracts: the pydantic models every table is generated from.

Each model is one DuckDB table. Field types map to columns (``Optional`` -> nullable, ``list[str]`` ->
``VARCHAR[]``, ``dict`` -> ``JSON``, ``datetime`` -> ``TIMESTAMPTZ`` in UTC); a field marked with
``primary_key`` in its ``json_schema_extra`` is the table's key. ``schemas.generate`` derives the JSON Schema
files, the DuckDB DDL and the Arrow schemas of the staging shards from these classes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from schemas.base import _key, _Table
from schemas.enrichment import ENRICHMENT_TABLES


class Article(_Table):
    """One news article, as read from a seed file or a feed entry."""

    article_id: str = _key("Stable ID: hash of the canonical URL (or seed location) and the content hash.")
    url: str | None = Field(None, description="URL as given by the source.")
    canonical_url: str | None = Field(None, description="URL normalized: scheme/host lowercased, no tracking.")
    source: str | None = Field(None, description="Outlet or site name, e.g. 'Reuters' or 'cnbc.com'.")
    origin: Literal["seed", "feed"] = Field(description="How the article reached wirebeam.")
    source_ref: str = Field(description="Where it was read: seed file (and record index) or feed URL.")
    title: str = Field(description="Headline.")
    text: str | None = Field(None, description="Main body text; null for title-only items.")
    summary: str | None = Field(None, description="Standfirst or feed summary, when given.")
    author: str | None = None
    language: str | None = Field(None, description="ISO 639-1 code when known.")
    categories: list[str] = Field(default_factory=list)
    published_at: datetime | None = Field(None, description="Publication time in UTC; null when not stated.")
    content_kind: Literal["body", "summary", "title_only"] = Field(
        description="What content the article has: a full body, only a summary, or only a headline."
    )
    word_count: int = Field(description="Words in the body (or summary, or title).")
    content_hash: str = Field(description="SHA-256 of the normalized content, for exact duplicates.")
    duplicate_of: str | None = Field(None, description="The original article when this is an exact copy.")
    near_duplicate_of: str | None = Field(None, description="The article this republishes with edits.")
    near_duplicate_score: float | None = Field(None, description="Jaccard similarity of the word 3-shingles to it.")
    event_id: str = Field(description="The event this article reports.")
    storyline_id: str | None = Field(None, description="The storyline (running story) its event belongs to.")
    feed_url: str | None = None
    feed_title: str | None = None
    entry_key: str | None = Field(
        None, description="Feed entry identity: a hash of its GUID, else link, else text (live and saved feeds alike)."
    )
    fallback_reason: str | None = Field(
        None,
        description="Why the feed entry's own text is stored instead of its page (fetch or extraction failure, or "
        "'shared_page': the page is another entry's article).",
    )
    run_id: str = Field(description="The run that first stored this article.")
    ingested_at: datetime = Field(description="When the run read it (UTC).")
    body_status: str | None = Field(
        None,
        description="What the page's body was: 'ok', or why it is no article body and the article is kept as a "
        "headline (and summary) only: 'empty', 'chrome' (only page chrome), 'too_short' (kept as the summary), or a "
        "wall ('consent_wall', 'login_wall', 'subscription_wall', 'verification_wall', 'newsletter_wall', "
        "'javascript_required'); null when no body was given.",
    )
    original_text: str | None = Field(
        None,
        description="The body as extracted, when it differs from ``text``: before its source's repeated "
        "paragraphs (site chrome) were removed, or a junk body.",
    )
    fetch_attempts: int = Field(0, description="Fetches of a fallback's page after the first (transient failures).")
    next_fetch_at: datetime | None = Field(
        None, description="When a fallback's page is fetched again; null: at the next run, or never once permanent."
    )


class Event(_Table):
    """A real-world happening: every article that reported it, grouped."""

    event_id: str = _key("Stable ID, derived from the event's first article.")
    title: str = Field(description="Headline of the canonical article.")
    canonical_article_id: str = Field(description="Earliest original report (ties: the longest).")
    article_count: int = Field(description="All member articles, duplicates included.")
    source_count: int = Field(description="Distinct outlets among the members.")
    first_published_at: datetime | None = None
    last_published_at: datetime | None = None
    created_run_id: str
    updated_run_id: str
    storyline_id: str | None = Field(None, description="The storyline (running story) the event belongs to.")


class Storyline(_Table):
    """A running story: the events that belong together (a shooting, the arrest, the trial; rounds of talks)."""

    storyline_id: str = _key("Stable ID, derived from the storyline's first article.")
    title: str = Field(description="Title of its event with the most articles (ties: the earliest).")
    first_published_at: datetime | None = Field(None, description="Earliest publication time of its articles.")
    last_published_at: datetime | None = Field(None, description="Latest publication time of its articles.")
    event_count: int = Field(description="Events in the storyline.")
    article_count: int = Field(description="Articles of its events, duplicates included.")
    created_run_id: str
    updated_run_id: str


class Run(_Table):
    """One execution of ``wirebeam run``."""

    run_id: str = _key("Time-ordered run ID.")
    started_at: datetime
    finished_at: datetime | None = None
    mode: Literal["offline", "online"]
    status: Literal["completed", "failed", "interrupted"]
    options: dict[str, Any] = Field(default_factory=dict, description="The run's options, as JSON.")
    articles_read: int = 0
    articles_new: int = 0
    articles_upgraded: int = Field(
        0, description="Stored articles whose page this run fetched again, replacing the feed entry's text in place."
    )
    exact_duplicates: int = 0
    near_duplicates: int = 0
    rejected: int = 0
    events_new: int = 0
    events_updated: int = 0
    junk_bodies: int = Field(0, description="New articles whose body was junk (see articles.body_status).")
    feed_counts: dict[str, Any] = Field(
        default_factory=dict,
        description="Per polled feed URL: status, error, entries read, new articles stored, page fallbacks (JSON).",
    )
    error: str | None = None


class Reject(_Table):
    """A record that could not be processed, with where and why."""

    reject_id: str = _key("Hash of source, stage, reason and detail: the same failure is stored once.")
    run_id: str = Field(description="The run that first saw this failure.")
    source_ref: str = Field(description="Seed file (and record index), feed URL or page URL.")
    stage: str = Field(description="Pipeline stage: read, extract, normalize, fetch, ...")
    reason: str = Field(description="Short snake_case reason, e.g. 'binary_file'.")
    detail: str | None = Field(None, description="Error text or context.")
    record: str | None = Field(None, description="The start of the offending input, when text.")
    rejected_at: datetime


class ArticleSignature(_Table):
    """An article's MinHash signature and LSH band keys: later runs find near-duplicates by joining on them."""

    article_id: str = _key("The article.")
    signature: bytes = Field(description="MinHash signature, little-endian uint32 slots.")
    band_keys: list[str] = Field(description="LSH band keys, '<band>:<hex>'; salted with the MinHash settings.")


class ArticleFeatures(_Table):
    """An article's event-grouping features: later runs attach new articles to stored events with them."""

    article_id: str = _key("The article.")
    features: dict[str, Any] = Field(description="Top TF-IDF terms, entities and time, as JSON.")
    blocking_keys: list[str] = Field(description="Salient terms and entities that find candidate events.")
    terms: list[str] = Field(description="Distinct terms, counted into term_stats for IDF weights.")
    features_version: int = Field(
        1,
        description="The feature recipe that computed them (pipeline.events.features.FEATURES_VERSION); rows stored "
        "before versions were recorded are 1. A run first re-computes rows of another version (its negative while "
        "their terms are re-counted and their features not yet).",
    )


class ArticleParagraphs(_Table):
    """The paragraphs an article's body had, as hashes: later runs learn each outlet's repeated chrome from them."""

    article_id: str = _key("The article.")
    keys: list[str] = Field(
        description="'<outlet>\\x1f<paragraph hash>' for each distinct paragraph, and '*\\x1f<paragraph hash>' "
        "for the short ones (counted across outlets)."
    )
    witnesses: list[str] = Field(
        description="For each key, what makes an occurrence distinct: a hash of the headline (per outlet) or of the "
        "outlet (across outlets)."
    )


class TermStat(_Table):
    """How many stored event representatives contain a term: the corpus statistics behind IDF weights."""

    term: str = _key("A term of ``pipeline.events.features.terms``.")
    doc_count: int = Field(description="Representative articles containing it.")


class ArticleLink(_Table):
    """A scored pair of articles: why two articles were grouped."""

    link_id: str = _key("Hash of the two articles and the method.")
    article_id: str = Field(description="The later article.")
    other_article_id: str = Field(description="The article it was linked to.")
    method: Literal["minhash", "event"] = Field(
        description="minhash: near-duplicate; event: reports of one happening. Exact copies use duplicate_of."
    )
    score: float = Field(description="Similarity: 1 for exact copies, shingle Jaccard, or event score.")
    run_id: str = Field(description="The run that found the link.")
    features: dict[str, Any] | None = Field(
        None,
        description="For an event link, the grouping model's feature values of the pair (pipeline.events.features."
        "pair_features: cosines of text, headline, lead, entities, numbers, dates; the time gap), as JSON.",
    )


class Feed(_Table):
    """A subscribed feed's polling state and health, as left by the last run that polled it."""

    url: str = _key("Current feed URL (a permanent redirect replaces it).")
    title: str | None = None
    etag: str | None = Field(None, description="ETag of the last fetched copy, sent as If-None-Match.")
    last_modified: str | None = Field(None, description="Last-Modified of the last copy, sent as If-Modified-Since.")
    last_status: int | None = Field(None, description="HTTP status of the last poll; null when nothing answered.")
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    consecutive_failures: int = 0
    last_error: str | None = Field(None, description="Reason of the last failure (or note, e.g. empty_feed).")
    next_poll_at: datetime | None = Field(None, description="Not polled before this time (backoff, Retry-After).")
    previous_urls: list[str] = Field(default_factory=list, description="URLs before permanent redirects.")
    entry_count: int = Field(0, description="Entries in the last fetched copy of the feed.")
    updated_run_id: str = Field(description="The run that last polled the feed.")
    disabled: bool | None = Field(None, description="True after `wirebeam feeds disable`: not polled until enabled.")


class EntryRead(_Table):
    """When a feed entry was last read: a stored entry whose feed states a later ``updated`` time is read again."""

    entry_key: str = _key("The entry's key (``pipeline.ids.entry_key``).")
    read_at: datetime = Field(
        description="When the entry's page was last fetched, or the entry's stated updated time if that is later."
    )
    feed_url: str | None = Field(
        None,
        description="The feed the entry was read from (its URL then); null for reads recorded before it was kept.",
    )


TABLES: dict[str, type[_Table]] = {
    "articles": Article,
    "events": Event,
    "storylines": Storyline,
    "runs": Run,
    "rejects": Reject,
    "article_signatures": ArticleSignature,
    "article_features": ArticleFeatures,
    "article_links": ArticleLink,
    "term_stats": TermStat,
    "article_paragraphs": ArticleParagraphs,
    "feeds": Feed,
    "entry_reads": EntryRead,
    **ENRICHMENT_TABLES,
}
