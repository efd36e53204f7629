from datetime import datetime, timezone

import duckdb
import pytest
from pydantic import ValidationError

from pipeline.store.connection import connect
from schemas import generate
from schemas.models import TABLES, Article, Run


def test_generated_files_match_the_models():
    assert generate.stale_files() == [], "run `wirebeam schema` and commit the result"


def test_ddl_creates_every_table_with_its_key(tmp_path):
    with duckdb.connect(str(tmp_path / "x.duckdb")) as connection:
        connection.execute(generate.duckdb_ddl())
        for table, model in TABLES.items():
            columns = [row[0] for row in connection.execute(f"DESCRIBE {table}").fetchall()]
            assert columns == list(model.model_fields)
            key = generate.primary_key(table)
            constraints = connection.execute(
                "SELECT constraint_column_names FROM duckdb_constraints() "
                "WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'",
                [table],
            ).fetchall()
            assert constraints == [([key],)]


def test_optional_fields_are_nullable_columns_and_required_ones_are_not():
    ddl = generate.table_ddl("articles")
    assert "    text VARCHAR,\n" in ddl
    assert "    title VARCHAR NOT NULL,\n" in ddl
    assert "    categories VARCHAR[] NOT NULL,\n" in ddl
    assert "published_at TIMESTAMPTZ," in ddl


def test_json_fields_become_text_in_staging_rows():
    run = Run(run_id="r", started_at=datetime.now(timezone.utc), mode="offline", status="completed", options={"a": 1})
    assert generate.to_row(run)["options"] == '{"a": 1}'
    assert str(generate.arrow_schema("runs").field("options").type) == "string"


def test_models_reject_unknown_and_missing_fields():
    with pytest.raises(ValidationError):
        Article(article_id="a", title="t")


def test_a_database_made_by_an_older_version_gains_new_columns_with_their_defaults(tmp_path):
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as connection:
        connection.execute(generate.duckdb_ddl())
        connection.execute("ALTER TABLE feeds DROP COLUMN entry_count")
        connection.execute("ALTER TABLE runs DROP COLUMN feed_counts")
        connection.execute("ALTER TABLE articles DROP COLUMN fallback_reason")
        connection.execute(
            "INSERT INTO feeds (url, consecutive_failures, previous_urls, updated_run_id) VALUES ('u', 0, [], 'r')"
        )
    with connect(db) as connection:
        assert connection.execute("SELECT entry_count FROM feeds").fetchall() == [(0,)]
        nullable = dict(
            connection.execute(
                "SELECT table_name || '.' || column_name, is_nullable FROM duckdb_columns() "
                "WHERE column_name IN ('entry_count', 'feed_counts', 'fallback_reason')"
            ).fetchall()
        )
    assert nullable == {"feeds.entry_count": False, "runs.feed_counts": False, "articles.fallback_reason": True}
