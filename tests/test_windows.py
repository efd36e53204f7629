"""A large seeds directory read in windows (``--window_mib``): successive runs, loaded in order, that store what
one run over everything stores."""

from __future__ import annotations

import gc
import json
import os
import threading
from pathlib import Path

import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from benchmarks.events import write_seed_jsonl
from pipeline.cli import main
from pipeline.options import UsageError
from pipeline.run import _in_child_process, seed_windows, worker_count
from pipeline.staging import LOOKUP_BUCKETS, SHARD_INPUT_BYTES, STAGING_SHARDS, lookup_buckets, staging_shards
from tests.conftest import query, story_items


def _seeds(directory: Path) -> Path:
    """Four storms on one coast, in date order over three files, and a fourth file that copies one report exactly
    and republishes another with an edit."""
    directory.mkdir()
    items = sorted(story_items("storms"), key=lambda item: item.published)
    for number, start in enumerate(range(0, len(items), 4)):
        write_seed_jsonl(items[start : start + 4], directory / f"part-{number}.jsonl")
    copied, edited = items[1], items[5]
    text = edited.text.replace(".", ", officials said.", 1)
    records = [
        {"title": copied.title, "text": copied.text, "url": "https://mirror.example/a", "source": "Mirror"},
        {"title": edited.title, "text": text, "url": "https://mirror.example/b", "source": "Mirror"},
    ]
    (directory / "part-9.jsonl").write_text("".join(json.dumps(record) + "\n" for record in records))
    return directory


def _links(db: Path) -> list[tuple]:
    """Each article's original (exact copies) and near-duplicate parent, by URL."""
    return query(
        db,
        "SELECT a.url, o.url, n.url FROM articles a LEFT JOIN articles o ON a.duplicate_of = o.article_id "
        "LEFT JOIN articles n ON a.near_duplicate_of = n.article_id ORDER BY a.url",
    )


def test_seed_windows_follow_the_listing_order_by_size(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, size in [("b.txt", 60), ("a.txt", 50), ("c/d.txt", 10), ("e.txt", 200)]:
        (seeds / name).parent.mkdir(exist_ok=True)
        (seeds / name).write_text("x" * size)
    expected = [frozenset({"a.txt", "b.txt"}), frozenset({"e.txt"}), frozenset({"c/d.txt"})]
    assert seed_windows(seeds, 120) == expected, "a directory's files by name, then its subdirectories"
    assert seed_windows(seeds, 1000) == [None], "one window reads everything"
    assert seed_windows(seeds, 0) == [None]
    assert seed_windows(seeds / "a.txt", 1) == [None], "one seed file is one window"


def test_a_run_in_windows_finds_the_copies_one_run_finds(tmp_path):
    """Copies and near-copies do not depend on the window. Events are grouped across windows as across daily runs,
    by clustering a window's reports with stored members (``tests/store/test_regroup_across_runs.py``)."""
    seeds = _seeds(tmp_path / "seeds")
    whole, windowed = tmp_path / "whole.duckdb", tmp_path / "windowed.duckdb"
    assert main(["run", "--offline", "--seeds", str(seeds), "--db", str(whole), "--window_mib", "0"]) == 0
    assert main(["run", "--offline", "--seeds", str(seeds), "--db", str(windowed), "--window_mib", "0.000001"]) == 0
    assert query(windowed, "SELECT count(*), sum(articles_read) FROM runs") == [(4, 13)], "one run per file"
    assert gc.get_freeze_count() == 0, "the tables preloaded for the windows' children are unfrozen after the run"
    expected = _links(whole)
    assert any(copy_of for _, copy_of, _ in expected) and any(near for _, _, near in expected)
    assert _links(windowed) == expected


def test_staging_shards_follow_the_input_size_and_the_workers():
    assert staging_shards(0, 1) == STAGING_SHARDS, "a small input keeps the default"
    assert staging_shards(8 * 2**20, 1) == 4
    assert staging_shards(100 * SHARD_INPUT_BYTES + 1, 1) == 101, "a large window is written in smaller shards"
    assert staging_shards(0, 16) == 16, "every worker writes a shard"
    assert lookup_buckets(1) == LOOKUP_BUCKETS and lookup_buckets(16) == 16
    assert worker_count(PipelineOptions(["--direct_num_workers=3"])) == 3
    assert worker_count(PipelineOptions(["--max_num_workers=12", "--num_workers=2"])) == 12
    assert worker_count(PipelineOptions([])) == 1


def _process_and_memory(size: int, *_) -> tuple[int, int]:
    """This process' ID, after keeping ``size`` bytes in a module-level list (what a window's run would leave)."""
    _KEPT.append(bytearray(size))
    return os.getpid(), sum(len(block) for block in _KEPT)


_KEPT: list[bytearray] = []


def _fails(message: str, *_) -> None:
    raise UsageError(message)


def _fails_unpicklably(*_) -> None:
    raise UsageError(threading.Lock())


def test_a_window_runs_in_a_child_process_that_keeps_nothing_and_passes_back_its_result_or_error():
    """Each window of a windowed local run is run by ``_in_child_process``: a process of its own, so what one
    window keeps is gone for the next; its result, or its error, comes back to the launcher."""
    first_pid, first_kept = _in_child_process(_process_and_memory, 2**20)
    second_pid, second_kept = _in_child_process(_process_and_memory, 2**20)
    assert os.getpid() not in (first_pid, second_pid) and first_pid != second_pid
    assert first_kept == second_kept == 2**20 and _KEPT == []
    with pytest.raises(UsageError, match="bad window"):
        _in_child_process(_fails, "bad window")
    with pytest.raises(RuntimeError, match="UsageError"):
        _in_child_process(_fails_unpicklably)
