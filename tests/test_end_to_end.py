"""The whole pipeline as a user runs it: ``wirebeam run`` on seed directories into real DuckDB files."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import apache_beam as beam
import filelock
from apache_beam.runners.portability.fn_api_runner import FnApiRunner

from benchmarks.events import write_seed_jsonl
from pipeline.cli import main
from pipeline.dedup.minhash import MinHashConfig
from pipeline.events.score import DEFAULT_THRESHOLDS
from pipeline.graph import RunPlan, build_pipeline
from pipeline.run import staging_root
from tests.conftest import (
    REPO,
    assert_events_match_articles,
    query,
    seed_events,
    story_items,
    table_counts,
)


def run(seeds: Path, db: Path, *extra: str) -> int:
    return main(["run", "--offline", "--seeds", str(seeds), "--db", str(db), *extra])


def test_offline_run_on_the_seeds_stores_every_article_and_prints_a_summary(seeds_dir, db_path, capsys):
    assert run(seeds_dir, db_path) == 0
    output = capsys.readouterr().out
    groups = seed_events(db_path)
    assert table_counts(db_path) == {"articles": 5, "events": len(groups), "runs": 1, "rejects": 0}
    assert any({"003", "004"} <= group for group in groups), "two reports of the April 2024 round share an event"
    assert query(db_path, "SELECT count(near_duplicate_of) FROM articles") == [(0,)], "no seed copies another"
    assert_events_match_articles(db_path)
    assert "new articles      5" in output and str(db_path.resolve()) in output and "wirebeam query" in output
    (dated,) = query(db_path, "SELECT title, published_at FROM articles WHERE published_at IS NOT NULL")
    assert dated[0].startswith("Hopes Dim") and dated[1] == datetime(2024, 4, 8, tzinfo=timezone.utc)
    (status, mode, read, new) = query(db_path, "SELECT status, mode, articles_read, articles_new FROM runs")[0]
    assert (status, mode, read, new) == ("completed", "offline", 5, 5)
    assert not any(Path(staging_root(None, db_path)).iterdir()), "staging is removed after the load"


def test_a_second_run_on_the_same_input_adds_nothing(seeds_dir, db_path, capsys):
    run(seeds_dir, db_path)
    before = {table: query(db_path, f"SELECT * FROM {table} ORDER BY 1") for table in ("articles", "article_links")}
    counts = table_counts(db_path)
    capsys.readouterr()
    assert run(seeds_dir, db_path) == 0
    assert "new articles      0" in capsys.readouterr().out
    assert table_counts(db_path) == {**counts, "runs": 2}
    for table, rows in before.items():
        assert query(db_path, f"SELECT * FROM {table} ORDER BY 1") == rows


def test_a_new_run_deduplicates_against_what_is_stored(seeds_dir, db_path, tmp_path):
    run(seeds_dir, db_path)
    later = tmp_path / "later"
    later.mkdir()
    original = next(seeds_dir.glob("001_*.txt"))
    shutil.copy(original, later / "republished.txt")
    shutil.copy(original, later / "republished-again.txt")
    (later / "new.txt").write_text("A different story\nSomething else happened somewhere else entirely.")
    assert run(later, db_path) == 0
    rows = query(
        db_path,
        "SELECT a.source_ref, o.source_ref, a.event_id = o.event_id FROM articles a "
        "JOIN articles o ON a.duplicate_of = o.article_id ORDER BY 1",
    )
    assert rows == [("republished-again.txt", original.name, True), ("republished.txt", original.name, True)]
    assert_events_match_articles(db_path)
    assert query(
        db_path, "SELECT articles_new, exact_duplicates, events_new, events_updated FROM runs ORDER BY started_at"
    )[-1] == (3, 2, 1, 1)


def test_a_later_republication_with_edits_points_at_the_stored_original(seeds_dir, db_path, tmp_path):
    run(seeds_dir, db_path)
    original = next(seeds_dir.glob("002_*.txt")).read_text()
    later = tmp_path / "later"
    later.mkdir()
    lines = original.splitlines()
    republished = ["Cairo talks end without a deal, process to continue", "CAIRO (Wire) -"] + lines[1:-2]
    (later / "syndicated.txt").write_text("\n".join(republished + ["(c) 2024 Wire Services. All rights reserved."]))
    assert run(later, db_path) == 0
    ((near_of, score, same_event),) = query(
        db_path,
        "SELECT o.source_ref, a.near_duplicate_score, a.event_id = o.event_id FROM articles a "
        "JOIN articles o ON a.near_duplicate_of = o.article_id",
    )
    assert near_of.startswith("002_") and 0.5 < score < 1 and same_event
    assert query(db_path, "SELECT method FROM article_links WHERE run_id = (SELECT max(run_id) FROM runs)") == [
        ("minhash",)
    ]
    assert query(db_path, "SELECT near_duplicates, events_new FROM runs ORDER BY started_at DESC LIMIT 1") == [(1, 0)]
    assert_events_match_articles(db_path)


def test_a_later_report_joins_the_stored_event_it_reports_not_another_event_of_its_story(db_path, tmp_path):
    """Four storms on one coast are stored; a late report of the second joins that storm's event."""
    items = story_items("storms")
    late = next(item for item in items if item.item_id == "storms-b-4")
    for name, batch in (("first", [item for item in items if item is not late]), ("later", [late])):
        (tmp_path / name).mkdir()
        write_seed_jsonl(batch, tmp_path / name / "storms.jsonl")
    assert run(tmp_path / "first", db_path) == 0
    assert query(db_path, "SELECT count(*) FROM events") == [(4,)]
    assert run(tmp_path / "later", db_path) == 0
    rows = query(db_path, "SELECT list(split_part(url, '/', -1)) FROM articles GROUP BY event_id")
    assert {f"storms-b-{n}" for n in range(1, 5)} in [set(ids) for (ids,) in rows]
    linked = query(
        db_path,
        "SELECT DISTINCT l.method, split_part(o.url, '/', -1) LIKE 'storms-b-%' FROM article_links l "
        "JOIN articles o ON o.article_id = l.other_article_id WHERE l.run_id = (SELECT max(run_id) FROM runs)",
    )
    assert linked == [("event", True)]
    assert query(db_path, "SELECT events_new, events_updated FROM runs ORDER BY started_at DESC LIMIT 1") == [(0, 1)]
    assert query(db_path, "SELECT sum(doc_count) > 0 FROM term_stats") == [(True,)]
    assert_events_match_articles(db_path)


