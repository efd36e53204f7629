"""Near-duplicate detection: word-shingle MinHash signatures, LSH band keys and verification.

Pure functions, no Beam. The near-duplicate stage calls :func:`signatures_and_shingles` on batches of documents
(``beam.BatchElements``), keys each document by its :func:`band_keys`, groups by key and verifies the
candidate pairs of a group exactly with :func:`verified_similarity` on their shingle sets (the signatures'
estimate, :func:`estimated_jaccard`, has a standard deviation of ~0.04 at 128 permutations: too coarse to decide
a pair near the threshold). Band keys and compact signatures (:func:`signature_to_bytes`) are stored in DuckDB
so that a later run joins on them; only the candidates' texts are read back to verify them.

How a text becomes a signature:

1. **Tokens**: the text is NFKC-normalised, lowercased and split into words made of Unicode letters, digits
   and combining marks (categories L*, N*, M*); everything else (punctuation, symbols, spaces) separates words.
2. **Shingles**: every run of ``shingle_size`` consecutive words; a text with fewer words than that has a
   single shingle of all its words; a text without words has no shingles, an all-zero signature and no band keys.
3. **Signature**: R-MinHash from ``rensa`` over the 64-bit shingle hashes, ``num_perm`` 32-bit slots.

Why this implementation (measured on 500-word articles, 128 permutations, one core of this shared machine):
the per-word Python objects are the cost, not the hashing. ``re.findall`` tokenising alone ran at ~7,000
docs/s and even ``str.split`` at ~17,000 docs/s; for signatures, datasketch ran at ~1,000 docs/s, a numpy
universal hash ``(a*x+b) mod p`` over 128 permutations at ~9,000 docs/s, a numpy one-permutation hash at
~105,000 docs/s and rensa's ``digest_matrix_from_flat_token_hashes`` at ~340,000 docs/s. So words and
shingles are hashed for a whole batch at once in numpy on the UTF-32 code points (one table lookup folds case
and tells word characters from separators, prefix sums hash the words, shifted sums build the shingles), and
rensa (already a dependency, maintained, O(shingles) per document) turns the flat shingle hashes into the
signature matrix in one call. No Python object is made per word and no Python ``hash()`` (salted per process)
is used: signatures are the same in every process and on every machine. End to end (shingling, signatures,
banding, verification) this runs at ~8,000-15,000 articles/s on one core, 10-13x datasketch in the same run
(``benchmarks/neardup_speed.py``), with equal F1.

Defaults (``benchmarks/neardup_quality.py``): 3-word shingles, threshold 0.3 and containment 0.6. On the
labelled corpus the copies keeping at least half of the text have exact Jaccard >= 0.33 and containment >= 0.63
(combined edits) while different reports sharing a block of 30-50% of their length reach Jaccard 0.29 and
containment 0.49; 5-word shingles lower the rewritten copies more than the unrelated pairs.

rensa signatures depend on rensa's algorithm version; it is part of :meth:`MinHashConfig.fingerprint`, which
salts every band key, so keys written by an incompatible version or configuration never match new ones.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import rensa

from pipeline.text import is_spaceless

LOGGER = logging.getLogger(__name__)

MASK64 = (1 << 64) - 1
# Last code point (plus one) looked up; later planes hold only tags and private use, treated as separators.
CODE_POINT_TABLE_SIZE = 0x32400
WORD_CATEGORIES = ("L", "N", "M")
# Flag bits in the code point table: NFKC may change this character; it is a word of its own, a character of a
# script written without spaces (``text.is_spaceless``). Folded values stay below 2**21.
UNSTABLE = np.uint32(1 << 31)
SPACELESS = np.uint32(1 << 30)
# Odd 64-bit multipliers (from splitmix64 and the golden ratio) used by the vectorised hashes.
CHAR_MULTIPLIER = np.uint64(0x100000001B3)
SHINGLE_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
MIX_MULTIPLIER_1 = np.uint64(0xBF58476D1CE4E5B9)
MIX_MULTIPLIER_2 = np.uint64(0x94D049BB133111EB)
# Probability that a pair exactly at the threshold shares at least one band, when choosing bands and rows.
MIN_CANDIDATE_PROBABILITY = 0.99


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """Probability that two documents of Jaccard ``similarity`` share at least one of ``bands`` bands."""
    return 1.0 - (1.0 - similarity**rows) ** bands


def choose_bands_rows(num_perm: int, threshold: float) -> tuple[int, int]:
    """Bands and rows (``bands * rows == num_perm``) for a verification ``threshold``.

    The LSH S-curve ``1 - (1 - s**rows)**bands`` rises around ``(1/bands)**(1/rows)``. We take the steepest
    curve (most rows, so fewest candidates among unrelated documents) that still makes a pair exactly at
    the threshold a candidate with probability >= 0.99, so banding loses at most 1% of the pairs that
    verification would accept and fewer above the threshold. For 128 permutations that is 64 bands of 2 rows
    for thresholds up to ~0.55 and 32 bands of 4 rows up to ~0.75.
    """
    divisors = [rows for rows in range(1, num_perm + 1) if num_perm % rows == 0]
    eligible = [
        rows
        for rows in divisors
        if candidate_probability(threshold, num_perm // rows, rows) >= MIN_CANDIDATE_PROBABILITY
    ]
    rows = max(eligible) if eligible else 1
    return num_perm // rows, rows


@dataclass(frozen=True)
class MinHashConfig:
    """Near-duplicate settings shared by every worker of a run (and by runs that join on stored keys).

    Attributes:
        num_perm: signature length (32-bit slots).
        shingle_size: words per shingle.
        threshold: exact Jaccard similarity at or above which a candidate pair is a near-duplicate (with
            ``min_containment``); banding is tuned to find pairs at it.
        min_containment: least share of the shorter text's shingles found in the longer one.
        bands: LSH bands; derived from ``threshold`` by :func:`choose_bands_rows` when left out.
        rows: signature slots per band; ``bands * rows`` must equal ``num_perm``.
        seed: seed of the MinHash permutations; every worker and run that compares signatures must share it.
    """

    num_perm: int = 128
    shingle_size: int = 3
    threshold: float = 0.3
    min_containment: float = 0.6
    bands: int | None = None
    rows: int | None = None
    seed: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.num_perm, int) or self.num_perm < 2:
            raise ValueError(f"num_perm must be an integer >= 2, got {self.num_perm!r}")
        if not isinstance(self.shingle_size, int) or self.shingle_size < 1:
            raise ValueError(f"shingle_size must be an integer >= 1, got {self.shingle_size!r}")
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold!r}")
        if not 0.0 <= self.min_containment <= 1.0:
            raise ValueError(f"min_containment must be in [0, 1], got {self.min_containment!r}")
        if not isinstance(self.seed, int) or not 0 <= self.seed <= MASK64:
            raise ValueError(f"seed must be an integer in [0, 2**64), got {self.seed!r}")
        bands, rows = self.bands, self.rows
        if bands is None and rows is None:
            bands, rows = choose_bands_rows(self.num_perm, self.threshold)
        elif bands is None or rows is None:
            given = bands if rows is None else rows
            if not isinstance(given, int) or given < 1 or self.num_perm % given:
                raise ValueError(f"bands or rows must divide num_perm={self.num_perm}, got {given!r}")
            bands, rows = (given, self.num_perm // given) if rows is None else (self.num_perm // given, given)
        if not (isinstance(bands, int) and isinstance(rows, int)) or bands < 1 or rows < 1:
            raise ValueError(f"bands and rows must be positive integers, got bands={bands!r}, rows={rows!r}")
        if bands * rows != self.num_perm:
            raise ValueError(f"bands * rows must equal num_perm={self.num_perm}, got {bands} * {rows}")
        object.__setattr__(self, "bands", bands)
        object.__setattr__(self, "rows", rows)

    @functools.cached_property
    def fingerprint(self) -> int:
        """64-bit digest of everything that changes signatures or band keys, rensa's algorithm included."""
        spec = (
            f"rensa-rminhash-v{rensa.RMinHash.ALGORITHM_VERSION}|tokens-v1|num_perm={self.num_perm}|"
            f"shingle_size={self.shingle_size}|bands={self.bands}|rows={self.rows}|seed={self.seed}"
        )
        return int.from_bytes(hashlib.blake2b(spec.encode(), digest_size=8).digest(), "little")


