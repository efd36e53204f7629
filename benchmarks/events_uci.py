"""Benchmark event grouping against labelled stories, versus a tuned TF-IDF + average-link baseline.

Two corpora:
- UCI News Aggregator dev slice (3,458 real title-only headlines with STORY labels);
- a rewrite corpus built from the 60 ground-truth article bodies: some stories republished by "other
  outlets" with deterministic edits (sentence reordering, dropped sentences, synonym swaps, a new headline
  from other sentences, a dateline), mixed with the remaining articles as singletons.

Scores: pairwise precision/recall/F1 (pairs of items put in one group) and adjusted Rand index. The baseline
(sklearn TfidfVectorizer + AgglomerativeClustering, cosine, average link) gets its distance threshold tuned
on the same data (best F1 of a grid); wirebeam runs with its default thresholds, untuned, plus a sweep shown
for information only.

Run: ``.venv/bin/python benchmarks/events_uci.py`` (writes ``benchmarks/results/events_uci.json``).
"""

from __future__ import annotations

import csv
import json
import logging
import random
import re
import sys
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, pair_confusion_matrix

from pipeline.dedup import events

LOGGER = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared/data"
UCI_CSV = DATA_DIR / "headlines/uci-news-aggregator-dev.csv"
GROUND_TRUTH = DATA_DIR / "articles/ground-truth.json"
RESULTS = Path(__file__).resolve().parent / "results/events_uci.json"

SEED = 20240501
BASELINE_THRESHOLDS = [round(float(x), 2) for x in np.arange(0.05, 1.0, 0.01)]
SWEEP_THRESHOLDS = [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5]


@dataclass(frozen=True)
class Item:
    """One labelled article: id, headline, optional body, optional publication time, true group."""

    item_id: str
    title: str
    text: str | None
    published: datetime | None
    label: str


# --- data: UCI CSV -> JSONL seed records -> items -------------------------------------------------


def uci_csv_to_records(csv_path: Path) -> list[dict]:
    """UCI rows as wirebeam JSONL seed records (``title``, ``url``, ``published`` ISO, ``source``), each
    with its ``id`` and ``story`` label kept aside for scoring."""
    records = []
    with csv_path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            published = datetime.fromtimestamp(int(row["TIMESTAMP"]) / 1000, tz=timezone.utc)
            records.append(
                {
                    "id": row["ID"],
                    "story": row["STORY"],
                    "title": row["TITLE"],
                    "url": row["URL"],
                    "published": published.isoformat(),
                    "source": row["PUBLISHER"],
                }
            )
    return records


def write_seed_jsonl(records: Sequence[dict], out_path: Path) -> Path:
    """Write the seed records (without labels) as JSON Lines for ``wirebeam run --seeds``."""
    keys = ("title", "url", "published", "source")
    with out_path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps({k: record[k] for k in keys}, ensure_ascii=False) + "\n")
    return out_path


def records_to_items(records: Sequence[dict]) -> list[Item]:
    """Labelled items from seed records."""
    return [Item(r["id"], r["title"], None, datetime.fromisoformat(r["published"]), r["story"]) for r in records]


# --- rewrite corpus ----------------------------------------------------------------------------------

SYNONYMS = {
    "said": "stated",
    "says": "states",
    "big": "large",
    "started": "began",
    "start": "begin",
    "buy": "purchase",
    "help": "assist",
    "show": "demonstrate",
    "shows": "demonstrates",
    "important": "significant",
    "people": "individuals",
    "about": "regarding",
    "also": "additionally",
    "but": "however",
    "many": "numerous",
    "get": "obtain",
    "make": "create",
    "use": "employ",
    "used": "employed",
    "new": "fresh",
    "told": "informed",
    "week": "seven days",
    "need": "require",
    "before": "prior to",
    "after": "following",
    "because": "since",
    "company": "firm",
    "government": "administration",
    "year": "twelve months",
}
OUTLETS = ["Reuters", "AP", "AFP", "Daily Planet", "The Courier", "Metro Wire"]
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")


def _sentences(body: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.split(" ".join(body.split())) if len(s.strip()) > 20]


def _swap_synonyms(sentence: str, rng: random.Random, rate: float) -> str:
    def swap(match: re.Match) -> str:
        word = match.group()
        replacement = SYNONYMS.get(word.lower())
        if replacement is None or rng.random() > rate:
            return word
        return replacement.capitalize() if word[0].isupper() else replacement

    return re.sub(r"[A-Za-z]+", swap, sentence)


def _headline(sentence: str, n_words: int = 12) -> str:
    return " ".join(sentence.split()[:n_words]).rstrip(",.;:")


