"""The enrichment stage: each new article -> its article-level enrichment rows (actors, places, type, date, ...).

Event-level rows are not made here: an event can gain members in a later run, so the loader recomputes them from
the stored article-level rows (``pipeline.store.enrichments.refresh_event_enrichments``).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable

import apache_beam as beam

from pipeline.enrich.enrich import article_rows, enrich_article
from pipeline.enrich.gazetteer import load_gazetteers
from pipeline.errors import REJECTS, RejectedInput, emit_reject
from pipeline.outputs import Outputs, SplitOutputs
from schemas.enrichment import ARTICLE_ENRICHMENT_TABLES
from schemas.models import Article, _Table

LOGGER = logging.getLogger(__name__)

STAGE = "enrich"
MAX_TEXT_CHARS = 200_000
"""Longer bodies are not news articles (a whole site's text, a book); enrichment time grows with length."""
ROWS = "rows"


def enrich_record(article: Article) -> dict[str, list[_Table]]:
    """The article-level rows of one article (table -> records); ``RejectedInput`` when it cannot be enriched."""
    if article.text is not None and len(article.text) > MAX_TEXT_CHARS:
        raise RejectedInput(
            "text_too_long", f"{len(article.text)} characters; enrichment reads at most {MAX_TEXT_CHARS}"
        )
    enrichment = enrich_article(article.title, article.text, article.published_at, article.url)
    return article_rows(article.article_id, enrichment)


class _EnrichArticle(beam.DoFn):
    def setup(self) -> None:
        # the tables live as long as the worker: no collections while they load (~0.2 s CPU), and the collector's
        # full passes need not walk them again and again (measured in benchmarks/enrichment.py: about a tenth of
        # the enrichment's CPU)
        gc.disable()
        try:
            load_gazetteers()  # not py3langid's model: only the few texts the function-word test leaves load it
        finally:
            gc.enable()
        gc.freeze()

    def process(self, article: Article) -> Iterable:
        try:
            rows = enrich_record(article)
        except RejectedInput as error:
            yield emit_reject(article.source_ref, STAGE, error, article.title)
            return
        except Exception as error:  # noqa: BLE001 - heuristics over arbitrary text: one failure must not stop the run
            LOGGER.warning("enrichment failed for %s: %r", article.source_ref, error)
            yield emit_reject(article.source_ref, STAGE, RejectedInput("enrichment_failed", repr(error)), article.title)
            return
        yield rows


class EnrichArticles(beam.PTransform):
    """``Article``s -> :class:`Outputs`: one per article-level table (``article_enrichments``, ``article_actors``,
    ``article_locations``, ``article_figures``) and ``Reject``s (``rejects``: the article is still stored, only
    unenriched).
    """

    def expand(self, articles):
        # one element an article (its rows by table) until each table takes its own: each of the ~17 rows of an
        # article sent on its own went through every output's filter step
        enriched = (
            articles
            | "EnrichArticle" >> beam.ParDo(_EnrichArticle())
            | "EnrichOutputs" >> SplitOutputs(REJECTS, main=ROWS)
        )
        outputs = Outputs({REJECTS: enriched[REJECTS]})
        for table in ARTICLE_ENRICHMENT_TABLES:
            outputs[table] = enriched[ROWS] | f"Only_{table}" >> beam.FlatMap(_rows_of, table)
        return outputs


def _rows_of(rows: dict[str, list[_Table]], table: str) -> list[_Table]:
    """The rows of one ``table`` from an article's rows by table."""
    return rows.get(table, [])
