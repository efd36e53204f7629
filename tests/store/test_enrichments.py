"""Enrichment in the database: a run on the seeds answers the analyst's questions in SQL."""

from pipeline.cli import main
from pipeline.enrich.enrich import EVENT_ROW_TYPES, enrich_article, event_rows, merge_event
from pipeline.extract import parse_text_article
from pipeline.store.connection import connect
from pipeline.store.enrichments import _insert
from schemas.enrichment import EVENT_ENRICHMENT_TABLES
from schemas.generate import column_names, primary_key, to_row
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