@functools.cache
def _code_point_table() -> np.ndarray:
    """Code point -> folded word character (lowercased; 0 for separators), plus ``UNSTABLE`` if NFKC may change it.

    Built once per process (~0.2 s). "May change" covers characters whose NFKC form differs and contains a
    word character (ligatures, full-width forms, superscripts...), combining marks and conjoining jamo (they
    compose with or reorder around their neighbours); texts without such characters skip normalisation.
    """
    table = np.zeros(CODE_POINT_TABLE_SIZE, dtype=np.uint32)
    for code_point in range(1, CODE_POINT_TABLE_SIZE):
        char = chr(code_point)
        category = unicodedata.category(char)
        if category[0] in WORD_CATEGORIES:
            lowered = char.lower()
            table[code_point] = ord(lowered) if len(lowered) == 1 else code_point
            if code_point >= 0x80 and is_spaceless(char):
                table[code_point] |= SPACELESS
        if code_point < 0x80:
            continue
        normal = unicodedata.normalize("NFKC", char)
        changes = normal != char and any(unicodedata.category(c)[0] in WORD_CATEGORIES for c in normal)
        if changes or category[0] == "M" or 0x1100 <= code_point <= 0x11FF:
            table[code_point] |= UNSTABLE
    return table


def _mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads every input bit over the 64-bit output (wrapping uint64 arithmetic)."""
    values = values ^ (values >> np.uint64(30))
    values = values * MIX_MULTIPLIER_1
    values = values ^ (values >> np.uint64(27))
    values = values * MIX_MULTIPLIER_2
    return values ^ (values >> np.uint64(31))


def _folded_chars(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """NFKC-normalised texts and the folded characters (see :func:`_code_point_table`) of their "\\0"-join.

    Only texts holding a character that NFKC may change are normalised (most news text has none).
    """
    texts = list(texts)
    chars = _looked_up(texts)
    unstable = np.flatnonzero(chars >= UNSTABLE)
    if not len(unstable):
        return texts, chars
    text_ends = np.cumsum([len(text) + 1 for text in texts])
    for index in np.unique(np.searchsorted(text_ends, unstable, side="right")).tolist():
        texts[index] = unicodedata.normalize("NFKC", texts[index])
    return texts, _looked_up(texts) & ~UNSTABLE


def _looked_up(texts: Sequence[str]) -> np.ndarray:
    """:func:`_code_point_table` entries of the code points of the texts' "\\0"-join; code points past the table
    read its last entry, a separator (a clamp and plain indexing: ``np.take(mode="clip")`` is ~3x slower)."""
    code_points = np.frombuffer("\0".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return _code_point_table()[np.minimum(code_points, np.uint32(CODE_POINT_TABLE_SIZE - 1))]


@functools.cache
def _powers(length: int) -> tuple[np.ndarray, np.ndarray]:
    """``CHAR_MULTIPLIER**i`` and its inverse modulo 2**64 for ``i < length`` (cached per batch size class)."""
    powers = np.ones(length, dtype=np.uint64)
    inverse = np.ones(length, dtype=np.uint64)
    if length > 1:
        powers[1:] = np.cumprod(np.full(length - 1, CHAR_MULTIPLIER, dtype=np.uint64))
        inverse_multiplier = np.uint64(pow(int(CHAR_MULTIPLIER), -1, 1 << 64))
        inverse[1:] = np.cumprod(np.full(length - 1, inverse_multiplier, dtype=np.uint64))
    return powers, inverse


def _word_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hash of every word of every text, flat, with the number of words of each text.

    A word's hash is the polynomial ``sum(char_j * M**j)`` (wrapping uint64) of its folded code points, taken
    as a prefix-sum difference over the whole batch so that no per-word Python object is needed.
    """
    normalized, chars = _folded_chars(texts)
    is_word = chars != 0
    if len(chars) and chars.max() >= SPACELESS:  # each such character is a word, as `text.normalized_content` has it
        alone = chars >= SPACELESS
        chars = chars & ~SPACELESS
        starts = np.flatnonzero(is_word[1:] & (~is_word[:-1] | alone[1:] | alone[:-1])) + 1
    else:
        starts = np.flatnonzero(is_word[1:] & ~is_word[:-1]) + 1
    if len(is_word) and is_word[0]:
        starts = np.concatenate(([0], starts))
    # Texts are separated by one "\0" (a separator), so each word belongs to the text whose span holds its start.
    text_ends = np.cumsum([len(text) + 1 for text in normalized])
    words_per_text = np.diff(np.searchsorted(starts, text_ends), prepend=0)
    if not len(starts):
        return np.zeros(0, dtype=np.uint64), words_per_text
    # Separators map to 0, so the prefix-sum difference from one word start to the next is exactly that word.
    powers, inverse = _powers(1 << max(10, len(chars).bit_length()))
    prefix = np.zeros(len(chars) + 1, dtype=np.uint64)
    np.cumsum(np.multiply(chars, powers[: len(chars)], dtype=np.uint64), out=prefix[1:])
    bounds = prefix[np.append(starts, len(chars))]
    polynomial = (bounds[1:] - bounds[:-1]) * inverse[starts]
    return _mix64(polynomial), words_per_text


