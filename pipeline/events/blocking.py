"""Blocking: a few rare salient keys per article; grouping by key yields the candidate pairs a run scores.

``blocking_keys(features)`` gives each article's keys, ``block_pairs`` the pairs of one block (bounded for an
oversized block), ``block_meetings`` those a block meets (headlines of an oversized block within a wider window),
``candidate_pairs`` all pairs a batch scores, exactly as the pipeline forms them.
``block_member`` packs what an article brings to each of its blocks once, ``member_features`` unpacks it.
``bounded_parts`` splits a candidate-graph component too large for clustering to score in full (it scores every
pair of a part).
"""

from __future__ import annotations

import pickle
import warnings
import zlib
from collections import Counter
from collections.abc import Container, Hashable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import chain, zip_longest

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, laplacian
from scipy.sparse.linalg import lobpcg

from pipeline.events.features import SIMILARITY_FIELDS, EventFeatures, pair_values

N_BLOCKING_KEYS = 32
N_TITLE_KEYS = 8
N_DATE_KEYS = 4
N_NUMBER_KEYS = 6
"""Blocking keys: 32 terms and entities, 8 headline words, 4 stated dates, 6 numbers. On GVC dev half A this
puts 0.982 of the true same-incident pairs in a block, 0.977 without dates (6 terms and entities: 0.71; 16: 0.92;
4 headline words: 0.978 and 0.974), ECB+ half A 0.995, at about 270 and 23 pairs an article. More terms or
entities found little more at more cost (48: 0.981 and 0.977 at 305 pairs with a window of 48)."""
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


def _shuffled(item: Hashable) -> tuple[int, str]:
    """A fixed order of ids unrelated to how they were assigned (a hash first), so that which pairs an oversized
    block's window yields between undated items does not follow the order of an input file."""
    text = str(item)
    return zlib.crc32(text.encode("utf-8")), text


def block_pairs(
    members: Iterable[tuple[Hashable, float | None]], max_block_size: int = MAX_BLOCK_SIZE
) -> Iterator[tuple[Hashable, Hashable]]:
    """Candidate pairs within one block of ``(id, published_seconds)``.

    A small block yields all pairs; an oversized block (a very common key) yields only pairs of items
    within ``max_block_size`` positions of each other in time order, so its cost grows linearly.
    """
    if max_block_size < 2:
        raise ValueError(f"max_block_size must be >= 2, got {max_block_size}")
    ordered = [(m[0], str(m[0])) for m in sorted(members, key=lambda m: (m[1] is None, m[1] or 0.0, _shuffled(m[0])))]
    window = len(ordered) if len(ordered) <= max_block_size else max_block_size
    # one list comprehension: a generator's yield per pair cost more than the pair
    return iter(
        [
            (left, right) if left_name <= right_name else (right, left)
            for i, (left, left_name) in enumerate(ordered)
            for right, right_name in ordered[i + 1 : i + window]
        ]
    )


MEMBER_CACHE = 4096
"""Block members a worker keeps unpacked (``member_features``): an article sits in about 50 blocks, and a window's
articles fit."""


def block_member(article_id: str, features: EventFeatures, keys: Iterable[str], large: Iterable[str] = ()) -> tuple:
    """``(article ID, packed)``: what an article brings to each of its blocks (its features, its blocking keys and
    those of them whose blocks are oversized), pickled once. Shipped as objects, the features were pickled and
    unpickled again for every key: about 50 times an article, 3.5 ms of CPU."""
    return article_id, pickle.dumps((features, frozenset(keys), frozenset(large)), protocol=pickle.HIGHEST_PROTOCOL)


@lru_cache(maxsize=MEMBER_CACHE)
def member_features(packed: bytes) -> tuple[EventFeatures, frozenset[str], frozenset[str]]:
    """A ``block_member``'s features, keys and oversized keys, unpickled once per worker while among the last
    ``MEMBER_CACHE`` (keyed by the packed bytes, so never stale)."""
    return pickle.loads(packed)


