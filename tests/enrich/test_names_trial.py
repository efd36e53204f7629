"""Actor errors a new user's trial found in realistic wire reports."""

from pipeline.enrich.enrich import enrich_article, merge_event


def _actors(title: str, text: str) -> dict[str, str]:
    return {actor.name: actor.kind for actor in enrich_article(title, text, None).actors}


def test_the_agency_of_a_dateline_is_no_actor_but_an_agency_quoted_in_the_text_is():
    reuters = (
        "ANKARA, Nov 20 (Reuters) - A magnitude 6.1 earthquake struck Malatya province in eastern Turkey, killing at "
        "least 12 people, Turkey's disaster agency AFAD said."
    )
    associated = "ATLANTA (AP) — Mayor Andre Dickens unveiled a plan on Tuesday to expand public transit."
    quoted = "A spokesman for the ministry told Reuters on Friday that talks would resume."
    assert "Reuters" not in _actors("Quake strikes eastern Turkey", reuters)
    assert "AFAD" in _actors("Quake strikes eastern Turkey", reuters)
    assert "Associated Press" not in _actors("Atlanta mayor unveils transit plan", associated)
    assert _actors("Talks to resume", quoted).get("Reuters") == "organisation"


def test_a_the_opening_a_clause_after_a_dateline_or_colon_is_no_part_of_the_name():
    title = "ECB cuts interest rates by quarter point"
    text = (
        "FRANKFURT, Nov 19 (Reuters) - The European Central Bank cut its deposit rate by 25 basis points on Thursday. "
        "The European Central Bank said inflation was close to its target. Analysts said: The Senate must act."
    )
    actors = _actors(title, text)
    assert "The European Central Bank" not in actors and "The Senate" not in actors
    assert actors["European Central Bank"] == "organisation"


def test_an_event_names_one_person_by_the_last_words_of_a_longer_name_once():
    reports = {
        "first": ("Quake kills 12 in Malatya", "President Tayyip Erdogan said the state would rebuild every home."),
        "second": ("Toll rises to 21", "President Recep Tayyip Erdogan said rescuers had reached every village."),
    }
    event = merge_event({key: enrich_article(title, text, None) for key, (title, text) in reports.items()})
    people = [(found.actor.name, found.article_ids) for found in event.actors if found.actor.kind == "person"]
    assert people == [("Recep Tayyip Erdogan", ("second", "first"))]


def test_an_owner_or_editor_before_a_name_is_a_title_not_part_of_the_name():
    text = (
        "WASHINGTON - The Washington Commanders fired their coach on Monday. Owner Josh Harris said in a statement "
        "that the franchise needed a new direction."
    )
    people = [name for name, kind in _actors("Commanders fire coach", text).items() if kind == "person"]
    assert people == ["Josh Harris"]


def test_a_king_named_without_his_regnal_numeral_is_the_same_person():
    title = "Jordan's King Abdullah meets Egyptian president in Cairo on Gaza aid"
    text = (
        "CAIRO - Jordan's King Abdullah II met Egyptian President Abdel Fattah el-Sisi in Cairo on Thursday to "
        "discuss humanitarian aid deliveries to Gaza, the Jordanian royal court said."
    )
    people = {
        actor.name: actor.mentions for actor in enrich_article(title, text, None).actors if actor.kind == "person"
    }
    assert people == {"Abdullah II": 2, "Abdel Fattah el-Sisi": 1}


def test_a_name_holding_a_word_no_person_bears_is_an_organisation():
    text = (
        "German train drivers walked out on Tuesday, halting most Deutsche Bahn services. Hokuriku Electric Power "
        "said no abnormalities were found at its Shika plant, and General Electric said its turbines ran."
    )
    actors = _actors("Strike halts trains", text)
    assert [actors.get(name) for name in ("Deutsche Bahn", "Hokuriku Electric Power", "General Electric")] == [
        "organisation"
    ] * 3


def test_a_country_naming_a_body_stays_in_its_name_unless_an_office_follows_it():
    text = (
        "The Japan Meteorological Agency said waves could reach one metre. The Pakistan Foreign Ministry said it "
        "was following the reports."
    )
    bodies = sorted(name for name, kind in _actors("Quake jolts Noto", text).items() if kind == "organisation")
    assert bodies == ["Foreign Ministry", "Japan Meteorological Agency"]


def test_a_us_state_sharing_a_countrys_name_is_no_country_beside_its_towns():
    atlanta = (
        "ATLANTA (AP) — Mayor Andre Dickens unveiled a $2.7 billion plan to expand MARTA bus and rail services, "
        "saying Georgia's largest city needed to cut traffic congestion."
    )
    tbilisi = "Georgia's prime minister met Russian officials in Tbilisi on Monday, and Atlanta's mayor sent greetings."
    assert "Georgia" not in _actors("Atlanta mayor unveils transit plan", atlanta)
    assert _actors("Talks in Tbilisi", tbilisi)["Georgia"] == "country"
