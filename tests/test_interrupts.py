"""Ctrl-C at any moment of a real run: one line, exit 130, the run recorded as interrupted, nothing else changed;
and a closed output pipe ends a command quietly."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, main
from pipeline.run import _interrupt_noted
from tests.conftest import REPO, query

ARTICLES = 150
INTERRUPTS = 8
"""Interrupted runs: one at a random moment of each of this many equal slices of an uninterrupted run's time after
the interpreter has started (wirebeam's start-up, reading, stages, the load)."""
SEED = int(os.environ.get("WIREBEAM_INTERRUPT_SEED", random.SystemRandom().randrange(1 << 32)))
"""Drawn anew for each test session (set ``WIREBEAM_INTERRUPT_SEED`` to repeat one); failures name it."""
CONTENT = {
    "articles": "SELECT article_id, event_id, duplicate_of, near_duplicate_of FROM articles ORDER BY 1",
    "events": "SELECT event_id, article_count, updated_run_id FROM events ORDER BY 1",
    "rejects": "SELECT reject_id FROM rejects ORDER BY 1",
    "article_features": "SELECT count(*) FROM article_features",
    "completed runs": "SELECT run_id FROM runs WHERE status = 'completed' ORDER BY 1",
}


def _write_corpus(directory: Path) -> None:
    """Made-up ~400-word articles (a test corpus, not for tuning anything)."""
    rng = random.Random(7)
    words = [f"{rng.choice('bcdfgklmnprst')}{rng.choice('aeiou')}{rng.choice('lmnrst')}{i % 97}" for i in range(3000)]
    directory.mkdir()
    with (directory / "articles.jsonl").open("w") as out:
        for index in range(ARTICLES):
            text = " ".join(rng.choice(words) for _ in range(400))
            record = {"title": f"Report {index} on {words[index]}", "text": text, "url": f"https://x.example/{index}"}
            out.write(json.dumps(record) + "\n")


def _run(seeds: Path, db: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "pipeline", "run", "--offline", "--seeds", str(seeds), "--db", str(db)]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _content(db: Path) -> dict[str, list]:
    return {name: query(db, sql) for name, sql in CONTENT.items()}


def test_ctrl_c_at_any_moment_prints_one_line_exits_130_and_changes_nothing(seeds_dir, tmp_path):
    base = tmp_path / "base.duckdb"
    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(base)]) == 0
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    shutil.copy(base, tmp_path / "full.duckdb")
    started = time.monotonic()
    full = _run(corpus, tmp_path / "full.duckdb")
    assert full.wait(timeout=600) == 0
    duration = time.monotonic() - started
    before = _content(base)
    started = time.monotonic()  # Python's own start-up, before wirebeam's first line, is Python's business
    subprocess.run([sys.executable, "-c", "import pipeline"], cwd=REPO, check=True)
    startup = time.monotonic() - started

    rng = random.Random(SEED)
    fractions = [(index + rng.random()) / INTERRUPTS for index in range(INTERRUPTS)]
    interrupted = 0
    for index, fraction in enumerate(fractions):
        db = tmp_path / f"interrupted-{index}.duckdb"
        shutil.copy(base, db)
        process = _run(corpus, db)
        time.sleep(startup + fraction * (duration - startup))
        process.send_signal(signal.SIGINT)
        where = f"seed {SEED}, at {fraction:.3f} of the run"
        _, stderr = process.communicate(timeout=600)
        if process.returncode == 0:  # the run had ended before the signal: nothing to check at this point
            continue
        if process.returncode == -signal.SIGINT and f"{REPO}/pipeline/" not in stderr:
            continue  # the signal came before any wirebeam code ran (a loaded machine starts Python slowly)
        lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("wirebeam progress:")]
        assert process.returncode == EXIT_INTERRUPTED, (where, stderr)
        assert len(lines) == 1 and lines[0].startswith("wirebeam: "), (where, stderr)
        assert _content(db) == before, where
        statuses = query(db, "SELECT status FROM runs WHERE status <> 'completed'")
        assert statuses in ([], [("interrupted",)]), where
        interrupted += 1
    assert interrupted >= 5, f"seed {SEED}: only {interrupted} runs were interrupted while wirebeam ran"


def test_a_closed_output_pipe_ends_a_query_quietly(seeds_dir, db_path):
    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path)]) == 0
    command = [sys.executable, "-m", "pipeline", "query", "--db", str(db_path), "SELECT * FROM range(200000)"]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "range"
    process.stdout.close()
    assert process.wait(timeout=60) == EXIT_BROKEN_PIPE
    assert process.stderr.read() == ""


def test_ctrl_c_during_a_database_query_of_a_run_leaves_as_an_interrupt():
    """DuckDB turns a Ctrl-C that lands in its query into ``RuntimeError: Query interrupted``; inside a run it is
    still the interrupt (exit 130, the run recorded as interrupted), not a failure with a traceback."""
    connection = duckdb.connect()
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt), _interrupt_noted():
            connection.execute("SELECT count(*) FROM range(100000000000)").fetchall()
    finally:
        timer.join()
        connection.close()