BULK_PAIRS = 8
"""A block with at least this many pairs to score has them screened in bulk (``reaching_pairs``) first: fewer pay
more in numpy's fixed costs than its Python scoring costs. On the scale benchmark's 4,000 articles scoring took ~20 us
a pair, the screen (with the few pairs it keeps scored) ~0.2 ms a block: blocks of 8-16 pairs 0.22 s exact, 0.17 s
screened; of 2-8, 0.18 and 0.26 s."""
SCREEN_MARGIN = 1e-6
"""How far below the least edge score a screened pair may land and still be scored exactly: far above the
screen's rounding error (~1e-15), and above ``score``'s rounding to 6 decimals."""
_VOCABULARY: dict[str, int] = {}
"""Number of each term of this worker's screening vectors (a term of several similarity fields has one)."""
FIELD_BITS = (len(SIMILARITY_FIELDS) - 1).bit_length()
"""A screening vector's column is its term's number shifted by these bits, its field's place in ``SIMILARITY_FIELDS``
in them (enough bits for every field)."""
MAX_VOCABULARY = 2_000_000
"""Terms the vocabulary holds before it (and the vectors built on it) start over, so a long-lived worker's stays
bounded."""
MAX_JOINED = 1_000_000
"""Products of shared terms a screen joins in one go (``_cosines``, some 50 MB of arrays at most); a block whose
members share more (a large oversized block, where every pair of members sharing a term gives one) takes sparse
matrices instead. The scale benchmark's 4,000 articles reach 220,000 in one block, 1,336 in the median one."""
MAX_JOINED_ROWS = 2048
"""Members of a block screened by one join at most (it indexes its pairs in a square table of this side)."""
MATRIX_PAIRS = 4096
"""Pairs whose cosines a sparse-matrix screen computes at a time (the rows of both sides, multiplied term by term):
its memory stays bounded, where the members' full product (a square of the block's size) was not."""


@lru_cache(maxsize=MEMBER_CACHE)
def _member_vectors(packed: bytes) -> tuple:
    """A ``block_member``'s similarity fields as ``(columns, weights)`` arrays (a column for each field and term,
    ``FIELD_BITS``), and its times."""
    features, _, _ = member_features(packed)
    columns, weights = [], []
    vocabulary = _VOCABULARY
    for number, name in enumerate(SIMILARITY_FIELDS):
        field = getattr(features, name)
        columns += [(vocabulary.setdefault(term, len(vocabulary)) << FIELD_BITS) | number for term in field]
        weights += field.values()
    vectors = np.array(columns, dtype=np.int64), np.array(weights, dtype=np.float64)
    return vectors, features.first_seen, features.last_seen, features.full_text


def _cosines(rows: list[tuple], left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``min(1, dot product)`` of each similarity field's weights (rows, in ``SIMILARITY_FIELDS``' order) for each
    pair of rows ``(left[i], right[i])``: the products of the terms each pair shares, found by sorting all the
    rows' terms once, summed by pair and field; one numpy pass for all fields, without a matrix per field (whose
    fixed costs were most of a screen's)."""
    size, width = len(rows), len(SIMILARITY_FIELDS)
    columns = np.concatenate([row[0][0] for row in rows])
    weights = np.concatenate([row[0][1] for row in rows])
    owners = np.repeat(np.arange(size), [len(row[0][0]) for row in rows])
    # sorted by column, each entry's position in its low bits: a plain sort, three times faster than an argsort
    shift = len(columns).bit_length()
    order = np.sort((columns << shift) | np.arange(len(columns))) & ((1 << shift) - 1)
    columns, weights, owners = columns[order], weights[order], owners[order]
    fields = columns & ((1 << FIELD_BITS) - 1)
    # Runs of one column: each entry meets every later entry of its run.
    starts = np.flatnonzero(np.concatenate(([True], columns[1:] != columns[:-1])))
    ends = np.repeat(np.append(starts[1:], len(columns)), np.diff(np.append(starts, len(columns))))
    later = ends - np.arange(len(columns)) - 1
    if size > MAX_JOINED_ROWS or later.sum() > MAX_JOINED:
        return _matrix_cosines(size, columns, fields, weights, owners, left, right)
    first = np.repeat(np.arange(len(columns)), later)
    second = first + 1 + np.arange(len(first)) - np.repeat(np.cumsum(later) - later, later)
    pair_of = np.full((size, size), -1, dtype=np.int32)
    pair_of[left, right] = pair_of[right, left] = np.arange(len(left))
    found = pair_of[owners[first], owners[second]]
    keep = found >= 0
    cells = found[keep] * width + fields[first[keep]]
    sums = np.bincount(cells, weights[first[keep]] * weights[second[keep]], minlength=len(left) * width)
    return np.minimum(1.0, sums.reshape(len(left), width).T)


