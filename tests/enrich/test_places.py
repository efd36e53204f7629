"""Locations: gazetteer entries with codes and coordinates, the primary place told apart from mentions."""

from pipeline.enrich.places import extract_locations, place_mentions


def test_talks_in_a_city_make_it_primary_and_other_places_concerned():
    places = extract_locations(
        "Gaza truce talks stumble in Cairo",
        "Negotiators met in Cairo on Monday to discuss a truce in Gaza. Fighting went on in Gaza.",
    )
    primary = [place for place in places if place.is_primary]
    assert [place.name for place in primary] == ["Cairo"]
    assert primary[0].country_code == "EG"
    assert round(primary[0].latitude) == 30 and round(primary[0].longitude) == 31
    gaza = next(place for place in places if place.name == "Gaza")
    assert gaza.country_code == "PS" and not gaza.is_primary


def test_a_country_is_a_place_wherever_it_is_named_but_primary_only_after_a_preposition():
    places = extract_locations("", "Israel refused the offer. Protests were held in Bolivia. U.S. officials agreed.")
    assert [(place.location_id, place.is_primary) for place in places] == [
        ("iso3166:BOL", True),
        ("iso3166:ISR", False),
        ("iso3166:USA", False),
    ]


def test_a_sentence_opening_preposition_still_cues_the_place():
    places = extract_locations("", "In Cairo, officials said the talks would resume.")
    assert [(place.name, place.country_code, place.is_primary) for place in places] == [("Cairo", "EG", True)]


def test_capitalised_ordinary_words_are_not_places():
    assert extract_locations("SOCCER - ENGLISH LEAGUE", "Since March, God knows what happened.") == []


def test_ambiguous_name_resolves_to_a_country_the_text_names():
    places = extract_locations("", "Protests spread across the United States. Police fired on crowds in Monroe.")
    monroe = next(place for place in places if place.name == "Monroe")
    assert monroe.country_code == "US"


def test_a_persons_surname_is_not_a_town():
    places = extract_locations("", "Dr. Ronny Jackson examined him. Jackson said the results were normal.")
    assert places == []


def test_no_places_gives_an_empty_list():
    assert extract_locations("A quiet day", "Nothing happened anywhere named.") == []


def test_co_mentioned_places_pick_the_entries_that_lie_together():
    text = "Springfield police arrested the man in Greene County. He lives in Rogersville and works in Webster County."
    regions = {mention.surface: mention.place.region for mention in place_mentions("", text)}
    assert regions == {
        "Springfield": "US-MO",
        "Greene County": "US-MO",
        "Rogersville": "US-MO",
        "Webster County": "US-MO",
    }
    ohio = {
        mention.surface: mention.place.region for mention in place_mentions("", "Dublin police met Columbus officials.")
    }
    assert ohio == {"Dublin": "US-OH", "Columbus": "US-OH"}


def test_a_dateline_in_capitals_is_a_place_and_a_name_with_a_middle_initial_is_not():
    assert [place.name for place in extract_locations("", "MANSFIELD — The Law Enforcement Center will close.")] == [
        "Mansfield"
    ]
    assert extract_locations("", "The shooting of Tyrise M. Bell was justified. Officers shot Bell twice.") == []


def test_a_currency_prefix_is_no_place():
    mentions = place_mentions("", "The US pledged US$2.4 million and Australia A$5 million to the fund.")
    assert [mention.surface for mention in mentions] == ["US", "Australia"]


def test_a_given_name_before_a_small_towns_name_is_a_person():
    mentions = place_mentions("", "The budget is tight, said Mary Wheeler, a teacher in Springfield, Illinois.")
    assert [mention.surface for mention in mentions] == ["Springfield", "Illinois"]


def test_a_common_word_heading_a_longer_name_is_no_place():
    text = "She is a professor at the University of Rochester and lives on North Lumpkin Street in Athens, Georgia."
    assert [mention.surface for mention in place_mentions("", text)] == ["Rochester", "Athens", "Georgia"]


def test_a_street_or_feature_named_after_a_place_is_no_place():
    text = "The range is in the Eldorado Valley, off Berea Road, near Henderson and Boulder City, Nevada."
    mentions = place_mentions("", text)
    assert [mention.surface for mention in mentions] == ["Henderson", "Boulder City", "Nevada"]
    assert {mention.place.region for mention in mentions} == {"US-NV"}


