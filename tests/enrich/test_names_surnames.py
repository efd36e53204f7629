"""A country's name after a given name is the person's surname, for the actors and the places alike."""

from pipeline.cli import main
from pipeline.enrich import gazetteer
from pipeline.enrich.actors import extract_actors
from pipeline.enrich.enrich import enrich_article
from pipeline.enrich.places import extract_locations
from tests.conftest import query

ARTICLE = """Michael Jordan opens a restaurant in Chicago

Published: 2024-05-02

Former basketball star Michael Jordan opened a steakhouse in downtown Chicago on Thursday, his third in the city.
"We wanted a place where families can sit together," Michael Jordan told reporters at the opening.
The restaurant seats 300 guests and employs 120 people, the company said in a statement.
Jordan, who won six championships with the Chicago Bulls, said he would visit the kitchen every week.
"""


def test_michael_jordan_is_a_person_of_the_stored_article_not_the_country_jordan(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "000_jordan.txt").write_text(ARTICLE)
    db_path = tmp_path / "wirebeam.duckdb"
    assert main(["run", "--offline", "--seeds", str(seeds), "--db", str(db_path)]) == 0
    actors = {actor_id for (actor_id,) in query(db_path, "SELECT actor_id FROM article_actors")}
    assert "person:michael-jordan" in actors and "country:JOR" not in actors
    places = {(name, code) for name, code in query(db_path, "SELECT name, country_code FROM article_locations")}
    assert ("Chicago", "US") in places and not any(code == "JO" for _, code in places)


def test_a_country_after_an_english_word_a_country_or_a_place_of_it_stays_a_country():
    for text, code in [
        ("Will Iran agree to the deal?", "IRN"),  # "Will": an English word more than a name in English
        ("Delegates from Georgia Jordan and Egypt arrived.", "JOR"),  # "Georgia": a country
        ("Floods hit Victoria Australia on Monday.", "AUS"),  # "Victoria": a division of Australia
    ]:
        assert code in {actor.iso3 for actor in extract_actors("", text)}
        assert gazetteer.countries()[code].alpha2 in {place.country_code for place in extract_locations("", text)}
    assert {actor.name for actor in extract_actors("", "Lisa Monaco and David Jordan met.")} == {
        "Lisa Monaco",
        "David Jordan",
    }


def test_a_hyphenated_surname_alone_is_the_person_the_article_names_in_full():
    text = "Terje Roed-Larsen met the committee on Tuesday. Mr. Roed-Larsen said Syria had offered peace."
    people = [actor for actor in extract_actors("", text) if actor.kind == "person"]
    assert [(actor.name, actor.mentions) for actor in people] == [("Terje Roed-Larsen", 2)]
    text = "Syrian President Bashar al-Assad spoke on Monday. Assad said the talks had failed."  # its last part too
    people = [actor for actor in extract_actors("", text) if actor.kind == "person"]
    assert [(actor.name, actor.mentions) for actor in people] == [("Bashar al-Assad", 2)]


def test_a_name_of_two_words_that_ends_a_longer_one_is_the_same_person():
    text = (
        "Former Prime Minister Anibal Cavaco Silva was sworn in on Thursday. Mr. Cavaco Silva promised growth. "
        "Mr. Cavaco Silva was elected in January."
    )
    people = [actor for actor in extract_actors("", text) if actor.kind == "person"]
    assert [(actor.name, actor.mentions) for actor in people] == [("Anibal Cavaco Silva", 3)]


def test_a_state_province_or_region_ends_no_person_s_name():
    text = "A bus hit a mine in Karen State. Fans of Wayne State cheered. Floods hit Delta Region."
    assert [actor.name for actor in extract_actors("", text) if actor.kind == "person"] == []


def test_a_month_or_weekday_before_a_country_is_a_date_not_a_given_name():
    for text in ("In June Russia said it would cut gas supplies.", "Last May France agreed to the plan."):
        assert {actor.kind for actor in extract_actors("", text)} == {"country"}, text


NAMED_OTHERWISE = [
    "Michael Jordan met King Abdullah in Amman. Jordan has hosted refugees.",  # its capital
    "Michael Jordan spoke in Chicago. Jordan has hosted refugees, Jordanian officials said.",  # its demonym
    "Michael Jordan met Jordan's King Abdullah on Monday. Jordan has hosted refugees.",  # its office
]


def test_a_lone_country_the_article_names_otherwise_stays_the_country_beside_a_person_surnamed_so():
    for text in NAMED_OTHERWISE:
        actors = {actor.actor_id: actor for actor in enrich_article("", text, None).actors}
        assert "country:JOR" in actors, text
        assert actors["person:michael-jordan"].mentions == 1, text
    text = "Michael Jordan scored 30 points. Jordan, who won six titles, retired to Chicago."  # nothing else: his
    actors = {actor.actor_id: actor for actor in enrich_article("", text, None).actors}
    assert "country:JOR" not in actors and actors["person:michael-jordan"].mentions == 2


def test_a_lone_country_the_article_names_otherwise_stays_a_place_beside_a_person_surnamed_so():
    for text in NAMED_OTHERWISE:
        assert "JO" in {
            place.country_code for place in enrich_article("", text, None).locations if place.kind == "country"
        }


def test_a_full_name_whose_uncommon_surname_the_article_writes_alone_is_a_person():
    text = (
        "Officials say a rival crime family targeted Ya'akov Alperon Monday. "
        "Media reports say Alperon was returning from a court hearing. A bus hit Mount Sefton. Sefton is quiet."
    )
    assert [actor.name for actor in enrich_article("", text, None).actors if actor.kind == "person"] == [
        "Ya'akov Alperon"
    ]