def _matrix_cosines(size, columns, fields, weights, owners, left, right) -> np.ndarray:
    """``_cosines`` by a sparse matrix per field whose rows of each pair are multiplied term by term
    (``MATRIX_PAIRS`` pairs at a time), for a block whose members share too many terms."""
    local = np.unique(columns, return_inverse=True)[1]
    cosines = np.empty((len(SIMILARITY_FIELDS), len(left)))
    for number in range(len(SIMILARITY_FIELDS)):
        here = fields == number
        matrix = csr_matrix((weights[here], (owners[here], local[here])), shape=(size, len(columns)))
        for start in range(0, len(left), MATRIX_PAIRS):
            part = slice(start, start + MATRIX_PAIRS)
            cosines[number, part] = matrix[left[part]].multiply(matrix[right[part]]).sum(axis=1).A1
    return np.minimum(1.0, cosines)


def screened_scores(rows: list[tuple], left: np.ndarray, right: np.ndarray, model) -> np.ndarray:
    """``score`` of each pair of rows (``_member_vectors``) computed in bulk, equal to it up to rounding: the
    model's features (``pair_values``) and logit over numpy arrays."""
    cosines = _cosines(rows, left, right)
    first = np.array([np.nan if row[1] is None else row[1] for row in rows])
    last = np.array([np.nan if row[2] is None else row[2] for row in rows])
    last = np.where(np.isnan(last), first, last)
    dated = ~(np.isnan(first[left]) | np.isnan(first[right]))
    gap = np.maximum(0.0, np.maximum(first[left] - last[right], first[right] - last[left])) / 3600.0
    values = pair_values(*cosines, dated.astype(np.float64), np.where(dated, gap, 0.0) / 24.0, log1p=np.log1p)
    full_text = np.array([row[3] for row in rows], dtype=bool)
    logit = np.where(
        full_text[left] & full_text[right], model.logit("full_text", values), model.logit("headline", values)
    )
    return 1.0 / (1.0 + np.exp(-np.clip(logit, -50.0, 50.0)))


def reaching_pairs(pairs: list[tuple[str, str]], packed: Mapping[str, bytes], model, floor: float) -> list:
    """The ``pairs`` (of ids of ``block_member``s, ``packed`` by id) that may score ``floor`` or more: all of them
    for fewer than ``BULK_PAIRS``; else those whose ``screened_scores`` reach ``floor - SCREEN_MARGIN``, in their
    order. Scoring only those exactly finds the same pairs at or above ``floor``: most candidate pairs of a block
    are far below it (99% of the scale benchmark's), and scoring them one by one in Python cost ~20 us each."""
    if len(pairs) < BULK_PAIRS:
        return pairs
    if len(_VOCABULARY) > MAX_VOCABULARY:
        _VOCABULARY.clear()
        _member_vectors.cache_clear()
    index: dict[str, int] = {}
    sides = np.array([index.setdefault(item, len(index)) for pair in pairs for item in pair]).reshape(-1, 2)
    rows = [_member_vectors(packed[item]) for item in index]
    keep = screened_scores(rows, sides[:, 0], sides[:, 1], model) >= floor - SCREEN_MARGIN
    return [pairs[position] for position in np.flatnonzero(keep).tolist()]


