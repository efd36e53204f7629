"""Event type: PLOVER-aligned categories with their evidence sentence."""

from pipeline.enrich.eventtype import EVENT_TYPES, classify_event


def test_talks_are_consultations_with_the_headline_as_evidence():
    found = classify_event("Ceasefire talks stall in Cairo", "Negotiators met again. Hamas demanded guarantees.")
    assert found.code == "consult"
    assert found.evidence == "Ceasefire talks stall in Cairo"


def test_attacks_protests_and_negated_agreements():
    assert classify_event("Airstrike kills 25 in Jabalia", None).code == "assault"
    assert classify_event("Thousands protest in Bolivia", "Demonstrators marched.").code == "protest"
    assert classify_event("Sides fail to reach agreement", "They rejected the offer.").code == "reject"


def test_no_cue_gives_none_and_codes_are_plover_aligned():
    assert classify_event("A quiet day", "Nothing happened.") is None
    assert {"consult", "agree", "request", "reject", "threaten", "protest", "assault", "aid"} <= set(EVENT_TYPES)


def test_weak_evidence_or_a_non_political_report_gives_no_type():
    body = "Nothing happened. The market was calm. Prices held. Later, officials said they would visit."
    assert classify_event("A quiet day", body) is None
    review = (
        "The team scored twice in the second half. The coach praised his players, and fans backed the season's "
        "new league format after the game."
    )
    assert classify_event("Derby review: a game to remember", review) is None
    outbreak = "Doctors confirmed a plague case. Patients with symptoms of the disease were isolated in hospital."
    assert classify_event("Plague case confirmed", outbreak) is None


def test_confidence_is_the_winners_share_of_the_cue_weight():
    agreed = classify_event("Airstrike kills 25 in Jabalia", "The attack hit a school.")
    assert agreed.confidence == 1.0
    mixed = classify_event("Airstrike kills 25 in Jabalia", "Officials condemned the attack and urged restraint.")
    assert mixed.code == "assault"
    assert 0 < mixed.confidence < 1
