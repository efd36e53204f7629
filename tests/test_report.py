"""``wirebeam report``: a self-contained HTML page that renders in headless Chromium without console errors.

Chromium is Debian's ``chromium`` package; ``scripts/ensure-chromium.sh`` installs it when missing (as root with
apt-get). The page's own script writes ``rendered`` into ``#render-status`` once it has run, so ``--dump-dom``
shows whether it ran; Chromium's console messages (``--enable-logging=stderr``) show any uncaught error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from pipeline.cli import main
from pipeline.report import timeline_svg
from tests.conftest import REPO, SEEDS, query

CHROMIUM_NAMES = ("chromium", "chromium-browser")
INSTALL_SCRIPT = REPO / "scripts" / "ensure-chromium.sh"
CHROMIUM_SECONDS = 120
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
)
_CONSOLE_ERROR = re.compile(r"Uncaught|CONSOLE\(\d+\).*(?:Error|error)|:ERROR:CONSOLE")


def _find_chromium() -> str | None:
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


@pytest.fixture(scope="module")
def chromium() -> str:
    """Path of the Chromium binary; installed first when missing and possible, else the test is skipped."""
    found = _find_chromium()
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["sh", str(INSTALL_SCRIPT)], check=False, timeout=900)
        found = _find_chromium()
    if found is None:
        pytest.skip(
            "chromium is not installed and could not be installed (needs root and apt-get with Debian's "
            f"registry); run {INSTALL_SCRIPT.relative_to(REPO)}"
        )
    return found


def render(chromium: str, page: Path, profile: Path) -> tuple[str, list[str]]:
    """The page's DOM after its scripts ran, and Chromium's console error lines."""
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=CHROMIUM_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout, [line for line in result.stderr.splitlines() if _CONSOLE_ERROR.search(line)]


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory) -> tuple[Path, Path]:
    """(database, report) built by ``wirebeam run --offline`` and ``wirebeam report`` on a copy of ``seeds/``."""
    root = tmp_path_factory.mktemp("report")
    shutil.copytree(SEEDS, root / "seeds")
    db = root / "wirebeam.duckdb"
    assert main(["run", "--offline", "--seeds", str(root / "seeds"), "--db", str(db)]) == 0
    out = root / "out" / "report.html"
    assert main(["report", "--out", str(out), "--db", str(db)]) == 0
    return db, out


def test_report_is_self_contained(seed_report):
    html = seed_report[1].read_text()
    assert not re.search(r"\b(?:src|href)\s*=", html)
    assert "http://" not in html and "https://" not in html and "@import" not in html
    assert html.count("<script>") == 1


def test_report_shows_every_event_with_its_coverage_actors_and_places(seed_report):
    db, page = seed_report
    html = page.read_text()
    events = query(db, "SELECT event_id FROM events")
    for (event_id,) in events:
        assert event_id in html
    assert (
        len(re.findall(r'<circle class="dot"', html))
        == query(db, "SELECT count(*) FROM event_summary WHERE event_day IS NOT NULL OR first_reported_at IS NOT NULL")[
            0
        ][0]
    )
    for expected in ("cnbc.com", "Israel", "Hamas", "Egypt", "Cairo (EG)", "Gaza (PS)", "consult"):
        assert expected in html


def test_report_renders_in_headless_chromium_without_console_errors(seed_report, chromium, tmp_path):
    dom, errors = render(chromium, seed_report[1], tmp_path / "profile")
    assert errors == []
    status = re.search(r'<span id="render-status" data-charts="(\d+)">(\w+)</span>', dom)
    assert status is not None and status.group(2) == "rendered"
    assert int(status.group(1)) >= 4
    assert "<svg" in dom


def test_the_render_check_catches_a_script_error(chromium, tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text('<p><span id="render-status">static</span></p><script>notDefined();</script>')
    dom, errors = render(chromium, broken, tmp_path / "profile")
    assert ">static<" in dom
    assert any("notDefined" in line for line in errors)


def test_timeline_places_events_by_day_and_stacks_a_busy_day():
    events = [
        {"event_day": date(2024, 4, day), "first_reported_at": None, "title": f"t{n}", "article_count": 1}
        for n, day in enumerate((1, 8, 8, 30))
    ]
    events.append({"event_day": None, "first_reported_at": None, "title": "undated", "article_count": 1})
    svg = timeline_svg(events)
    dots = re.findall(r'<circle class="dot" cx="([\d.]+)" cy="(\d+)"', svg)
    assert len(dots) == 4
    first, second, third, last = dots
    assert float(first[0]) < float(second[0]) == float(third[0]) < float(last[0])
    assert second[1] != third[1]
    assert ">2024-04-01<" in svg and ">2024-04-30<" in svg
    assert "1 event without a known day" in svg


def test_counts_are_in_the_singular_for_one_and_the_status_marker_is_not_shown():
    from pipeline.report import _STYLE, plural, timeline_svg

    assert [plural(1, "event"), plural(0, "event"), plural(2, "article")] == ["1 event", "0 events", "2 articles"]
    events = [
        {"event_day": None, "first_reported_at": None, "title": "undated", "article_count": 1},
        {"event_day": date(2024, 4, 8), "first_reported_at": None, "title": "dated", "article_count": 1},
    ]
    svg = timeline_svg(events)
    assert "1 event without a known day is not on the timeline" in svg and "(1 article)" in svg
    assert "#render-status{display:none}" in _STYLE


def test_report_counts_junk_bodies_per_outlet(tmp_path):
    wall = "We have sent you a verification email. Please check your inbox to activate your account."
    story = " ".join(f"The council of Harbourtown voted {n} times on the new ferry pier plan." for n in range(6))
    records = [
        {"title": "Ferry pier vote in Harbourtown", "text": wall, "url": "https://walled-news.example/a"},
        {"title": "Harbourtown council votes on ferry pier", "text": story, "url": "https://open-news.example/b"},
    ]
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "two.jsonl").write_text("\n".join(json.dumps(record) for record in records) + "\n")
    db, out = tmp_path / "wirebeam.duckdb", tmp_path / "report.html"
    assert main(["run", "--offline", "--seeds", str(seeds), "--db", str(db)]) == 0
    assert main(["report", "--out", str(out), "--db", str(db)]) == 0
    junk = out.read_text().split('<table id="junk">', 1)[1].split("</table>", 1)[0]
    assert "walled-news.example" in junk and "verification_wall" in junk and "open-news.example" not in junk


def _inside(rings, longitude: float, latitude: float) -> bool:
    """Whether the point lies in an odd number of the rings (ray casting)."""
    crossings = 0
    for ring in rings:
        x0, y0 = ring[:, 0], ring[:, 1]
        x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
        spans = (y0 > latitude) != (y1 > latitude)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x0 + (latitude - y0) * (x1 - x0) / (y1 - y0)
        crossings += int(np.count_nonzero(spans & (longitude < x_at)))
    return crossings % 2 == 1


def test_the_map_draws_real_shorelines_from_a_package_that_ships_them_inline():
    from pipeline.report import LAND_LEVELS, map_svg, shorelines

    land = [ring for level, ring in shorelines() if level in LAND_LEVELS]
    for name, longitude, latitude in [
        ("Sahara", 10, 23),
        ("Kansas", -98, 38),
        ("Siberia", 100, 62),
        ("Australia", 134, -25),
    ]:
        assert _inside(land, longitude, latitude), name
    for name, longitude, latitude in [("Pacific", -140, 0), ("Atlantic", -35, 30), ("Indian Ocean", 80, -20)]:
        assert not _inside(land, longitude, latitude), name
    cairo = {
        "name": "Cairo",
        "country_code": "EG",
        "latitude": 30.04,
        "longitude": 31.24,
        "events": 1,
        "primary_events": 1,
    }
    svg = map_svg([cairo])
    assert svg.count('<path class="land"') == 1 and svg.count("M") > 100
    assert "href" not in svg and "1 event</title>" in svg