def oversized(key: str, size: int) -> bool:
    """Whether a block of ``size`` items under ``key`` yields only its time-ordered neighbours (``block_pairs``)."""
    return size > block_window(key)


def shared_blocks(keys_of: Iterable[tuple[str, Iterable[str]]]) -> dict[str, tuple[list[str], list[str]]]:
    """``(id, blocking keys)`` items -> ``{id: (its keys whose blocks hold another item, those of them oversized)}``,
    each list in the order its keys were met; an item whose keys are all its own is left out (it makes no pair)."""
    members: dict[str, list[str]] = {}
    for item, keys in keys_of:
        for key in keys:
            members.setdefault(key, []).append(item)
    found: dict[str, tuple[list[str], list[str]]] = {}
    for key, items in members.items():
        if len(items) > 1:
            large = oversized(key, len(items))
            for item in items:
                shared, oversized_keys = found.setdefault(item, ([], []))
                shared.append(key)
                if large:
                    oversized_keys.append(key)
    return found


def scored_here(key: str, shared: set[str], oversized_keys: Container[str]) -> bool:
    """Whether the block of ``key`` scores a pair sharing the keys ``shared``: the first shared key whose block is
    not oversized (which surely yields the pair) scores it; a pair sharing only oversized blocks is scored in each
    of them that yields it (the duplicates are dropped after). Taking the first shared key alone lost the pairs
    outside its oversized block's window: on GVC dev half A without dates, 0.958 of the same-incident pairs
    found instead of 0.976, at 263 instead of 274 distinct pairs (323 scorings) an article."""
    small = [other for other in shared if other not in oversized_keys]
    return min(small) == key if small else True


COMMON_BLOCK = 48
"""Two full texts sharing one blocking key alone are a candidate pair only when that key's block holds at most this
many articles: one common key in common is weak evidence, and pairs sharing one key alone were most of the
candidates (GVC dev half A: 234,000 of 424,000, and 29 of the 1,044 true pairs found). Headline pairs are exempt (a
headline has few keys). On GVC dev (``benchmarks/events_blocking.py``) 48 leaves 163 and 162 pairs an article
instead of 273 and 270, blocked recall 0.978 and 0.960 instead of 0.982 and 0.961 (halves A and B); ECB+ and UCI
keep theirs. Choosing the limit on one half (fewest pairs within a recall tolerance of none, over GVC, GVC undated,
ECB+): at 0.002, half B chooses 48 and half A none; at 0.005, half A chooses 48 and half B 16."""


def evident(shared: int, block_size: int, headline: bool, common_block: int = COMMON_BLOCK) -> bool:
    """Whether a pair sharing ``shared`` blocking keys, met in a block of ``block_size``, is a candidate: it shares
    two keys or more, or its one key's block holds at most ``common_block`` articles, or either side is a
    headline."""
    return shared >= 2 or block_size <= common_block or headline


HEADLINE_BLOCK_WINDOW = 192
"""How many time-ordered headline neighbours a headline of an oversized (term, entity, number or date) block is
paired with. A headline has few keys, so two headlines of one running story often share one common word alone and
sit far apart in its block: on UCI dev the window of 64 proposed 0.68 and 0.60 of the same-story pairs (halves A,
B), while 0.76 and 0.83 share a word at all (no key made of a headline's words can reach more). Chosen on half A as
``COMMON_BLOCK`` is (fewest pairs over UCI and GVC's headlines within 0.005 of an unlimited window's recall on each,
``benchmarks/events_blocking.py``): 192, which on half B proposes 0.814 of UCI's same-story pairs at 86.5 pairs a
headline (0.601 at 66.5 with 64); half B's own choice is 256 (half A 0.764 at 56.7 instead of 0.682 at 50.6)."""


