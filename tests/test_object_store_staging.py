"""Staging in an object store: workers write the shards to S3 through Beam's FileSystems and the launcher loads
them from there. The store is moto's S3-compatible server on 127.0.0.1."""

from __future__ import annotations

import socket
import uuid
from datetime import datetime, timezone

import apache_beam as beam
import pytest
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner

from pipeline.cli import main
from pipeline.dedup.events import DEFAULT_THRESHOLDS
from pipeline.dedup.minhash import MinHashConfig
from pipeline.graph import RunPlan, build_pipeline
from pipeline.store.load import load_run
from schemas.models import Run
from tests.conftest import query

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")
ROWS = "SELECT article_id, event_id, title, near_duplicate_of FROM articles ORDER BY 1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3_flags():
    """Flags that point Beam's S3 file system at a local S3 server, its client and a new empty bucket (moto keeps
    its buckets in the process, across servers)."""
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=endpoint, **credentials)
    bucket = f"wirebeam-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    flags = [
        f"--s3_endpoint_url={endpoint}",
        "--s3_access_key_id=test",
        "--s3_secret_access_key=test",
        "--s3_region_name=us-east-1",
    ]
    yield flags, client, bucket
    FileSystems.set_options(None)
    server.stop()


def _keys(client, bucket: str) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_shards_staged_in_an_object_store_are_written_there_and_loaded_from_there(s3_flags, seeds_dir, db_path):
    flags, client, bucket = s3_flags
    options = PipelineOptions(flags)
    FileSystems.set_options(options)
    staging = f"s3://{bucket}/runs/run-1"
    started = datetime.now(timezone.utc)
    plan = RunPlan("run-1", started, str(seeds_dir), staging, MinHashConfig(), DEFAULT_THRESHOLDS)
    with beam.Pipeline(runner=FnApiRunner(), options=options) as pipeline:
        build_pipeline(pipeline, plan)
    staged = _keys(client, bucket)
    assert any(key.startswith("runs/run-1/articles/") and key.endswith(".parquet") for key in staged), staged

    db_path.parent.mkdir(parents=True)
    run = Run(run_id="run-1", started_at=started, mode="offline", status="completed")
    loaded = load_run(db_path, staging, run, MinHashConfig(), DEFAULT_THRESHOLDS)
    assert (loaded.articles_read, loaded.articles_new) == (5, 5)
    assert query(db_path, "SELECT count(*) FROM articles") == [(5,)]


def test_a_run_staging_in_an_object_store_stores_what_a_local_run_stores_and_cleans_up(s3_flags, seeds_dir, tmp_path):
    flags, client, bucket = s3_flags
    local_db, s3_db = tmp_path / "local.duckdb", tmp_path / "s3.duckdb"
    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(local_db)]) == 0
    s3_run = ["run", "--offline", "--seeds", str(seeds_dir), "--db", str(s3_db), f"--staging_dir=s3://{bucket}/x"]
    assert main([*s3_run, *flags]) == 0
    assert query(s3_db, ROWS) == query(local_db, ROWS)
    assert _keys(client, bucket) == [], "the run's staging is removed from the store after the load"
