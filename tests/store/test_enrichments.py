"""Enrichment in the database: a run on the seeds answers the analyst's questions in SQL."""

from datetime import date

import pyarrow as pa

from pipeline.cli import main
from pipeline.enrich.actors import Actor
from pipeline.enrich.dates import EventDate
from pipeline.enrich.enrich import (
    EVENT_ROW_TYPES,
    ArticleEnrichment,
    article_rows,
    enrich_article,
    event_rows,
    merge_event,
)
from pipeline.enrich.eventtype import EventType
from pipeline.enrich.figures import Figure
from pipeline.enrich.language import Language
from pipeline.enrich.places import Location
from pipeline.extract import parse_text_article
from pipeline.store.connection import connect
from pipeline.store.enrichments import _insert, refresh_event_enrichments
from pipeline.store.statements import registered
from schemas.enrichment import EVENT_ENRICHMENT_TABLES
from schemas.generate import arrow_schema, column_names, primary_key, to_row
from tests.conftest import SEEDS, query


def test_seed_run_stores_the_detected_language_and_cairo_talks_with_each_actor_once(seeds_dir, db_path):
    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path)]) == 0
    assert query(db_path, "SELECT DISTINCT language FROM articles") == [("en",)]
    primaries = query(db_path, "SELECT DISTINCT primary_location_name, primary_country_code FROM event_enrichments")
    assert primaries == [("Cairo", "EG")]
    repeated = query(
        db_path, "SELECT event_id, actor_id FROM event_actors GROUP BY event_id, actor_id HAVING count(*) > 1"
    )
    assert repeated == []
    roles = set(query(db_path, "SELECT actor_id, role FROM event_actors WHERE role <> 'mentioned'"))
    assert {("country:ISR", "party"), ("organisation:hamas", "party")} <= roles
    assert {("country:EGY", "mediator"), ("country:QAT", "mediator"), ("country:USA", "mediator")} <= roles


def test_event_rows_are_the_schema_columns_validate_and_store_as_the_records_would(tmp_path):
    """``event_rows`` skips pydantic for speed: its rows still hold the models' columns in the DDL's order, each
    validates as its record, and stored they read back as the validated records' values."""
    enrichments = {}
    for path in sorted(SEEDS.glob("*.txt"))[:2]:
        title, body, meta = parse_text_article(path.read_text())
        enrichments[path.stem] = enrich_article(title, body, meta.get("published"))
    rows = event_rows("event-1", merge_event(enrichments))
    assert set(rows) == set(EVENT_ENRICHMENT_TABLES)
    connection = connect(tmp_path / "rows.duckdb")
    try:
        for table, found in rows.items():
            assert found and EVENT_ROW_TYPES[table]._fields == tuple(column_names(table))
            ddl = [name for (name,) in connection.execute(f"SELECT name FROM pragma_table_info('{table}')").fetchall()]
            assert ddl == column_names(table)
            records = [EVENT_ENRICHMENT_TABLES[table].model_validate(row._asdict()) for row in found]
            _insert(connection, table, found)
            stored = connection.execute(f"SELECT * FROM {table} ORDER BY {primary_key(table)}").fetchall()
            expected = sorted((to_row(record) for record in records), key=lambda row: row[primary_key(table)])
            assert [dict(zip(ddl, row, strict=True)) for row in stored] == expected
    finally:
        connection.close()


def _actor(actor_id: str, name: str, kind: str, role: str = "party", mentions: int = 1) -> Actor:
    return Actor(actor_id, name, kind, None, None, role, mentions, f"{name} said so.")


def _place(location_id: str, name: str, is_primary: bool, score: int) -> Location:
    return Location(location_id, name, "city", "EG", 30.0, 31.2, is_primary, score, 2, f"In {name}.")


def _enrichment(**given) -> ArticleEnrichment:
    fields = {
        "language": Language("en", 0.99),
        "actors": (),
        "locations": (),
        "event_type": EventType("assault", 3, "They fought.", 0.8),
        "event_date": EventDate(date(2024, 5, 2), "stated", "on May 2"),
        "figures": (),
        "keywords": ("truce", "talks", "cairo"),
    }
    return ArticleEnrichment(**{**fields, **given})


