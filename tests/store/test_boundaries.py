"""The database's boundary, checked on the source: the code that runs on workers never imports ``pipeline.store``
or DuckDB; no module outside ``pipeline/store/`` opens DuckDB or holds SQL; every table has exactly one module
under ``pipeline/store/`` that writes it; and no two modules of wirebeam import each other, however indirectly."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from schemas.models import TABLES

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = ROOT / "pipeline"
STORE = PIPELINE / "store"
WORKER_MODULES = ("pipeline.graph", "pipeline.staging")
"""Everything a worker unpickles is reached from the pipeline's wiring and its staging sink."""

WRITE = re.compile(
    r"(?:INSERT\s+(?:OR\s+(?:REPLACE|IGNORE)\s+)?INTO|(?<!DO )UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)"
    r"\s+(?P<table>[\w{}.]+)"
)
"""A statement that writes rows, and the table it writes (``{table}`` when the name is filled in by the code)."""
SQL_STATEMENT = re.compile(
    r"\bSELECT\b.+\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+)?(?:TABLE|VIEW)\b|\bCOPY\s+\(",
    re.DOTALL,
)
SQL_RESOURCE = re.compile(r"""\bsql\(\s*["'](\w+)["']\s*\)""")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(*packages: str) -> dict[str, Path]:
    return {_module_name(path): path for package in packages for path in sorted((ROOT / package).rglob("*.py"))}


def _strings(path: Path) -> list[str]:
    """The string literals of a module (an f-string's literal parts joined, its fields as ``{}``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            found.append("".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values))
    return found


def _store_sql(path: Path) -> str:
    """A store module's SQL: its string literals and the SQL resources it reads."""
    source = path.read_text(encoding="utf-8")
    resources = [(STORE / "sql" / f"{name}.sql").read_text() for name in SQL_RESOURCE.findall(source)]
    return "\n".join([*_strings(path), *resources])


def test_the_worker_side_imports_neither_the_store_nor_duckdb():
    check = (
        f"import sys; import {', '.join(WORKER_MODULES)}; "
        "print(sorted(m for m in sys.modules if m == 'duckdb' or m.startswith('pipeline.store')))"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_only_the_store_imports_duckdb():
    importers = sorted(
        str(path.relative_to(ROOT))
        for path in PIPELINE.rglob("*.py")
        if STORE not in path.parents
        and any(
            (isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "duckdb" for alias in node.names))
            or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "duckdb")
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    )
    assert importers == []


def test_no_module_outside_the_store_holds_sql():
    holders = {
        str(path.relative_to(ROOT)): [text[:60] for text in _strings(path) if SQL_STATEMENT.search(text)]
        for path in PIPELINE.rglob("*.py")
        if STORE not in path.parents
    }
    assert {path: found for path, found in holders.items() if found} == {}


def test_every_table_has_exactly_one_writer_under_the_store():
    writers: dict[str, list[str]] = defaultdict(list)
    undeclared: dict[str, set[str]] = {}
    for name, path in _modules("pipeline/store").items():
        declared = set(getattr(importlib.import_module(name), "WRITES", ()))
        for table in declared:
            writers[table].append(name)
        written = {match["table"] for match in WRITE.finditer(_store_sql(path))}
        real = {table for table in written if not table.startswith("staged_")}  # staged_*: the run's temp tables
        if any("{" in table for table in real) and not declared:
            undeclared[name] = {"a table named by the code, but no WRITES"}
        if stray := {table for table in real if table in TABLES} - declared:
            undeclared[name] = stray
    assert undeclared == {}, "modules writing tables they do not declare in WRITES"
    assert {table: writers.get(table, []) for table in TABLES if len(writers.get(table, [])) != 1} == {}
    assert set(writers) <= set(TABLES)


def test_every_sql_resource_is_read_by_a_store_module():
    read = {name for path in STORE.glob("*.py") for name in SQL_RESOURCE.findall(path.read_text(encoding="utf-8"))}
    assert sorted(path.stem for path in (STORE / "sql").glob("*.sql") if path.stem not in read) == []
    assert sorted(name for name in read if not (STORE / "sql" / f"{name}.sql").is_file()) == []


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The wirebeam modules a module imports anywhere in its code (inside functions too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module in known and module != name}


def test_no_import_cycles():
    modules = _modules("pipeline", "schemas")
    graph = {name: _imports(name, path, set(modules)) for name, path in modules.items()}
    cycles, done = [], set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycles.append(trail[trail.index(name) :] + [name])
            return
        if name in done:
            return
        for imported in sorted(graph[name]):
            visit(imported, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert cycles == []


def _first_cells(text: str) -> set[str]:
    """The names in the first cells of a Markdown table's rows (``| `load` | ...``)."""
    return {
        name
        for line in text.splitlines()
        if line.startswith("| `")
        for name in re.findall(r"`+(\w+)`+", line.split("|")[1])
    }


def test_the_module_maps_name_every_store_module():
    modules = {path.stem for path in STORE.glob("*.py") if path.stem != "__init__"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    store_map = readme[readme.index("Everything that opens DuckDB lives in `pipeline/store/`") :]
    store_map = store_map[: store_map.index("\n\n", store_map.index("| module |"))]
    assert _first_cells(store_map) == modules
    assert _first_cells(importlib.import_module("pipeline.store").__doc__) == modules
