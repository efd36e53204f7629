"""One shared figure or date is no shared event: unrelated reports that each state "12", or each open with a wire
dateline of the day ("HOUSTON, Nov 19 (Reuters) -": ``features.dateline_date``), stay apart, while two reports of
one fire (shared words, places and figures) still join. The new-user trial's finding (HIGH 1), through the real
run."""

from __future__ import annotations

import json

import pytest

from pipeline.cli import main
from pipeline.events.features import dateline_date, term_counts
from tests.conftest import query

UNRELATED = {
    "football": (
        "LONDON",
        "Arsenal beat Chelsea to go top of Premier League",
        "Arsenal beat Chelsea at the Emirates Stadium to move top of the Premier League table{figure}. Bukayo Saka "
        "scored in the first half and Declan Rice added a second from a free kick late in the game. Chelsea manager "
        "Enzo Maresca said his side had lacked intensity and had struggled to create chances against a well "
        "organised defence.",
        ", extending their unbeaten run to 12 matches",
        "",
    ),
    "fire": (
        "HOUSTON",
        "Fire at Texas chemical plant forces evacuation of nearby homes",
        "A fire broke out at a chemical plant near Houston, forcing the evacuation of {figure} nearby homes, local "
        "officials said. Firefighters battled the blaze for several hours as thick black smoke drifted over the "
        "Ship Channel. The company said all of its workers were accounted for and that air quality monitoring was "
        "under way across the area.",
        "12 streets of",
        "hundreds of",
    ),
    "kenya": (
        "NAIROBI",
        "Kenya's central bank governor says shilling stable ahead of harvest",
        "The governor of the Central Bank of Kenya said the shilling was stable and foreign exchange reserves were "
        "sufficient to cover more than four months of imports. Tea and coffee exports had risen {figure} this "
        "year, the governor told lawmakers in Nairobi, adding that the bank would keep monitoring food prices ahead "
        "of the harvest season.",
        "by 12 percent",
        "strongly",
    ),
    "samsung": (
        "SEOUL",
        "Samsung unveils new foldable phone with larger battery",
        "Samsung Electronics unveiled its latest foldable smartphone at an event in Seoul, with a larger battery and "
        "a lighter hinge than last year's model. The South Korean company said the phone would go on sale{figure} "
        "next month. Analysts said foldable phones still made up a small share of the global smartphone market.",
        " in 12 countries",
        "",
    ),
}
"""Four unrelated reports: city, headline, body with a ``{figure}`` slot, the slot's text stating "12" and one
stating no figure."""

FIRE_REPORT = {
    "title": "Houston residents evacuated as blaze engulfs Ship Channel chemical plant",
    "text": "Residents of 12 streets near a Houston chemical plant were told to leave their homes after a fire broke "
    "out at the site on the Ship Channel, local officials said. Thick black smoke from the blaze could be seen "
    "across the area as firefighters battled the flames for several hours. The plant's owner said all of its "
    "workers were accounted for, and air quality monitoring was under way near the evacuated homes.",
    "url": "https://gazette.example/houston-plant-fire",
    "source": "gazette.example",
}
"""Another outlet's report of the chemical plant fire: the control, one event with the ``fire`` report."""


def _records(variant: str) -> list[dict]:
    """The unrelated reports and the control as ``variant`` writes them: each report stating "12" on a day of its
    own in an outlet of its own (``figure``), or each opening with a Reuters dateline of the day they were all
    published (``dateline``); the control follows the fire report by half an hour."""
    records = []
    for number, (name, (city, title, body, figure, plain)) in enumerate(UNRELATED.items()):
        if variant == "figure":
            text, published, source = body.format(figure=figure), f"2026-11-{15 + number}T10", f"x{number}.example"
        else:
            text, published, source = (
                f"{city}, Nov 19 (Reuters) - {body.format(figure=plain)}",
                "2026-11-19T10",
                "r.example",
            )
        report = {"title": title, "text": text, "published": f"{published}:00:00Z", "source": source}
        records.append({**report, "url": f"https://{source}/{name}"})
        if name == "fire":
            records.append({**FIRE_REPORT, "published": f"{published}:30:00Z"})
    return records


FIGURE_XFAIL = pytest.mark.xfail(
    strict=True,
    reason="issue 12 (new-user trial HIGH 1): one shared figure joins unrelated reports that state no other; every fix "
    "measured (numbers x body, x max(body, entities), numbers and dates shrunk by a prior) lost ECB+ or GVC (README)",
)


@pytest.mark.parametrize(
    ("variant", "runs"),
    [pytest.param("figure", 1, marks=FIGURE_XFAIL), ("dateline", 1), pytest.param("figure", 2, marks=FIGURE_XFAIL)],
)
def test_unrelated_reports_sharing_a_figure_or_a_dateline_are_separate_events(tmp_path, variant, runs):
    """Four unrelated reports, five articles with the control: four events, the two fire reports one of them. In
    two runs the second's reports meet the first's as stored events (the fire one a centroid of two reports)."""
    records, db = _records(variant), tmp_path / "wb.duckdb"
    first = len(records) if runs == 1 else 3
    for run, part in enumerate([records[:first], records[first:]][:runs]):
        seeds = tmp_path / f"seeds{run}"
        seeds.mkdir()
        (seeds / "reports.jsonl").write_text("".join(json.dumps(record) + "\n" for record in part))
        assert main(["run", "--offline", "--seeds", str(seeds), "--db", str(db)]) == 0
    assert query(db, "SELECT count(*) FROM articles") == [(5,)]
    events = query(db, "SELECT list(url ORDER BY url) FROM articles GROUP BY event_id ORDER BY 1")
    fire = sorted(record["url"] for record in records if "fire" in record["url"])
    assert len(fire) == 2
    expected = sorted([fire] + [[record["url"]] for record in records if record["url"] not in fire])
    assert [urls for (urls,) in events] == expected


@pytest.mark.parametrize(
    ("body", "filed"),
    [
        ("HOUSTON, Nov 19 (Reuters) - A fire broke out", "Nov 19"),
        ("WASHINGTON, Nov. 19, 2026 (AP) — Lawmakers", "Nov. 19, 2026"),
        ("SAN JOSE, Calif., Dec 2 (Reuters) - Apple", "Dec 2"),
        ("LONDON, 19 November - Arsenal", "19 November"),
        ("The fire on Nov 19 - the worst in years", None),
        ("Sunday, November 27 - 2005 at 16: 12 Tremors", None),
        ("Police said the shooting happened on Nov 19 (Friday) - two men", None),
        ("Houston, Nov 19 (Reuters) - A fire broke out", "Nov 19"),
        ("The attack on the embassy, Sept 11 - a day of mourning", None),
        ("the blast in the market, May 3 - killed 40", None),
        ("Mr. Smith, Jan 6 - rioters stormed in", None),
        ("Tue, March 3 - the vote", None),
    ],
)
def test_a_wire_datelines_date_is_found_only_where_a_dateline_opens_the_text(body, filed):
    """The date of "CITY, Month Day (Agency) -" opening a body (its place in capitals, or an agency named) is the
    filing date; a date in a sentence, after a weekday or after a phrase in lower case is the event's own."""
    span = dateline_date(body)
    assert (body[span[0] : span[1]] if span else None) == filed
    assert (term_counts("t", body).dates == {}) == (filed is not None)
