"""A run while another program (a notebook, a BI tool) keeps the database open read-only: DuckDB then lets no
process write it. The run waits (bounded), then either goes on or says so in one line with exit code 75."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import EXIT_LOCKED, main
from pipeline.store.connection import connect
from tests.conftest import query

READ_ONLY_HOLD = (
    "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); print('open', flush=True); "
    "time.sleep(float(sys.argv[2]))"
)


def _notebook(db: Path, seconds: float) -> subprocess.Popen:
    """Another process with a read-only connection to the database for ``seconds``."""
    holder = subprocess.Popen(
        [sys.executable, "-c", READ_ONLY_HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "open"
    return holder


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "seeds").mkdir()
    connect(tmp_path / "w.duckdb").close()
    return tmp_path


def _run(workdir: Path, *extra: str) -> int:
    return main(["run", "--offline", "--seeds", str(workdir / "seeds"), "--db", str(workdir / "w.duckdb"), *extra])


def test_a_run_waits_for_a_read_only_connection_of_another_program_to_close(workdir: Path):
    holder = _notebook(workdir / "w.duckdb", 2)
    started = time.monotonic()
    try:
        assert _run(workdir) == 0
    finally:
        holder.wait()
    assert time.monotonic() - started >= 1
    assert query(workdir / "w.duckdb", "SELECT status FROM runs") == [("completed",)]


@pytest.mark.parametrize("flags", [["--outside_lock_timeout=2"], ["--outside_lock_timeout=0", "--lock_timeout=2"]])
def test_a_run_blocked_longer_than_it_waits_says_who_holds_the_database_in_one_line(workdir: Path, capsys, flags):
    wait = 2
    holder = _notebook(workdir / "w.duckdb", wait + 60)
    started = time.monotonic()
    try:
        assert _run(workdir, *flags) == EXIT_LOCKED
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert wait <= waited < wait + 15, "the longer of the two timeouts"
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "is open in another program" in lines[0] and f"PID {holder.pid}" in lines[0]
    assert query(workdir / "w.duckdb", "SELECT count(*) FROM runs") == [(0,)], "the database is unchanged"