def rewrite(sentences: Sequence[str], rng: random.Random, outlet: str) -> tuple[str, str]:
    """One outlet's rewrite: new headline from another sentence, dateline, reordered body after the lead,
    about a third of the sentences dropped, synonyms swapped."""
    lead, rest = sentences[0], list(sentences[1:])
    rng.shuffle(rest)
    kept = [s for s in rest if rng.random() > 0.35] or rest[:1]
    body = [lead, *kept]
    body = [_swap_synonyms(s, rng, 0.6) for s in body]
    source = sentences[rng.randrange(1, len(sentences))] if len(sentences) > 1 else lead
    title = _headline(_swap_synonyms(source, rng, 0.6))
    return title, f"({outlet}) - " + " ".join(body)


def build_rewrite_corpus(
    ground_truth: Mapping[str, Mapping[str, str]], seed: int = SEED, n_stories: int = 24, copies: int = 3
) -> list[Item]:
    """``n_stories`` stories each published by the original and ``copies`` rewrites within a day, plus the
    other articles as singletons; publication times spread over a month."""
    rng = random.Random(seed)
    start = datetime(2019, 5, 1, tzinfo=timezone.utc)
    keys = sorted(k for k, v in ground_truth.items() if len(_sentences(v["articleBody"])) >= 4)
    rewritten = set(rng.sample(keys, min(n_stories, len(keys))))
    items = []
    for key in keys:
        sentences = _sentences(ground_truth[key]["articleBody"])
        published = start + timedelta(hours=rng.uniform(0, 30 * 24))
        items.append(Item(key, _headline(sentences[0]), " ".join(sentences), published, key))
        if key in rewritten:
            for copy in range(copies):
                title, text = rewrite(sentences, rng, OUTLETS[copy % len(OUTLETS)])
                delay = timedelta(hours=rng.uniform(0.5, 20))
                items.append(Item(f"{key}-r{copy}", title, text, published + delay, key))
    return items


# --- scoring -------------------------------------------------------------------------------------------


def pairwise_scores(true_labels: Sequence[Hashable], predicted: Sequence[Hashable]) -> dict[str, float]:
    """Pairwise precision, recall, F1 and adjusted Rand index of a grouping against labels."""
    true_ids = _codes(true_labels)
    predicted_ids = _codes(predicted)
    (_, false_pos), (false_neg, true_pos) = pair_confusion_matrix(true_ids, predicted_ids) // 2
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(float(precision), 4),
        "recall": round(float(recall), 4),
        "f1": round(float(f1), 4),
        "ari": round(float(adjusted_rand_score(true_ids, predicted_ids)), 4),
        "n_groups": len(set(predicted_ids)),
    }


def _codes(labels: Sequence[Hashable]) -> list[int]:
    index: dict[Hashable, int] = {}
    return [index.setdefault(label, len(index)) for label in labels]


def score_assignment(items: Sequence[Item], assignment: Mapping[str, Hashable]) -> dict[str, float]:
    """Score an id -> group mapping (e.g. ``articles.event_id`` read back from DuckDB) against labels."""
    missing = [item.item_id for item in items if item.item_id not in assignment]
    if missing:
        raise ValueError(f"{len(missing)} items have no group, e.g. {missing[:3]}")
    return pairwise_scores([i.label for i in items], [assignment[i.item_id] for i in items])


# --- methods -------------------------------------------------------------------------------------------


def tfidf_matrix(documents: Sequence[str]) -> np.ndarray:
    """Dense TF-IDF rows of the baseline (English stop words removed)."""
    return TfidfVectorizer(stop_words="english").fit_transform(documents).toarray()


def baseline_groups(matrix: np.ndarray, distance_threshold: float) -> list[int]:
    """TF-IDF + average-link agglomerative clustering (cosine distance), sklearn."""
    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance_threshold
    )
    return model.fit_predict(matrix).tolist()


def tuned_baseline(items: Sequence[Item], use_text: bool) -> dict:
    """The baseline at each grid threshold; reports the best by F1 (tuned on the same data).

    The grid is cut from one scipy average-link tree (the same algorithm, built once); the best cut is then
    re-run with sklearn's AgglomerativeClustering and that run is what is reported.
    """
    documents = [f"{i.title} {i.text or ''}" if use_text else i.title for i in items]
    labels = [i.label for i in items]
    matrix = tfidf_matrix(documents)
    empty = ~matrix.any(axis=1)
    matrix[empty, 0] = 1e-9  # cosine distance is undefined for all-zero rows (headlines of stop words only)
    tree = linkage(matrix, method="average", metric="cosine")
    sweep = {}
    for threshold in BASELINE_THRESHOLDS:
        sweep[threshold] = pairwise_scores(labels, fcluster(tree, threshold, criterion="distance").tolist())
    best = max(sweep, key=lambda t: (sweep[t]["f1"], sweep[t]["ari"]))
    confirmed = pairwise_scores(labels, baseline_groups(matrix, best))
    return {"best_distance_threshold": best, **confirmed, "sweep": {str(k): v for k, v in sweep.items()}}