def test_a_place_naming_a_newspaper_is_no_place():
    text = "The New York Times and the Midland Daily News reported the outbreak in Ohio."
    assert [mention.surface for mention in place_mentions("", text)] == ["Ohio"]


def test_a_given_name_that_speaks_is_a_person_not_a_place():
    text = "Brent told CTV Edmonton that the cat found in Wainwright, Alta., was his. Brent lives in Melville."
    mentions = place_mentions("", text)
    assert "Brent" not in [mention.surface for mention in mentions]
    assert {mention.place.country_code for mention in mentions if mention.surface == "Edmonton"} == {"CA"}


def test_a_known_bodys_name_holds_no_place():
    text = "Agence France-Presse reported the strike from Paris."
    assert [mention.surface for mention in place_mentions("", text)] == ["Paris"]


def test_a_country_alias_that_names_a_division_is_the_division_and_a_state_is_not_its_city():
    england = place_mentions("", "Four people died in the West Midlands, England.")[-1].place
    assert (england.name, england.kind, england.country_code) == ("England", "admin1", "GB")
    state = next(m.place for m in place_mentions("", "Flooding hit upstate New York.") if m.surface == "New York")
    assert state.kind == "admin1" and state.latitude > 41.5  # not New York City's point (40.7)


def test_a_papers_country_code_domain_places_its_towns_in_that_country():
    text = "Police in London said the fire started on Oxford Street. Nobody was hurt."
    assert place_mentions("", text)[0].place.country_code == "GB"
    canadian = place_mentions("", text, url="https://lfpress.ca/news/local/fire")
    assert (canadian[0].surface, canadian[0].place.country_code) == ("London", "CA")
    assert place_mentions("", text, url="https://example.tv/fire")[0].place.country_code == "GB"


def test_a_street_named_after_a_town_is_neither_a_person_nor_hides_the_town():
    text = "The school on Old Alton Edwardsville Road opened. Voters in Edwardsville, Illinois, approved the tax."
    found = [(m.surface, m.place.region) for m in place_mentions("", text)]
    assert found[-2:] == [("Edwardsville", "US-IL"), ("Illinois", "US-IL")]


def test_a_law_a_faith_or_an_airline_is_no_division():
    text = "Since the Act passed, BA flights and the Jewish community in Ohio waited. Riots broke out in the ACT."
    assert [(m.surface, m.place.name) for m in place_mentions("", text)] == [
        ("Ohio", "Ohio"),
        ("ACT", "Australian Capital Territory"),
    ]


def test_an_ap_state_abbreviation_is_the_state_not_a_town_it_spells():
    mentions = place_mentions("", "ORLANDO, Fla. (AP) — A device to treat a common heart problem works.")
    assert [(m.surface, m.place.name) for m in mentions] == [("ORLANDO", "Orlando"), ("Fla.", "Florida")]


def test_a_state_is_the_state_unless_a_town_of_its_name_is_a_city_or_in_a_town_state_pattern():
    text = "Bee colonies collapsed in California and Oklahoma, growers in Pennsylvania said."
    assert {m.surface: m.place.kind for m in place_mentions("", text)} == {
        "California": "admin1",
        "Oklahoma": "admin1",
        "Pennsylvania": "admin1",
    }
    town = place_mentions("", "Students at the university in California, Pa., returned.")[0].place
    assert (town.kind, town.region) == ("city", "US-PA")


def test_a_us_village_of_500_people_is_in_the_gazetteer():
    village = place_mentions("", "The fire hall in Maineville, Ohio, burned down.")[0].place
    assert (village.name, village.region) == ("Maineville", "US-OH")  # 979 people


def test_a_title_opening_a_longer_place_name_is_no_person():
    assert [m.surface for m in place_mentions("", "A goose died in Prince Edward Island.")] == ["Prince Edward Island"]
    assert [m.surface for m in place_mentions("", "Prince Harry visited Canada.")] == ["Canada"]


def test_a_towns_police_or_council_is_a_cue_like_a_preposition():
    text = "Gainesville Police Chief Tony Jones said the woman was hurt."
    assert [(m.surface, m.place.region) for m in place_mentions("", text)] == [("Gainesville", "US-FL")]
    assert place_mentions("", "Gainesville said the woman was hurt.") == []


