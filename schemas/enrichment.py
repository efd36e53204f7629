"""Tables of the enrichment stage: who did what to whom, where and when, one row per fact with its article.

Same conventions as ``schemas.models`` (one model per DuckDB table, ``Optional`` -> nullable, ``list[str]`` ->
``VARCHAR[]``, ``datetime`` -> ``TIMESTAMPTZ``; exactly one primary key, derived from the row's content so a
re-run writes the same keys). Event dates are days, stored as midnight UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from schemas.base import _key, _Table

EventTypeCode = Literal[
    "consult",
    "agree",
    "support",
    "concede",
    "cooperate",
    "aid",
    "retreat",
    "request",
    "accuse",
    "reject",
    "threaten",
    "protest",
    "sanction",
    "mobilize",
    "coerce",
    "assault",
]
DateSource = Literal["relative", "dateline", "stated", "published"]


class ArticleEnrichmentRecord(_Table):
    """What the enrichment read in one article."""

    article_id: str = _key("The article (articles.article_id; its event is articles.event_id).")
    language: str | None = Field(None, description="ISO 639-1 code detected from the text; null when unsure.")
    language_confidence: float | None = Field(None, description="The detector's probability for it.")
    event_type: EventTypeCode | None = Field(None, description="PLOVER-aligned event type; null without a cue.")
    event_type_score: int | None = Field(None, description="Weighted cue count behind the event type.")
    event_type_evidence: str | None = Field(None, description="The sentence showing the event type.")
    event_type_confidence: float | None = Field(
        None, description="Share of the article's event-type cue weight that points to this type (0-1)."
    )
    event_date: datetime | None = Field(None, description="Day the event happened (midnight UTC); null if unknown.")
    event_date_source: DateSource | None = Field(None, description="How the day was found.")
    event_date_evidence: str | None = Field(None, description="The words (or date) the day comes from.")
    keywords: list[str] = Field(default_factory=list, description="The article's keywords, most salient first.")


class ArticleActorRecord(_Table):
    """An actor one article names, with the role that article gives it: event_actors is merged from these."""

    article_actor_id: str = _key("Hash of article_id and actor_id.")
    article_id: str
    position: int = Field(description="Order of the actor in the article's enrichment (most salient first).")
    actor_id: str = Field(description="Normalised actor key: 'country:ISR', 'organisation:hamas', 'person:...'.")
    name: str
    kind: Literal["country", "organisation", "person"]
    country_iso2: str | None = None
    country_iso3: str | None = None
    role: Literal["mediator", "party", "mentioned"]
    mentions: int = Field(description="Sentences of the article naming the actor.")
    evidence: str = Field(description="The sentence supporting the role.")


class ArticleLocationRecord(_Table):
    """A place one article names, resolved to a gazetteer entry: event_locations is merged from these."""

    article_location_id: str = _key("Hash of article_id and location_id.")
    article_id: str
    position: int = Field(description="Order of the place in the article's enrichment (primary first).")
    location_id: str = Field(description="Gazetteer key: 'geonames:<id>' or 'iso3166:<alpha-3>'.")
    name: str
    kind: Literal["city", "admin1", "country", "admin2", "continent"]
    country_code: str = Field(description="ISO 3166 alpha-2.")
    latitude: float | None = None
    longitude: float | None = None
    is_primary: bool = Field(description="Where the article places the event (else a place it concerns).")
    score: int = Field(description="Salience: mentions weighted by position and locative cues.")
    mentions: int
    evidence: str


class ArticleFigureRecord(_Table):
    """A number one article states and what it counts: event_figures is merged from these."""

    article_figure_id: str = _key("Hash of article_id and position.")
    article_id: str
    position: int = Field(description="Order of the figure in the article.")
    value: float = Field(description="The number: 1500 for '1,500', 2000000 for '2 million'.")
    quantity: str = Field(description="The number as written.")
    counts: str = Field(description="What it counts, with an outcome where stated: 'Palestinians killed'.")
    qualifier: str | None = None
    sentence: str


class EventEnrichmentRecord(_Table):
    """The event-level summary: type, day, primary place, keywords, merged from the member articles."""

    event_id: str = _key("The event (events.event_id).")
    event_type: EventTypeCode | None = Field(None, description="Event type with the highest score over articles.")
    event_type_evidence: str | None = None
    event_type_article_id: str | None = Field(None, description="The article the evidence sentence is from.")
    event_type_confidence: float | None = Field(
        None, description="Share of the member articles' event-type scores that points to this type (0-1)."
    )
    event_date: datetime | None = Field(None, description="Day the event happened (midnight UTC); null if unknown.")
    event_date_source: DateSource | None = None
    event_date_article_id: str | None = Field(None, description="The article the day comes from.")
    primary_location_id: str | None = Field(None, description="event_locations.location_id of the primary place.")
    primary_location_name: str | None = None
    primary_country_code: str | None = Field(None, description="ISO 3166 alpha-2 of the primary place.")
    languages: list[str] = Field(default_factory=list, description="Languages of the member articles.")
    keywords: list[str] = Field(default_factory=list, description="Keywords of the event, most salient first.")


class EventActorRecord(_Table):
    """An actor of an event, with its role and the articles that name it."""

    event_actor_id: str = _key("Hash of event_id and actor_id.")
    event_id: str
    actor_id: str = Field(description="Normalised actor key: 'country:ISR', 'organisation:hamas', 'person:...'.")
    name: str = Field(description="One spelling per actor (ISO short name for countries).")
    kind: Literal["country", "organisation", "person"]
    country_iso2: str | None = Field(None, description="ISO 3166 alpha-2, for country actors.")
    country_iso3: str | None = Field(None, description="ISO 3166 alpha-3, for country actors.")
    role: Literal["mediator", "party", "mentioned"] = Field(description="Role in the event where it can be told.")
    mentions: int = Field(description="Sentences naming the actor, over all member articles.")
    article_id: str = Field(description="The article supporting the role (else the first naming the actor).")
    article_ids: list[str] = Field(default_factory=list, description="Every member article naming the actor.")
    evidence: str = Field(description="The sentence supporting the role.")


class EventLocationRecord(_Table):
    """A place of an event resolved to a gazetteer entry; one is the primary location."""

    event_location_id: str = _key("Hash of event_id and location_id.")
    event_id: str
    location_id: str = Field(description="Gazetteer key: 'geonames:<id>' or 'iso3166:<alpha-3>'.")
    name: str
    kind: Literal["city", "admin1", "country", "admin2", "continent"]
    country_code: str = Field(description="ISO 3166 alpha-2.")
    latitude: float | None = None
    longitude: float | None = None
    is_primary: bool = Field(description="Where the event happens (else a place it concerns).")
    score: int = Field(description="Salience: mentions weighted by position and locative cues.")
    mentions: int
    article_id: str = Field(description="The article with the strongest evidence.")
    article_ids: list[str] = Field(default_factory=list)
    evidence: str


class EventFigureRecord(_Table):
    """A number an article states about the event and what it counts."""

    figure_id: str = _key("Hash of event_id, article_id, sentence and quantity.")
    event_id: str
    article_id: str = Field(description="The article stating the figure.")
    value: float = Field(description="The number: 1500 for '1,500', 2000000 for '2 million'.")
    quantity: str = Field(description="The number as written.")
    counts: str = Field(description="What it counts, with an outcome where stated: 'Palestinians killed'.")
    qualifier: str | None = Field(None, description="'more than', 'at least', 'approximately', ...")
    sentence: str


ARTICLE_ENRICHMENT_TABLES: dict[str, type[_Table]] = {
    "article_enrichments": ArticleEnrichmentRecord,
    "article_actors": ArticleActorRecord,
    "article_locations": ArticleLocationRecord,
    "article_figures": ArticleFigureRecord,
}
"""Written by the pipeline's enrichment stage, one set of rows per new article; never changed afterwards."""

EVENT_ENRICHMENT_TABLES: dict[str, type[_Table]] = {
    "event_enrichments": EventEnrichmentRecord,
    "event_actors": EventActorRecord,
    "event_locations": EventLocationRecord,
    "event_figures": EventFigureRecord,
}
"""Recomputed by the loader for every event a run touches, from the stored rows of its member articles."""

ENRICHMENT_TABLES: dict[str, type[_Table]] = {**ARTICLE_ENRICHMENT_TABLES, **EVENT_ENRICHMENT_TABLES}