def wirebeam_groups(
    items: Sequence[Item],
    threshold: float = events.DEFAULT_CLUSTER_THRESHOLD,
    title_threshold: float = events.DEFAULT_TITLE_THRESHOLD,
    use_dates: bool = True,
) -> dict[str, Hashable]:
    """Event grouping with wirebeam's pure functions (the same steps the Beam stage runs)."""
    articles = {i.item_id: (i.title, i.text, i.published if use_dates else None) for i in items}
    return events.group_articles(articles, threshold=threshold, title_threshold=title_threshold)


def evaluate(items: Sequence[Item], use_text: bool) -> dict:
    """wirebeam defaults, a wirebeam threshold sweep (information only), and the tuned baseline."""
    started = time.perf_counter()
    default = score_assignment(items, wirebeam_groups(items))
    elapsed = time.perf_counter() - started
    undated = score_assignment(items, wirebeam_groups(items, use_dates=False))
    sweep = {str(t): score_assignment(items, wirebeam_groups(items, t, t)) for t in SWEEP_THRESHOLDS}
    baseline = tuned_baseline(items, use_text)
    return {
        "n_items": len(items),
        "n_true_groups": len({i.label for i in items}),
        "wirebeam_default": {
            "threshold": events.DEFAULT_CLUSTER_THRESHOLD,
            "title_threshold": events.DEFAULT_TITLE_THRESHOLD,
            **default,
            "seconds": round(elapsed, 1),
        },
        "wirebeam_without_dates": undated,
        "wirebeam_threshold_sweep": sweep,
        "baseline_tuned": baseline,
        "ratio_f1": round(default["f1"] / baseline["f1"], 3) if baseline["f1"] else None,
        "ratio_ari": round(default["ari"] / baseline["ari"], 3) if baseline["ari"] else None,
    }


def _row(name: str, s: Mapping) -> str:
    return f"{name:<34} {s['precision']:>7.3f} {s['recall']:>7.3f} {s['f1']:>7.3f} {s['ari']:>7.3f} {s['n_groups']:>7}"


def print_table(title: str, result: Mapping) -> None:
    """Human-readable summary of one corpus."""
    print(f"\n{title}: {result['n_items']} items, {result['n_true_groups']} true groups")
    print(f"{'method':<34} {'prec':>7} {'recall':>7} {'F1':>7} {'ARI':>7} {'groups':>7}")
    default = result["wirebeam_default"]
    print(_row(f"wirebeam default (t={default['threshold']}/{default['title_threshold']})", default))
    print(_row("wirebeam default, dates ignored", result["wirebeam_without_dates"]))
    baseline = result["baseline_tuned"]
    print(_row(f"baseline tuned (d={baseline['best_distance_threshold']})", baseline))
    print(f"ratio wirebeam/baseline: F1 {result['ratio_f1']}  ARI {result['ratio_ari']}")
    print("wirebeam sweep, both thresholds = t (information only):")
    for threshold, scores in result["wirebeam_threshold_sweep"].items():
        print(_row(f"  t={threshold}", scores))


def main() -> int:
    """Run both corpora, print tables, write the JSON results."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uci_items = records_to_items(uci_csv_to_records(UCI_CSV))
    with GROUND_TRUTH.open(encoding="utf-8") as handle:
        ground_truth = json.load(handle)
    rewrite_items = build_rewrite_corpus(ground_truth)
    results = {
        "uci_dev_titles": evaluate(uci_items, use_text=False),
        "rewrites_full_text": evaluate(rewrite_items, use_text=True),
        "defaults": {
            "cluster_threshold": events.DEFAULT_CLUSTER_THRESHOLD,
            "title_threshold": events.DEFAULT_TITLE_THRESHOLD,
            "attach_threshold": events.DEFAULT_ATTACH_THRESHOLD,
            "weights": vars(events.DEFAULT_WEIGHTS),
        },
        "seed": SEED,
    }
    print_table("UCI News Aggregator dev (titles only)", results["uci_dev_titles"])
    print_table("Rewrite corpus (full text)", results["rewrites_full_text"])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