def test_washington_alone_is_the_capital_and_washington_state_the_state():
    text = "Talks between Washington and Moscow stalled."
    capital = place_mentions("", text)[0].place
    assert (capital.name, capital.kind, capital.region) == ("Washington", "city", "US-DC")
    state = place_mentions("", "Apples from Washington state sold well in Yakima, Washington.")[-1].place
    assert (state.kind, state.region) == ("admin1", "US-WA")


def test_a_countrys_name_lends_no_support_to_the_towns_that_share_it():
    text = "Pilgrims from Egypt, India, Morocco and Nigeria died in Mecca and Medina, Saudi authorities said."
    found = {m.surface: m.place.country_code for m in place_mentions("", text)}
    assert found["Mecca"] == "SA" and found["Medina"] == "SA"


def test_a_town_the_papers_host_names_places_the_articles_towns_near_it():
    text = "The Dublin council approved the park on Monday."
    assert place_mentions("", text)[0].place.country_code == "IE"
    local = place_mentions("", text, url="http://www.columbuslocalnews.com/articles/park.txt")[0].place
    assert (local.name, local.region) == ("Dublin", "US-OH")  # the Columbus, Ohio, paper's Dublin


def test_host_towns_are_read_from_the_start_or_end_of_a_hosts_labels():
    from pipeline.enrich.places import host_towns

    assert host_towns("http://www.columbustelegram.com/a") == ("columbus",)
    assert host_towns("http://onlineathens.com/a") == ("athens",)
    assert host_towns("http://www.lasvegassun.com/a") == ("las vegas",)
    assert host_towns("https://www.cnn.com/a") == ()
    assert host_towns(None) == () and host_towns("http://[bad") == ()


def test_a_countys_name_without_county_is_the_county_the_article_names_but_a_big_city_keeps_its_name():
    text = "DeKalb County commissioners met in Decatur, Georgia. The plan is part of DeKalb's long-term growth."
    bare = [m.place for m in place_mentions("", text) if m.surface == "DeKalb"]
    assert [(place.kind, place.region) for place in bare] == [("admin2", "US-GA")]  # not DeKalb, Illinois
    found = {m.surface: m.place.kind for m in place_mentions("", "Dallas County deputies and Dallas police met.")}
    assert found == {"Dallas County": "admin2", "Dallas": "city"}


def test_a_states_name_opening_an_agencys_name_is_the_state_not_a_given_name():
    text = (
        "Officials in Atlanta said on Monday that the Georgia Environmental Protection Division would look into the"
        " spill near the lake and report to Virginia Woolf."
    )
    found = [(m.surface, m.place.region) for m in place_mentions("", text)]
    assert found == [("Atlanta", "US-GA"), ("Georgia", "US-GA")]  # Virginia Woolf stays a person


def test_a_town_alone_outside_the_countries_or_states_the_article_names_is_no_place():
    kenyan = "Health officials in Kenya said a patient in Nyanza had recovered."
    assert [m.surface for m in place_mentions("", kenyan)] == ["Kenya"]  # not Nyanza, Rwanda
    assert [(m.surface, m.place.country_code) for m in place_mentions("", kenyan.replace(" in Kenya", ""))] == [
        ("Nyanza", "RW")
    ]
    trained = "Officials in {} said the workers had trained in Lancaster last year."
    assert [m.surface for m in place_mentions("", trained.format("Nebraska"))] == ["Nebraska"]  # no Lancaster there
    found = [(m.surface, m.place.region) for m in place_mentions("", trained.format("Pennsylvania"))]
    assert found == [("Pennsylvania", "US-PA"), ("Lancaster", "US-PA")]


def test_an_island_is_not_iceland_and_a_country_after_a_given_name_is_a_surname():
    assert [m.surface for m in place_mentions("", "The girl was riding on Drummond Island, MI, on Sunday.")] == []
    briefed = "Obama was briefed in Washington by Lisa Monaco, his homeland security adviser."
    assert [m.surface for m in place_mentions("", briefed)] == ["Washington"]
    assert [m.surface for m in place_mentions("", "Troops from Jordan Israel and Egypt met.")] == [
        "Jordan",
        "Israel",
        "Egypt",
    ]


def test_burma_is_myanmar():
    places = extract_locations("", "Burma's military government freed prisoners in Rangoon.")
    assert "iso3166:MMR" in [place.location_id for place in places]
