"""Enrichment entry points: one article -> ``ArticleEnrichment``; an event's articles -> ``EventEnrichment`` -> rows.

``enrich_article`` runs every enricher on one article; ``merge_event`` combines the member articles of an event
(one spelling per actor across articles, roles by vote, the primary place most articles agree on, the best-
supported day); ``event_rows`` turns the result into ``schemas.enrichment`` rows with the supporting article of
each fact. All pure and deterministic; the gazetteers load once per process (``load_gazetteers`` in a
``DoFn.setup()``).
"""

from __future__ import annotations

import gc
import logging
from collections import Counter, defaultdict, namedtuple
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import datetime, time, timezone
from functools import cache
from operator import attrgetter
from typing import Any, TypeVar

from pipeline.enrich.actors import Actor, extract_actors
from pipeline.enrich.dates import EventDate, event_date
from pipeline.enrich.eventtype import EventType, classify_event
from pipeline.enrich.figures import Figure, extract_figures
from pipeline.enrich.gazetteer import run_names
from pipeline.enrich.keywords import keywords
from pipeline.enrich.language import Language, detect_language
from pipeline.enrich.mentions import fold, sentence_spans, trim_memos
from pipeline.enrich.places import Location, extract_locations
from pipeline.enrich.scan import scan_sentence
from pipeline.ids import row_key
from schemas.enrichment import ENRICHMENT_TABLES, EVENT_ENRICHMENT_TABLES, ArticleEnrichmentRecord
from schemas.generate import primary_key
from schemas.models import _Table

LOGGER = logging.getLogger(__name__)
T = TypeVar("T")

ARTICLE_KEYWORDS = 15
EVENT_KEYWORDS = 10
DATE_SOURCE_RANK = {"relative": 0, "dateline": 0, "stated": 1, "published": 2}
"""Days read from the text beat the publication date."""


