"""The analyst's surface on the seed database: enrichment tables, views, docs/queries.md, events, query, export."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from benchmarks.events import write_seed_jsonl
from pipeline.cli import main
from pipeline.store.views import view_names
from schemas.models import TABLES
from tests.conftest import REPO, SEEDS, query, story_items

DOCS = REPO / "docs"
MEDIATORS = {"EGY", "QAT", "USA"}


def run(seeds: Path, db: Path) -> int:
    return main(["run", "--offline", "--seeds", str(seeds), "--db", str(db)])


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory) -> Path:
    """The database ``wirebeam run --offline`` builds from a copy of ``seeds/``."""
    root = tmp_path_factory.mktemp("seed_db")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    db = root / "wirebeam.duckdb"
    assert run(seeds, db) == 0
    return db


def _event_of(db: Path, seed_prefix: str) -> str:
    ((event_id,),) = query(db, "SELECT event_id FROM articles WHERE starts_with(source_ref, ?)", [seed_prefix])
    return event_id


def test_every_seed_event_happened_in_cairo_and_concerns_gaza(seed_db):
    in_cairo = query(
        seed_db,
        "SELECT event_id FROM event_summary WHERE primary_location = 'Cairo' AND primary_country_code = 'EG'",
    )
    assert {row[0] for row in in_cairo} == {row[0] for row in query(seed_db, "SELECT event_id FROM events")}
    assert in_cairo
    concerned = query(seed_db, "SELECT DISTINCT event_id FROM event_locations WHERE name = 'Gaza' AND NOT is_primary")
    assert len(concerned) == len(in_cairo)
    assert query(seed_db, "SELECT DISTINCT event_type FROM event_summary") == [("consult",)]


def test_israel_and_hamas_are_parties_and_egypt_qatar_and_the_us_mediators(seed_db):
    parties = query(
        seed_db,
        "SELECT event_id, list(actor_id ORDER BY actor_id) FROM event_actors WHERE role = 'party' GROUP BY event_id",
    )
    assert {tuple(actors) for _, actors in parties} == {("country:ISR", "organisation:hamas")}
    assert len(parties) == query(seed_db, "SELECT count(*) FROM events")[0][0]
    mediators = query(seed_db, "SELECT DISTINCT country_iso3 FROM event_actors WHERE role = 'mediator'")
    assert {row[0] for row in mediators} == MEDIATORS
    april = _event_of(seed_db, "004")
    (summary,) = query(seed_db, "SELECT parties, mediators FROM event_summary WHERE event_id = ?", [april])
    assert summary == (["Hamas", "Israel"], ["Egypt", "Qatar", "United States"])


def test_the_april_2024_round_is_dated_april_2024_and_reported_by_cnbc(seed_db):
    april = _event_of(seed_db, "004")
    assert _event_of(seed_db, "003") == april
    ((day, first_reported, sources),) = query(
        seed_db,
        "SELECT s.event_day, c.first_reported_at, c.sources FROM event_summary s JOIN event_coverage c "
        "USING (event_id) WHERE event_id = ?",
        [april],
    )
    assert (day.year, day.month) == (2024, 4)
    assert (first_reported.year, first_reported.month) == (2024, 4)
    assert sources == ["cnbc.com"]
    assert query(seed_db, "SELECT event_ids FROM events_by_day WHERE day = ?", [day]) == [([april],)]


def test_every_fact_row_names_a_member_article_of_its_event(seed_db):
    for table in ("event_actors", "event_locations", "event_figures"):
        orphans = query(
            seed_db,
            f"SELECT count(*) FROM {table} t LEFT JOIN articles a ON a.article_id = t.article_id "
            "AND a.event_id = t.event_id WHERE a.article_id IS NULL",
        )
        assert orphans == [(0,)], table
    articles = query(seed_db, "SELECT count(*) FROM articles")[0][0]
    assert query(seed_db, "SELECT count(*) FROM article_enrichments") == [(articles,)]
    assert query(seed_db, "SELECT count(*) FROM event_enrichments") == query(seed_db, "SELECT count(*) FROM events")


def test_a_later_report_updates_the_stored_event_rows(tmp_path):
    seeds, later = tmp_path / "seeds", tmp_path / "later"
    shutil.copytree(SEEDS, seeds)
    later.mkdir()
    report = next(seeds.glob("004_*.txt"))
    report.rename(later / report.name)
    db = tmp_path / "wirebeam.duckdb"
    assert run(seeds, db) == 0
    event = _event_of(db, "003")
    assert query(db, "SELECT event_day FROM event_summary WHERE event_id = ?", [event]) == [(None,)]
    assert run(later, db) == 0
    assert _event_of(db, "004") == event
    ((day, mediators),) = query(db, "SELECT event_day, mediators FROM event_summary WHERE event_id = ?", [event])
    assert (day.year, day.month) == (2024, 4)
    assert mediators == ["Egypt", "Qatar", "United States"]
    newcomer = query(db, "SELECT article_id FROM articles WHERE starts_with(source_ref, '004')")[0][0]
    supported = query(
        db,
        "SELECT list_contains(article_ids, ?) FROM event_actors WHERE event_id = ? AND actor_id = 'country:ISR'",
        [newcomer, event],
    )
    assert supported == [(True,)]
    assert query(db, "SELECT count(*) FROM event_enrichments WHERE event_id = ?", [event]) == [(1,)]
    keys = query(db, "SELECT count(*), count(DISTINCT actor_id) FROM event_actors WHERE event_id = ?", [event])
    assert keys[0][0] == keys[0][1]


def _documented_columns() -> dict[str, list[str]]:
    text = (DOCS / "views.md").read_text()
    documented = {}
    for name, body in re.findall(r"^### (\w+)\n(.*?)(?=^### |\Z)", text, re.M | re.S):
        documented[name] = re.findall(r"^\| (\w+) \| [A-Z]", body, re.M)
    return documented


def test_every_view_is_documented_with_its_columns(seed_db):
    documented = _documented_columns()
    assert sorted(documented) == sorted(view_names())
    for view in view_names():
        columns = [row[0] for row in query(seed_db, f"SELECT column_name FROM (DESCRIBE {view})")]
        assert documented[view] == columns, view


def _doc_queries() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", (DOCS / "queries.md").read_text(), re.S)


def test_docs_hold_a_dozen_queries_or_more():
    assert len(_doc_queries()) >= 12


@pytest.mark.parametrize("number", range(len(_doc_queries())))
def test_every_documented_query_answers_on_the_seed_database(seed_db, number):
    with duckdb.connect(str(seed_db), read_only=True) as connection:
        rows = connection.execute(_doc_queries()[number]).fetchall()
    assert rows, f"query {number + 1} of docs/queries.md returned nothing on the seeds"


def test_query_command_reads_the_views_as_json_and_csv(seed_db, capsys):
    assert (
        main(["query", "SELECT day, events FROM events_by_day ORDER BY day", "--db", str(seed_db), "--format", "json"])
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert sum(row["events"] for row in rows) == query(seed_db, "SELECT count(*) FROM events")[0][0]
    assert (
        main(
            [
                "query",
                "SELECT source FROM articles_per_source WHERE source IS NOT NULL",
                "--db",
                str(seed_db),
                "--format",
                "csv",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines() == ["source", "cnbc.com"]


def test_events_lists_recent_events_newest_first(tmp_path, capsys):
    db = tmp_path / "storms.duckdb"
    (tmp_path / "seeds").mkdir()
    assert run(write_seed_jsonl(story_items("storms"), tmp_path / "seeds" / "storms.jsonl").parent, db) == 0
    capsys.readouterr()
    assert main(["events", "--db", str(db), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == query(db, "SELECT count(*) FROM events")[0][0] == 4
    newest = query(db, "SELECT event_id FROM articles ORDER BY published_at DESC LIMIT 1")[0][0]
    assert listed[0]["event_id"] == newest
    assert main(["events", "--db", str(db), "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "(2 events)" in out and "Emmett" in out


def test_events_show_prints_articles_actors_places_and_figures(seed_db, capsys):
    event = _event_of(seed_db, "000")
    assert main(["events", "show", event.removeprefix("ev_")[:8], "--db", str(seed_db)]) == 0
    out = capsys.readouterr().out
    for expected in (event, "Articles (", "Actors (", "Places (", "Figures (", "Israel", "Cairo", "1,500"):
        assert expected in out
    assert main(["events", "show", event, "--db", str(seed_db), "--format", "json"]) == 0
    details = json.loads(capsys.readouterr().out)
    assert {actor["actor_id"] for actor in details["actors"]} >= {"country:ISR", "organisation:hamas"}
    assert [place["name"] for place in details["places"] if place["is_primary"]] == ["Cairo"]


def test_events_show_of_an_unknown_event_is_a_usage_error(seed_db, capsys):
    assert main(["events", "show", "ev_nope", "--db", str(seed_db)]) == 2
    assert "no event with ID 'ev_nope'" in capsys.readouterr().err


def test_commands_on_a_missing_database_say_so_and_exit_1_as_query_does(tmp_path, capsys):
    for command in (["events"], ["report", "--out", str(tmp_path / "r.html")], ["query", "SELECT 1"]):
        assert main([*command, "--db", str(tmp_path / "none.duckdb")]) == 1, command
        assert "database not found" in capsys.readouterr().err
    assert main(["query", "SELECT 1", "--db", str(tmp_path)]) == 1
    assert "is a directory" in capsys.readouterr().err


def _exported_rows(directory: Path) -> int:
    files = sorted(directory.rglob("*.parquet"))
    if not files:
        return 0
    with duckdb.connect() as connection:
        return connection.execute(
            "SELECT count(*) FROM read_parquet(?, hive_partitioning = true, union_by_name = true)",
            [[str(path) for path in files]],
        ).fetchone()[0]


def test_export_writes_every_table_as_parquet_partitioned_by_day(seed_db, tmp_path, capsys):
    out = tmp_path / "export"
    assert main(["export", "--parquet", str(out), "--db", str(seed_db)]) == 0
    assert f"{len(TABLES)} tables" in capsys.readouterr().out
    for table in TABLES:
        assert _exported_rows(out / table) == query(seed_db, f"SELECT count(*) FROM {table}")[0][0], table
    assert "day=2024-04-08" in {path.name for path in (out / "event_enrichments").iterdir()}
    assert "day=2024-04-08" in {path.name for path in (out / "articles").iterdir()}


def test_exporting_again_replaces_the_files(seed_db, tmp_path):
    out = tmp_path / "export"
    for _ in range(2):
        assert main(["export", "--parquet", str(out), "--db", str(seed_db)]) == 0
    assert _exported_rows(out / "events") == query(seed_db, "SELECT count(*) FROM events")[0][0]
    assert _exported_rows(out / "feeds") == query(seed_db, "SELECT count(*) FROM feeds")[0][0]


def test_export_writes_an_empty_table_as_a_readable_file_and_undated_rows_under_day_unknown(seed_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(seed_db, db)
    with duckdb.connect(str(db)) as connection:
        (undated,) = connection.execute("SELECT min(article_id) FROM articles").fetchone()
        connection.execute("UPDATE articles SET published_at = NULL WHERE article_id = ?", [undated])
        connection.execute("DELETE FROM article_links")
    out = tmp_path / "export"
    assert main(["export", "--parquet", str(out), "--db", str(db)]) == 0
    for table in TABLES:
        assert list((out / table).rglob("*.parquet")), f"{table} has no file"
    with duckdb.connect() as connection:
        empty = connection.execute(f"DESCRIBE SELECT * FROM read_parquet('{out}/article_links/*.parquet')").fetchall()
        assert "article_id" in [row[0] for row in empty] and _exported_rows(out / "article_links") == 0
    unknown = out / "articles" / "day=unknown"
    with duckdb.connect() as connection:
        ids = connection.execute(f"SELECT article_id FROM read_parquet('{unknown}/*.parquet')").fetchall()
    assert (undated,) in ids
    assert sorted(ids) == sorted(query(db, "SELECT article_id FROM articles WHERE published_at IS NULL"))


def test_export_puts_an_events_facts_under_the_events_day_not_their_articles(seed_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(seed_db, db)
    with duckdb.connect(str(db)) as connection:  # an article reporting the event years later names its actors
        connection.execute(
            "UPDATE articles SET published_at = TIMESTAMP '2030-01-01 12:00' "
            "WHERE article_id IN (SELECT article_id FROM event_actors UNION SELECT article_id FROM event_locations)"
        )
    out = tmp_path / "export"
    assert main(["export", "--parquet", str(out), "--db", str(db)]) == 0
    days = "SELECT DISTINCT event_id, CAST(day AS VARCHAR) FROM read_parquet('{}/*/*.parquet', hive_partitioning=true)"
    with duckdb.connect() as connection:
        events = set(connection.execute(days.format(out / "events")).fetchall())
        for table in ("event_actors", "event_locations", "event_enrichments"):
            facts = set(connection.execute(days.format(out / table)).fetchall())
            assert facts and facts <= events, table