def block_meetings(
    key: str, members: Sequence[tuple[Hashable, float | None, bool]], headline_window: int = HEADLINE_BLOCK_WINDOW
) -> list[tuple[Hashable, Hashable]]:
    """The pairs the block of ``key`` meets, from its members ``(id, published_seconds, full_text)``: its
    ``block_pairs``, and in an oversized block (not of an embedding band) also two headlines within
    ``headline_window`` of each other among its headlines."""
    window = block_window(key)
    met = block_pairs(((item, seen) for item, seen, _ in members), window)
    if len(members) <= window or window != MAX_BLOCK_SIZE:
        return list(met)
    met = dict.fromkeys(met)
    headlines = ((item, seen) for item, seen, full_text in members if not full_text)
    met.update(dict.fromkeys(block_pairs(headlines, headline_window)))
    return list(met)


BULK_MEMBERS = 8
"""Members from which a block decides its candidates on bits (``block_candidates``): in smaller blocks (few pairs a
member) setting the bits up cost more than intersecting each pair's key sets (ECB+ dev 0.28 -> 0.31 ms an article
with bits everywhere; the scale benchmark's 4,000 articles 0.82 -> 0.56)."""


def block_candidates(
    key: str,
    members: Mapping[Hashable, tuple[float | None, AbstractSet[str], AbstractSet[str], bool]],
    headline_window: int = HEADLINE_BLOCK_WINDOW,
) -> list[tuple[Hashable, Hashable]]:
    """The pairs the block of ``key`` scores, from its members ``{id: (published_seconds, blocking keys, oversized
    keys, full_text)}``: ``block_meetings`` that this block is where the pair is ``scored_here`` and that are
    ``evident``.

    In a block of ``BULK_MEMBERS`` or more, both rules are decided for all pairs at once, on bits: the other keys a
    pair can share are those two members or more hold, each given a bit, and each member a mask of those it holds;
    the keys that would have a pair ``scored_here`` elsewhere (not oversized, and before ``key`` unless ``key`` is
    oversized) make one mask. A pair sharing no bit shares ``key`` alone; else it is scored here when it shares none
    of ``elsewhere``. Intersecting the two members' key sets for every pair was most of the time of forming
    candidates."""
    # A key shared by two members is oversized for one exactly when it is for the other (its block's size decides):
    # the oversized keys of all members serve every pair.
    large = frozenset().union(*(m[2] for m in members.values()))
    alone = evident(1, len(members), False)  # whether two full texts sharing this key alone are a candidate
    meetings = block_meetings(key, [(item, m[0], m[3]) for item, m in members.items()], headline_window)
    pairs = []
    if len(members) < BULK_MEMBERS:
        for pair in meetings:
            _, left_keys, _, left_full = members[pair[0]]
            _, right_keys, _, right_full = members[pair[1]]
            shared = left_keys & right_keys
            if len(shared) == 1:  # this block's key alone: scored here, if evident (a headline's pair always is)
                if alone or not (left_full and right_full):
                    pairs.append(pair)
            elif scored_here(key, shared, large):
                pairs.append(pair)
        return pairs
    held = Counter(chain.from_iterable(m[1] for m in members.values()))
    bits = {other: 1 << number for number, other in enumerate(o for o, count in held.items() if count > 1 and o != key)}
    here = key not in large
    elsewhere = sum(bit for other, bit in bits.items() if other not in large and (other < key or not here))
    masks = {item: (sum(map(bits.__getitem__, bits.keys() & m[1])), m[3]) for item, m in members.items()}
    for pair in meetings:
        left, left_full = masks[pair[0]]
        right, right_full = masks[pair[1]]
        shared = left & right
        if not shared:  # as above: ``key`` alone
            if alone or not (left_full and right_full):
                pairs.append(pair)
        elif not shared & elsewhere:
            pairs.append(pair)
    return pairs


