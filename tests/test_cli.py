"""Command-line mistakes a user makes get one clear line and the right exit code, never a traceback."""

import argparse
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import EXIT_ERROR, EXIT_USAGE, build_parser, main
from pipeline.run import staging_root
from tests.conftest import query


def test_a_mistyped_run_flag_is_refused_before_anything_runs(seeds_dir, db_path, capsys):
    assert main(["run", "--offline", "--seedz", str(seeds_dir), "--db", str(db_path)]) == EXIT_USAGE
    assert "unrecognized arguments: --seedz" in capsys.readouterr().err
    assert not db_path.exists()


def test_an_abbreviated_run_flag_is_refused_not_silently_dropped(seeds_dir, db_path, capsys):
    assert main(["run", "--offline", "--seed", str(seeds_dir), "--db", str(db_path)]) == EXIT_USAGE
    assert "--seed" in capsys.readouterr().err


def test_a_directory_as_database_is_a_usage_error(seeds_dir, tmp_path, capsys):
    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(tmp_path)]) == EXIT_USAGE
    assert "is a directory" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's read-only /proc")
def test_a_database_in_a_directory_that_cannot_be_written_is_a_file_system_error(seeds_dir, capsys):
    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", "/proc/wirebeam.duckdb"]) == EXIT_ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("wirebeam: cannot write the database in /proc")


def test_bad_sql_and_a_missing_database_are_one_line_errors(tmp_path, capsys):
    assert main(["query", "--db", str(tmp_path / "none.duckdb"), "SELECT 1"]) == EXIT_ERROR
    error = capsys.readouterr().err
    assert error.startswith("wirebeam: database not found") and "Traceback" not in error and error.count("\n") == 1


def test_queries_cannot_write(seeds_dir, db_path, capsys):
    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path)]) == 0
    capsys.readouterr()
    assert main(["query", "--db", str(db_path), "DELETE FROM articles"]) == EXIT_ERROR
    assert "read-only" in capsys.readouterr().err
    assert main(["query", "--db", str(db_path), "SELEC 1"]) == EXIT_ERROR
    assert capsys.readouterr().err == 'wirebeam: Parser Error: syntax error at or near "SELEC" LINE 1: SELEC 1\n'
    assert main(["query", "--db", str(db_path), "SELECT nope\nFROM articles"]) == EXIT_ERROR
    error = capsys.readouterr().err
    assert error.startswith("wirebeam: Binder Error:") and error.count("\n") == 1, "a multi-line error, one line"
    assert main(["query", "--db", str(db_path), "SELECT count(*) AS n FROM articles", "--format", "csv"]) == 0
    assert capsys.readouterr().out == "n\n5\n", "CSV lines end in LF: $(wirebeam query --format csv ...) had a CR"


def test_queries_reach_no_other_file_unless_allowed(seeds_dir, db_path, tmp_path, capsys):
    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path)]) == 0
    secret, written = tmp_path / "secret.csv", tmp_path / "out.csv"
    secret.write_text("token\nhunter2\n")
    capsys.readouterr()
    for sql in (f"SELECT * FROM read_csv('{secret}')", f"COPY (SELECT title FROM articles) TO '{written}'"):
        assert main(["query", "--db", str(db_path), sql]) == EXIT_ERROR
        error = capsys.readouterr().err
        assert "file system operations are disabled" in error and error.count("\n") == 1
    assert main(["query", "--db", str(db_path), "SET enable_external_access = true"]) == EXIT_ERROR
    assert not written.exists() and "hunter2" not in capsys.readouterr().out
    allowed = ["query", "--db", str(db_path), "--allow_file_access", "--format", "csv"]
    assert main([*allowed, f"SELECT * FROM read_csv('{secret}')"]) == 0
    assert capsys.readouterr().out.splitlines() == ["token", "hunter2"]


def test_each_statement_of_a_query_prints_its_result(seeds_dir, db_path, capsys):
    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path)]) == 0
    capsys.readouterr()
    sql = "SELECT 1 AS one; SELECT count(*) AS n FROM articles"
    assert main(["query", "--db", str(db_path), sql]) == 0
    assert capsys.readouterr().out.splitlines() == ["one", "1  ", "(1 row)", "", "n", "5", "(1 row)"]
    assert main(["query", "--db", str(db_path), "--format", "json", "SELECT 1; SELECT 2"]) == EXIT_USAGE
    assert "--format json takes one statement; 2 were given" in capsys.readouterr().err


def test_query_tables_show_null_and_cut_long_values_visibly(seeds_dir, db_path, capsys):
    main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path)])
    capsys.readouterr()
    sql = "SELECT title, source FROM articles WHERE title LIKE 'Cairo Truce%'"
    assert main(["query", "--db", str(db_path), sql]) == 0
    header, row, count = capsys.readouterr().out.splitlines()
    assert header.split() == ["title", "source"] and count == "(1 row)"
    assert "Cairo Truce Talks Fail to Yield Progress" in row and "…" in row and row.rstrip().endswith("NULL")


SLOW_IMPORTS = ("apache_beam", "pyarrow")
"""What the read commands must not import (Beam alone takes about a second): issue 15's 0.5 s start."""


def _loaded(code: str, *modules: str) -> str:
    """``code``, then exit 3 naming any of ``modules`` it imported (else with its own exit code)."""
    return (
        f"{code}\nloaded = [m for m in {modules!r} if m in sys.modules]\n"
        "print('imported', loaded, file=sys.stderr) if loaded else None\n"
        "sys.exit(3 if loaded else code)"
    )


