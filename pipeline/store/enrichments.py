"""Enrichment in the database: article-level rows in, event-level rows recomputed from them in the loader.

An article's enrichment never changes, so the pipeline stores it once, as rows of the article-level tables
(``pipeline.enrich.enrich.article_rows``). An event can gain members in any later run, so its rows
(``event_enrichments``, ``event_actors``, ``event_locations``, ``event_figures``) are derived:
``refresh_event_enrichments`` runs inside the loader's transaction, reads back the stored article-level rows of
the touched events' members only, rebuilds each ``ArticleEnrichment`` (``enrichment_from_rows``), merges them
with ``merge_event`` and replaces the events' rows; an event of one article, whose merge is that article's rows,
has them copied in SQL instead (what ``merge_event`` does to one article, written again: a test holds the two
equal). Work is proportional to the touched events, whatever the size of the database. This module is the one
writer of the event-level enrichment tables.
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import duckdb
import pyarrow as pa

from pipeline.enrich.actors import Actor
from pipeline.enrich.dates import EventDate
from pipeline.enrich.enrich import (
    EVENT_KEYWORDS,
    EVENT_ROW_TYPES,
    ArticleEnrichment,
    event_rows,
    from_row,
    merge_event,
)
from pipeline.enrich.eventtype import EventType
from pipeline.enrich.figures import Figure
from pipeline.enrich.language import Language
from pipeline.enrich.mentions import fold
from pipeline.enrich.places import Location
from pipeline.ids import row_key
from pipeline.store.statements import registered, rows, sql
from schemas.enrichment import EVENT_ENRICHMENT_TABLES
from schemas.generate import arrow_schema, column_names, primary_key

LOGGER = logging.getLogger(__name__)


def _day(value: datetime):
    return value.astimezone(timezone.utc).date()


def enrichment_from_rows(
    summary: Mapping[str, Any],
    actors: Iterable[Mapping[str, Any]] = (),
    locations: Iterable[Mapping[str, Any]] = (),
    figures: Iterable[Mapping[str, Any]] = (),
) -> ArticleEnrichment:
    """Rebuild an article's ``ArticleEnrichment`` from its stored rows (each iterable in ``position`` order)."""
    language = None
    if summary["language"] is not None:
        language = Language(summary["language"], summary["language_confidence"])
    event_type = None
    if summary["event_type"] is not None:
        event_type = EventType(
            summary["event_type"],
            summary["event_type_score"] or 0,
            summary["event_type_evidence"],
            summary["event_type_confidence"],
        )
    event_date = None
    if summary["event_date"] is not None:
        event_date = EventDate(
            _day(summary["event_date"]), summary["event_date_source"], summary["event_date_evidence"]
        )
    return ArticleEnrichment(
        language=language,
        actors=tuple(from_row(Actor, row) for row in actors),
        locations=tuple(from_row(Location, row) for row in locations),
        event_type=event_type,
        event_date=event_date,
        figures=tuple(from_row(Figure, row) for row in figures),
        keywords=tuple(summary["keywords"] or ()),
    )


DETAIL_TABLES = ("article_actors", "article_locations", "article_figures")
"""Article-level tables of several rows per article, each in ``position`` order."""
WRITES = tuple(EVENT_ENRICHMENT_TABLES)
"""The tables this module is the one writer of."""
FOLD_FUNCTION = "wirebeam_fold"
"""``fold`` (the merge's matching key of names and counts) as a SQL function while events are copied."""
ROW_KEY_FUNCTION = "wirebeam_row_key"
"""``pipeline.ids.row_key`` of a list of parts as a SQL function while events are copied (the key rule stays
written once)."""


def _member_details(table: str) -> str:
    """The rows of a table of ``DETAIL_TABLES`` of the original articles of the touched events that are merged
    (not copied: ``copied_enrichment_events``)."""
    return (
        f"SELECT d.* FROM {table} d JOIN articles a USING (article_id) JOIN touched_events USING (event_id) "
        "WHERE a.duplicate_of IS NULL AND a.event_id NOT IN (SELECT event_id FROM copied_enrichment_events) "
        "ORDER BY d.article_id, d.position"
    )


