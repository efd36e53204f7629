"""An event whose members' event type scored 0 merges in the database (it divided by zero)."""

from pipeline.enrich.eventtype import EventType
from pipeline.store.connection import connect
from pipeline.store.enrichments import refresh_event_enrichments
from tests.store.test_enrichments import _enrichment, _store_articles


def test_an_event_whose_type_scored_zero_in_every_member_gets_its_type_with_full_confidence(tmp_path):
    unscored = EventType("assault", 0, "They fought.", None)
    members = {"first": _enrichment(event_type=unscored), "second": _enrichment(event_type=unscored)}
    with connect(tmp_path / "zero.duckdb") as connection:
        _store_articles(connection, {"ev_unscored": members}, {})
        connection.execute("CREATE TEMP TABLE touched_events AS SELECT DISTINCT event_id FROM articles")
        assert refresh_event_enrichments(connection) == 1
        stored = connection.execute("SELECT event_type, event_type_confidence FROM event_enrichments").fetchall()
    assert stored == [("assault", 1.0)]
