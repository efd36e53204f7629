"""The language of a non-English article is detected once by ``enrich_article`` and read by the actors too."""

from datetime import UTC, datetime

from pipeline.enrich import language
from pipeline.enrich.enrich import enrich_article

PUBLISHED = datetime(2026, 11, 20, tzinfo=UTC)
SPANISH = (
    "El Gobierno de España aprobó este martes en Madrid un plan de ayudas para los afectados por las inundaciones "
    "en Utiel, según informó el ministro en una rueda de prensa celebrada en la capital."
)


class _Counting:
    """The shipped language identifier, counting the texts it classifies."""

    def __init__(self) -> None:
        self.identifier = language._identifier()
        self.texts: list[str] = []

    def classify(self, text: str):
        self.texts.append(text)
        return self.identifier.classify(text)


def test_a_spanish_report_is_classified_once_and_gets_its_language_and_no_actors(monkeypatch):
    counting = _Counting()
    monkeypatch.setattr(language, "_identifier", lambda: counting)
    enrichment = enrich_article("Inundaciones en Utiel", SPANISH, PUBLISHED)
    assert enrichment.language.code == "es"
    assert enrichment.actors == ()
    assert len(counting.texts) == 1
