"""Benchmark event grouping through the real pipeline on every labelled corpus, cross-validated, beside a baseline.

Each corpus half becomes JSON Lines seed records in a temporary directory, ``wirebeam run --offline --seeds DIR
--db PATH`` runs on it (``pipeline.cli.main``: the code path a user runs), and ``articles.event_id`` and
``articles.storyline_id`` are read back and scored at the level the corpus' labels mean (``LEVELS``; pairwise
precision, recall, F1 and adjusted Rand index; the other level is in the JSON).

Cross-validation: every corpus is split in two by a fixed hash of its gold label (``half_of_item``; ECB+ by its
topic, so each half holds both events of its topics, the hard case, as ECB+'s held-out half does). For each half H,
whatever is chosen or fitted is chosen on the other half and H is scored; the figures reported are the mean of
the two. The baseline is TF-IDF over title + text (sublinear tf, English stop words) with cosine average-link
agglomerative clustering, its distance threshold chosen on the other half of the same corpus. wirebeam's grouping
model (``--fitted``) is fitted on the other half of every real corpus at once (``FIT_CORPORA``) and passed to the
run with ``--grouping_model``; without ``--fitted`` the run uses the shipped defaults, which is only a fair figure
for a method fitted on nothing here.

Corpora (``../shared/data``, see its README; ``--corpus`` picks some):
- ``gvc``: GVC dev, 3,125 local reports of 1,840 gun-violence incidents, dated; ``gvc_undated``: the same with
  the dates removed;
- ``ecbplus``: ECB+ dev, 555 reports of 48 events in 24 topics (two events of one kind per topic), undated;
- ``uci``: UCI News Aggregator dev, 3,458 headlines (title only, dated) in 43 broad stories;
- ``same_topic`` (``benchmarks/corpora/same_topic``, synthetic, dated) and ``rewrites`` (the 60 extraction
  ground-truth bodies, some republished with edits): corpora we wrote, reported, never chosen on;
- ``seeds``: the five seed articles against the three rounds of talks they report, a sanity check.

Also per corpus: candidate recall (the share of true same-group pairs that blocking puts in one block, and the
share the run ever scores: those and every pair inside the components clustering scores in full; measured with
the pipeline's own featurising, blocking and clustering functions on each half) and CPU seconds per article of
the whole run (this process and its children).

Run: ``.venv/bin/python benchmarks/events.py [--corpus gvc ecbplus ...] [--fitted] [--embeddings]`` (writes
``benchmarks/results/events.json``, or ``events_<corpora>.json`` for a subset).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import io
import json
import logging
import random
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, pair_confusion_matrix

from pipeline import cli
from pipeline.events.blocking import candidate_pairs
from pipeline.events.cluster import cluster_levels, dense_scores
from pipeline.events.embeddings import embedding_text
from pipeline.events.features import batch_features
from pipeline.events.fit import HALVES, as_run_reads, half_of
from pipeline.events.model import read_run_model
from pipeline.events.score import DEFAULT_THRESHOLDS, EMBEDDING_THRESHOLDS, EventThresholds, score

LOGGER = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared/data"
UCI_CSV = DATA_DIR / "headlines/uci-news-aggregator-dev.csv"
GVC_JSONL = DATA_DIR / "events/gvc-dev.jsonl"
ECBPLUS_JSONL = DATA_DIR / "events/ecbplus-dev.jsonl"
GROUND_TRUTH = DATA_DIR / "articles/ground-truth.json"
SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
SAME_TOPIC_DIR = Path(__file__).resolve().parent / "corpora/same_topic"
SEED_ROUNDS = {"000": "round-1", "001": "round-1", "002": "round-2", "003": "round-3", "004": "round-3"}
"""The rounds of talks the seed articles report, by file-name prefix (from the issue, not from wirebeam)."""
RESULTS_DIR = Path(__file__).resolve().parent / "results"

SEED = 20240501
BASELINE_THRESHOLDS = [round(float(x), 2) for x in np.arange(0.05, 1.0, 0.01)]


@dataclass(frozen=True)
class Item:
    """One labelled article: id, headline, optional body, optional publication time, true group, URL, outlet."""

    item_id: str
    title: str
    text: str | None
    published: datetime | None
    label: str
    url: str
    source: str


# --- data: UCI CSV -> items -> JSON Lines seed records ----------------------------------------------------


def uci_items(csv_path: Path) -> list[Item]:
    """UCI rows as labelled title-only items (``published`` from TIMESTAMP, ``source`` from PUBLISHER)."""
    with csv_path.open(newline="", encoding="utf-8") as handle:
        return [
            Item(
                item_id=row["ID"],
                title=row["TITLE"],
                text=None,
                published=datetime.fromtimestamp(int(row["TIMESTAMP"]) / 1000, tz=timezone.utc),
                label=row["STORY"],
                url=row["URL"],
                source=row["PUBLISHER"],
            )
            for row in csv.DictReader(handle)
        ]


def same_topic_items(corpus_dir: Path, with_dates: bool = True) -> list[Item]:
    """The same-topic corpus as labelled full-text items (``published`` dropped unless ``with_dates``)."""
    items = []
    for path in sorted(corpus_dir.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for record in map(json.loads, filter(str.strip, handle)):
                published = datetime.fromisoformat(record["published"]) if with_dates else None
                url = f"https://{record['topic']}.example/{record['id']}"
                label, source = record["event"], record["source"]
                items.append(Item(record["id"], record["title"], record["text"], published, label, url, source))
    return items


def jsonl_items(path: Path, prefix: str, with_dates: bool = True) -> list[Item]:
    """A labelled events corpus (``title``, ``text``, ``published``, ``url``, ``event`` per line) as items; URLs
    are made unique (the run keys articles by URL) and ``published`` is dropped unless ``with_dates``."""
    items, seen = [], set()
    with path.open(encoding="utf-8") as handle:
        for number, record in enumerate(map(json.loads, filter(str.strip, handle))):
            url = record.get("url")
            if not url or url in seen:
                url = f"https://{prefix}.example/{number}"
            seen.add(url)
            published = record.get("published") if with_dates else None
            published_at = datetime.fromisoformat(published) if published else None
            if published_at is not None and published_at.tzinfo is None:
                published_at = published_at.replace(tzinfo=timezone.utc)
            label = record["event"]
            items.append(Item(f"{prefix}-{number}", record["title"], record["text"], published_at, label, url, prefix))
    return items


def write_seed_jsonl(items: Sequence[Item], out_path: Path) -> Path:
    """The items as wirebeam JSON Lines seed records (``title``, ``url``, ``published``, ``source``, and
    ``text`` when there is one), without labels."""
    with out_path.open("w", encoding="utf-8") as handle:
        for item in items:
            record = {"title": item.title, "url": item.url, "source": item.source}
            if item.published is not None:
                record["published"] = item.published.isoformat()
            if item.text:
                record["text"] = item.text
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out_path


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
        url = ground_truth[key].get("url") or f"https://original.example/{key}"
        items.append(Item(key, _headline(sentences[0]), " ".join(sentences), published, key, url, "Original"))
        if key in rewritten:
            for copy in range(copies):
                outlet = OUTLETS[copy % len(OUTLETS)]
                title, text = rewrite(sentences, rng, outlet)
                delay = timedelta(hours=rng.uniform(0.5, 20))
                rewrite_url = f"https://{outlet.lower().replace(' ', '')}.example/{key}-r{copy}"
                items.append(Item(f"{key}-r{copy}", title, text, published + delay, key, rewrite_url, outlet))
    return items


_ECB_TOPIC_RE = re.compile(r"^(ecb-\d+)-ecb(?:plus)?$")


def half_of_item(item: Item) -> str:
    """The cross-validation half of an item: ``half_of`` its label, for ECB+ of its topic (``ecb-<topic>``), so
    the two events of one topic, which only the details tell apart, are fitted or scored together."""
    topic = _ECB_TOPIC_RE.match(item.label)
    return half_of(topic.group(1) if topic else item.label)


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
    """Score an id -> group mapping (e.g. ``articles.event_id`` read back from DuckDB) against labels; an item
    without a group (a reject) counts as a group of its own."""
    return pairwise_scores([i.label for i in items], [assignment.get(i.item_id, ("none", i.item_id)) for i in items])


# --- methods -------------------------------------------------------------------------------------------


def baseline_tree(items: Sequence[Item]) -> np.ndarray:
    """The baseline's average-link tree over cosine distances of TF-IDF rows (title + text, sublinear tf,
    English stop words), from a sparse matrix (full texts have large vocabularies)."""
    documents = [f"{i.title} {i.text or ''}" for i in items]
    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(documents)
    similarity = (matrix @ matrix.T).toarray()
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    return linkage(squareform(distance, checks=False), method="average")


def baseline_choose(items: Sequence[Item]) -> float:
    """The distance threshold of the best pairwise F1 on ``items`` (the fitting half)."""
    tree = baseline_tree(items)
    labels = [i.label for i in items]
    sweep = {t: pairwise_scores(labels, fcluster(tree, t, criterion="distance").tolist()) for t in BASELINE_THRESHOLDS}
    return max(sweep, key=lambda t: (sweep[t]["f1"], sweep[t]["ari"]))


def baseline_groups(items: Sequence[Item], threshold: float) -> dict[str, int]:
    """Item id -> baseline group at ``threshold``."""
    groups = fcluster(baseline_tree(items), threshold, criterion="distance").tolist()
    return dict(zip((i.item_id for i in items), groups, strict=True))


def run_offline(seeds_dir: Path, db_path: Path, flags: Sequence[str]) -> None:
    """``wirebeam run --offline`` with extra ``flags``; raises when it fails."""
    with contextlib.redirect_stdout(io.StringIO()):
        status = cli.main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path), *flags])
    if status != 0:
        raise RuntimeError(f"wirebeam run exited with {status}")


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def pipeline_events(
    items: Sequence[Item], workdir: Path, flags: Sequence[str] = ()
) -> tuple[dict[str, str], dict[str, str], float]:
    """Run ``wirebeam run --offline`` on the items as JSON Lines seeds; (item id -> stored ``event_id``, item id ->
    stored ``storyline_id``, CPU seconds of the run)."""
    seeds_dir = workdir / "seeds"
    seeds_dir.mkdir()
    write_seed_jsonl(items, seeds_dir / "items.jsonl")
    db_path = workdir / "events.duckdb"
    started = _cpu_seconds()
    run_offline(seeds_dir, db_path, flags)
    cpu = _cpu_seconds() - started
    with duckdb.connect(str(db_path), read_only=True) as connection:
        rows = connection.execute("SELECT url, event_id, storyline_id FROM articles").fetchall()
    event_of_url = {url: event_id for url, event_id, _ in rows}
    storyline_of_url = {url: storyline_id for url, _, storyline_id in rows}
    found = [item for item in items if item.url in event_of_url]
    return (
        {item.item_id: event_of_url[item.url] for item in found},
        {item.item_id: storyline_of_url[item.url] for item in found},
        cpu,
    )


@dataclass
class Grouped:
    """What grouping a batch computed: features, candidate pairs, their scored edges, the scores of the other pairs
    inside components (``cache``), for ``candidate_recall`` to reuse."""

    features: dict
    pairs: set
    edges: list
    cache: dict


def _thresholds(flags: Sequence[str]) -> EventThresholds:
    """The run's model and thresholds (``--grouping_model``, else the default of the mode, as ``wirebeam run``)."""
    if "--grouping_model" in flags:
        return EventThresholds(model=read_run_model(flags[flags.index("--grouping_model") + 1]))
    return EMBEDDING_THRESHOLDS if "--embeddings" in flags else DEFAULT_THRESHOLDS