def _shingle_hashes(
    word_hashes: np.ndarray, words_per_text: np.ndarray, shingle_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hash of every word shingle, flat, with the row offsets of each text (``len(texts) + 1``)."""
    total = len(word_hashes)
    text_of_word = np.repeat(np.arange(len(words_per_text)), words_per_text)
    # Words left in the text from each word on (itself included).
    remaining = np.cumsum(words_per_text)[text_of_word] - np.arange(total)
    combined = word_hashes.copy()
    for offset in range(1, shingle_size):
        multiplier = np.uint64(pow(int(SHINGLE_MULTIPLIER), offset, 1 << 64))
        following = np.zeros(total, dtype=np.uint64)
        following[: total - offset] = word_hashes[offset:] * multiplier
        following[remaining <= offset] = 0
        combined += following
    # A shingle starts at each word with a full window, or at the first word of a text shorter than that.
    short_text = words_per_text[text_of_word] < shingle_size
    starts_shingle = (remaining >= shingle_size) | (short_text & (remaining == words_per_text[text_of_word]))
    shingles_per_text = np.bincount(text_of_word[starts_shingle], minlength=len(words_per_text))
    offsets = np.concatenate(([0], np.cumsum(shingles_per_text))).astype(np.uint64)
    return _mix64(combined[starts_shingle]), offsets


def words(text: str) -> list[str]:
    """The words of ``text`` as :func:`signatures` sees them (normalised, lowercased, punctuation stripped)."""
    chars = _folded_chars([text])[1]
    alone = chars >= SPACELESS
    chars = np.where(alone, chars & ~SPACELESS, chars)
    # a character of a script without spaces is a word of its own: "\0" on both its sides
    spaced = [f"\0{char}\0" if own else char for char, own in zip(_decoded(chars), alone.tolist(), strict=True)]
    return [word for word in "".join(spaced).split("\0") if word]


def _decoded(chars: np.ndarray) -> str:
    return chars.astype("<u4").tobytes().decode("utf-32-le")


def shingles(text: str, shingle_size: int) -> list[str]:
    """Word shingles of ``text`` as space-joined strings (same rule as :func:`signatures`), for baselines."""
    tokens = words(text)
    if len(tokens) < shingle_size:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i : i + shingle_size]) for i in range(len(tokens) - shingle_size + 1)]


def _flat_shingles(texts: Sequence[str], config: MinHashConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat shingle hashes of ``texts``, their row offsets and the words per text."""
    word_hashes, words_per_text = _word_hashes(texts)
    shingles, offsets = _shingle_hashes(word_hashes, words_per_text, config.shingle_size)
    return shingles, offsets, words_per_text


def _signature_matrix(
    shingles: np.ndarray, offsets: np.ndarray, words_per_text: np.ndarray, config: MinHashConfig
) -> np.ndarray:
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(shingles, offsets, config.num_perm, config.seed)
    result = np.array(matrix.to_rows(), dtype=np.uint32).reshape(len(words_per_text), config.num_perm)
    result[words_per_text == 0] = 0
    return result


def signatures(texts: Sequence[str], config: MinHashConfig) -> np.ndarray:
    """MinHash signatures of ``texts``: uint32 array of shape ``(len(texts), config.num_perm)``.

    Call it on batches (hundreds of texts): the cost per call is amortised over the batch. A text without
    words gets an all-zero signature (and no band keys).
    """
    if not len(texts):
        return np.zeros((0, config.num_perm), dtype=np.uint32)
    return _signature_matrix(*_flat_shingles(texts, config), config)


def signatures_and_shingles(texts: Sequence[str], config: MinHashConfig) -> tuple[np.ndarray, list[np.ndarray]]:
    """:func:`signatures` and :func:`shingle_sets` of ``texts``, shingling them once."""
    if not len(texts):
        return np.zeros((0, config.num_perm), dtype=np.uint32), []
    shingles, offsets, words_per_text = _flat_shingles(texts, config)
    return _signature_matrix(shingles, offsets, words_per_text, config), _split_sets(shingles, offsets)


def _split_sets(shingles: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    # Views, not copies; repeated shingles are folded when a pair is compared (few texts ever are).
    bounds = offsets.astype(np.int64).tolist()
    return [shingles[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]


def band_hashes(signature_matrix: np.ndarray, config: MinHashConfig) -> np.ndarray:
    """64-bit hash of each band of each signature, salted with the config fingerprint: shape ``(n, bands)``.

    Rows without words (all-zero signatures) get 0 in every band, meaning "no key".
    """
    matrix = np.asarray(signature_matrix, dtype=np.uint32).reshape(-1, config.num_perm)
    banded = matrix.reshape(len(matrix), config.bands, config.rows).astype(np.uint64)
    hashes = np.full((len(matrix), config.bands), config.fingerprint, dtype=np.uint64)
    hashes = _mix64(hashes ^ np.arange(config.bands, dtype=np.uint64))
    for row in range(config.rows):
        hashes = _mix64(hashes ^ banded[:, :, row])
    hashes[~matrix.any(axis=1)] = 0
    return hashes


def band_keys(signature_row: np.ndarray, config: MinHashConfig) -> list[str]:
    """Band keys of one signature, ``"<band>:<16 hex digits>"``; empty for a text without words.

    Stable across processes and machines, so usable as GroupByKey keys and as a DuckDB join column.
    """
    return band_keys_batch(np.asarray(signature_row).reshape(1, -1), config)[0]


def band_keys_batch(signature_matrix: np.ndarray, config: MinHashConfig) -> list[list[str]]:
    """Band keys of every signature row (see :func:`band_keys`)."""
    return [
        [f"{band}:{value:016x}" for band, value in enumerate(row.tolist())] if row[0] else []
        for row in band_hashes(signature_matrix, config)
    ]


def estimated_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the fraction of equal slots; 0.0 if either text had no words."""
    sig_a, sig_b = np.asarray(sig_a), np.asarray(sig_b)
    if sig_a.shape != sig_b.shape:
        raise ValueError(f"signatures differ in length: {sig_a.shape} vs {sig_b.shape}")
    if not sig_a.any() or not sig_b.any():
        return 0.0
    return float(np.mean(sig_a == sig_b))


def shingle_sets(texts: Sequence[str], config: MinHashConfig) -> list[np.ndarray]:
    """The shingle hashes of each text (the sets the signatures estimate, repeats included), for exact
    verification by :func:`shingle_overlap`."""
    if not len(texts):
        return []
    shingles, offsets, _ = _flat_shingles(texts, config)
    return _split_sets(shingles, offsets)


def _distinct(values: np.ndarray) -> np.ndarray:
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def shingle_overlap(left: np.ndarray, right: np.ndarray) -> tuple[float, float]:
    """Exact Jaccard similarity and containment (share of the smaller set found in the other) of the distinct
    shingles of two texts (from :func:`shingle_sets`); (0, 0) if either is empty."""
    if not len(left) or not len(right):
        return 0.0, 0.0
    left, right = _distinct(left), _distinct(right)
    if len(left) > len(right):
        left, right = right, left
    found = np.minimum(np.searchsorted(right, left), len(right) - 1)
    shared = int(np.count_nonzero(right[found] == left))
    return shared / (len(left) + len(right) - shared), shared / min(len(left), len(right))


def verified_similarity(left: np.ndarray, right: np.ndarray, config: MinHashConfig) -> float | None:
    """The exact Jaccard similarity of a candidate pair's shingle sets when the pair is a near-duplicate, else None.

    A near-duplicate reaches ``config.threshold`` in Jaccard and ``config.min_containment`` in containment: two
    different articles sharing a block of boilerplate can reach the Jaccard threshold (a third of each text
    shared gives 0.33) but only a trimmed or edited copy has most of the shorter text inside the longer.
    """
    jaccard, containment = shingle_overlap(left, right)
    return jaccard if jaccard >= config.threshold and containment >= config.min_containment else None


def shingles_to_bytes(shingle_set: np.ndarray) -> bytes:
    """Compact transport form of a shingle set: little-endian uint64."""
    return np.asarray(shingle_set, dtype="<u8").tobytes()


def shingles_from_bytes(data: bytes) -> np.ndarray:
    """Inverse of :func:`shingles_to_bytes`."""
    return np.frombuffer(data, dtype="<u8").astype(np.uint64)


def signature_to_bytes(signature_row: np.ndarray) -> bytes:
    """Compact storage form of one signature: little-endian uint32, 4 bytes per slot."""
    return np.asarray(signature_row, dtype="<u4").tobytes()


def signature_from_bytes(data: bytes) -> np.ndarray:
    """Inverse of :func:`signature_to_bytes`."""
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)
