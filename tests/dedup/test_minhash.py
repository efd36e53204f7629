"""Behaviour of the near-duplicate engine on real article bodies (no Beam)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from pipeline.dedup.minhash import (
    MinHashConfig,
    band_hashes,
    band_keys,
    band_keys_batch,
    estimated_jaccard,
    shingle_overlap,
    shingle_sets,
    shingles,
    shingles_from_bytes,
    shingles_to_bytes,
    signature_from_bytes,
    signature_to_bytes,
    signatures,
    signatures_and_shingles,
    verified_similarity,
    words,
)
from pipeline.dedup.near import bucket_pairs, find_near_duplicates
from tests.conftest import shared_data

CONFIG = MinHashConfig()


@pytest.fixture(scope="module")
def bodies() -> list[str]:
    """The longer real article bodies (>= 300 words), in file order."""
    data = json.loads(shared_data("articles", "ground-truth.json").read_text(encoding="utf-8"))
    return [item["articleBody"] for item in data.values() if len(item["articleBody"].split()) >= 300]


def trimmed_republication(body: str) -> str:
    """A syndicated copy: new headline and dateline, boilerplate, last 35% of the words cut."""
    kept = body.split(" ")[: int(len(body.split(" ")) * 0.65)]
    return (
        "Officials respond as questions mount\n\nLONDON (Reuters) - "
        + " ".join(kept)
        + "\n\nSign up for our newsletter to get the top stories in your inbox."
    )


def test_identical_texts_have_identical_signatures_and_share_every_band_key(bodies: list[str]) -> None:
    matrix = signatures([bodies[0], bodies[1], bodies[0]], CONFIG)
    assert matrix.shape == (3, CONFIG.num_perm)
    assert matrix.dtype == np.uint32
    assert np.array_equal(matrix[0], matrix[2])
    assert band_keys(matrix[0], CONFIG) == band_keys(matrix[2], CONFIG)
    assert estimated_jaccard(matrix[0], matrix[2]) == 1.0


def test_signature_does_not_depend_on_batch_neighbours(bodies: list[str]) -> None:
    alone = signatures([bodies[3]], CONFIG)[0]
    in_batch = signatures(bodies[:6], CONFIG)[3]
    assert np.array_equal(alone, in_batch)


def test_case_and_punctuation_do_not_change_the_signature(bodies: list[str]) -> None:
    text = bodies[2]
    variant = text.upper().replace(",", " ,").replace(".", " ; ")
    matrix = signatures([text, variant], CONFIG)
    assert np.array_equal(matrix[0], matrix[1])


def test_trimmed_republication_shares_a_band_key_and_verifies_above_threshold(bodies: list[str]) -> None:
    for body in bodies[:10]:
        matrix = signatures([body, trimmed_republication(body)], CONFIG)
        shared = set(band_keys(matrix[0], CONFIG)) & set(band_keys(matrix[1], CONFIG))
        assert shared, body[:60]
        assert estimated_jaccard(matrix[0], matrix[1]) >= CONFIG.threshold


def test_unrelated_articles_do_not_verify(bodies: list[str]) -> None:
    assert find_near_duplicates(bodies, CONFIG) == []
    matrix = signatures(bodies, CONFIG)
    left, right = np.triu_indices(len(bodies), k=1)
    estimates = [estimated_jaccard(matrix[i], matrix[j]) for i, j in zip(left, right, strict=True)]
    assert max(estimates) < CONFIG.threshold


def test_find_near_duplicates_finds_each_copy_and_only_copies(bodies: list[str]) -> None:
    originals = bodies[:8]
    texts = originals + [trimmed_republication(body) for body in originals]
    found = find_near_duplicates(texts, CONFIG, batch_size=5)
    assert [(left, right) for left, right, _ in found] == [(i, i + len(originals)) for i in range(len(originals))]
    assert all(similarity >= CONFIG.threshold for _, _, similarity in found)


def test_bucket_pairs_pairs_each_member_with_the_following_ones_up_to_the_cap() -> None:
    assert bucket_pairs([(2,), (1,), (3,), (1,)]) == [((1,), (2,)), ((1,), (3,)), ((2,), (3,))]
    big = bucket_pairs((index,) for index in range(1000))
    assert len(big) < 1000 * 65
    assert {right for _, right in big} == {(index,) for index in range(1, 1000)}


def test_shingle_sets_hold_the_shingles_of_each_text() -> None:
    sets = shingle_sets(["a b c a b c", "x y", ""], CONFIG)
    assert [len(np.unique(found)) for found in sets] == [3, 1, 0]
    assert shingle_overlap(sets[0], shingle_sets(["b c a b c a"], CONFIG)[0]) == (1.0, 1.0)
    matrix, same_sets = signatures_and_shingles(["a b c a b c", "x y", ""], CONFIG)
    assert np.array_equal(matrix, signatures(["a b c a b c", "x y", ""], CONFIG))
    assert all(np.array_equal(a, b) for a, b in zip(sets, same_sets, strict=True))
    assert np.array_equal(shingles_from_bytes(shingles_to_bytes(sets[0])), sets[0])


def test_overlap_is_exact_jaccard_and_containment() -> None:
    first, second = shingle_sets(["one two three four five six", "one two three four five seven eight"], CONFIG)
    # 4 and 5 shingles, 3 shared: Jaccard 3/6, containment 3/4
    assert shingle_overlap(first, second) == (0.5, 0.75)
    assert shingle_overlap(first, np.zeros(0, dtype=np.uint64)) == (0.0, 0.0)


def footer_pair(shared_words: int, own_words: int, seed: int) -> tuple[str, str]:
    """Two different texts ending with the same footer of ``shared_words`` words."""
    rng = np.random.default_rng(seed)
    vocabulary = [f"w{index}" for index in range(20000)]
    footer = " ".join(rng.choice(vocabulary, shared_words))
    return tuple(" ".join(rng.choice(vocabulary, own_words)) + " " + footer for _ in range(2))


def test_pair_under_the_threshold_is_never_verified_however_its_signatures_look() -> None:
    # a 60-word footer shared by two ~140-word reports: exact Jaccard ~0.27, under 0.3
    estimates = []
    for seed in range(60):
        first, second = footer_pair(60, 78, seed)
        matrix, (left, right) = signatures_and_shingles([first, second], CONFIG)
        jaccard, _ = shingle_overlap(left, right)
        assert 0.25 <= jaccard < CONFIG.threshold
        assert verified_similarity(left, right, CONFIG) is None
        estimates.append(estimated_jaccard(matrix[0], matrix[1]))
    assert max(estimates) >= CONFIG.threshold  # the estimate alone would have linked some of them


def test_shared_boilerplate_of_half_the_text_is_no_copy_but_a_trim_is() -> None:
    first, second = footer_pair(200, 200, 7)
    left, right = shingle_sets([first, second], CONFIG)
    assert shingle_overlap(left, right)[0] >= CONFIG.threshold  # Jaccard alone would link them
    assert verified_similarity(left, right, CONFIG) is None
    trim = " ".join(first.split()[:200])
    left, right = shingle_sets([first, trim], CONFIG)
    assert verified_similarity(left, right, CONFIG) == pytest.approx(shingle_overlap(left, right)[0])


def test_band_keys_are_band_prefixed_hex_digests(bodies: list[str]) -> None:
    keys = band_keys(signatures([bodies[0]], CONFIG)[0], CONFIG)
    assert len(keys) == CONFIG.bands == len(set(keys))
    for band, key in enumerate(keys):
        prefix, digest = key.split(":")
        assert prefix == str(band)
        assert len(digest) == 16
        int(digest, 16)


def test_band_keys_change_with_the_seed(bodies: list[str]) -> None:
    other = MinHashConfig(seed=CONFIG.seed + 1)
    keys = band_keys(signatures([bodies[0]], CONFIG)[0], CONFIG)
    other_keys = band_keys(signatures([bodies[0]], other)[0], other)
    assert not set(keys) & set(other_keys)


def test_signature_round_trips_through_compact_bytes(bodies: list[str]) -> None:
    signature = signatures([bodies[0]], CONFIG)[0]
    data = signature_to_bytes(signature)
    assert len(data) == 4 * CONFIG.num_perm
    assert np.array_equal(signature_from_bytes(data), signature)


def test_signatures_and_band_keys_are_identical_in_another_process(bodies: list[str]) -> None:
    texts = bodies[:4]
    script = (
        "import json, sys\n"
        "from pipeline.dedup.minhash import MinHashConfig, band_keys_batch, signatures\n"
        "texts = json.loads(sys.stdin.read())\n"
        "matrix = signatures(texts, MinHashConfig())\n"
        "print(json.dumps({'signatures': matrix.tolist(), 'keys': band_keys_batch(matrix, MinHashConfig())}))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(texts), capture_output=True, text=True, check=True
    )
    other = json.loads(completed.stdout)
    matrix = signatures(texts, CONFIG)
    assert other["signatures"] == matrix.tolist()
    assert other["keys"] == band_keys_batch(matrix, CONFIG)


def test_empty_and_wordless_texts_have_no_band_keys_and_never_match() -> None:
    matrix = signatures(["", "  ...  —  !!", ""], CONFIG)
    assert not matrix.any()
    assert band_keys_batch(matrix, CONFIG) == [[], [], []]
    assert estimated_jaccard(matrix[0], matrix[2]) == 0.0
    assert find_near_duplicates(["", "  ...  —  !!", ""], CONFIG) == []
    assert signatures([], CONFIG).shape == (0, CONFIG.num_perm)


def test_text_shorter_than_a_shingle_is_one_shingle_of_all_its_words() -> None:
    assert shingles("Breaking: Fire!", 3) == ["breaking fire"]
    matrix = signatures(["Breaking: Fire!", "breaking fire", "Breaking news"], CONFIG)
    assert np.array_equal(matrix[0], matrix[1])
    assert len(band_keys(matrix[0], CONFIG)) == CONFIG.bands
    assert estimated_jaccard(matrix[0], matrix[2]) < CONFIG.threshold


def test_words_are_unicode_aware_lowercased_and_stripped_of_punctuation() -> None:
    assert words("L'été — “Straße” COVID-19, naïve café; नमस्ते!") == [
        "l",
        "été",
        "straße",
        "covid",
        "19",
        "naïve",
        "café",
        "नमस्ते",
    ]
    composed, decomposed = signatures(["Café crème brûlée", "Cafe\u0301 cre\u0300me bru\u0302le\u0301e"], CONFIG)
    assert np.array_equal(composed, decomposed)


def test_default_bands_and_rows_follow_the_threshold() -> None:
    assert (CONFIG.bands, CONFIG.rows) == (64, 2)
    strict = MinHashConfig(threshold=0.8)
    assert strict.bands * strict.rows == strict.num_perm
    assert strict.rows > CONFIG.rows
    assert MinHashConfig(bands=32).rows == 4
    assert MinHashConfig(rows=8).bands == 16


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"num_perm": 1}, "num_perm"),
        ({"num_perm": 128.0}, "num_perm"),
        ({"shingle_size": 0}, "shingle_size"),
        ({"threshold": 0.0}, "threshold"),
        ({"threshold": 1.5}, "threshold"),
        ({"seed": -1}, "seed"),
        ({"bands": 3}, "divide"),
        ({"bands": 16, "rows": 4}, "bands \\* rows"),
    ],
)
def test_invalid_config_is_rejected_with_a_clear_message(arguments: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MinHashConfig(**arguments)


def test_band_hashes_of_a_config_are_reproducible(bodies: list[str]) -> None:
    matrix = signatures(bodies[:3], CONFIG)
    assert np.array_equal(band_hashes(matrix, CONFIG), band_hashes(matrix.copy(), MinHashConfig()))


def test_code_points_past_the_lookup_table_separate_words() -> None:
    assert words("alpha\U000e0041beta\U0010fffdgamma") == ["alpha", "beta", "gamma"]
