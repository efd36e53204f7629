import dataclasses
import enum
import json
from datetime import datetime, timezone
from decimal import Decimal

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


def test_a_json_field_is_serialized_as_from_a_model_dump_copy_whatever_its_values():
    """``to_row`` serializes a JSON field from the record's own value (no ``model_dump`` copy): the text is the
    same as from the copy, for values json has no rule for too."""

    @dataclasses.dataclass
    class Window:
        number: int
        files: tuple[str, ...]

    class Mode(enum.Enum):
        OFFLINE = "offline"

    options = {
        "since": datetime(2024, 4, 1, tzinfo=timezone.utc),
        "pairs": ((1, "a"), (2, "b")),
        "mode": Mode.OFFLINE,
        "share": Decimal("0.15"),
        "by_number": {2: "b", 1: None},
        "window": Window(1, ("x.jsonl",)),
        "run": Run(
            run_id="inner", started_at=datetime(2024, 4, 2, tzinfo=timezone.utc), mode="offline", status="failed"
        ),
    }
    run = Run(run_id="r", started_at=datetime.now(timezone.utc), mode="offline", status="completed", options=options)
    copied = json.dumps(run.model_dump()["options"], sort_keys=True, default=str)
    assert generate.to_row(run)["options"] == copied
    assert list(generate.to_row(run)) == list(Run.model_fields)


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
