"""Derive the JSON Schema files, the DuckDB DDL and the Arrow schemas from the pydantic models.

Run ``wirebeam schema`` to rewrite the checked-in files; ``wirebeam schema --check`` (and the test suite)
fails when they drift from the models.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from schemas.models import TABLES

if TYPE_CHECKING:
    import pyarrow as pa

SCHEMA_DIR = Path(__file__).resolve().parent
DDL_PATH = SCHEMA_DIR / "duckdb.sql"
JSON_DIR = SCHEMA_DIR / "json"

_SQL_TYPES: dict[type, str] = {
    str: "VARCHAR",
    int: "BIGINT",
    float: "DOUBLE",
    bool: "BOOLEAN",
    bytes: "BLOB",
    datetime: "TIMESTAMPTZ",
    dict: "JSON",
}
"""A column's kind (a Python scalar type, or ``dict`` for a JSON object) -> its DuckDB type; ``(list, kind)`` is a
list of that kind."""


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return rest[0], True
    return annotation, False


def _kind(annotation: Any) -> Any:
    """The column kind of a field's (non-optional) annotation: a scalar type, ``dict``, or ``(list, kind)``."""
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return type(typing.get_args(annotation)[0])
    if origin is list:
        (item,) = typing.get_args(annotation)
        return (list, _kind(item))
    if origin is dict:
        return dict
    return annotation


def _sql_type(kind: Any) -> str:
    return f"{_sql_type(kind[1])}[]" if isinstance(kind, tuple) else _SQL_TYPES[kind]


def _arrow_type(kind: Any) -> pa.DataType:
    import pyarrow as pa  # only staging needs Arrow: the read-only commands start without it

    if isinstance(kind, tuple):
        return pa.list_(_arrow_type(kind[1]))
    scalars = {
        str: pa.string(),
        int: pa.int64(),
        float: pa.float64(),
        bool: pa.bool_(),
        bytes: pa.binary(),
        datetime: pa.timestamp("us", tz="UTC"),
        dict: pa.string(),
    }
    return scalars[kind]


def _columns(model: type[BaseModel]) -> list[tuple[str, str, Any, bool, bool]]:
    """(name, sql type, column kind, nullable, primary key) for each field, in declaration order."""
    columns = []
    for name, field in model.model_fields.items():
        annotation, nullable = _unwrap_optional(field.annotation)
        kind = _kind(annotation)
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        columns.append((name, _sql_type(kind), kind, nullable, bool(extra.get("primary_key"))))
    return columns


def column_names(table: str) -> list[str]:
    """The table's columns, in order."""
    return list(TABLES[table].model_fields)


@functools.cache
def primary_key(table: str) -> str:
    """The table's key column."""
    return next(name for name, *_, key in _columns(TABLES[table]) if key)


@functools.cache
def arrow_schema(table: str) -> pa.Schema:
    """Arrow schema of the table's staging shards (made once per table: it is asked for at every shard's write)."""
    import pyarrow as pa

    return pa.schema(
        [pa.field(name, _arrow_type(kind), nullable=nullable) for name, _, kind, nullable, _ in _columns(TABLES[table])]
    )


def table_ddl(table: str) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for one table."""
    lines = []
    for name, sql, _, nullable, key in _columns(TABLES[table]):
        constraint = " PRIMARY KEY" if key else ("" if nullable else " NOT NULL")
        lines.append(f"    {name} {sql}{constraint}")
    return f"CREATE TABLE IF NOT EXISTS {table} (\n" + ",\n".join(lines) + "\n);\n"


def _sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        return f"TIMESTAMPTZ '{value.isoformat()}'"
    if isinstance(value, dict):
        return "'" + json.dumps(value, sort_keys=True).replace("'", "''") + "'"
    if isinstance(value, list):
        return "[" + ", ".join(_sql_literal(item) for item in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


def add_column_statements(table: str, name: str) -> list[str]:
    """SQL that adds a column a newer model declares to a table made by an older version.

    Existing rows get the field's default, and the column is NOT NULL when the model says so. A required field
    without a default can only be added as nullable, since old rows have no value for it.
    """
    model = TABLES[table]
    sql_type, nullable = next((sql, null) for column, sql, _, null, _ in _columns(model) if column == name)
    field = model.model_fields[name]
    default = None if field.is_required() else field.get_default(call_default_factory=True)
    if default is None:
        return [f"ALTER TABLE {table} ADD COLUMN {name} {sql_type}"]
    statements = [f"ALTER TABLE {table} ADD COLUMN {name} {sql_type} DEFAULT {_sql_literal(default)}"]
    if not nullable:
        statements.append(f"ALTER TABLE {table} ALTER COLUMN {name} SET NOT NULL")
    return statements


def duckdb_ddl() -> str:
    """The whole database's DDL."""
    header = "-- Generated from schemas/models.py by `wirebeam schema`. Do not edit.\n"
    return header + "\n".join(table_ddl(table) for table in TABLES)


def json_schemas() -> dict[str, str]:
    """File name -> JSON Schema text, one per table."""
    return {
        f"{model.__name__.lower()}.schema.json": json.dumps(model.model_json_schema(), indent=2) + "\n"
        for model in TABLES.values()
    }


@functools.cache
def _json_fields(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(
        name
        for name, field in model.model_fields.items()
        if typing.get_origin(_unwrap_optional(field.annotation)[0]) is dict
    )


def to_row(record: BaseModel) -> dict[str, Any]:
    """A model as a staging row: JSON fields serialized, everything else as Python values. A JSON field is
    serialized from the record's own value, not from a ``model_dump`` copy of it (an article's features: ~400
    values, copied for nothing in 0.16 ms)."""
    names = _json_fields(type(record))
    if not names:
        return record.model_dump()
    row = record.model_dump(exclude=set(names))
    serialized = {name: json.dumps(getattr(record, name), sort_keys=True, default=_json_value) for name in names}
    return {name: serialized[name] if name in serialized else row[name] for name in type(record).model_fields}


def _json_value(value: Any) -> Any:
    """What ``json.dumps`` writes for a value it has no rule for, as for a ``model_dump`` copy: a model or a
    dataclass as its fields, anything else as its ``str``."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


def generated_files() -> dict[Path, str]:
    """Every generated file with its expected content."""
    files = {DDL_PATH: duckdb_ddl()}
    files.update({JSON_DIR / name: text for name, text in json_schemas().items()})
    return files


def stale_files() -> list[Path]:
    """Generated files whose content on disk differs from the models."""
    return [path for path, text in generated_files().items() if not path.exists() or path.read_text() != text]


def write_files() -> list[Path]:
    """Rewrite the generated files; returns those that changed."""
    changed = stale_files()
    JSON_DIR.mkdir(exist_ok=True)
    for path in changed:
        path.write_text(generated_files()[path])
    return changed