def candidate_pairs(
    features: Mapping[Hashable, EventFeatures], headline_window: int = HEADLINE_BLOCK_WINDOW
) -> set[tuple[Hashable, Hashable]]:
    """The pairs a run scores: ``block_candidates`` of each ``blocking_keys`` block (as the pipeline forms them)."""
    keys = {item: frozenset(blocking_keys(feature)) for item, feature in features.items()}
    blocks: dict[str, list[Hashable]] = {}
    for item, item_keys in keys.items():
        for key in item_keys:
            blocks.setdefault(key, []).append(item)
    large = frozenset(key for key, block in blocks.items() if oversized(key, len(block)))
    members = {
        item: (feature.first_seen, keys[item], keys[item] & large, feature.full_text)
        for item, feature in features.items()
    }
    pairs = set()
    for key, block in blocks.items():
        pairs.update(block_candidates(key, {item: members[item] for item in block}, headline_window))
    return pairs


SPECTRAL_SEED = 20240501
DENSE_EIGEN_SIZE = 200
"""Parts up to this size take the exact (dense) eigen-solver; larger ones ``lobpcg`` on the sparse graph."""
MIN_CUT_SHARE = 0.1
"""A bisection keeps at least this share of the part on each side, so splitting takes few rounds."""


def bounded_parts(
    ids: Sequence[Hashable], edges: Iterable[tuple[Hashable, Hashable, float]], max_size: int
) -> list[list[Hashable]]:
    """``ids`` split into parts of at most ``max_size``, cutting as little of the weighted graph ``edges`` as it can:
    each connected component larger than that is bisected where the sweep over its Fiedler vector (of the
    normalised Laplacian) has the lowest ratio cut, recursively (spectral bisection); then parts are joined while
    they fit (``_merged``) and items moved to the part they are most linked to (``_refined``). Reports of one story
    are densely linked, so they stay in one part: on UCI headlines half A (1,366 in one component), parts of 600
    keep 0.970 of the same-story pairs (0.960 unrefined; ``cluster.MAX_DENSE_COMPONENT``). Deterministic for a
    given input order. Each part is in the order of ``ids``."""
    if max_size < 2:
        raise ValueError(f"max_size must be >= 2, got {max_size}")
    ids = list(ids)
    index = {item: i for i, item in enumerate(ids)}
    rows, cols, weights = [], [], []
    for left, right, weight in edges:
        if left in index and right in index and left != right:
            rows += [index[left], index[right]]
            cols += [index[right], index[left]]
            weights += [max(weight, 1e-6)] * 2
    graph = csr_matrix((weights, (rows, cols)), shape=(len(ids), len(ids)))
    parts = _refined(graph, _merged(graph, list(_bisected(graph, np.arange(len(ids)), max_size)), max_size), max_size)
    parts = sorted((sorted(part) for part in parts), key=lambda part: part[0])
    return [[ids[i] for i in part] for part in parts]


REFINE_PASSES = 10


def _refined(graph: csr_matrix, parts: list[np.ndarray], max_size: int) -> list[np.ndarray]:
    """Greedy refinement of a partition (as Kernighan-Lin and Fiduccia-Mattheyses refine a bisection): each item,
    largest gain first, moves to the part it has the most edge weight to, while that part has room; a few passes."""
    if len(parts) < 2:
        return parts
    labels = np.empty(graph.shape[0], dtype=np.int64)
    for number, part in enumerate(parts):
        labels[part] = number
    sizes = np.bincount(labels, minlength=len(parts))
    for _ in range(REFINE_PASSES):
        membership = csr_matrix(
            (np.ones(len(labels)), (np.arange(len(labels)), labels)), shape=(len(labels), len(parts))
        )
        weight = (graph @ membership).toarray()
        here = weight[np.arange(len(labels)), labels]
        best = np.argmax(weight, axis=1)
        gain = weight[np.arange(len(labels)), best] - here
        moved = 0
        for item in np.argsort(-gain, kind="stable"):
            if gain[item] <= 0:
                break
            if sizes[best[item]] < max_size:
                sizes[labels[item]] -= 1
                sizes[best[item]] += 1
                labels[item] = best[item]
                moved += 1
        if not moved:
            break
    return [np.flatnonzero(labels == number) for number in range(len(parts)) if sizes[number]]


