"""The base of every table model: unknown fields are errors, and ``_key`` marks a primary-key field."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def _key(description: str) -> Any:
    return Field(description=description, json_schema_extra={"primary_key": True})


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
