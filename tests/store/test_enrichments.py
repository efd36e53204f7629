"""Enrichment in the database: a run on the seeds answers the analyst's questions in SQL."""

from pipeline.cli import main
from tests.conftest import query


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
