"""Organisations the actor rules find by their name's shape."""

from pipeline.enrich.actors import extract_actors
from pipeline.enrich.enrich import enrich_article


def test_a_commonwealth_of_its_members_is_a_body():
    text = "Ukraine's foreign minister says the Commonwealth of Independent States has no future in its present form."
    bodies = [actor.name for actor in extract_actors("", text) if actor.kind == "organisation"]
    assert bodies == ["Commonwealth of Independent States"]


def test_a_commonwealth_of_a_country_or_state_is_the_place_not_a_body():
    for text, actors, place in [
        ("The Commonwealth of Australia signed the treaty in 1901.", [("country", "Australia")], "Australia"),
        ("Lawyers for the Commonwealth of Pennsylvania filed the motion.", [], "Pennsylvania"),
    ]:
        enrichment = enrich_article("", text, None)
        assert [(actor.kind, actor.name) for actor in enrichment.actors] == actors, text
        assert [location.name for location in enrichment.locations] == [place], text


def test_one_word_between_two_titles_is_the_office_s_not_a_body():
    text = "Japanese Chief Cabinet Secretary Hiroyuki Hosoda says Tokyo is analyzing new evidence."
    actors = {(actor.kind, actor.name) for actor in extract_actors("", text)}
    assert ("person", "Hiroyuki Hosoda") in actors and not any(kind == "organisation" for kind, _ in actors)


def test_an_outgoing_office_holder_s_word_is_no_body():
    text = "Outgoing Deputy Secretary of State Richard Armitage was slated to meet Turkish officials."
    actors = {(actor.kind, actor.name) for actor in extract_actors("", text)}
    assert ("person", "Richard Armitage") in actors and not any(kind == "organisation" for kind, _ in actors)


def test_a_broadcaster_s_initials_before_news_or_radio_name_an_organisation():
    text = "Speaking to ABC News interviewer Dianne Sawyer, she smiled. CBS Radio and NBC4 News carried it. OH News."
    bodies = {actor.name for actor in extract_actors("", text) if actor.kind == "organisation"}
    assert bodies == {"ABC News", "CBS Radio", "NBC4 News"}


def test_a_body_s_name_of_a_bureau_office_or_board_and_the_person_after_its_title():
    text = (
        "Officials from the Federal Bureau of Investigations say crime rose. "
        "Board of Assessors Chairman David Ragland said the office would close. "
        "University of California President Janet Napolitano spoke. Assistant Police Chief John Moore said so."
    )
    actors = {(actor.kind, actor.name) for actor in extract_actors("", text)}
    assert actors == {
        ("organisation", "Federal Bureau of Investigations"),
        ("organisation", "Board of Assessors"),
        ("person", "David Ragland"),
        ("organisation", "University of California"),
        ("person", "Janet Napolitano"),
        ("person", "John Moore"),
    }


def test_a_disease_s_initials_name_no_organisation():
    text = "Authorities found it hard to reach passengers during the 2003 SARS outbreak. WHO said AIDS and TB spread."
    assert {actor.name for actor in extract_actors("", text)} == {"World Health Organization"}


def test_a_plain_name_after_a_body_s_name_is_its_member_not_part_of_the_body():
    text = "Gunmen killed a senior member of the Transportation Ministry Zoba Yass and his driver today in Baghdad."
    actors = {(actor.kind, actor.name) for actor in extract_actors("", text)}
    assert actors == {("organisation", "Transportation Ministry"), ("person", "Zoba Yass")}
    text = "Detectives of the Police Department Homicide Division found the car."
    assert not any(actor.kind == "person" for actor in extract_actors("", text))


def test_a_body_s_name_goes_on_after_its_for_and_a_based_word_is_no_part_of_it():
    text = (
        "Police say the seven gave funds to the Algerian-based Salafist Group for Preaching and Combat. "
        "Officials at Rock Hill-based Carolinas Cab Co. declined to comment. "
        "Thousands rallied for the Movement for Democratic Change and Zanu-PF in Harare."
    )
    bodies = [actor.name for actor in extract_actors("", text) if actor.kind == "organisation"]
    assert sorted(bodies) == [
        "Carolinas Cab Co.",
        "Movement for Democratic Change",
        "Salafist Group for Preaching and Combat",
    ]


def test_a_religion_or_a_people_alone_is_no_body_and_a_building_is_no_person():
    text = (
        "Police arrested seven people suspected of helping fund Islamic militants. Tamil rebels freed a policeman. "
        "Sergeant Rodrigo Galam was standing guard outside the Christopher Hotel when he came under fire. "
        "She won the title at the Sydney International tournament."
    )
    actors = {(actor.kind, actor.name) for actor in extract_actors("", text)}
    assert actors == {("person", "Rodrigo Galam")}


def test_a_noun_of_people_opening_a_sentence_is_no_part_of_the_name_after_it():
    text = "Defendant Asher Weisgan has been in custody since August. Witness Renee Kirmani told the court so."
    people = {actor.name for actor in extract_actors("", text) if actor.kind == "person"}
    assert people == {"Asher Weisgan", "Renee Kirmani"}


def test_two_initials_with_dots_name_no_unknown_body():
    text = "H.K. shares rose on Monday. H.K.'s leader Leung Chun-ying said the U.N. would help."
    actors = {(actor.kind, actor.name) for actor in extract_actors("", text)}
    assert actors == {("person", "Leung Chun-ying"), ("organisation", "United Nations")}


def test_a_name_before_of_and_a_country_is_a_person_s():
    text = "Blake will play Russia's Igor Andreev, who beat Andreas Seppi of Italy, 6-2, 6-2."
    actors = {(actor.kind, actor.name) for actor in extract_actors("", text)}
    assert ("person", "Andreas Seppi") in actors and ("country", "Italy") in actors


def test_a_name_ending_in_an_industry_s_word_is_a_company_s():
    text = (
        "Peabody Energy and Samsung Electronics said profits rose. The Securities and Exchange Commission and the "
        "Philippines Department of Environment and Natural Resources declined to comment."
    )
    bodies = {actor.name for actor in extract_actors("", text) if actor.kind == "organisation"}
    assert {"Peabody Energy", "Samsung Electronics", "Securities and Exchange Commission"} <= bodies
    assert "Natural Resources" not in bodies


def test_a_name_after_a_lower_case_noun_of_people_is_a_person_s():
    text = "Police said the suspect Quinterrious Lavon Norman was arrested, according to reporter Katrease Stafford."
    people = {actor.name for actor in extract_actors("", text) if actor.kind == "person"}
    assert people == {"Quinterrious Lavon Norman", "Katrease Stafford"}