def run_reads(items: Sequence[Item]) -> dict[str, tuple[str, str | None, datetime | None]]:
    """Item id -> ``(title, text, published)`` as a run hands them to grouping (``fit.as_run_reads``)."""
    read = as_run_reads([(i.title, i.text, i.published) for i in items])
    return {item.item_id: article for item, article in zip(items, read, strict=True)}


def run_features(articles: Mapping[str, tuple], flags: Sequence[str] = ()) -> dict:
    """Item id -> features of ``run_reads`` as a run computes them (``batch_features``; with ``--embeddings`` in
    ``flags``, with each item's embedding, from ``EMBEDDINGS_CACHE``: not in the CPU measured)."""
    if "--embeddings" not in flags:
        return batch_features(articles)
    texts = [embedding_text(title, text) for title, text, _ in articles.values()]
    return batch_features(articles, dict(zip(articles, cached_embeddings(texts), strict=True)))


def grouped_in_process(
    items: Sequence[Item], flags: Sequence[str] = ()
) -> tuple[dict[str, str], dict[str, str], float, Grouped]:
    """The grouping stage's pure functions on the items as one batch (``--in_process``: what the pipeline
    distributes, without Beam; ``tests/events/test_stage.py`` checks the stage groups exactly so): (item id ->
    event, item id -> storyline, CPU seconds of grouping alone, what it computed)."""
    thresholds = _thresholds(flags)
    articles = run_reads(items)
    started = _cpu_seconds()
    features = run_features(articles, flags)
    pairs = candidate_pairs(features)
    edges = [(a, b, score(features[a], features[b], thresholds.model)) for a, b in sorted(pairs)]
    cache: dict = {}
    events_of, storylines_of = cluster_levels(features, edges, thresholds, features=features, cache=cache)
    return events_of, storylines_of, _cpu_seconds() - started, Grouped(features, pairs, edges, cache)


