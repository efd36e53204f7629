"""The scheduling units under infra/ run as written on a fresh install and poll the feeds `feeds add` lists."""

import json
import re
import shlex
from pathlib import Path

import pytest

from pipeline.cli import main

INFRA = Path(__file__).resolve().parent.parent / "infra"
FEED = "http://127.0.0.1:9/feed.xml"  # nothing listens: the poll fails at once and is recorded


def _after_wirebeam(words: list[str]) -> list[str]:
    return words[next(i for i, word in enumerate(words) if word.endswith("/wirebeam")) + 1 :]


def _systemd() -> list[str]:
    line = next(
        line
        for line in (INFRA / "systemd" / "wirebeam.service").read_text().splitlines()
        if line.startswith("ExecStart=")
    )
    return _after_wirebeam(shlex.split(line.removeprefix("ExecStart=")))


def _cron() -> list[str]:
    line = next(
        line for line in (INFRA / "cron" / "wirebeam.crontab").read_text().splitlines() if re.match(r"[*\d]", line)
    )
    command = line.split(maxsplit=5)[5].split("&&", 1)[1].split(">>", 1)[0]
    return _after_wirebeam(shlex.split(command))


def _docker() -> list[str]:
    line = next(line for line in (INFRA / "Dockerfile").read_text().splitlines() if line.startswith("CMD "))
    return json.loads(line.removeprefix("CMD "))


@pytest.mark.parametrize("unit", [_systemd, _cron, _docker], ids=["systemd", "cron", "docker"])
def test_a_unit_runs_on_a_fresh_install_and_polls_the_listed_feeds(unit, tmp_path, monkeypatch, capsys):
    args = [word.replace("/data", str(tmp_path)) for word in unit()]
    if "--every" in args:  # the container repeats in the foreground: one run here
        del args[args.index("--every") : args.index("--every") + 2]
    db = args[args.index("--db") + 1]
    monkeypatch.chdir(tmp_path)
    for folder in ("seeds", "data"):  # what ExecStartPre and the image create
        (tmp_path / folder).mkdir(exist_ok=True)
    assert main(["feeds", "add", FEED, "--db", db]) == 0
    assert main([*args, "--allow_private_networks"]) == 0
    capsys.readouterr()
    assert main(["feeds", "list", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert FEED in listed and "never polled" not in listed
