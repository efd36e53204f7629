"""Language detection and keywords."""

import subprocess
import sys

from pipeline.enrich.keywords import keywords
from pipeline.enrich.language import FUNCTION_WORD_CONFIDENCE, _identifier, detect_language, reads_english


def test_language_is_detected_with_confidence_and_short_text_is_unknown():
    english = detect_language("Israel and Hamas cannot reach a ceasefire agreement in Cairo, mediators said.")
    french = detect_language("Israël et le Hamas ne parviennent pas à un accord de cessez-le-feu au Caire.")
    assert (english.code, french.code) == ("en", "fr")
    assert 0.5 <= english.confidence <= 1
    assert detect_language("ok") is None


def test_english_function_words_settle_english_and_other_texts_go_to_the_model():
    english = (
        "Talks between Israel and Hamas resumed in Cairo on Sunday, when the mediators from Egypt said that both "
        "sides were close to a deal which would free the hostages."
    )
    assert reads_english(english)
    assert detect_language(english).confidence == FUNCTION_WORD_CONFIDENCE
    assert _identifier().classify(english)[0] == "en"  # the model agrees
    german = "Die Gespräche zwischen Israel und der Hamas wurden am Sonntag in Kairo fortgesetzt, sagten sie."
    spanish = "Las conversaciones entre Israel y Hamás se reanudaron el domingo en El Cairo, dijeron los mediadores."
    assert not reads_english(german) and not reads_english(spanish)
    assert (detect_language(german).code, detect_language(spanish).code) == ("de", "es")
    # a few English words quoted in another language are not enough
    quoted = "Le film « The Day After » sort en France : les critiques l'ont trouvé long et les spectateurs aussi."
    assert not reads_english(quoted)
    assert detect_language(quoted).code == "fr"


def test_keywords_favour_repeated_and_headline_words_without_stop_words():
    found = keywords(
        [("Cairo truce talks stall", "The truce talks in Cairo stalled. The sides said the truce failed.")], limit=3
    )
    assert found[0] in ("truce", "cairo", "talks", "truce talks")
    assert "the" not in found and "said" not in found
    assert len(found) == 3


def test_a_worker_loads_the_model_on_its_first_text_the_function_words_leave():
    script = (
        "from pipeline.enrich import language\n"
        "from pipeline.enrich.stage import _EnrichArticle\n"
        "_EnrichArticle().setup()\n"
        "language.detect_language('Talks between Israel and Hamas resumed on Sunday, which the mediators from "
        "Egypt said would free the hostages that were taken.')\n"
        "print(language._identifier.cache_info().currsize)\n"
        "print(language.detect_language('Die Gespräche zwischen Israel und der Hamas wurden fortgesetzt.').code)\n"
        "print(language._identifier.cache_info().currsize)\n"
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["0", "de", "1"]
