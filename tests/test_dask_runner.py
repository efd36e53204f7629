"""wirebeam's pipeline on Beam's Dask runner, on a ``dask.distributed`` LocalCluster of two worker processes
(127.0.0.1), checked against the same graph in process: the first stages alone, then the whole graph with stored
data to look up. It covers the runner gaps the pipeline is built around (multi-output ParDos, several sinks,
``finish_bundle`` outputs, side inputs that share a step with their main input: see infra/runners/README.md)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner

from pipeline.boilerplate import StripBoilerplate
from pipeline.cli import main
from pipeline.dedup.exact import MarkExactDuplicates
from pipeline.events.score import DEFAULT_THRESHOLDS
from pipeline.events.stage import ApplyEvents, GroupEvents
from pipeline.extract import ExtractArticles
from pipeline.normalize import NormalizeArticles
from pipeline.sources.seeds import ReadSeeds
from pipeline.staging import WriteStaging, read_shard, shard_paths
from pipeline.store.side_inputs import export_paragraphs, export_term_stats
from schemas.models import TABLES
from tests.conftest import query
from tests.test_boilerplate import FOOTER, story, write_records

distributed = pytest.importorskip("distributed", reason="needs the dask extra: pip install 'wirebeam[dask]'")
dask_runner = pytest.importorskip("apache_beam.runners.dask.dask_runner")

JOB_TIMEOUT_MS = 600_000
STARTED = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _build(pipeline: beam.Pipeline, seeds_dir: str, staging_dir: str) -> None:
    documents = pipeline | "ReadSeeds" >> ReadSeeds(seeds_dir)
    extracted = documents.documents | "Extract" >> ExtractArticles()
    normalized = extracted.articles | "Normalize" >> NormalizeArticles("run-1", STARTED)
    articles = normalized.articles | "ExactDuplicates" >> MarkExactDuplicates()
    rejects = (documents.rejects, extracted.rejects, normalized.rejects) | "AllRejects" >> beam.Flatten()
    _ = {"articles": articles, "rejects": rejects} | "Stage" >> WriteStaging(staging_dir)


def _staged(staging_dir: str) -> dict[str, list[tuple]]:
    columns = {"articles": ("article_id", "duplicate_of", "event_id", "title"), "rejects": ("source_ref", "reason")}
    staged = {}
    for table, names in columns.items():
        rows = [row for path in shard_paths(staging_dir, table) for row in read_shard(path).to_pylist()]
        staged[table] = sorted(tuple(row[name] for name in names) for row in rows)
    return staged


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of two worker processes on 127.0.0.1, shared by this module's tests."""
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=2, host="127.0.0.1", dashboard_address=None
    ) as local_cluster:
        yield local_cluster


def _run_on(cluster, build) -> None:
    options = PipelineOptions([f"--dask_client_address={cluster.scheduler_address}"])
    pipeline = beam.Pipeline(runner=dask_runner.DaskRunner(), options=options)
    build(pipeline)
    result = pipeline.run()
    try:
        result.wait_until_finish(duration=JOB_TIMEOUT_MS)
    finally:
        result.client.close()


def test_the_stages_on_a_dask_cluster_stage_the_same_rows_as_in_process(cluster, seeds_dir, tmp_path):
    first = sorted(seeds_dir.glob("*.txt"))[0]
    shutil.copy(first, seeds_dir / "copy-of-first.txt")  # an exact copy
    (seeds_dir / "empty.txt").write_text("")  # a reject

    _run_on(cluster, lambda pipeline: _build(pipeline, str(seeds_dir), str(tmp_path / "dask")))
    with beam.Pipeline(runner=FnApiRunner()) as pipeline:
        _build(pipeline, str(seeds_dir), str(tmp_path / "local"))

    on_dask, in_process = _staged(str(tmp_path / "dask")), _staged(str(tmp_path / "local"))
    assert len(on_dask["articles"]) == 6
    assert sum(duplicate_of is not None for _, duplicate_of, _, _ in on_dask["articles"]) == 1
    assert [source_ref for source_ref, _ in on_dask["rejects"]] == ["empty.txt"]
    assert on_dask == in_process


def _all_staged(staging_dir: str) -> dict[str, list[str]]:
    """Every staged row of every table, as sorted JSON."""
    return {
        table: sorted(
            json.dumps(row, sort_keys=True, default=str)
            for path in shard_paths(staging_dir, table)
            for row in read_shard(path).to_pylist()
        )
        for table in TABLES
    }


def _build_grouping(pipeline: beam.Pipeline, seeds_dir: str, staging_dir: str, stored: dict) -> None:
    """The stages that count over the whole run and look stored counts up: boilerplate, exact copies, events."""
    documents = pipeline | "ReadSeeds" >> ReadSeeds(seeds_dir)
    extracted = documents.documents | "Extract" >> ExtractArticles()
    normalized = extracted.articles | "Normalize" >> NormalizeArticles("run-2", STARTED)
    cleaned = normalized.articles | "StripBoilerplate" >> StripBoilerplate(stored["paragraphs"])
    marked = cleaned["articles"] | "ExactDuplicates" >> MarkExactDuplicates()
    grouped = marked | "Events" >> GroupEvents(DEFAULT_THRESHOLDS, "run-2", stored["term_stats"], stored["docs"])
    own_roots = marked | "OwnRoots" >> beam.Map(lambda a: (a.article_id, a.article_id))
    articles = marked | ApplyEvents(own_roots, grouped["events"])
    tables = {"articles": articles, "article_paragraphs": cleaned["paragraphs"]}
    tables |= {"article_features": grouped["features"], "article_links": grouped["links"]}
    _ = tables | "Stage" >> WriteStaging(staging_dir)


