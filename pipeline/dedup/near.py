"""Near-duplicates: republications of one text with edits, found by MinHash signatures and LSH banding.

Sign each article body -> its band keys by bucket of keys -> group -> candidate pairs of each band key in the
bucket -> verify each pair exactly on its shingle sets (:func:`pipeline.dedup.minhash.verified_similarity`:
Jaccard and containment), so that the decision never rests on the signatures' estimate. Each near-duplicate points
at its parent (the most similar earlier article it was verified against); components of verified pairs share one
event.
:func:`find_near_duplicates` is the same logic in memory, for benchmarks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import apache_beam as beam
import numpy as np

from pipeline import ids
from pipeline.dedup.components import AttachToPairs, ResolveComponents
from pipeline.dedup.exact import original_rank
from pipeline.dedup.minhash import (
    MinHashConfig,
    band_hashes,
    band_keys_batch,
    shingle_sets,
    shingles_from_bytes,
    shingles_to_bytes,
    signature_to_bytes,
    signatures,
    signatures_and_shingles,
    verified_similarity,
)
from pipeline.normalize import covers_headline
from pipeline.staging import LOOKUP_BUCKETS, bucket
from schemas.models import Article, ArticleLink, ArticleSignature

MIN_WORDS = 20
"""Bodies shorter than this share too few shingles for a reliable estimate; events still group them."""
MAX_BUCKET_PAIRS = 64
"""A band bucket pairs each member with at most this many following ones (enough to connect it)."""
SIGN_BATCH_SIZE = (64, 512)


def is_signed(article: Article) -> bool:
    """Whether an article takes part in near-duplicate detection: an original with a real body that mentions its
    headline (a body that does not is usually page chrome, and matching chrome makes no copy)."""
    return (
        article.duplicate_of is None
        and article.content_kind == "body"
        and article.word_count >= MIN_WORDS
        and covers_headline(article.title, article.text, article.url)
    )


def bucket_pairs(members: Iterable[tuple]) -> list[tuple[tuple, tuple]]:
    """Candidate pairs ``(earlier, later)`` of one band bucket of ``(rank, id)`` nodes, each node paired with
    the next ``MAX_BUCKET_PAIRS`` ones so a bucket of thousands of copies stays linear but connected."""
    ordered = sorted(set(members))
    return [
        (left, right)
        for index, left in enumerate(ordered)
        for right in ordered[index + 1 : index + 1 + MAX_BUCKET_PAIRS]
    ]


def _band_refs(item: tuple, buckets: int) -> list[tuple[int, tuple[tuple, tuple[str, ...]]]]:
    """``(rank node, ArticleSignature, _)`` -> ``(bucket, (rank node, band keys))``: the article's band keys by
    bucket, one element a bucket rather than one a key (64 an article, each encoded, grouped and decoded by Beam
    on its own: a quarter of the elements of a run)."""
    node, signature, _ = item
    by_bucket: dict[int, list[str]] = {}
    for key in signature.band_keys:
        by_bucket.setdefault(bucket(key, buckets), []).append(key)
    return [(number, (node, tuple(keys))) for number, keys in by_bucket.items()]


def _pairs_in_bucket(grouped: tuple[int, Iterable[tuple[tuple, tuple[str, ...]]]]) -> set[tuple[tuple, tuple]]:
    """``(bucket, [(rank node, band keys)])`` -> the candidate pairs (:func:`bucket_pairs`) of each band key."""
    members: dict[str, list[tuple]] = {}
    for node, keys in grouped[1]:
        for key in keys:
            members.setdefault(key, []).append(node)
    return {pair for nodes in members.values() if len(nodes) > 1 for pair in bucket_pairs(nodes)}


def find_near_duplicates(texts: Sequence[str], config: MinHashConfig, batch_size: int = SIGN_BATCH_SIZE[1]):
    """Verified near-duplicate pairs ``(i, j, jaccard)`` (``i < j``) of ``texts``, in memory.

    The stage's steps on one machine: signatures on batches, band keys grouped (by sorting their hashes, as the
    runner's GroupByKey would), :func:`bucket_pairs` per bucket, exact verification on the shingle sets of the
    texts in candidate pairs.
    """
    if not len(texts):
        return []
    matrix = np.concatenate(
        [signatures(texts[start : start + batch_size], config) for start in range(0, len(texts), batch_size)]
    )
    keys = band_hashes(matrix, config)
    flat, owner = keys.reshape(-1), np.repeat(np.arange(len(keys)), keys.shape[1])
    order = np.argsort(flat, kind="stable")
    flat, owner = flat[order], owner[order]
    starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
    ends = np.append(starts[1:], len(flat))
    sizes = ends - starts
    keyed = flat[starts] != 0
    # a bucket of two is its one pair (what bucket_pairs gives it), taken in bulk; bigger buckets go through it
    twos = starts[keyed & (sizes == 2)]
    low, high = np.minimum(owner[twos], owner[twos + 1]), np.maximum(owner[twos], owner[twos + 1])
    codes = np.unique(low.astype(np.int64) * len(texts) + high)
    candidates = set(zip((codes // len(texts)).tolist(), (codes % len(texts)).tolist(), strict=True))
    for start, end in zip(starts[keyed & (sizes > 2)].tolist(), ends[keyed & (sizes > 2)].tolist(), strict=True):
        candidates.update((left, right) for (left,), (right,) in bucket_pairs((i,) for i in owner[start:end].tolist()))
    involved = sorted({index for pair in candidates for index in pair})
    sets = {}
    for start in range(0, len(involved), batch_size):
        chunk = involved[start : start + batch_size]
        sets.update(zip(chunk, shingle_sets([texts[index] for index in chunk], config), strict=True))
    found = []
    for left, right in sorted(candidates):
        similarity = verified_similarity(sets[left], sets[right], config)
        if similarity is not None:
            found.append((left, right, similarity))
    return found


def _sign(article: Article, config: MinHashConfig) -> tuple:
    """An ``Article`` -> ``(rank node, ArticleSignature, shingle set bytes)``.

    One article at a time (0.33 ms against 0.12 ms in batches of 64): the Dask runner drops the last batch of
    ``beam.BatchElements``, which emits it in ``finish_bundle``.
    """
    matrix, (shingle_set,) = signatures_and_shingles([article.text], config)
    (article_keys,) = band_keys_batch(matrix, config)
    signature = ArticleSignature(
        article_id=article.article_id, signature=signature_to_bytes(matrix[0]), band_keys=article_keys
    )
    return original_rank(article), signature, shingles_to_bytes(shingle_set)


def _verify(config: MinHashConfig):
    def verify(item):
        left, right, left_shingles, right_shingles = item
        similarity = verified_similarity(
            shingles_from_bytes(left_shingles), shingles_from_bytes(right_shingles), config
        )
        if similarity is not None:
            yield left, right, similarity

    return verify


def best_parent(candidates) -> tuple:
    """The most similar earlier article of ``(rank node, similarity)`` candidates; ties go to the earliest."""
    return min(candidates, key=lambda candidate: (-candidate[1], candidate[0]))


def with_parent(article: Article, parent: tuple[str, float] | None) -> Article:
    """The article carrying its near-duplicate ``parent`` (``(parent id, similarity)``), if it has one."""
    if parent is None:
        return article
    parent_id, similarity = parent
    return article.model_copy(update={"near_duplicate_of": parent_id, "near_duplicate_score": round(similarity, 4)})


class MarkNearDuplicates(beam.PTransform):
    """``Article``s -> dict of PCollections:

    - ``parents``: ``(article_id, (parent id, similarity))`` for each near-duplicate (:func:`with_parent` sets
      it on the article where the article is joined anyway);
    - ``roots``: ``(article_id, root_id)`` for every article in a near-duplicate component (root: earliest);
    - ``signatures``: ``ArticleSignature`` of every signed article;
    - ``links``: an ``ArticleLink`` per verified pair.
    """

    def __init__(self, config: MinHashConfig, run_id: str, buckets: int = LOOKUP_BUCKETS):
        """``buckets``: buckets of band keys grouped together (``staging.lookup_buckets``)."""
        super().__init__()
        self._config = config
        self._run_id = run_id
        self._buckets = buckets

    def expand(self, articles):
        signed = articles | "SignedOnly" >> beam.Filter(is_signed) | "Sign" >> beam.Map(_sign, self._config)
        candidate_pairs = (
            signed
            | "BandKeys" >> beam.FlatMap(_band_refs, self._buckets)
            | "GroupByBucket" >> beam.GroupByKey()
            | "BucketPairs" >> beam.FlatMap(_pairs_in_bucket)
            | "UniquePairs" >> beam.Distinct()
        )
        shingle_bytes = signed | "ShinglesByNode" >> beam.Map(lambda item: (item[0], item[2]))
        verified = (
            candidate_pairs
            | "AttachShingles" >> AttachToPairs(shingle_bytes)
            | "Verify" >> beam.FlatMap(_verify(self._config))
        )
        parents = (
            verified
            | "ByLaterArticle" >> beam.Map(lambda edge: (edge[1][-1], (edge[0], edge[2])))
            | "BestParent" >> beam.CombinePerKey(best_parent)
            | "ParentIds" >> beam.MapTuple(lambda article_id, parent: (article_id, (parent[0][-1], parent[1])))
        )
        run_id = self._run_id
        links = verified | "Links" >> beam.Map(
            lambda edge: ArticleLink(
                link_id=ids.link_id(edge[1][-1], edge[0][-1], "minhash"),
                article_id=edge[1][-1],
                other_article_id=edge[0][-1],
                method="minhash",
                score=round(edge[2], 4),
                run_id=run_id,
            )
        )
        roots = verified | "ComponentEdges" >> beam.Map(lambda edge: (edge[0], edge[1])) | ResolveComponents()
        return {
            "parents": parents,
            "roots": roots,
            "signatures": signed | "SignatureRows" >> beam.Map(lambda item: item[1]),
            "links": links,
        }
