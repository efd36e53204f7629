"""Calendar words are left out of entities only where they date something: a named day ("Super Tuesday") keeps its whole
name (a name dated by a weekday does not: "on Twitter Sunday"), a three-letter abbreviation that is a name ("Jan
Egeland", "the Las Vegas Sun") stays, and a weekday after a place ("in Queens Friday") or a date ("on Jan. 5") still
names nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.conftest import query

REPORTS = {
    "primary": (
        "Senator wins most states in primaries",
        "Voters in fourteen states cast their ballots on Super Tuesday, and the senator won most of them by wide "
        "margins, according to early counts released by state officials late in the evening.",
        ["e:super tuesday"],
        ["e:super", "e:tuesday"],
    ),
    "shoppers": (
        "Retailers report record weekend sales",
        "Shoppers queued outside stores long before Black Friday opened the holiday season, and retailers said "
        "their online sales grew faster than those of their shops for the third year running.",
        ["e:black friday"],
        ["e:black", "e:friday"],
    ),
    "derry": (
        "Families mark anniversary of killings",
        "Relatives of the thirteen marchers killed by soldiers on Bloody Sunday gathered in the city, where a "
        "memorial service was held beside the monument that bears the names of the dead.",
        ["e:bloody sunday"],
        ["e:bloody", "e:sunday"],
    ),
    "relief": (
        "Aid agencies warn of famine in the region",
        "The relief chief Jan Egeland said the camps could not feed the families who arrived each week, and "
        "warned that the agencies had received a fifth of the money they asked donors for on Jan. 5 this year.",
        ["e:jan egeland", "e:egeland"],
        ["e:jan"],
    ),
    "casino": (
        "Casino workers vote to strike",
        "Workers at three casinos voted to walk out, the Las Vegas Sun reported, after talks with the owners broke "
        "down over wages and health cover in a meeting that ended without a new date.",
        ["e:las vegas sun"],
        ["e:las vegas"],
    ),
    "shooting": (
        "Man wounded in street shooting",
        "A man was shot in Queens Friday and taken to a hospital, where he was listed in stable condition, police "
        "said; officers were looking for a gunman who fled on foot toward the subway station.",
        ["e:queens"],
        ["e:queens friday", "e:friday"],
    ),
    "posts": (
        "Minister defends remarks after attack",
        "The minister wrote on Twitter Sunday that the attack on Paris Friday had been planned for months, and "
        "that the police had arrested two more suspects in raids across the north of the country.",
        ["e:twitter", "e:paris"],
        ["e:twitter sunday", "e:paris friday", "e:sunday", "e:friday"],
    ),
}


@pytest.mark.xfail(
    strict=True,
    reason="review L2, open: the recipe that keeps these keys (branch grouping, features v5) lost GVC F1 on both "
    "halves (0.816 -> 0.805, 0.751 -> 0.735, fold models refitted) and UCI half B (0.956 -> 0.944), so features "
    "v4 stay",
)
def test_named_days_and_names_written_like_calendar_words_keep_their_keys(tmp_path: Path):
    """Before, "Super Tuesday" was the key ``e:super``, "Black Friday" ``e:black``, "Bloody Sunday" ``e:bloody``,
    "Jan Egeland" ``e:egeland`` alone and "the Las Vegas Sun" ``e:las vegas``."""
    seeds, db = tmp_path / "seeds", tmp_path / "wb.duckdb"
    seeds.mkdir()
    records = [
        {"title": title, "summary": text, "url": f"https://news.example/{name}"}
        for name, (title, text, _, _) in REPORTS.items()
    ]
    (seeds / "reports.jsonl").write_text("\n".join(json.dumps(record) for record in records) + "\n")
    assert main(["run", "--offline", "--seeds", str(seeds), "--db", str(db)]) == 0
    rows = query(
        db, "SELECT split_part(a.url, '/', -1), f.features FROM articles a JOIN article_features f USING (article_id)"
    )
    entities = {name: set(json.loads(features)["entities"]) for name, features in rows}
    assert set(entities) == set(REPORTS)
    for name, (_, _, kept, absent) in REPORTS.items():
        assert set(kept) <= entities[name], name
        assert not set(absent) & entities[name], name
