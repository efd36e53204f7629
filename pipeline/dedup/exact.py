"""Exact duplicates: the same canonical URL or the same normalized text.

Copies are kept as rows pointing at their original (``duplicate_of``) and share its event; the original is
the copy first published (unknown dates last), then the first by source location. Records that are one article
(one ID: the same canonical URL, or seed location, and content) are one row; each other record of it is a reject
that names the article kept (`RejectSameArticles`), so none disappears unsaid.
"""

from __future__ import annotations

import apache_beam as beam

from pipeline import ids
from pipeline.dedup.components import ResolveComponents, edges_to_first
from pipeline.errors import count_reject, make_reject
from pipeline.packing import KeyPackedById, unpack
from schemas.models import Article, Reject

STAGE = "deduplicate"
SAME_ARTICLE = "same_article"


def original_rank(article: Article) -> tuple[bool, float, str, str]:
    """Sort key choosing the original among copies: earliest stated date, then source location, then ID.

    Plain values only, so that the key encodes deterministically wherever Beam groups on it.
    """
    published = article.published_at.timestamp() if article.published_at else 0.0
    return (article.published_at is None, published, article.source_ref, article.article_id)


MIN_HEADLINE_WORDS = 3
"""A headline-only item shorter than this ("en", "Home") is too generic to call another item with it a copy."""


def exact_keys(article: Article) -> list[str]:
    """Keys two copies of one article share: the content hash (unless the content is a too short headline) and
    the canonical URL."""
    generic = article.content_kind == "title_only" and article.word_count < MIN_HEADLINE_WORDS
    keys = [] if generic else [f"hash:{article.content_hash}"]
    if article.canonical_url:
        keys.append(f"url:{article.canonical_url}")
    return keys


def mark_duplicate(article: Article, original_id: str | None) -> Article:
    """The article pointing at its original (and its event), or unchanged when it is the original."""
    if original_id is None or original_id == article.article_id:
        return article
    return article.model_copy(update={"duplicate_of": original_id, "event_id": ids.event_id(original_id)})


def _choice(article: Article) -> tuple:
    """Which of several articles with one ID the run keeps: the smallest ``(original_rank, exact_keys)``."""
    return original_rank(article), exact_keys(article)


def _apply_original(joined) -> Article:
    """``(id, {"article": [pack(Article)], "original": [id]})`` -> the kept article of the ID, pointing at its
    original."""
    _, grouped = joined
    article = min(map(unpack, grouped["article"]), key=_choice)
    originals = list(grouped["original"])
    return mark_duplicate(article, originals[0] if originals else None)


def _to_original(item: tuple[str, tuple]) -> list[tuple[str, tuple]]:
    """``(id, (rank, exact keys))`` -> ``(key, (rank, id))`` for each of its keys."""
    article_id, (rank, keys) = item
    return [(key, (rank, article_id)) for key in keys]


class MarkExactDuplicates(beam.PTransform):
    """``Article``s -> one ``Article`` per ID, exact copies pointing at their original.

    Copies are found on each ID's rank and keys; the articles themselves cross one join only, with their original.
    """

    def expand(self, articles):
        originals = (
            articles
            | "RankAndKeys" >> beam.Map(lambda article: (article.article_id, _choice(article)))
            | "OnePerId" >> beam.CombinePerKey(min)
            | "ExactKeys" >> beam.FlatMap(_to_original)
            | "GroupByExactKey" >> beam.GroupByKey()
            | "EdgesToOriginal" >> beam.FlatMap(lambda group: edges_to_first(group[1]))
            | "ResolveOriginals" >> ResolveComponents()
        )
        return (
            {
                "article": articles | "KeyById" >> KeyPackedById(),
                "original": originals,
            }
            | "JoinOriginals" >> beam.CoGroupByKey()
            | "MarkDuplicates" >> beam.Map(_apply_original)
        )


def same_article_rejects(reads: tuple[str, list[tuple[tuple, str]]]) -> list[Reject]:
    """``(id, [(choice, source_ref)])`` of the records read as one article -> a reject for each record but the
    one kept (the smallest choice, as `MarkExactDuplicates` keeps it); a record read twice from one place is one."""
    article_id, choices = reads
    (_, kept), *others = sorted(choices)
    rejects = [
        make_reject(
            source_ref,
            STAGE,
            SAME_ARTICLE,
            f"the same article as {kept} (article {article_id}: same canonical URL or location, same content): "
            "one row stands for both",
        )
        for source_ref in sorted({source_ref for _, source_ref in others} - {kept})
    ]
    for reject in rejects:
        count_reject(reject)
    return rejects


class RejectSameArticles(beam.PTransform):
    """``Article``s -> a ``Reject`` for each record that is another record's article (one ID)."""

    def expand(self, articles):
        return (
            articles
            | "ChoiceAndRef" >> beam.Map(lambda article: (article.article_id, (_choice(article), article.source_ref)))
            | "GroupById" >> beam.GroupByKey()
            | "SameArticles" >> beam.FlatMap(same_article_rejects)
        )
