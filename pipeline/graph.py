"""Builds the wirebeam pipeline from its stages: wiring only, no logic.

read seeds -> extract -> normalize -> deduplicate -> staging shards (loaded into DuckDB by ``sinks.load_run``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import apache_beam as beam

from pipeline.dedup.exact import MarkExactDuplicates
from pipeline.extract import ExtractArticles
from pipeline.normalize import NormalizeArticles
from pipeline.sinks import WriteStaging
from pipeline.sources.seeds import ReadSeeds


@dataclass(frozen=True)
class RunPlan:
    """The plain values one run's pipeline is built from."""

    run_id: str
    started_at: datetime
    seeds_dir: str
    staging_dir: str


def build_pipeline(pipeline: beam.Pipeline, plan: RunPlan) -> None:
    """Add the stages of one run to ``pipeline``."""
    documents = pipeline | "ReadSeeds" >> ReadSeeds(plan.seeds_dir)
    extracted = documents.documents | "Extract" >> ExtractArticles()
    normalized = extracted.articles | "Normalize" >> NormalizeArticles(plan.run_id, plan.started_at)
    articles = normalized.articles | "ExactDuplicates" >> MarkExactDuplicates()
    rejects = (documents.rejects, extracted.rejects, normalized.rejects) | "AllRejects" >> beam.Flatten()
    _ = articles | "StageArticles" >> WriteStaging(plan.staging_dir, "articles")
    _ = rejects | "StageRejects" >> WriteStaging(plan.staging_dir, "rejects")
