"""Near-duplicate quality per edit type: wirebeam's MinHash engine versus datasketch, on the labelled corpus.

Both systems use the same word shingles, permutations, bands/rows and threshold (``MinHashConfig()``
defaults). wirebeam: the near-duplicate stage's logic in memory (``pipeline.dedup.near.find_near_duplicates``:
batch signatures and shingle sets, band buckets paired by ``bucket_pairs`` with its cap, exact verification of
each candidate's Jaccard and containment). datasketch:
``MinHash`` + ``MinHashLSH`` (same ``params=(bands, rows)``), query-then-insert loop, verified by
``MinHash.jaccard``. Verified pairs are closed into groups (connected components), as the pipeline does.

Scores are pairwise over groups: a pair of documents is predicted positive when both end in one group and
truly positive when both come from one original. Per edit type, recall counts (original, copy) pairs of that
type and precision counts predicted pairs involving a copy of that type. Hard negatives (``shared_boilerplate``,
``same_event``: see ``benchmarks.neardup_corpus``) count the predicted pairs that join one of them to anything.
"target" scores every pair among the documents that keep at least half of their original (all but ``heavy``
copies) and the hard negatives; the goal there is precision >= 0.99 and recall >= 0.95.

Run: ``.venv/bin/python -m benchmarks.neardup_quality`` (writes ``benchmarks/results/neardup_quality.json``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from benchmarks.neardup_corpus import HEAVY, NEGATIVE_KINDS, Corpus, build_corpus
from pipeline.dedup.minhash import MinHashConfig, shingles
from pipeline.dedup.near import find_near_duplicates

LOGGER = logging.getLogger(__name__)

RESULTS = Path(__file__).resolve().parent / "results/neardup_quality.json"
BATCH_SIZE = 256
TARGET_PRECISION = 0.99
TARGET_RECALL = 0.95


def wirebeam_pairs(texts: Sequence[str], config: MinHashConfig) -> np.ndarray:
    """Verified pairs ``(i, j)`` from wirebeam's near-duplicate logic (signatures computed in batches)."""
    found = find_near_duplicates(texts, config, batch_size=BATCH_SIZE)
    return np.array([(left, right) for left, right, _ in found], dtype=np.int64).reshape(-1, 2)


def datasketch_pairs(texts: Sequence[str], config: MinHashConfig) -> np.ndarray:
    """Verified pairs ``(i, j)`` from datasketch MinHash + MinHashLSH in a plain single-process loop."""
    lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm, params=(config.bands, config.rows))
    sketches: dict[int, MinHash] = {}
    pairs = []
    for index, text in enumerate(texts):
        doc_shingles = shingles(text, config.shingle_size)
        if not doc_shingles:
            continue
        sketch = MinHash(num_perm=config.num_perm, seed=config.seed)
        sketch.update_batch([shingle.encode("utf-8") for shingle in doc_shingles])
        for other in lsh.query(sketch):
            if sketch.jaccard(sketches[other]) >= config.threshold:
                pairs.append((other, index))
        lsh.insert(index, sketch)
        sketches[index] = sketch
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def group_labels(pairs: np.ndarray, count: int) -> np.ndarray:
    """Group (connected component) id of each of ``count`` documents given verified pairs."""
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(count, count))
    return connected_components(graph, directed=False)[1]


def prf(true_positive: int, predicted: int, actual: int) -> dict[str, float]:
    """Precision, recall and F1 from counts (1.0 when nothing was predicted / expected)."""
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs": actual}


def score(corpus: Corpus, labels: np.ndarray) -> dict[str, dict[str, float]]:
    """Pairwise scores per edit type and for the target set (copies keeping at least half the text)."""
    documents = corpus.documents
    truth = np.array([doc.cluster for doc in documents])
    edits = np.array([doc.edit for doc in documents])
    index = {doc.doc_id: i for i, doc in enumerate(documents)}
    upper = np.triu(np.ones((len(documents), len(documents)), dtype=bool), k=1)
    same_predicted = (labels[:, None] == labels[None, :]) & upper
    same_true = (truth[:, None] == truth[None, :]) & upper
    results = {}
    for edit in dict.fromkeys(edit for _, _, edit, _ in corpus.pairs):
        copies = edits == edit
        involved = (copies[:, None] | copies[None, :]) & same_predicted
        labelled = [(index[original], index[copy]) for original, copy, kind, _ in corpus.pairs if kind == edit]
        found = sum(bool(labels[i] == labels[j]) for i, j in labelled)
        recall = found / len(labelled)
        precision = float((involved & same_true).sum() / involved.sum()) if involved.sum() else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        results[edit] = {"precision": precision, "recall": recall, "f1": f1, "pairs": len(labelled)}
    for kind in NEGATIVE_KINDS:
        negative = edits == kind
        involved = (negative[:, None] | negative[None, :]) & same_predicted
        count = int(negative.sum()) // 2
        # every document of a hard negative is its own cluster: any group holding one with another is wrong
        results[kind] = {"negative_pairs": count, "false_links": int(involved.sum())}
    target = edits != HEAVY
    in_target = target[:, None] & target[None, :]
    predicted, actual = same_predicted & in_target, same_true & in_target
    results["target (kept >= 50%)"] = prf(int((predicted & actual).sum()), int(predicted.sum()), int(actual.sum()))
    return results


def print_table(results: dict[str, dict[str, dict[str, float]]]) -> None:
    """Side-by-side precision / recall / F1 per edit type."""
    systems = list(results)
    print(f"{'edit type':22s} {'pairs':>5s} " + " ".join(f"{name + ' P/R/F1':>26s}" for name in systems))
    for edit, row in results[systems[0]].items():
        if "false_links" in row:
            links = " ".join(f"{results[name][edit]['false_links']:>17d} false links" for name in systems)
            print(f"{edit:22s} {row['negative_pairs']:5d} {links}")
            continue
        cells = " ".join("{precision:8.3f} {recall:8.3f} {f1:8.3f}".format(**results[name][edit]) for name in systems)
        print(f"{edit:22s} {int(row['pairs']):5d} {cells}")


def main() -> None:
    """Build the corpus, run both systems, print and save the scores."""
    config = MinHashConfig()
    corpus = build_corpus()
    texts = [doc.text for doc in corpus.documents]
    results, seconds = {}, {}
    for name, detect in (("wirebeam", wirebeam_pairs), ("datasketch", datasketch_pairs)):
        started = time.perf_counter()
        pairs = detect(texts, config)
        seconds[name] = time.perf_counter() - started
        results[name] = score(corpus, group_labels(pairs, len(texts)))
    print(f"{len(texts)} documents, {len(corpus.pairs)} labelled copies; config {config}")
    print_table(results)
    target = results["wirebeam"]["target (kept >= 50%)"]
    met = target["precision"] >= TARGET_PRECISION and target["recall"] >= TARGET_RECALL
    print(f"target precision >= {TARGET_PRECISION}, recall >= {TARGET_RECALL}: {'met' if met else 'NOT met'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "config": {key: getattr(config, key) for key in ("num_perm", "shingle_size", "threshold", "bands", "rows")},
        "documents": len(texts),
        "labelled_copies": len(corpus.pairs),
        "seconds": seconds,
        "scores": results,
        "target": {"precision": TARGET_PRECISION, "recall": TARGET_RECALL, "met": met},
    }
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
