"""Near-duplicates: republications of one text with edits, found by MinHash signatures and LSH banding.

Sign batches of article bodies -> key each article by its band keys -> group -> candidate pairs -> verify each
pair's estimated Jaccard against the threshold. Each near-duplicate points at its parent (the most similar
earlier article it was verified against); components of verified pairs share one event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import apache_beam as beam

from pipeline.dedup.components import AttachToPairs, ResolveComponents
from pipeline.dedup.exact import original_rank
from pipeline.dedup.minhash import (
    MinHashConfig,
    band_keys_batch,
    estimated_jaccard,
    signature_from_bytes,
    signature_to_bytes,
    signatures,
)
from schemas.models import Article, ArticleLink, ArticleSignature

MIN_WORDS = 20
"""Bodies shorter than this share too few shingles for a reliable estimate; events still group them."""
MAX_BUCKET_PAIRS = 64
"""A band bucket pairs each member with at most this many following ones (enough to connect it)."""
SIGN_BATCH_SIZE = (64, 512)


def is_signed(article: Article) -> bool:
    """Whether an article takes part in near-duplicate detection: an original with a real body."""
    return article.duplicate_of is None and article.content_kind == "body" and article.word_count >= MIN_WORDS


def link_id(article_id: str, other_article_id: str, method: str) -> str:
    """Stable ID of a link."""
    return hashlib.sha256(f"{article_id}\x1f{other_article_id}\x1f{method}".encode()).hexdigest()[:20]


def bucket_pairs(members: Iterable[tuple]) -> list[tuple[tuple, tuple]]:
    """Candidate pairs ``(earlier, later)`` of one band bucket of ``(rank, id)`` nodes, each node paired with
    the next ``MAX_BUCKET_PAIRS`` ones so a bucket of thousands of copies stays linear but connected."""
    ordered = sorted(set(members))
    return [
        (left, right)
        for index, left in enumerate(ordered)
        for right in ordered[index + 1 : index + 1 + MAX_BUCKET_PAIRS]
    ]


class _SignBatch(beam.DoFn):
    def __init__(self, config: MinHashConfig):
        self._config = config

    def process(self, batch: list[Article]):
        matrix = signatures([article.text for article in batch], self._config)
        for article, row, keys in zip(batch, matrix, band_keys_batch(matrix, self._config), strict=True):
            signature = ArticleSignature(
                article_id=article.article_id, signature=signature_to_bytes(row), band_keys=keys
            )
            yield original_rank(article), signature


def _verify(config: MinHashConfig):
    def verify(item):
        left, right, left_signature, right_signature = item
        similarity = estimated_jaccard(signature_from_bytes(left_signature), signature_from_bytes(right_signature))
        if similarity >= config.threshold:
            yield left, right, similarity

    return verify


def _best_parent(candidates) -> tuple:
    """The most similar earlier article; ties go to the earliest."""
    return min(candidates, key=lambda candidate: (-candidate[1], candidate[0]))


def _set_parent(joined) -> Article:
    _, grouped = joined
    (article,) = grouped["article"]
    parents = list(grouped["parent"])
    if not parents:
        return article
    (parent_node, similarity) = parents[0]
    return article.model_copy(
        update={"near_duplicate_of": parent_node[-1], "near_duplicate_score": round(similarity, 4)}
    )


class MarkNearDuplicates(beam.PTransform):
    """``Article``s -> dict of PCollections:

    - ``articles``: the same articles, near-duplicates carrying ``near_duplicate_of`` and the similarity;
    - ``roots``: ``(article_id, root_id)`` for every article in a near-duplicate component (root: earliest);
    - ``signatures``: ``ArticleSignature`` of every signed article;
    - ``links``: an ``ArticleLink`` per verified pair.
    """

    def __init__(self, config: MinHashConfig, run_id: str):
        super().__init__()
        self._config = config
        self._run_id = run_id

    def expand(self, articles):
        signed = (
            articles
            | "SignedOnly" >> beam.Filter(is_signed)
            | "Batch" >> beam.BatchElements(*SIGN_BATCH_SIZE)
            | "Sign" >> beam.ParDo(_SignBatch(self._config))
        )
        candidate_pairs = (
            signed
            | "BandKeys" >> beam.FlatMap(lambda item: [(key, item[0]) for key in item[1].band_keys])
            | "GroupByBand" >> beam.GroupByKey()
            | "BucketPairs" >> beam.FlatMap(lambda bucket: bucket_pairs(bucket[1]))
            | "UniquePairs" >> beam.Distinct()
        )
        signature_bytes = signed | "SignatureById" >> beam.Map(lambda item: (item[0], item[1].signature))
        verified = (
            candidate_pairs
            | "AttachSignatures" >> AttachToPairs(signature_bytes)
            | "Verify" >> beam.FlatMap(_verify(self._config))
        )
        parents = (
            verified
            | "ByLaterArticle" >> beam.Map(lambda edge: (edge[1][-1], (edge[0], edge[2])))
            | "BestParent" >> beam.CombinePerKey(_best_parent)
        )
        marked = (
            {"article": articles | "KeyById" >> beam.Map(lambda a: (a.article_id, a)), "parent": parents}
            | "JoinParents" >> beam.CoGroupByKey()
            | "SetParents" >> beam.Map(_set_parent)
        )
        run_id = self._run_id
        links = verified | "Links" >> beam.Map(
            lambda edge: ArticleLink(
                link_id=link_id(edge[1][-1], edge[0][-1], "minhash"),
                article_id=edge[1][-1],
                other_article_id=edge[0][-1],
                method="minhash",
                score=round(edge[2], 4),
                run_id=run_id,
            )
        )
        roots = verified | "ComponentEdges" >> beam.Map(lambda edge: (edge[0], edge[1])) | ResolveComponents()
        return {
            "articles": marked,
            "roots": roots,
            "signatures": signed | "SignatureRows" >> beam.Values(),
            "links": links,
        }
