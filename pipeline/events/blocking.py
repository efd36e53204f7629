"""Blocking: a few rare salient keys per article; grouping by key yields the candidate pairs a run scores.

``blocking_keys(features)`` gives each article's keys, ``block_pairs`` the pairs of one block (bounded for an
oversized block), ``candidate_pairs`` all pairs a batch scores, exactly as the pipeline forms them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import zip_longest

import numpy as np

from pipeline.events.features import EventFeatures

N_BLOCKING_KEYS = 32
N_TITLE_KEYS = 4
N_DATE_KEYS = 4
N_NUMBER_KEYS = 6
"""Blocking keys: 32 terms and entities, 4 headline words, 4 stated dates, 6 numbers. On GVC dev half A this
puts 0.978 of the true same-incident pairs in a block (6 terms and entities: 0.71; 16: 0.92), ECB+ half A 0.995,
at about 230 and 23 pairs an article."""
MAX_BLOCK_SIZE = 64
EMBEDDING_BANDS = 24
EMBEDDING_BAND_BITS = 8
"""Random-hyperplane LSH of embeddings for blocking: two items share one of the 24 bands of 8 sign bits with
probability 0.91 at cosine 0.7 (two headlines of one event often sit there), 0.62 at 0.5 and 0.22 at 0.2
(unrelated). 16 bands of 10 bits gave the same UCI half A F1 but found only 45% of pairs at cosine 0.64."""
EMBEDDING_LSH_SEED = 20240501
EMBEDDING_BLOCK_WINDOW = 8
"""Time-order window of an oversized embedding-key block: headlines of one busy topic crowd the same buckets, and
pairing each with 64 neighbours in 24 bands exhausted memory on 3,458 UCI headlines."""


def _ranked(weights: Mapping[str, float], k: int) -> list[str]:
    return [key for key, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


def blocking_keys(features: EventFeatures, n_keys: int = N_BLOCKING_KEYS) -> list[str]:
    """The article's most salient terms and entities, alternately (highest TF-IDF weight: frequent here and
    rare in the corpus), then its top headline words, stated dates and numbers; two articles of one event
    share at least one of them with high probability. With an embedding, its ``embedding_keys`` too."""
    if n_keys < 1:
        raise ValueError(f"n_keys must be >= 1, got {n_keys}")
    ranked_terms = _ranked(features.terms, n_keys)
    ranked_entities = _ranked(features.entities, n_keys)
    interleaved = [key for pair in zip_longest(ranked_terms, ranked_entities) for key in pair if key is not None]
    keys = [
        *interleaved[:n_keys],
        *_ranked(features.title_terms, N_TITLE_KEYS),
        *_ranked(features.dates, N_DATE_KEYS),
        *_ranked(features.numbers, N_NUMBER_KEYS),
    ]
    keys = list(dict.fromkeys(keys))
    return keys + embedding_keys(features.embedding) if features.embedding is not None else keys


@lru_cache(maxsize=4)
def _hyperplanes(dims: int) -> np.ndarray:
    # RandomState's stream never changes across numpy versions, so stored keys stay comparable.
    rng = np.random.RandomState(EMBEDDING_LSH_SEED)
    return rng.standard_normal((EMBEDDING_BANDS * EMBEDDING_BAND_BITS, dims))


def embedding_keys(embedding: Sequence[float]) -> list[str]:
    """Blocking keys of an embedding: for each band, the signs of its projections on ``EMBEDDING_BAND_BITS``
    fixed random hyperplanes. Paraphrases that share no rare word still meet in a band."""
    bits = (_hyperplanes(len(embedding)) @ np.asarray(embedding, dtype=np.float64)) > 0
    weights = 1 << np.arange(EMBEDDING_BAND_BITS)
    codes = bits.reshape(EMBEDDING_BANDS, EMBEDDING_BAND_BITS) @ weights
    return [f"v{band}:{int(code):x}" for band, code in enumerate(codes)]


def block_window(key: str) -> int:
    """How many time-ordered neighbours an item of an oversized block is paired with, by the block's key."""
    return EMBEDDING_BLOCK_WINDOW if key.startswith("v") and ":" in key else MAX_BLOCK_SIZE


def block_pairs(
    members: Iterable[tuple[Hashable, float | None]], max_block_size: int = MAX_BLOCK_SIZE
) -> Iterator[tuple[Hashable, Hashable]]:
    """Candidate pairs within one block of ``(id, published_seconds)``.

    A small block yields all pairs; an oversized block (a very common key) yields only pairs of items
    within ``max_block_size`` positions of each other in time order, so its cost grows linearly.
    """
    if max_block_size < 2:
        raise ValueError(f"max_block_size must be >= 2, got {max_block_size}")
    ordered = sorted(members, key=lambda m: (m[1] is None, m[1] or 0.0, str(m[0])))
    window = len(ordered) if len(ordered) <= max_block_size else max_block_size
    for i, (left, _) in enumerate(ordered):
        for right, _ in ordered[i + 1 : i + window]:
            yield (left, right) if str(left) <= str(right) else (right, left)


def candidate_pairs(features: Mapping[Hashable, EventFeatures]) -> set[tuple[Hashable, Hashable]]:
    """The pairs a run scores: ``block_pairs`` of each ``blocking_keys`` block, a pair sharing several keys taken
    from the block of the first of them only (where the pipeline scores it)."""
    keys = {item: blocking_keys(feature) for item, feature in features.items()}
    blocks: dict[str, list[tuple[Hashable, float | None]]] = {}
    for item, feature in features.items():
        for key in keys[item]:
            blocks.setdefault(key, []).append((item, feature.first_seen))
    sets = {item: set(item_keys) for item, item_keys in keys.items()}
    return {
        (a, b)
        for key, block in blocks.items()
        for a, b in block_pairs(block, block_window(key))
        if min(sets[a] & sets[b]) == key
    }
