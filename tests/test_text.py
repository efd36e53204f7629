import codecs

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SKLEARN_STOP_WORDS

from pipeline.sources.http import decode_body
from pipeline.sources.seeds import read_seed_file
from pipeline.text import (
    ENGLISH_STOP_WORDS,
    SNIFF_BYTES,
    NotText,
    capitalised_phrases,
    declared_charsets,
    decode,
    evident_codec,
    headline_coverage,
    headline_proper,
    html_to_text,
    is_title_case,
    looks_binary,
    site_labels,
    tokenize,
)

RUSSIAN = "Переговоры в Каире завершились без соглашения, сообщили источники в обеих делегациях."


def test_the_shipped_stop_words_are_scikit_learns():
    assert ENGLISH_STOP_WORDS == SKLEARN_STOP_WORDS


def test_html_to_text_keeps_paragraphs_and_drops_scripts():
    assert html_to_text("<p>One <i>two</i></p><script>x()</script><p>three&amp;four</p>") == "One two\nthree&four"
    assert html_to_text("plain &amp; simple") == "plain & simple"
    assert html_to_text("Delegations  met\tin Cairo.") == "Delegations met in Cairo."
    assert html_to_text("  ") is None
    assert html_to_text("<script>only()</script>") is None


def test_a_text_starting_with_ff_fe_that_is_no_utf16_is_not_read_as_utf16():
    # the bytes of a UTF-16 byte-order mark, then plain ASCII text: read as UTF-16 they make CJK-looking noise
    data = b"\xff\xfe\x00Headline about the flood\nThe river rose two metres overnight, officials said.\n"
    assert evident_codec(data) is None
    decoded = decode(data)
    assert "Headline about the flood" in decoded.text and "officials said." in decoded.text
    documents = list(read_seed_file("odd.txt", data))
    assert "The river rose two metres overnight" in documents[0].body


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_text_with_or_without_a_byte_order_mark_is_read(codec):
    text = "Überschrift\nDer Text des Artikels über die Überschwemmung."
    assert decode(text.encode(codec)).text == text


def test_a_utf32_file_is_not_taken_for_utf16_with_nul_characters():
    data = "Headline\nBody text.".encode("utf-32")
    assert data.startswith(codecs.BOM_UTF32_LE) and decode(data) == ("Headline\nBody text.", "utf-32")


def test_a_saved_page_and_the_same_page_fetched_decode_alike():
    page = f'<html><head><meta charset="windows-1251"></head><body><p>{RUSSIAN}</p></body></html>'.encode("cp1251")
    saved = list(read_seed_file("page.html", page))[0].body
    fetched, encoding = decode_body(page, "text/html")
    assert saved == fetched and RUSSIAN in saved and encoding == "cp1251"


def test_a_declared_charset_that_does_not_fit_the_bytes_is_not_taken():
    page = '<meta charset="iso-8859-1"><p>Grüße aus Köln</p>'.encode()
    assert declared_charsets(page) == ["iso8859-1"] and decode(page, declared_charsets(page)).text.endswith("Köln</p>")
    latin = "<p>Café crème à Genève</p>".encode("latin-1")
    assert decode(latin, declared_charsets(latin, "text/html; charset=utf-8")).text == "<p>Café crème à Genève</p>"


def test_undeclared_legacy_charsets_are_detected_and_binary_is_refused():
    assert decode((RUSSIAN * 3).encode("cp1251")).text == RUSSIAN * 3
    assert decode("Un café naïve à Paris".encode("latin-1")) == ("Un café naïve à Paris", "cp1252")
    with pytest.raises(NotText) as error:
        decode(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00")
    assert error.value.reason == "binary_file"


def test_control_bytes_but_tabs_line_breaks_and_escape_mark_binary_above_a_tenth_of_the_sniffed_start():
    assert not looks_binary(b"a" * 900 + bytes(range(1, 9)) * 12 + b"\x0e" * 4), "a tenth exactly"
    assert looks_binary(b"a" * 899 + bytes(range(1, 9)) * 12 + b"\x0e" * 5)
    assert looks_binary(b"a" * 800 + b"\x1f\x10\x7f\x80" * 50) is False, "DEL and high bytes are no control bytes"
    assert looks_binary(b"a" * 800 + b"\x1f\x10\x1c\x00" * 50)
    assert not looks_binary(b"\t\n\r\x0c\x1b" * 400), "text controls"
    assert not looks_binary(b"a" * SNIFF_BYTES + b"\x01" * SNIFF_BYTES), "beyond the sniffed start"


def test_tokens_keep_periods_only_on_abbreviations_and_initials():
    words = [token.text for token in tokenize("Mr. Smith met U.S. envoys in Mt. Kenya on Monday.")]
    assert words == ["Mr.", "Smith", "met", "U.S.", "envoys", "in", "Mt.", "Kenya", "on", "Monday"]


def test_a_sentence_without_words_has_no_tokens():
    # was a ValueError from zip(strict=True), which cost an article of GVC dev its enrichment
    assert tokenize("— …") == () and capitalised_phrases("— …", 0) == ()


def test_capitalised_phrases_join_connectors_and_stop_at_possessives():
    phrases = capitalised_phrases("The Bank of England's governor met Ali al-Sadr in Cairo.", 0)
    assert [(phrase.text, phrase.possessive) for phrase in phrases] == [
        ("The Bank of England", True),
        ("Ali al-Sadr", False),
        ("Cairo", False),
    ]


def test_title_case_lines_are_told_from_sentences():
    assert is_title_case("Police Arrest Suspect After Downtown Shooting")
    assert not is_title_case("Police arrest a suspect after a shooting downtown")


def test_headline_words_match_by_stem_not_by_shared_first_letters():
    body = "Four teenagers were shooting victims; the DA decided not to charge the officer."
    assert headline_coverage("Teens shoots", body) == 1.0
    assert headline_coverage("Charlotte arrest", body) == 0.0  # charlotte and charge share only "char"


def test_the_site_name_is_no_content_of_a_headline():
    notice = "Add a location to your Tweets. When you tweet with a location, Twitter stores that location."
    assert headline_coverage("dartmedia on Twitter", notice) == 0.5
    assert headline_coverage("dartmedia on Twitter", notice, "https://twitter.com/dartmedia/status/1") == 0.0
    title = "Lolo double shooting deemed accidental - ABC FOX Montana Local News, Weather, Sports"
    body = "The double shooting outside Lolo was deemed an accident, the sheriff said."
    assert headline_proper(title, site_labels("http://www.abcfoxmontana.com/story")) == title.split(" - ")[0]
    assert headline_coverage(title, body, "http://www.abcfoxmontana.com/story") == 1.0
    assert headline_coverage("en", "anything") is None