def test_read_commands_start_without_importing_beam_or_pyarrow(seeds_dir, db_path):
    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path)]) == 0
    (event_id,) = query(db_path, "SELECT min(event_id) FROM events")[0]
    for command in (
        ["query", "SELECT count(*) FROM articles"],
        ["events"],
        ["events", "show", event_id],
        ["feeds", "list"],
        ["schema", "--check"],
    ):
        args = command + ["--db", str(db_path)] if command[0] != "schema" else command
        check = _loaded(f"import sys; from pipeline.cli import main; code = main({args!r})", *SLOW_IMPORTS)
        result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=False)
        assert result.returncode == 0, (command, result.stderr)
    check = _loaded(
        "import contextlib, sys; from pipeline.cli import main\ncode = 0\n"
        "with contextlib.suppress(SystemExit): main(['--help'])",
        *SLOW_IMPORTS,
        "duckdb",
        "pydantic",
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "feeds" in result.stdout, result.stderr


def test_a_run_on_an_empty_input_records_an_empty_run_without_building_a_pipeline(tmp_path, db_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["run", "--offline", "--seeds", str(empty), "--db", str(db_path)]) == 0
    assert "articles read     0" in capsys.readouterr().out
    with duckdb.connect(str(db_path), read_only=True) as connection:
        assert connection.execute("SELECT status, articles_read FROM runs").fetchall() == [("completed", 0)]
    staged = Path(staging_root(None, db_path))
    assert not staged.exists() or not any(staged.iterdir())


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return actions[0].choices if actions else {}


def test_every_argument_of_every_command_has_help():
    parsers = [_subparsers(build_parser(name))[name] for name in _subparsers(build_parser())]
    missing = []
    while parsers:
        parser = parsers.pop()
        parsers += _subparsers(parser).values()
        kinds = (argparse._SubParsersAction, argparse._HelpAction)
        missing += [f"{parser.prog} {a.dest}" for a in parser._actions if a.help is None and not isinstance(a, kinds)]
    assert missing == []


def test_version_is_printed(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and re.fullmatch(r"wirebeam \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


def test_one_seed_file_can_be_given_instead_of_a_directory(seeds_dir, db_path, capsys):
    (seed,) = sorted(seeds_dir.glob("*.txt"))[:1]
    assert main(["run", "--offline", "--seeds", str(seed), "--db", str(db_path)]) == 0
    assert query(db_path, "SELECT source_ref FROM articles") == [(seed.name,)]
    assert main(["run", "--offline", "--seeds", "/dev/null", "--db", str(db_path)]) == EXIT_USAGE
    assert "/dev/null: is neither a directory nor a file" in capsys.readouterr().err


def test_a_feed_list_given_but_missing_is_an_error_not_an_empty_list(tmp_path, db_path, capsys):
    (tmp_path / "seeds").mkdir()
    missing = tmp_path / "feedz.opml"
    flags = ["--seeds", str(tmp_path / "seeds"), "--db", str(db_path), "--feeds", str(missing)]
    assert main(["run", *flags]) == EXIT_USAGE
    assert f"feed list not found: {missing}" in capsys.readouterr().err
    for command in (["export"], ["remove", "http://127.0.0.1:9/feed.xml"]):
        assert main(["feeds", *command, "--feeds", str(missing), "--db", str(db_path)]) == EXIT_USAGE, command
        assert f"feed list not found: {missing}" in capsys.readouterr().err
    assert main(["feeds", "list", "--feeds", str(missing), "--db", str(db_path)]) == 0
    assert f"no feeds in {missing}" in capsys.readouterr().out


def test_the_feed_list_lives_beside_the_database_not_in_the_source_tree(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "state" / "w.duckdb"
    assert main(["feeds", "add", "http://127.0.0.1:9/feed.xml", "--db", str(db)]) == 0
    assert (tmp_path / "state" / "feeds.opml").is_file() and not (tmp_path / "seeds").exists()
    capsys.readouterr()
    assert main(["feeds", "list", "--db", str(db)]) == 0
    assert "http://127.0.0.1:9/feed.xml" in capsys.readouterr().out
    legacy = tmp_path / "seeds" / "feeds.opml"  # where an older wirebeam kept it: still read
    legacy.parent.mkdir()
    (tmp_path / "state" / "feeds.opml").rename(legacy)
    assert main(["feeds", "list", "--db", str(db)]) == 0
    assert "http://127.0.0.1:9/feed.xml" in capsys.readouterr().out


def test_a_near_duplicate_threshold_out_of_range_is_a_usage_line_and_records_no_run(seeds_dir, db_path, capsys):
    flags = ["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path)]
    assert main([*flags, "--near_duplicate_threshold", "2"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "threshold must be in (0, 1]" in err and "Traceback" not in err
    assert not db_path.exists()


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--min_host_interval", "-5", "not a number at least 0.0: '-5'"),
        ("--max_page_bytes", "0", "not an integer at least 1: '0'"),
        ("--fetch_retries", "-1", "not an integer at least 0: '-1'"),
        ("--fetch_deadline", "0", "not a number more than 0.0: '0'"),
    ],
)
def test_a_fetch_limit_out_of_range_is_refused_by_the_parser(seeds_dir, db_path, capsys, flag, value, says):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--seeds", str(seeds_dir), "--db", str(db_path), flag, value])
    assert exit_.value.code == EXIT_USAGE
    assert f"argument {flag}: {says}" in capsys.readouterr().err
    assert not db_path.exists()
