"""Organisations the actor rules find by their name's shape."""

from pipeline.enrich.actors import extract_actors


def test_a_commonwealth_of_its_members_is_a_body():
    text = "Ukraine's foreign minister says the Commonwealth of Independent States has no future in its present form."
    bodies = [actor.name for actor in extract_actors("", text) if actor.kind == "organisation"]
    assert bodies == ["Commonwealth of Independent States"]


def test_one_word_between_two_titles_is_the_office_s_not_a_body():
    text = "Japanese Chief Cabinet Secretary Hiroyuki Hosoda says Tokyo is analyzing new evidence."
    actors = {(actor.kind, actor.name) for actor in extract_actors("", text)}
    assert ("person", "Hiroyuki Hosoda") in actors and not any(kind == "organisation" for kind, _ in actors)


def test_an_outgoing_office_holder_s_word_is_no_body():
    text = "Outgoing Deputy Secretary of State Richard Armitage was slated to meet Turkish officials."
    actors = {(actor.kind, actor.name) for actor in extract_actors("", text)}
    assert ("person", "Richard Armitage") in actors and not any(kind == "organisation" for kind, _ in actors)
