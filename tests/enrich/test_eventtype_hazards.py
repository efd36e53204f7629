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
        (
            "Forest fire kills three as blaze spreads near the capital",
            "A forest fire killed three people on Monday as strong winds pushed it towards the outskirts of the "
            "capital, officials said. The government deployed the army to help firefighters.",
        ),
        (
            "Storm surge floods coastal towns, two killed",
            "A storm surge swept through coastal towns overnight, killing two people, officials said. Police said "
            "roads were closed and the government sent aid.",
        ),
        (
            "Plane crash kills 40 near airport",
            "A passenger plane crashed shortly after take-off on Wednesday, killing 40 people, officials said. Police "
            "cordoned off the site and the minister ordered an inquiry.",
        ),
        (
            "Driver killed after car flips several times on county road",
            "A man is dead as a result of a crash on Thursday morning, the sheriff's office said. The car went out "
            "of control in a curve and overturned several times, killing the driver.",
        ),
        (
            "Bus crash kills 12 after driver suffers heart attack",
            "A bus plunged into a ravine on Monday, killing 12 passengers, after its driver suffered a heart attack "
            "at the wheel, police said. The transport minister ordered an inquiry.",
        ),
    ],
)
def test_a_natural_hazard_or_accident_without_an_attacker_gets_no_type(title, text):
    """Hazards and accidents named by a lone word, a hazard noun phrase ("forest fire", "storm surge") or a crash
    (a heart attack is no attacker)."""
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


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Police open fire on crowd, killing five",
            "Police opened fire on protesters in the capital on Friday, killing five people, witnesses said. The "
            "interior ministry said officers had come under attack.",
        ),
        (
            "Armed men set fire to village, killing 12",
            "Armed men set fire to homes in a village in the north on Thursday, killing 12 people, local officials "
            "said. Survivors said the men arrived on motorbikes.",
        ),
        (
            "Militia storm town, killing dozens",
            "Militia fighters stormed the town at dawn on Saturday, killing dozens of residents, the governor said. "
            "The army said it had sent reinforcements.",
        ),
        (
            "Truck rams crowd at festival, killing eight",
            "A truck rammed into a crowd at a street festival on Sunday, killing eight people, police said. The "
            "interior minister called the crash a deliberate attack and said the driver had been arrested.",
        ),
    ],
)
def test_an_attack_told_with_fire_storm_or_crash_stays_an_assault(title, text):
    assert _type(title, text) == "assault"
