"""The shared capitalised-run scan reads sentences as the word-by-word tokenizer does."""

import pytest

from pipeline.enrich.scan import gap_after_next, gap_before, scan_sentence, words_before
from pipeline.text import capitalised_phrases, is_title_case, tokenize

SENTENCES = [
    "The Bank of England's governor met Ali al-Sadr in Cairo.",
    "Officials in Dekalb, Ill. said Mr. Smith left the U.S. Army on Monday.",
    "MANSFIELD — Police arrested Tyrise M. Bell near Madison County, Ga., late Sunday.",
    "Viacom shares fell; Reuters reported that SoftBank CEO Masayoshi Son's fund sold 3M stock.",
    "In Cairo, talks between Israel and Hamas stalled as U.S.-backed mediators from Egypt and Qatar waited.",
    "Police Arrest Suspect After Downtown Shooting In Springfield",
    "He flew to Rio de Janeiro and then to São Paulo's airport.",
    "— …",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_runs_are_the_capitalised_phrases_of_the_tokenizer(sentence):
    tokens = tokenize(sentence)
    phrases = capitalised_phrases(sentence, 0)
    scanned = scan_sentence(sentence)
    assert [run.words for run in scanned.runs] == [phrase.tokens for phrase in phrases]
    assert [run.possessive for run in scanned.runs] == [phrase.possessive for phrase in phrases]
    assert [run.opens for run in scanned.runs] == [phrase.first_token_index == 0 for phrase in phrases]
    for run, phrase in zip(scanned.runs, phrases, strict=True):
        words = tokens[phrase.first_token_index : phrase.first_token_index + len(phrase.tokens)]
        assert run.spans == tuple((token.start, token.end) for token in words)
        assert run.gap_after == words[-1].gap_after
        after = phrase.first_token_index + len(phrase.tokens)
        assert run.next_word.rstrip(".") == (tokens[after].text.rstrip(".") if after < len(tokens) else "")
        if phrase.first_token_index:
            assert gap_before(sentence, run) == tokens[phrase.first_token_index - 1].gap_after
    assert scanned.title_case == is_title_case(sentence)


def test_words_before_a_position_and_the_gap_after_the_next_word():
    sentence = "Talks resumed in the capital, Cairo, on Monday."
    (_, cairo, _) = scan_sentence(sentence).runs
    assert cairo.words == ("Cairo",)
    assert list(words_before(sentence, cairo.spans[0][0]))[:3] == ["capital", "the", "in"]
    assert (cairo.gap_after, cairo.next_word, gap_after_next(sentence, cairo)) == (", ", "on", " ")