@dataclass(frozen=True)
class ArticleEnrichment:
    """Everything the enrichers read in one article."""

    language: Language | None
    actors: tuple[Actor, ...]
    locations: tuple[Location, ...]
    event_type: EventType | None
    event_date: EventDate | None
    figures: tuple[Figure, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class EventActor:
    """An actor merged over an event's articles."""

    actor: Actor
    article_id: str
    article_ids: tuple[str, ...]


@dataclass(frozen=True)
class EventLocation:
    """A place merged over an event's articles."""

    location: Location
    article_id: str
    article_ids: tuple[str, ...]


@dataclass(frozen=True)
class EventEnrichment:
    """An event's enrichment, each fact with the article that supports it."""

    actors: tuple[EventActor, ...]
    locations: tuple[EventLocation, ...]
    event_type: EventType | None
    event_type_article_id: str | None
    event_date: EventDate | None
    event_date_article_id: str | None
    figures: tuple[tuple[str, Figure], ...]
    languages: tuple[str, ...]
    keywords: tuple[str, ...]
    article_ids: tuple[str, ...] = field(default=())


def enrich_article(
    title: str, text: str | None, published_at: datetime | None, url: str | None = None
) -> ArticleEnrichment:
    """Actors, places, event type, event date, figures, language and keywords of one article (``url``: its address,
    whose country-code domain helps place its towns)."""
    if not isinstance(title, str):
        raise TypeError(f"title must be a string, got {type(title).__name__}")
    if text is not None and not isinstance(text, str):
        raise TypeError(f"text must be a string or None, got {type(text).__name__}")
    collecting = gc.isenabled()
    gc.disable()  # no collections mid-article: its objects die by reference counting when it is done
    try:
        spans = sentence_spans(text or "")  # the text's sentences, split once for every enricher
        body = [sentence for _, sentence in spans]
        language = detect_language(f"{title}\n{text or ''}")
        return ArticleEnrichment(
            language=language,
            actors=tuple(extract_actors(title, text, body, language)),
            locations=tuple(extract_locations(title, text, url, spans)),
            event_type=classify_event(title, text, body),
            event_date=event_date(title, text, published_at, body),
            figures=tuple(extract_figures(text, body)),
            keywords=tuple(keywords([(title, text)], limit=ARTICLE_KEYWORDS)),
        )
    finally:
        # the scan and the runs' names are shared by the actor and place readers of one article; kept for the next
        # articles, their entries would outlive the collector's young generations and make its full passes come
        # more often (a worker that has enriched 2,000 reports: ~0.5 ms per 500 words, measured in
        # benchmarks/enrichment.py)
        scan_sentence.cache_clear()
        run_names.cache_clear()
        trim_memos()
        if collecting:
            gc.enable()


def _merge_actors(enrichments: Mapping[str, ArticleEnrichment]) -> tuple[EventActor, ...]:
    by_id: dict[str, list[tuple[str, Actor]]] = defaultdict(list)
    for article_id, enrichment in enrichments.items():
        for actor in enrichment.actors:
            by_id[actor.actor_id].append((article_id, actor))
    tails: dict[str, str | None] = {}  # a person's surname or last words -> the person (None: two people's)
    for actor_id in sorted(by_id, key=lambda key: -len(by_id[key][0][1].name.split())):
        words = fold(by_id[actor_id][0][1].name).split()
        if by_id[actor_id][0][1].kind != "person" or tails.get(" ".join(words)):
            continue  # the last words of a longer name: that person's
        for size in range(1, len(words)):
            tail = " ".join(words[-size:])
            tails[tail] = actor_id if tails.get(tail, actor_id) == actor_id else None
    for actor_id in sorted(by_id, key=lambda key: len(by_id[key][0][1].name.split())):
        first = by_id[actor_id][0][1]
        # a one-word person or body named as a person's surname elsewhere in the event is that person ("Fury from
        # Netanyahu's Allies" read as a body in one report, "Benjamin Netanyahu" in another), as is a person named
        # by the last words of a longer name ("Tayyip Erdogan", "Recep Tayyip Erdogan")
        alone = first.kind == "organisation" and " " not in first.name or first.kind == "person"
        target = tails.get(fold(first.name)) if alone else None
        if target and target != actor_id and target in by_id:
            by_id[target].extend(by_id.pop(actor_id))
    merged = []
    for actor_id, found in by_id.items():
        votes = Counter(actor.role for _, actor in found if actor.role != "mentioned")
        role = "mentioned"
        if votes:
            role = "mediator" if votes["mediator"] > votes["party"] else "party"
        support = next(((a, actor) for a, actor in found if actor.role == role), found[0])
        name = max((actor.name for _, actor in found), key=lambda n: (len(n.split()), n))
        actor = replace(
            support[1], actor_id=actor_id, name=name, role=role, mentions=sum(actor.mentions for _, actor in found)
        )
        article_ids = tuple(dict.fromkeys(article for article, _ in found))
        merged.append(EventActor(actor, support[0], article_ids))
    return tuple(sorted(merged, key=lambda e: (-e.actor.mentions, e.actor.actor_id)))


def _merge_locations(enrichments: Mapping[str, ArticleEnrichment]) -> tuple[EventLocation, ...]:
    by_id: dict[str, list[tuple[str, Location]]] = defaultdict(list)
    for article_id, enrichment in enrichments.items():
        for location in enrichment.locations:
            by_id[location.location_id].append((article_id, location))
    primary_votes = Counter(
        location_id for location_id, found in by_id.items() for _, location in found if location.is_primary
    )
    scores = {location_id: sum(location.score for _, location in found) for location_id, found in by_id.items()}
    primary = max(primary_votes, key=lambda key: (primary_votes[key], scores[key], key)) if primary_votes else None
    merged = []
    for location_id, found in by_id.items():
        article_id, best = max(found, key=lambda item: (item[1].is_primary, item[1].score))
        location = replace(
            best,
            is_primary=location_id == primary,
            score=scores[location_id],
            mentions=sum(location.mentions for _, location in found),
        )
        merged.append(EventLocation(location, article_id, tuple(dict.fromkeys(a for a, _ in found))))
    return tuple(sorted(merged, key=lambda e: (not e.location.is_primary, -e.location.score, e.location.location_id)))


def _merge_event_type(enrichments: Mapping[str, ArticleEnrichment]) -> tuple[EventType | None, str | None]:
    totals: Counter[str] = Counter()
    best: dict[str, tuple[int, str, EventType]] = {}
    for article_id, enrichment in enrichments.items():
        if enrichment.event_type is None:
            continue
        code = enrichment.event_type.code
        totals[code] += enrichment.event_type.score
        if code not in best or enrichment.event_type.score > best[code][0]:
            best[code] = (enrichment.event_type.score, article_id, enrichment.event_type)
    if not totals:
        return None, None
    code = max(totals, key=lambda c: (totals[c], c))
    _, article_id, event_type = best[code]
    total = sum(totals.values())
    # unscored types (stored rows without a score read as 0) share the confidence evenly: 1.0 for one type
    confidence = round(totals[code] / total if total else 1 / len(totals), 3)
    return replace(event_type, score=totals[code], confidence=confidence), article_id


def _merge_event_date(enrichments: Mapping[str, ArticleEnrichment]) -> tuple[EventDate | None, str | None]:
    dated = [(article_id, e.event_date) for article_id, e in enrichments.items() if e.event_date is not None]
    if not dated:
        return None, None
    best_rank = min(DATE_SOURCE_RANK[date.source] for _, date in dated)
    candidates = [(article_id, date) for article_id, date in dated if DATE_SOURCE_RANK[date.source] == best_rank]
    support = Counter(date.day for _, date in candidates)
    day = min(support, key=lambda d: (-support[d], d))
    return next((date, article_id) for article_id, date in candidates if date.day == day)


def merge_event(enrichments: Mapping[str, ArticleEnrichment]) -> EventEnrichment:
    """Combine the enrichments of an event's member articles (``article_id -> ArticleEnrichment``)."""
    if not enrichments:
        raise ValueError("an event needs at least one enriched article")
    event_type, event_type_article = _merge_event_type(enrichments)
    day, day_article = _merge_event_date(enrichments)
    figures: dict[tuple[float, str], tuple[str, Figure]] = {}
    for article_id, enrichment in enrichments.items():
        for figure in enrichment.figures:
            figures.setdefault((figure.value, fold(figure.counts)), (article_id, figure))
    keyword_support: Counter[str] = Counter()
    for enrichment in enrichments.values():
        for rank, word in enumerate(enrichment.keywords):
            keyword_support[word] += ARTICLE_KEYWORDS - rank
    return EventEnrichment(
        actors=_merge_actors(enrichments),
        locations=_merge_locations(enrichments),
        event_type=event_type,
        event_type_article_id=event_type_article,
        event_date=day,
        event_date_article_id=day_article,
        figures=tuple(figures.values()),
        languages=tuple(sorted({e.language.code for e in enrichments.values() if e.language})),
        keywords=tuple(sorted(keyword_support, key=lambda w: (-keyword_support[w], w))[:EVENT_KEYWORDS]),
        article_ids=tuple(enrichments),
    )


RENAMED = {"country_iso2": "iso2", "country_iso3": "iso3"}
"""Record columns whose dataclass attribute has another name (``Actor.iso2``); every other column is named as its
attribute."""


def from_row(cls: type[T], row: Mapping[str, Any]) -> T:
    """A ``cls`` dataclass from the same-named columns (``RENAMED``) of a stored row."""
    return cls(**{name: row[column] for name, column in _columns_of(cls)})


@cache
def _columns_of(cls: type) -> tuple[tuple[str, str], ...]:
    """``(attribute, column)`` for each field of a dataclass, worked out once (the loader rebuilds thousands)."""
    return tuple((item.name, COLUMN_OF.get(item.name, item.name)) for item in fields(cls))


COLUMN_OF = {attribute: column for column, attribute in RENAMED.items()}


def _records(table: str, owner: str, owner_id: str, facts: Iterable[tuple[tuple, tuple, dict]]) -> list[_Table]:
    """One ``table`` record per fact of an article (``owner``: its ID column, ``owner_id``). A fact is ``(sources,
    key parts, values)``: the record takes ``values``, the key ``row_key(owner_id, *key parts)`` and the rest from
    the sources (``_row_builder``); pydantic validates it."""
    model, key = ENRICHMENT_TABLES[table], _primary_key(table)
    records = []
    for sources, parts, values in facts:
        values = {key: row_key(owner_id, *parts), owner: owner_id, **values}
        records.append(model(**_row_builder(table, tuple(map(type, sources)), tuple(values))(sources, values)))
    return records


def _midnight(event: EventDate | None) -> datetime | None:
    return datetime.combine(event.day, time(0), tzinfo=timezone.utc) if event else None


def article_row(article_id: str, enrichment: ArticleEnrichment) -> ArticleEnrichmentRecord:
    """The ``article_enrichments`` row of one article (its event is ``articles.event_id``, settled by the loader)."""
    return ArticleEnrichmentRecord(
        article_id=article_id,
        language=enrichment.language.code if enrichment.language else None,
        language_confidence=enrichment.language.confidence if enrichment.language else None,
        event_type=enrichment.event_type.code if enrichment.event_type else None,
        event_type_score=enrichment.event_type.score if enrichment.event_type else None,
        event_type_evidence=enrichment.event_type.evidence if enrichment.event_type else None,
        event_type_confidence=enrichment.event_type.confidence if enrichment.event_type else None,
        event_date=_midnight(enrichment.event_date),
        event_date_source=enrichment.event_date.source if enrichment.event_date else None,
        event_date_evidence=enrichment.event_date.evidence if enrichment.event_date else None,
        keywords=list(enrichment.keywords),
    )


def article_rows(article_id: str, enrichment: ArticleEnrichment) -> dict[str, list[_Table]]:
    """The rows of every article-level table for one article: table name -> records."""
    if not article_id:
        raise ValueError("article_id must not be empty")
    facts = {
        "article_actors": [((actor,), (actor.actor_id,)) for actor in enrichment.actors],
        "article_locations": [((place,), (place.location_id,)) for place in enrichment.locations],
        "article_figures": [((figure,), (str(i),)) for i, figure in enumerate(enrichment.figures)],
    }
    rows: dict[str, list[_Table]] = {"article_enrichments": [article_row(article_id, enrichment)]}
    for table, found in facts.items():
        positioned = [(sources, parts, {"position": i}) for i, (sources, parts) in enumerate(found)]
        rows[table] = _records(table, "article_id", article_id, positioned)
    return rows


EVENT_ROW_TYPES: dict[str, type[tuple]] = {
    table: namedtuple(f"{model.__name__}Row", list(model.model_fields))
    for table, model in EVENT_ENRICHMENT_TABLES.items()
}
"""A plain row type per event-level table, its fields the record model's columns in order: the loader rebuilds
thousands of event rows a run, and validating each as a pydantic record was the largest part of that work (the
tests validate them)."""


@cache
def _primary_key(table: str) -> str:
    return primary_key(table)


@cache
def _row_builder(table: str, types: tuple[type, ...], given: tuple[str, ...]) -> Callable[[tuple, dict], dict]:
    """How a ``table`` row's column values are made from its sources (of these ``types``) and the ``given`` values
    (a dict by column): each column not given is the same-named attribute (``RENAMED``) of the first source that
    has it, else the field's default. The schema's field names drive the mapping, so a field added to both the
    dataclass and the record needs no further edit. Worked out once per table, source types and given names; each
    source's attributes are then read by one ``attrgetter``."""
    taken: dict[int, list[tuple[str, str]]] = defaultdict(list)
    defaults = []
    for name, info in ENRICHMENT_TABLES[table].model_fields.items():
        attribute = RENAMED.get(name, name)
        index = next((i for i, kind in enumerate(types) if _has_attribute(kind, attribute)), None)
        if name in given:
            continue
        if index is not None:
            taken[index].append((name, attribute))
        elif not info.is_required():
            defaults.append((name, info))
        else:
            raise ValueError(f"{table}.{name}: no source has it and it has no default")
    readers = [
        (index, tuple(name for name, _ in columns), attrgetter(*(attribute for _, attribute in columns)), len(columns))
        for index, columns in taken.items()
    ]

    def build(sources: tuple, values: dict) -> dict:
        row = dict(values)
        for index, names, read, count in readers:
            if count == 1:
                row[names[0]] = read(sources[index])
            else:
                row.update(zip(names, read(sources[index]), strict=True))
        for name, info in defaults:
            row[name] = info.get_default(call_default_factory=True)
        return row

    return build


def _has_attribute(kind: type, attribute: str) -> bool:
    """Whether instances of ``kind`` have an attribute: a dataclass field (with or without a default) or anything
    the class itself has."""
    return (is_dataclass(kind) and attribute in {item.name for item in fields(kind)}) or hasattr(kind, attribute)


def _event_records(table: str, event_id: str, facts: Iterable[tuple[tuple, tuple, dict]]) -> list[tuple]:
    """``_records`` for an event-level table, as ``EVENT_ROW_TYPES`` rows."""
    key, row_type = _primary_key(table), EVENT_ROW_TYPES[table]
    rows = []
    for sources, parts, values in facts:
        values = {key: row_key(event_id, *parts), "event_id": event_id, **values}
        rows.append(row_type(**_row_builder(table, tuple(map(type, sources)), tuple(values))(sources, values)))
    return rows


def event_rows(event_id: str, event: EventEnrichment) -> dict[str, list[tuple]]:
    """Rows of ``event_enrichments``, ``event_actors``, ``event_locations`` and ``event_figures`` for one event,
    as ``EVENT_ROW_TYPES``."""
    if not event_id:
        raise ValueError("event_id must not be empty")
    primary = next((item.location for item in event.locations if item.location.is_primary), None)
    summary = EVENT_ROW_TYPES["event_enrichments"](
        event_id=event_id,
        event_type=event.event_type.code if event.event_type else None,
        event_type_evidence=event.event_type.evidence if event.event_type else None,
        event_type_article_id=event.event_type_article_id,
        event_type_confidence=event.event_type.confidence if event.event_type else None,
        event_date=_midnight(event.event_date),
        event_date_source=event.event_date.source if event.event_date else None,
        event_date_article_id=event.event_date_article_id,
        primary_location_id=primary.location_id if primary else None,
        primary_location_name=primary.name if primary else None,
        primary_country_code=primary.country_code if primary else None,
        languages=list(event.languages),
        keywords=list(event.keywords),
    )
    return {
        "event_enrichments": [summary],
        **{table: _event_records(table, event_id, found) for table, found in event_facts(event).items()},
    }


def event_facts(event: EventEnrichment) -> dict[str, list[tuple[tuple, tuple, dict]]]:
    """Per event table, each row's (source objects, row-key parts, further values), in row order."""
    return {
        "event_actors": [((item, item.actor), (item.actor.actor_id,), {}) for item in event.actors],
        "event_locations": [((item, item.location), (item.location.location_id,), {}) for item in event.locations],
        "event_figures": [
            ((figure,), (article_id, figure.sentence, figure.quantity), {"article_id": article_id})
            for article_id, figure in event.figures
        ],
    }
