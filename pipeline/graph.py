"""Builds the wirebeam pipeline from its stages: wiring only, no logic.

read seeds (and poll feeds, fetch new entries' pages) -> extract -> normalize -> strip boilerplate -> exact
duplicates -> near-duplicates -> events -> enrichment -> staging shards (loaded into DuckDB by ``store.load.load_run``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import apache_beam as beam

from pipeline.boilerplate import StripBoilerplate
from pipeline.dedup.exact import MarkExactDuplicates, RejectSameArticles
from pipeline.dedup.minhash import MinHashConfig
from pipeline.dedup.near import MarkNearDuplicates
from pipeline.enrich.stage import EnrichArticles
from pipeline.errors import REJECTS
from pipeline.events.score import EventThresholds
from pipeline.events.stage import MEMBERS, REPRESENTATIVES, ApplyEvents, GroupEvents, JoinNearGroups
from pipeline.extract import ExtractArticles
from pipeline.normalize import NormalizeArticles
from pipeline.progress import READ, CountProgress
from pipeline.sources.live import ENTRY_READS, FEEDS, LivePlan, ReadLiveFeeds
from pipeline.sources.seeds import ReadSeeds
from pipeline.staging import LOOKUP_BUCKETS, STAGING_SHARDS, WriteStaging
from schemas.enrichment import ARTICLE_ENRICHMENT_TABLES


@dataclass(frozen=True)
class RunPlan:
    """The plain values one run's pipeline is built from."""

    run_id: str
    started_at: datetime
    seeds_dir: str
    staging_dir: str
    minhash: MinHashConfig
    event_thresholds: EventThresholds
    embeddings: bool = False
    """Add sentence embeddings to event features (the ``embeddings`` extra)."""
    live: LivePlan | None = None
    """The feeds to poll; None for an offline run."""
    seed_files: frozenset[str] | None = None
    """The seed files (relative paths) this run reads, one window of a large input; None for all."""
    term_stats_path: str | None = None
    """Parquet file of the stored corpus' term document frequencies; None for an empty database."""
    prior_docs: int = 0
    """How many stored articles those frequencies count."""
    paragraphs_path: str | None = None
    """Parquet file of the stored articles' paragraph observations (``store.side_inputs``); None for none."""
    staging_shards: int = STAGING_SHARDS
    """Parquet shards per staged table (``staging.staging_shards``)."""
    lookup_buckets: int = LOOKUP_BUCKETS
    """Buckets of keys counted and looked up together (``staging.lookup_buckets``)."""


def build_pipeline(pipeline: beam.Pipeline, plan: RunPlan) -> None:
    """Add the stages of one run to ``pipeline``."""
    documents = pipeline | "ReadSeeds" >> ReadSeeds(plan.seeds_dir, plan.seed_files)
    inputs, source_rejects = [documents.documents], [documents.rejects]
    staged = {}
    if plan.live is not None:
        live = pipeline | "ReadLiveFeeds" >> ReadLiveFeeds(plan.live, plan.run_id)
        inputs.append(live["documents"])
        source_rejects.append(live[REJECTS])
        staged["feeds"] = live[FEEDS]
        staged["entry_reads"] = live[ENTRY_READS]
    extracted = (
        inputs | "AllDocuments" >> beam.Flatten() | "CountRead" >> CountProgress(READ) | "Extract" >> ExtractArticles()
    )
    normalized = extracted.articles | "Normalize" >> NormalizeArticles(plan.run_id, plan.started_at)
    cleaned = normalized.articles | "StripBoilerplate" >> StripBoilerplate(plan.paragraphs_path, plan.lookup_buckets)
    copies_marked = (
        cleaned["articles"]
        | "CountDeduplicate" >> CountProgress("deduplicate")
        | "ExactDuplicates" >> MarkExactDuplicates()
    )
    near = copies_marked | "NearDuplicates" >> MarkNearDuplicates(plan.minhash, plan.run_id, plan.lookup_buckets)
    groups = copies_marked | "NearGroups" >> JoinNearGroups(near["parents"], near["roots"])
    grouped = (
        groups[REPRESENTATIVES]
        | "CountGroupEvents" >> CountProgress("group events")
        | "Events"
        >> GroupEvents(
            plan.event_thresholds,
            plan.run_id,
            plan.term_stats_path,
            plan.prior_docs,
            embeddings=plan.embeddings,
            buckets=plan.lookup_buckets,
        )
    )
    articles = groups["articles"] | "ApplyEvents" >> ApplyEvents(groups[MEMBERS], grouped["events"])
    links = (near["links"], grouped["links"]) | "AllLinks" >> beam.Flatten()
    enriched = articles | "CountEnrich" >> CountProgress("enrich") | "Enrich" >> EnrichArticles()
    same_articles = cleaned["articles"] | "SameArticles" >> RejectSameArticles()
    rejects = (
        *source_rejects,
        extracted.rejects,
        normalized.rejects,
        same_articles,
        enriched[REJECTS],
    ) | "AllRejects" >> beam.Flatten()
    staged.update(
        {
            "articles": articles,
            "article_signatures": near["signatures"],
            "article_paragraphs": cleaned["paragraphs"],
            "article_features": grouped["features"],
            "article_links": links,
            "rejects": rejects,
        }
    )
    staged.update({table: enriched[table] for table in ARTICLE_ENRICHMENT_TABLES})
    # one sink, applied last: the Dask runner computes only the last step of a pipeline
    _ = staged | "Stage" >> WriteStaging(plan.staging_dir, shards=plan.staging_shards)
