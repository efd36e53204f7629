"""Read commands while a load holds the database: they wait (bounded), then answer or say it is busy."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.cli.query import print_table
from pipeline.store.connection import DatabaseBusy, connect, open_database

HOLD = (
    "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
    "time.sleep(float(sys.argv[2]))"
)


def _hold(db: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the database's write lock for ``seconds``, like a run's load."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    connect(path).close()
    return path


def test_a_query_during_a_load_waits_and_answers(db: Path, capsys):
    holder = _hold(db, 1.5)
    started = time.monotonic()
    try:
        assert main(["query", "SELECT 42 AS answer", "--db", str(db)]) == 0
    finally:
        holder.wait()
    assert time.monotonic() - started >= 0.5
    assert "42" in capsys.readouterr().out


def test_a_reader_that_waited_long_enough_says_a_load_is_running(db: Path):
    holder = _hold(db, 3)
    try:
        with pytest.raises(DatabaseBusy, match="busy"):
            open_database(db, wait=0.5)
    finally:
        holder.wait()


def test_a_missing_database_is_one_line(tmp_path: Path, capsys):
    assert main(["query", "SELECT 1", "--db", str(tmp_path / "missing.duckdb")]) == 1
    assert (
        capsys.readouterr().err.strip()
        == f"wirebeam: database not found: {tmp_path / 'missing.duckdb'} (run `wirebeam run` first)"
    )


def test_table_cells_never_carry_terminal_escape_sequences(capsys):
    print_table(["title"], [("\x1b[2J\x1b[31mred\x07",)])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "red" in out


def test_a_query_piped_into_head_ends_quietly(db: Path):
    command = f"{sys.executable} -m pipeline query --db {db} 'SELECT range FROM range(200000)' | head -n 2"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines()[0].strip() == "range" and done.stderr == ""
