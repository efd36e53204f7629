"""The database's boundary: the code that runs on workers never imports ``pipeline.store`` or DuckDB, and no
module outside ``pipeline/store/`` opens DuckDB."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PIPELINE = Path(__file__).resolve().parents[2] / "pipeline"
WORKER_MODULES = ("pipeline.graph", "pipeline.staging")
"""Everything a worker unpickles is reached from the pipeline's wiring and its staging sink."""


def test_the_worker_side_imports_neither_the_store_nor_duckdb():
    check = (
        f"import sys; import {', '.join(WORKER_MODULES)}; "
        "print(sorted(m for m in sys.modules if m == 'duckdb' or m.startswith('pipeline.store')))"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_only_the_store_imports_duckdb():
    importers = sorted(
        str(path.relative_to(PIPELINE))
        for path in PIPELINE.rglob("*.py")
        if "store" not in path.relative_to(PIPELINE).parts[:1]
        and any(
            line.strip() in ("import duckdb", "    import duckdb") or line.strip().startswith("from duckdb")
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    )
    assert importers == []