def _merged(graph: csr_matrix, parts: list[np.ndarray], max_size: int) -> list[np.ndarray]:
    """Bisection leaves parts smaller than they need be: join, strongest first, the two parts with the most edge
    weight between them whose union still fits ``max_size``."""
    if len(parts) < 2:
        return parts
    labels = np.empty(graph.shape[0], dtype=np.int64)
    for number, part in enumerate(parts):
        labels[part] = number
    membership = csr_matrix((np.ones(len(labels)), (np.arange(len(labels)), labels)), shape=(len(labels), len(parts)))
    between = (membership.T @ graph @ membership).toarray()
    np.fill_diagonal(between, 0.0)
    sizes = np.array([len(part) for part in parts])
    members = [list(part) for part in parts]
    while True:
        fits = (sizes[:, None] + sizes[None, :] <= max_size) & (between > 0)
        if not fits.any():
            break
        keep, gone = sorted(divmod(int(np.argmax(np.where(fits, between, -1.0))), len(parts)))
        between[keep] += between[gone]
        between[:, keep] += between[:, gone]
        between[gone], between[:, gone], between[keep, keep] = 0.0, 0.0, 0.0
        sizes[keep], sizes[gone] = sizes[keep] + sizes[gone], max_size + 1
        members[keep] += members[gone]
        members[gone] = []
    return [np.array(part) for part in members if part]


def _bisected(graph: csr_matrix, members: np.ndarray, max_size: int) -> Iterator[np.ndarray]:
    """The connected components of ``graph`` restricted to ``members``, those over ``max_size`` bisected."""
    sub = graph[members][:, members]
    count, labels = connected_components(sub, directed=False)
    for label in range(count):
        component = members[labels == label]
        if len(component) <= max_size:
            yield component
            continue
        ordered = component[np.argsort(_fiedler(graph[component][:, component]), kind="stable")]
        cut = _ratio_cut(graph[ordered][:, ordered])
        yield from _bisected(graph, ordered[:cut], max_size)
        yield from _bisected(graph, ordered[cut:], max_size)


def _fiedler(graph: csr_matrix) -> np.ndarray:
    """The eigenvector of the second-smallest eigenvalue of a connected graph's normalised Laplacian."""
    lap = laplacian(graph, normed=True)
    if graph.shape[0] <= DENSE_EIGEN_SIZE:
        return np.linalg.eigh(lap.toarray())[1][:, 1]
    start = np.random.RandomState(SPECTRAL_SEED).standard_normal((graph.shape[0], 3))
    with warnings.catch_warnings():
        # The vector only orders the sweep for a cut: lobpcg's warning that it stopped short of ``tol`` (at
        # accuracies near 1e-5 on 1,500 GVC reports) does not matter here.
        warnings.simplefilter("ignore", UserWarning)
        values, vectors = lobpcg(lap, start, largest=False, tol=1e-4, maxiter=200)
    return vectors[:, np.argsort(values)[1]]


def _ratio_cut(ordered: csr_matrix) -> int:
    """Where to cut a graph whose nodes are in sweep order: the position ``k`` (``MIN_CUT_SHARE`` of the nodes
    at least on each side) minimising the weight of edges across over ``k * (n - k)``."""
    n = ordered.shape[0]
    upper = ordered.tocoo()
    keep = upper.row < upper.col
    change = np.zeros(n + 1)
    np.add.at(change, upper.row[keep] + 1, upper.data[keep])
    np.add.at(change, upper.col[keep] + 1, -upper.data[keep])
    crossing = np.cumsum(change)
    low = max(1, int(n * MIN_CUT_SHARE))
    positions = np.arange(low, n - low + 1)
    return int(positions[np.argmin(crossing[positions] / (positions * (n - positions)))])