def _insert(connection: duckdb.DuckDBPyConnection, table: str, records: Sequence[tuple]) -> None:
    """Insert ``EVENT_ROW_TYPES`` rows (the first of any repeated key wins), as Arrow columns."""
    at = EVENT_ROW_TYPES[table]._fields.index(primary_key(table))
    by_key = {}
    for record in records:
        by_key.setdefault(record[at], record)
    if not by_key:
        return
    schema = arrow_schema(table)  # its fields in the rows' order: both are the record model's
    columns = zip(schema, zip(*by_key.values(), strict=True), strict=True)
    new = pa.Table.from_arrays([pa.array(values, type=field.type) for field, values in columns], schema=schema)
    with registered(connection, "new_enrichment_rows", new):
        connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM new_enrichment_rows")


def refresh_event_enrichments(connection: duckdb.DuckDBPyConnection) -> int:
    """Recompute the event-level rows of the events the run touched (``touched_events``).

    Reads only those events' original articles' stored rows (an exact copy would only repeat its original's
    votes); events whose members carry no enrichment are left without rows. Returns the number of events given
    rows. Runs in the caller's transaction.
    """
    for table in EVENT_ENRICHMENT_TABLES:
        connection.execute(f"DELETE FROM {table} WHERE event_id IN (SELECT event_id FROM touched_events)")
    copied = _copy_single_article_events(connection)
    merged = _merge_events(connection)
    LOGGER.info("enrichment of %d events recomputed (%d copied from their one article)", copied + merged, copied)
    return copied + merged


def _copy_single_article_events(connection: duckdb.DuckDBPyConnection) -> int:
    """Give the touched events of one enriched original article its rows, in SQL: ``merge_event`` of one article
    is that article's enrichment, with the event's keys, and most events of a run are new and have one article
    (a run of 2,000 new articles has ~1,800; merging each in Python was a quarter of the load). Events whose rows
    the merge would change are left to ``_merge_events`` (``copied_enrichment_events`` says which). Returns the
    number of events copied."""
    try:
        connection.create_function(FOLD_FUNCTION, fold, ["VARCHAR"], "VARCHAR")
        connection.create_function(ROW_KEY_FUNCTION, _row_key_of, ["VARCHAR[]"], "VARCHAR")
        connection.execute(sql("copied_enrichment_events"))
        for table, statement in _copy_statements().items():
            parameters = {"event_keywords": EVENT_KEYWORDS} if table == "event_enrichments" else None
            connection.execute(statement, parameters)
    finally:
        for name in (FOLD_FUNCTION, ROW_KEY_FUNCTION):
            with contextlib.suppress(duckdb.InvalidInputException):  # not registered: its registration failed
                connection.remove_function(name)
    return connection.execute("SELECT count(*) FROM copied_enrichment_events").fetchone()[0]


def _copy_statements() -> dict[str, str]:
    """Event-level table -> its ``copy_<table>`` statement selecting the table's columns by name (``column_names``):
    a column the model gains is copied from the article row of that name, or fails the copy until the statement
    gives it (never left null)."""
    statements = {
        "event_enrichments": sql("copy_event_enrichments"),
        "event_actors": sql("copy_event_actors"),
        "event_locations": sql("copy_event_locations"),
        "event_figures": sql("copy_event_figures"),
    }
    return {table: text.replace("{columns}", ", ".join(column_names(table))) for table, text in statements.items()}


def _row_key_of(parts: list[str]) -> str:
    return row_key(*parts)


def _merge_events(connection: duckdb.DuckDBPyConnection) -> int:
    """Give the other touched events (not copied) their rows by ``merge_event`` over their members' stored rows;
    returns the number of events given rows."""
    details: dict[str, dict[str, list[dict]]] = {}
    for table in DETAIL_TABLES:
        by_article: dict[str, list[dict]] = defaultdict(list)
        for row in rows(connection, _member_details(table)):
            by_article[row["article_id"]].append(row)
        details[table] = by_article
    members: dict[str, dict[str, ArticleEnrichment]] = defaultdict(dict)
    for summary in rows(connection, sql("member_summaries")):
        article_id = summary["article_id"]
        members[summary["event_id"]][article_id] = enrichment_from_rows(
            summary,
            details["article_actors"].get(article_id, ()),
            details["article_locations"].get(article_id, ()),
            details["article_figures"].get(article_id, ()),
        )
    new_rows: dict[str, list[tuple]] = defaultdict(list)
    for event_id, enrichments in members.items():
        for table, records in event_rows(event_id, merge_event(enrichments)).items():
            new_rows[table].extend(records)
    for table in EVENT_ENRICHMENT_TABLES:
        _insert(connection, table, new_rows[table])
    return len(members)
