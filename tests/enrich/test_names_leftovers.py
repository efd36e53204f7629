"""Actors through ``enrich_article``: none read in a non-English report, a web address is no person, al-Qaeda's
regional branch is one organisation."""

from pipeline.enrich.enrich import enrich_article, merge_event


def _actors(title: str, text: str) -> dict[str, str]:
    return {actor.name: actor.kind for actor in enrich_article(title, text, None).actors}


def test_a_report_in_another_language_gets_no_actors_and_its_english_version_does():
    spanish = (
        "Las inundaciones repentinas provocadas por las lluvias torrenciales dejaron tres muertos en la región de "
        "Valencia el lunes, según los servicios de emergencia. En Utiel cayeron más de 180 litros por metro "
        "cuadrado en ocho horas, informó la AEMET. El presidente del Gobierno, Pedro Sánchez, dijo que enviaría a "
        "la Unidad Militar de Emergencias."
    )
    assert _actors("Inundaciones en Valencia: tres muertos", spanish) == {}
    english = (
        "Flash floods killed three people in the Valencia region on Monday, emergency services said. Prime Minister "
        "Pedro Sanchez said the government would send military emergency units to help with rescues."
    )
    assert _actors("Flash floods in Valencia kill three", english)["Pedro Sanchez"] == "person"


def test_a_web_address_after_a_job_title_is_no_person():
    profile = "David Sparks\n\nAge: 48\n\nParty: Democrat\n\nJob: Owner Buzzwad.com\n\nEducation: Wright State"
    actors = _actors("Candidates for the 43rd District", profile)
    assert "Buzzwad.com" not in actors
    assert actors["David Sparks"] == "person"


def test_al_qaeda_in_iraq_is_one_organisation_and_al_qaeda_alone_stays_itself():
    text = (
        "Tanks and troops have arrived in the northern city of Mosul for a new offensive against al Qaida in Iraq "
        "fighters, Iraqi military officials say. An al-Qaida spokesman in Pakistan denied any link."
    )
    actors = _actors("Offensive in Mosul", text)
    assert actors["al Qaida in Iraq"] == "organisation"
    assert actors["al-Qaeda"] == "organisation"


def test_an_event_names_a_company_once_with_or_without_its_legal_form():
    reports = {
        "first": ("Quake jolts Noto", "Hokuriku Electric Power said its Shika nuclear plant had no abnormalities."),
        "second": ("Aftershock hits Noto", "Hokuriku Electric Power Co said the Shika plant was operating normally."),
    }
    event = merge_event({key: enrich_article(title, text, None) for key, (title, text) in reports.items()})
    companies = [found.article_ids for found in event.actors if found.actor.name.startswith("Hokuriku")]
    assert companies == [("first", "second")]


def test_a_territory_shaped_as_an_organisations_name_is_no_organisation():
    text = "Israeli troops raided a town in the West Bank on Monday, and the World Bank said aid would resume."
    actors = _actors("Raid in the West Bank", text)
    assert "West Bank" not in actors
    assert actors["World Bank"] == "organisation"


def test_a_community_of_three_words_or_more_is_a_body_and_a_two_word_one_is_not():
    text = (
        "Zambia's president is also the current leader of the Southern African Development Community. The "
        "shooting shocked the Sisseton Community, police said."
    )
    actors = _actors("Summit opens", text)
    assert actors["Southern African Development Community"] == "organisation"
    assert "Sisseton Community" not in actors