def candidate_recall(items: Sequence[Item], flags: Sequence[str] = (), grouped: Grouped | None = None) -> dict:
    """What share of the true same-group pairs a run ever scores, measured with the pipeline's own featurising,
    blocking and clustering functions on the items as one run sees them: ``recall`` counts the candidate pairs of
    blocking (``candidate_pairs``), ``scored_recall`` those and every pair inside the candidate-graph components
    that clustering scores in full (``dense_scores``, with the run's model and lowest threshold); with the pairs
    each scores per item. ``grouped``: what ``grouped_in_process`` computed on the same items with the same model."""
    thresholds = _thresholds(flags)
    if grouped is None:
        features = run_features(run_reads(items), flags)
        pairs = candidate_pairs(features)
        edges = [(a, b, score(features[a], features[b], thresholds.model)) for a, b in sorted(pairs)]
        grouped = Grouped(features, pairs, edges, {})
    features, pairs = grouped.features, grouped.pairs
    _, dense = dense_scores(
        list(features), grouped.edges, features, thresholds.model, thresholds.lowest, cache=grouped.cache
    )
    scored = set(dense) | {tuple(sorted(pair)) for pair in pairs}
    label = {i.item_id: i.label for i in items}
    by_label: dict[str, int] = {}
    for item in items:
        by_label[item.label] = by_label.get(item.label, 0) + 1
    true_pairs = sum(n * (n - 1) // 2 for n in by_label.values())

    def share(found: set) -> float:
        return round(sum(label[a] == label[b] for a, b in found) / true_pairs, 4) if true_pairs else 1.0

    return {
        "recall": share(pairs),
        "scored_recall": share(scored),
        "true_pairs": true_pairs,
        "pairs_per_item": round(len(pairs) / max(1, len(items)), 2),
        "scored_pairs_per_item": round(len(scored) / max(1, len(items)), 2),
    }


def seed_rounds(flags: Sequence[str] = ()) -> dict:
    """The seed articles through ``wirebeam run --offline`` (as ``make run`` reads them), scored against
    ``SEED_ROUNDS``, with the events and storylines they formed (expected: the three rounds, one storyline)."""
    with tempfile.TemporaryDirectory(prefix="wirebeam-seeds-") as workdir:
        db_path = Path(workdir) / "seeds.duckdb"
        run_offline(SEEDS_DIR, db_path, flags)
        with duckdb.connect(str(db_path), read_only=True) as connection:
            rows = connection.execute("SELECT source_ref, event_id, storyline_id FROM articles ORDER BY 1").fetchall()
    event_of = {source_ref[:3]: event_id for source_ref, event_id, _ in rows}
    storyline_of = {source_ref[:3]: storyline_id for source_ref, _, storyline_id in rows}
    keys = sorted(SEED_ROUNDS)

    def grouped(assignment: Mapping[str, str]) -> list[list[str]]:
        groups: dict[str, list[str]] = {}
        for key in keys:
            groups.setdefault(assignment[key], []).append(key)
        return sorted(groups.values())

    return {
        **pairwise_scores([SEED_ROUNDS[k] for k in keys], [event_of[k] for k in keys]),
        "events": grouped(event_of),
        "expected": [["000", "001"], ["002"], ["003", "004"]],
        "storylines": grouped(storyline_of),
    }


MEASURES = ("precision", "recall", "f1", "ari")


def measures_text(scores: Mapping) -> str:
    """P / R / F1 / ARI of one result as a table cell (padded to the column width)."""
    return " ".join(f"{scores[m]:.3f}" for m in MEASURES) + "    "


def held_apart(halves: Mapping[str, Sequence[Item]]) -> dict:
    """Check the halves share no label (raises if they do) and count the reports whose headline and text recur,
    under another label, in the other half (copies the corpus itself holds, not a leak of the split)."""
    labels = [{i.label for i in halves[h]} for h in HALVES]
    if labels[0] & labels[1]:
        raise AssertionError(f"labels in both halves: {sorted(labels[0] & labels[1])[:5]}")
    texts = [{(i.title, i.text) for i in halves[h]} for h in HALVES]
    return {"labels_in_both_halves": 0, "same_report_in_both_halves": len(texts[0] & texts[1])}


def _mean(halves: Sequence[Mapping], keys: Sequence[str]) -> dict:
    return {k: round(sum(h[k] for h in halves) / len(halves), 4) for k in keys}


def cross_validate(
    items: Sequence[Item], flags_for: Callable[[str], Sequence[str]], level: str = "event", in_process: bool = False
) -> dict:
    """Both halves of a corpus: the run (with ``flags_for(half)``, e.g. a model fitted on the other half) scored
    at the corpus' ``level`` (its events or its storylines against the labels; the other level is reported too) and
    the baseline (threshold chosen on the other half) on each half; their means; candidate recall; CPU."""
    halves = {h: [i for i in items if half_of_item(i) == h] for h in HALVES}
    result: dict = {"n_items": len(items), "n_true_groups": len({i.label for i in items}), "level": level}
    result["leak_check"] = held_apart(halves)
    for half, other in zip(HALVES, reversed(HALVES), strict=True):
        scored = halves[half]
        flags = list(flags_for(half))
        grouped = None
        if in_process:
            events_of, storylines_of, cpu, grouped = grouped_in_process(scored, flags)
        else:
            with tempfile.TemporaryDirectory(prefix="wirebeam-events-") as workdir:
                events_of, storylines_of, cpu = pipeline_events(scored, Path(workdir), flags)
        threshold = baseline_choose(halves[other])
        by_level = {"event": events_of, "storyline": storylines_of}
        result[f"half_{half}"] = {
            "n_items": len(scored),
            "wirebeam": {
                **score_assignment(scored, by_level[level]),
                "cpu_s_per_article": round(cpu / len(scored), 4),
            },
            "wirebeam_other_level": {
                name: score_assignment(scored, assignment) for name, assignment in by_level.items() if name != level
            },
            "baseline": {**score_assignment(scored, baseline_groups(scored, threshold)), "threshold": threshold},
            "candidates": candidate_recall(scored, flags, grouped),
        }
    parts = [result[f"half_{h}"] for h in HALVES]
    result["wirebeam"] = _mean([p["wirebeam"] for p in parts], (*MEASURES, "cpu_s_per_article"))
    result["baseline"] = _mean([p["baseline"] for p in parts], MEASURES)
    result["candidate_recall"] = _mean(
        [p["candidates"] for p in parts], ("recall", "scored_recall", "pairs_per_item", "scored_pairs_per_item")
    )
    result["f1_gain"] = round(result["wirebeam"]["f1"] - result["baseline"]["f1"], 4)
    return result


def load_corpus(name: str) -> list[Item]:
    """Items of one named corpus."""
    if name == "gvc":
        return jsonl_items(GVC_JSONL, "gvc")
    if name == "gvc_undated":
        return jsonl_items(GVC_JSONL, "gvc", with_dates=False)
    if name == "gvc_titles":
        return [replace(item, text=None) for item in jsonl_items(GVC_JSONL, "gvc")]
    if name == "ecbplus":
        return jsonl_items(ECBPLUS_JSONL, "ecbplus", with_dates=False)
    if name == "uci":
        return uci_items(UCI_CSV)
    if name == "same_topic":
        return same_topic_items(SAME_TOPIC_DIR)
    if name == "rewrites":
        with GROUND_TRUTH.open(encoding="utf-8") as handle:
            return build_rewrite_corpus(json.load(handle))
    raise ValueError(f"unknown corpus {name!r}")


CORPORA = ("gvc", "gvc_undated", "ecbplus", "uci", "same_topic", "rewrites")
FIT_CORPORA = ("gvc", "gvc_undated", "gvc_titles", "ecbplus", "uci")
"""The real labelled corpora a fold's grouping model is fitted on (their other halves); ``gvc_titles`` is GVC's
headlines alone (dated), the one set of headlines labelled by event."""
LEVELS = {
    "gvc": "storyline",
    "gvc_undated": "storyline",
    "gvc_titles": "storyline",
    "ecbplus": "event",
    "uci": "storyline",
    "same_topic": "event",
    "rewrites": "event",
}
"""The level each corpus' labels mean and are scored at. ECB+ and the synthetic corpora label single events (two
events of one kind in an ECB+ topic are two stories, so there each event is its own storyline too). UCI's stories
are broad running stories: storylines, with no event labels. GVC labels an incident together with its follow-ups
(arrest, hearings, sentencing, months apart): a storyline in the issue's own terms ("a shooting, the arrest, the
trial"); most of its reports cover the incident itself within days, so it serves as event labels too (fitting the
event thresholds) and is scored at the storyline level."""


def labelled(items: Sequence[Item], corpus: str):
    """Items as labelled reports at the corpus' level (``LEVELS``): event and storyline both the label, except
    UCI's (storylines only)."""
    from pipeline.events.fit import Labelled

    storyline_only = corpus == "uci"
    return [Labelled(i.title, i.text, i.published, None if storyline_only else i.label, i.label) for i in items]


EMBEDDINGS_CACHE = Path(__file__).resolve().parent / "work" / "embeddings.npz"
"""Sentence embeddings of the corpora's texts, by a hash of the text and the encoder (computed once; not committed)."""


def cached_embeddings(texts: Sequence[str], cache: Path = EMBEDDINGS_CACHE) -> list[tuple[float, ...]]:
    """``embeddings.embed_all`` of ``texts``, cached in ``cache`` (``embeddings.cached_embed_all``)."""
    from pipeline.events.embeddings import cached_embed_all

    return cached_embed_all(texts, cache)


def embedded(records: Sequence) -> list:
    """Labelled reports with the embeddings a ``--embeddings`` run gives them (``fit.with_embeddings``), cached."""
    from pipeline.events.fit import with_embeddings

    return with_embeddings(records, cached_embeddings)


def fit_on(half: str | None, path: Path, embeddings: bool = False) -> Path:
    """A grouping model fitted on one half (or, with ``None``, all) of every corpus of ``FIT_CORPORA``, written to
    ``path``; with ``embeddings``, on their embeddings too (``embedded``): a model of ``--embeddings`` runs."""
    from pipeline.events import fit

    corpora = {
        name: labelled([i for i in load_corpus(name) if half in (None, half_of_item(i))], name) for name in FIT_CORPORA
    }
    if embeddings:
        corpora = {name: embedded(records) for name, records in corpora.items()}
    which = f"half {half} (split by a hash of the label, ECB+'s by topic)" if half else "all"
    command = ("--fitted" if half else "--write_model") + (" --embeddings" if embeddings else "")
    note = f"benchmarks/events.py {command}: {which} of the dev corpora {', '.join(FIT_CORPORA)}"
    model = fit.fit_model(corpora, note=note)
    return fit.write_model(model, path)


BUILT_FROM = (
    Path(__file__).resolve().parents[1] / "pipeline",
    Path(__file__).resolve(),
    Path(__file__).resolve().parent / "events_cached_cv.py",
    GVC_JSONL,
    ECBPLUS_JSONL,
    UCI_CSV,
)
"""What a fitted model or featurised corpus is built from: the package's code and data files (the shipped model
included), this benchmark (its corpora readers), the cached featurising of ``events_cached_cv`` and the labelled
corpora."""


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the files of ``BUILT_FROM`` (their paths and contents; compiled files left out)."""
    digest = hashlib.sha256()
    for root in BUILT_FROM:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def built_by(embeddings: bool) -> dict[str, object]:
    """What builds a cached fold model or featurised corpus: the mode (``--embeddings`` or not) and
    ``code_digest``; a cache built by anything else is stale."""
    return {"embeddings": embeddings, "code": code_digest()}


def fold_models(workdir: Path, embeddings: bool = False) -> dict[str, Path]:
    """For each half H, a grouping model file fitted on the other half of every corpus of ``FIT_CORPORA`` (with
    ``embeddings``, ``fit_on``'s), kept in ``workdir`` and reused from there when it is already: named by what
    built it (``built_by``), so a model of the other mode or of other code is never reused."""
    workdir.mkdir(parents=True, exist_ok=True)
    key = built_by(embeddings)
    tag = f"{'embeddings' if key['embeddings'] else 'lexical'}_{key['code']}"
    models = {}
    for half, other in zip(HALVES, reversed(HALVES), strict=True):
        path = workdir / f"model_fitted_on_{other}_{tag}.json"
        models[half] = path if path.exists() else fit_on(other, path, embeddings)
    return models


def model_digests(models: Mapping[str, Path]) -> dict[str, dict[str, object]]:
    """For each half, the file of the model it is scored with, a digest of its bytes and its thresholds: two runs'
    figures come from one model exactly when these match."""
    digests = {}
    for half, path in models.items():
        content = path.read_bytes()
        thresholds = json.loads(content)["thresholds"]
        digests[half] = {
            "file": path.name,
            "sha256": hashlib.sha256(content).hexdigest()[:16],
            "thresholds": thresholds,
        }
    return digests


def _row(name: str, s: Mapping) -> str:
    return f"{name:<12} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} {s['ari']:>6.3f}"


def print_table(results: Mapping) -> None:
    """The cross-validated figures of every corpus, at its level."""
    print(
        f"\n{'corpus':<12} {'level':<9} {'n':>5} | {'wirebeam P / R / F1 / ARI':<27} |"
        f" {'baseline P / R / F1 / ARI':<27} | {'dF1':>6} {'blocked':>7} {'scored':>6} {'pairs/it':>8} {'CPU s/art':>9}"
    )
    for name, result in results.items():
        if not isinstance(result, Mapping) or "wirebeam" not in result:
            continue
        ours, base, cand = result["wirebeam"], result["baseline"], result["candidate_recall"]
        print(
            f"{name:<12} {result['level']:<9} {result['n_items']:>5} | "
            + measures_text(ours)
            + " | "
            + measures_text(base)
            + f" | {result['f1_gain']:>+6.3f} {cand['recall']:>7.3f} {cand['scored_recall']:>6.3f}"
            f" {cand['scored_pairs_per_item']:>8.1f} {ours['cpu_s_per_article']:>9.4f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen corpora through the pipeline, both halves; print the table, write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="+", choices=(*CORPORA, "seeds"), default=[*CORPORA, "seeds"])
    parser.add_argument("--fitted", action="store_true", help="Fit the grouping model on the other half.")
    parser.add_argument("--embeddings", action="store_true", help="Run wirebeam with --embeddings.")
    parser.add_argument(
        "--in_process",
        action="store_true",
        help="Group with the stage's pure functions instead of `wirebeam run` (CPU: grouping alone).",
    )
    parser.add_argument("--out", help="JSON file to write (default: benchmarks/results/events[_...].json).")
    parser.add_argument("--write_model", help="Only fit the model on all of the dev corpora and write it here.")
    parser.add_argument(
        "--fold_models",
        help="With --fitted: a directory for the fold models (model_fitted_on_{A,B}_{mode}_{code digest}.json), "
        "reused when there, else fitted and kept there.",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.write_model:
        fit_on(None, Path(args.write_model), args.embeddings)
        print(f"wrote {args.write_model}")
        return 0
    flags = ["--embeddings"] if args.embeddings else []
    results: dict = {"flags": flags, "fitted": args.fitted, "seed": SEED, "in_process": args.in_process}
    with tempfile.TemporaryDirectory(prefix="wirebeam-models-") as workdir:
        models = fold_models(Path(args.fold_models or workdir), args.embeddings) if args.fitted else {}
        results["built_by"] = {**built_by(args.embeddings), "fold_models": model_digests(models)}

        def flags_for(half: str) -> list[str]:
            return [*flags, "--grouping_model", str(models[half])] if models else flags

        for name in args.corpus:
            if name == "seeds":
                results["seeds"] = seed_rounds(flags)
                continue
            started = time.perf_counter()
            results[name] = cross_validate(load_corpus(name), flags_for, LEVELS[name], args.in_process)
            LOGGER.warning("%s done in %.0f s", name, time.perf_counter() - started)
            print_table({name: results[name]})
    print("\nCross-validated (mean of the two halves; each half scored with choices made on the other):")
    print_table(results)
    if "seeds" in results:
        seeds = results["seeds"]
        print(
            f"\nSeed articles: events {seeds['events']} (expected {seeds['expected']}), F1 {seeds['f1']}; "
            f"storylines {seeds['storylines']} (expected one)"
        )
    suffix = "" if set(args.corpus) == {*CORPORA, "seeds"} else "_" + "_".join(args.corpus)
    suffix += "_embeddings" if args.embeddings else ""
    suffix += "_in_process" if args.in_process else ""
    path = Path(args.out) if args.out else RESULTS_DIR / f"events{suffix}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
