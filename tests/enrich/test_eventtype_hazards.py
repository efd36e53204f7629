"""Event types through ``enrich_article``: natural hazards and accidents get no type, labour strikes are protests,
shootings and air strikes stay assaults."""

from datetime import UTC, datetime

import pytest

from pipeline.enrich.enrich import enrich_article

PUBLISHED = datetime(2026, 11, 20, tzinfo=UTC)


def _type(title: str, text: str) -> str | None:
    found = enrich_article(title, text, PUBLISHED).event_type
    return found.code if found else None


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Strong earthquake strikes eastern province, at least nine dead",
            "A magnitude 6.0 earthquake struck the province early on Friday, killing at least nine people, the "
            "disaster agency said. Several buildings collapsed and rescue teams were deployed to the region. The "
            "interior minister said the government was mobilising all its resources.",
        ),
        (
            "Flash floods kill four as torrential rain hits the coast",
            "Flash floods triggered by torrential rain killed four people in the region on Monday, emergency "
            "services said. The prime minister said the army would be deployed to help with rescues.",
        ),
        (
            "Quake jolts peninsula, tsunami advisory lifted",
            "A magnitude 6.2 earthquake jolted the peninsula on Sunday, prompting a tsunami advisory that was lifted "
            "two hours later, the meteorological agency said. Officials warned of aftershocks.",
        ),
        (
            "Two killed as freight train derails in the valley",
            "Two crew members were killed when a freight train derailed on Tuesday, officials said. The operator "
            "said it was cooperating with investigators.",
        ),
    ],
)
def test_a_natural_hazard_or_accident_without_an_attacker_gets_no_type(title, text):
    assert _type(title, text) is None


def test_a_labour_strike_is_a_protest_even_in_health_news():
    doctors = (
        "Resident doctors have begun a five-day strike in a dispute over pay, their association said, with "
        "hospitals warning that appointments would be postponed. The health secretary called the walkout "
        "unreasonable. Picket lines formed outside hospitals in three cities."
    )
    assert _type("Resident doctors begin five-day strike over pay", doctors) == "protest"
    rail = (
        "Most trains stood still on Wednesday as the drivers' union began a 48-hour strike in a dispute over pay "
        "with the national railway. The transport minister called on both sides to return to negotiations."
    )
    assert _type("Train drivers strike halts most rail services", rail) == "protest"


def test_shootings_and_air_strikes_stay_assaults_and_a_court_case_over_a_collapse_is_coercion():
    shooting = (
        "A gunman opened fire outside a bar early Sunday, killing two men, police said. The shooting followed an "
        "argument, and the suspect fled in a car that later crashed."
    )
    assert _type("Two killed in shooting outside bar", shooting) == "assault"
    assert _type("Drone strikes kill 12 in border town", "Drone strikes hit the town overnight.") == "assault"
    court = (
        "A court sentenced a building contractor to 18 years in prison on Saturday over the collapse of a "
        "residential complex in the 2023 earthquakes. Prosecutors had sought 22 years."
    )
    assert _type("Court jails contractor over building collapse in quakes", court) == "coerce"
