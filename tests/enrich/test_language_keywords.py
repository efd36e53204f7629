"""Language detection and keywords."""

from pipeline.enrich.keywords import keywords
from pipeline.enrich.language import detect_language


def test_language_is_detected_with_confidence_and_short_text_is_unknown():
    english = detect_language("Israel and Hamas cannot reach a ceasefire agreement in Cairo, mediators said.")
    french = detect_language("Israël et le Hamas ne parviennent pas à un accord de cessez-le-feu au Caire.")
    assert (english.code, french.code) == ("en", "fr")
    assert 0.5 <= english.confidence <= 1
    assert detect_language("ok") is None


def test_keywords_favour_repeated_and_headline_words_without_stop_words():
    found = keywords(
        [("Cairo truce talks stall", "The truce talks in Cairo stalled. The sides said the truce failed.")], limit=3
    )
    assert found[0] in ("truce", "cairo", "talks", "truce talks")
    assert "the" not in found and "said" not in found
    assert len(found) == 3