def test_grouping_and_boilerplate_on_a_dask_cluster_stage_the_same_rows_as_in_process(cluster, seeds_dir, tmp_path):
    """Document frequencies, oversized blocks and repeated paragraphs are joins, not side inputs (which the runner
    doubles), and stored term counts and paragraphs of an earlier run are looked up: the same rows, every column,
    as in process, and an outlet's footer seen twice before is stripped from its third article."""
    db_path = tmp_path / "db.duckdb"
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    for path in sorted(seeds_dir.glob("*.txt"))[:2]:
        shutil.move(path, earlier / path.name)
    bugle = "https://bugle.example/news/{}"
    write_records(earlier, [(bugle.format(n), f"Headline {n}", story(n) + "\n" + FOOTER) for n in range(2)])
    assert main(["run", "--offline", "--seeds", str(earlier), "--db", str(db_path)]) == 0
    write_records(seeds_dir, [(bugle.format(7), "Headline 7", story(7) + "\n" + FOOTER)])
    shutil.copy(sorted(earlier.glob("*.txt"))[0], seeds_dir / "copy-of-stored.txt")
    stored = {"term_stats": str(tmp_path / "terms.parquet"), "paragraphs": str(tmp_path / "paragraphs.parquet")}
    stored["docs"] = export_term_stats(db_path, Path(stored["term_stats"]))
    assert stored["docs"] == 4 and export_paragraphs(db_path, stored["paragraphs"])

    _run_on(cluster, lambda pipeline: _build_grouping(pipeline, str(seeds_dir), str(tmp_path / "dask"), stored))
    with beam.Pipeline(runner=FnApiRunner()) as pipeline:
        _build_grouping(pipeline, str(seeds_dir), str(tmp_path / "local"), stored)

    on_dask, in_process = _all_staged(str(tmp_path / "dask")), _all_staged(str(tmp_path / "local"))
    articles = {row["title"]: row for row in map(json.loads, on_dask["articles"])}
    assert len(articles) == 5 and len(on_dask["article_features"]) == 5
    assert articles["Headline 7"]["text"] == story(7), "the footer is chrome: twice stored, once in this run"
    assert on_dask == in_process


RUN_SPECIFIC = ("options",)  # besides IDs and times of the run: the runner's own flags


def _stored(db: Path) -> dict[str, list[str]]:
    """Every row of every table, as sorted text, without the columns that name the run (its ID, times, flags)."""
    stored = {}
    for (table,) in query(db, "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"):
        columns = [
            name
            for (name,) in query(db, f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'")
            if not (name.endswith("_at") or name.endswith("run_id") or name in RUN_SPECIFIC)
        ]
        selected = ", ".join(f'"{name}"' for name in columns)
        stored[table] = sorted(map(repr, query(db, f"SELECT {selected} FROM {table}")))
    return stored


def test_wirebeam_run_on_a_dask_cluster_stores_the_same_rows_as_in_process(cluster, seeds_dir, tmp_path, monkeypatch):
    """The whole run as a user starts it, `wirebeam run --runner=DaskRunner`, twice (the second against what the
    first stored), with relative paths although the workers run elsewhere, and a web page although the workers are
    daemonic (no child process for its time limit): every table as in process."""
    later = tmp_path / "later"
    later.mkdir()
    for path in sorted(seeds_dir.glob("*.txt"))[3:]:
        shutil.move(path, later / path.name)
    shutil.copy(sorted(seeds_dir.glob("*.txt"))[0], later / "copy-of-stored.txt")
    (later / "empty.txt").write_text("")
    paragraphs = "".join(f"<p>{story(n)}</p>" for n in range(3))
    (later / "page.html").write_text(
        f"<html><head><title>Harbour strike ends</title></head><body><article>"
        f"<h1>Harbour strike ends</h1>{paragraphs}</article></body></html>"
    )
    monkeypatch.chdir(tmp_path)
    dask_flags = ["--runner=DaskRunner", f"--dask_client_address={cluster.scheduler_address}"]
    for name, flags in (("dask", dask_flags), ("local", [])):
        for seeds in (seeds_dir, later):
            assert main(["run", "--offline", "--seeds", seeds.name, "--db", f"{name}/db.duckdb", *flags]) == 0

    on_dask, in_process = _stored(tmp_path / "dask" / "db.duckdb"), _stored(tmp_path / "local" / "db.duckdb")
    assert len(on_dask["articles"]) == 7 and len(on_dask["rejects"]) == 1 and len(on_dask["runs"]) == 2
    assert on_dask == in_process