def test_bad_input_is_rejected_with_a_reason_and_the_run_goes_on(seeds_dir, db_path, capsys):
    (seeds_dir / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (seeds_dir / "empty.html").write_text("   ")
    (seeds_dir / "broken.json").write_text('{"title": ')
    (seeds_dir / "records.jsonl").write_text(
        json.dumps({"title": "Title-only wire item", "url": "https://example.com/w", "source": "AP"})
        + "\n{oops\n"
        + json.dumps({"url": "https://example.com/no-title"})
        + "\n"
    )
    (seeds_dir / "notes.pdf").write_bytes(b"%PDF-1.4")
    assert run(seeds_dir, db_path) == 0
    rejects = query(db_path, "SELECT source_ref, stage, reason FROM rejects ORDER BY 1")
    assert rejects == [
        ("binary.txt", "read", "binary_file"),
        ("broken.json", "read", "invalid_json"),
        ("empty.html", "read", "empty_file"),
        ("notes.pdf", "read", "unsupported_file_type"),
        ("records.jsonl#2", "read", "invalid_json"),
        ("records.jsonl#3", "read", "missing_fields"),
    ]
    assert query(db_path, "SELECT count(*), count(*) FILTER (content_kind = 'title_only') FROM articles") == [(6, 1)]
    assert "rejected          6" in capsys.readouterr().out
    run(seeds_dir, db_path)
    assert table_counts(db_path)["rejects"] == 6, "the same failure is stored once"
    assert "rejected          0" in capsys.readouterr().out, "the second run's count is no row of its own"
    counted = "SELECT r.rejected, (SELECT count(*) FROM rejects j WHERE j.run_id = r.run_id) FROM runs r"
    assert query(db_path, counted + " ORDER BY started_at") == [(6, 6), (0, 0)], "counts and rows must agree"


def test_multi_process_run_stores_the_same_rows_as_the_in_process_run(seeds_dir, tmp_path):
    columns = "article_id, title, content_hash, duplicate_of, event_id, published_at"
    shutil.copy(next(seeds_dir.glob("002_*.txt")), seeds_dir / "copy.txt")
    single, multi = tmp_path / "single.duckdb", tmp_path / "multi.duckdb"
    assert run(seeds_dir, single) == 0
    assert run(seeds_dir, multi, "--direct_running_mode=multi_processing", "--direct_num_workers=2") == 0
    expected = query(single, f"SELECT {columns} FROM articles ORDER BY article_id")
    assert len(expected) == 6
    assert query(multi, f"SELECT {columns} FROM articles ORDER BY article_id") == expected
    assert query(multi, "SELECT * EXCLUDE (created_run_id, updated_run_id) FROM events ORDER BY 1") == query(
        single, "SELECT * EXCLUDE (created_run_id, updated_run_id) FROM events ORDER BY 1"
    )


NO_SOCKET_RUN = textwrap.dedent(
    """
    import sys

    def refuse_sockets(event, args):
        if event.startswith("socket.") :
            raise RuntimeError(f"offline run opened a socket: {event} {args}")

    sys.addaudithook(refuse_sockets)
    from pipeline.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def test_offline_run_opens_no_network_socket(seeds_dir, db_path):
    command = [sys.executable, "-c", NO_SOCKET_RUN, "run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "socket" not in result.stderr
    assert table_counts(db_path)["articles"] == 5


def test_a_run_killed_before_its_load_leaves_the_database_as_it_was(seeds_dir, db_path, tmp_path):
    run(seeds_dir, db_path)
    before = table_counts(db_path)
    (seeds_dir / "extra.txt").write_text("Another headline\nAnother body about something new.")
    staging = Path(staging_root(None, db_path)) / "killed-run"
    plan = RunPlan(
        "killed-run", datetime.now(timezone.utc), str(seeds_dir), str(staging), MinHashConfig(), DEFAULT_THRESHOLDS
    )
    with beam.Pipeline(runner=FnApiRunner()) as pipeline:
        build_pipeline(pipeline, plan)
    assert any(staging.glob("articles/*.parquet")), "the pipeline wrote its shards; the load never ran"
    assert table_counts(db_path) == before
    assert run(seeds_dir, db_path) == 0
    assert not staging.exists(), "the next run clears what the killed run left"
    assert table_counts(db_path) == {**before, "articles": 6, "events": before["events"] + 1, "runs": 2}


def test_a_run_on_one_database_leaves_the_staging_of_another_alone(seeds_dir, tmp_path):
    in_flight = Path(staging_root(None, tmp_path / "a.duckdb")) / "run-in-progress"
    (in_flight / "articles").mkdir(parents=True)
    assert run(seeds_dir, tmp_path / "b.duckdb") == 0
    assert in_flight.exists()


def test_a_run_killed_at_any_moment_leaves_a_consistent_database_and_the_next_run_completes(seeds_dir, db_path):
    command = [sys.executable, "-m", "pipeline", "run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path)]
    for delay in (0.5, 1.5, 2.5, 3.5):
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        # A kill before the schema's one transaction commits leaves a file without tables: nothing stored.
        if db_path.exists() and query(db_path, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'runs'")[0][0]:
            counts = table_counts(db_path)
            assert counts["articles"] in (0, 5)
            assert counts["runs"] == len(query(db_path, "SELECT 1 FROM runs WHERE status = 'completed'"))
            assert_events_match_articles(db_path)
    assert run(seeds_dir, db_path) == 0
    assert query(db_path, "SELECT count(*), count(DISTINCT content_hash) FROM articles") == [(5, 5)]
    assert_events_match_articles(db_path)


def test_a_second_run_on_a_locked_database_exits_with_a_clear_message(seeds_dir, db_path, capsys):
    db_path.parent.mkdir(parents=True)
    with filelock.FileLock(f"{db_path}.lock"):
        assert run(seeds_dir, db_path) == 75
    assert "another run is using this database" in capsys.readouterr().err
    assert not db_path.exists()


def test_missing_seeds_directory_is_a_usage_error(tmp_path, capsys):
    assert run(tmp_path / "nowhere", tmp_path / "x.duckdb") == 2
    assert "nowhere: not found (give a directory of seed files, or one seed file)" in capsys.readouterr().err