ENRICHED = {
    # event -> {article: enrichment}; every event but ev_multi has one original article
    "ev_plain": {
        "plain": _enrichment(
            actors=(
                _actor("country:EGY", "Egypt", "country", "mediator", 3),
                _actor("organisation:hamas", "Hamas", "organisation"),
            ),
            locations=(
                _place("geonames:1", "Cairo", True, 5),
                _place("geonames:2", "Giza", True, 5),
                _place("geonames:3", "Alexandria", False, 9),
            ),
            figures=(
                Figure(12.0, "12", "People killed", None, "12 people were killed."),
                Figure(12.0, "twelve", "people killed!", "at least", "Twelve people killed."),
                Figure(5.0, "12", "homes", None, "12 people were killed."),
                Figure(7.0, "7", "homes", None, "7 homes burned."),
            ),
            keywords=tuple(f"word{i}" for i in range(15)),
        )
    },
    "ev_bare": {"bare": _enrichment(language=None, event_type=None, event_date=None, keywords=())},
    "ev_surname": {
        "surname": _enrichment(
            actors=(
                _actor("person:netanyahu", "Benjamin Netanyahu", "person"),
                _actor("organisation:netanyahu", "Netanyahu", "organisation"),
            )
        )
    },
    "ev_zero": {"zero": _enrichment(figures=(Figure(0.0, "no", "deaths", None, "No deaths."),))},
    "ev_multi": {
        "multi-1": _enrichment(actors=(_actor("country:ISR", "Israel", "country"),)),
        "multi-2": _enrichment(actors=(_actor("country:ISR", "Israel", "country", "mediator"),), keywords=("cairo",)),
    },
}


def _store_articles(connection, enriched: dict, copies: dict[str, str]) -> None:
    """Articles of the given events (and exact ``copies`` of some, unenriched) with their enrichment rows."""
    for event_id, members in enriched.items():
        for article_id in [*members, *(copy for copy, original in copies.items() if original in members)]:
            connection.execute(
                "INSERT INTO articles (article_id, origin, source_ref, title, categories, content_kind, word_count, "
                "content_hash, duplicate_of, event_id, run_id, ingested_at, fetch_attempts) "
                "VALUES (?, 'seed', ?, 't', [], 'text', 1, 'h', ?, ?, 'r', now(), 0)",
                [article_id, article_id, copies.get(article_id), event_id],
            )
        for article_id, enrichment in members.items():
            for table, records in article_rows(article_id, enrichment).items():
                rows = pa.Table.from_pylist([to_row(record) for record in records], schema=arrow_schema(table))
                with registered(connection, "enrichment_rows", rows):
                    connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM enrichment_rows")


def _event_tables(connection) -> dict[str, list[tuple]]:
    return {
        table: sorted(connection.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        for table in EVENT_ENRICHMENT_TABLES
    }


def test_events_of_one_article_get_the_rows_merge_event_gives_them(tmp_path):
    """Events of one original article have their rows copied in SQL; they equal ``merge_event``'s, whether the
    copy applies (keywords cut, the primary place chosen, figures told apart by folded count) or the event is left
    to the merge (an actor that may be a person's surname, a zero figure, several members)."""
    with connect(tmp_path / "copied.duckdb") as connection:
        _store_articles(connection, ENRICHED, {"copy-of-plain": "plain"})
        connection.execute(
            "INSERT INTO articles SELECT * REPLACE ('unenriched' AS article_id, 'ev_unenriched' AS event_id) "
            "FROM articles WHERE article_id = 'bare'"
        )
        connection.execute("CREATE TEMP TABLE touched_events AS SELECT DISTINCT event_id FROM articles")
        assert refresh_event_enrichments(connection) == len(ENRICHED)
        copied = {event for (event,) in connection.execute("SELECT event_id FROM copied_enrichment_events").fetchall()}
        stored = _event_tables(connection)
    assert copied == {"ev_plain", "ev_bare"}
    with connect(tmp_path / "merged.duckdb") as connection:
        expected: dict[str, list] = {table: [] for table in EVENT_ENRICHMENT_TABLES}
        for event_id, members in ENRICHED.items():
            for table, found in event_rows(event_id, merge_event(members)).items():
                expected[table].extend(found)
        for table, found in expected.items():
            _insert(connection, table, found)
        assert stored == _event_tables(connection)
    plain_figures = [row for row in stored["event_figures"] if row[1] == "ev_plain"]
    assert sorted(row[3] for row in plain_figures) == [7.0, 12.0]  # 12 once; the 5 shares the first 12's key
