"""Event grouping is a function of the input and the stored database: through ``wirebeam run --offline`` in fresh
processes, another string-hash seed (``PYTHONHASHSEED``), another order of the records across other seed files and
more Beam worker processes leave every article's event and storyline as they were, in one run and into a stored
database; and clustering a candidate graph too large to score in full (cut by spectral bisection) does not follow
the order its ids and edges come in."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from benchmarks.events import SAME_TOPIC_DIR, same_topic_items, uci_items
from pipeline.events.blocking import candidate_pairs
from pipeline.events.cluster import cluster_levels
from pipeline.events.features import batch_features
from pipeline.events.score import DEFAULT_THRESHOLDS, score
from tests.conftest import query, shared_data
from tests.events.test_grouping import HEADLINES, T0

REPO = Path(__file__).resolve().parents[2]


def _records() -> list[dict]:
    """Seed records of real-looking news: the same-topic corpus (dated full texts of several events per topic) and
    real UCI headlines of three stories."""
    records = []
    for item in same_topic_items(SAME_TOPIC_DIR):
        published = item.published.isoformat()
        records.append(
            {"title": item.title, "text": item.text, "url": item.url, "source": item.source, "published": published}
        )
    for minutes, (key, title) in enumerate(sorted(HEADLINES.items())):
        published = T0.replace(minute=minutes).isoformat()
        records.append({"title": title, "url": f"https://headlines.example/{key}", "published": published})
    return records


def _write_seeds(directory: Path, records: list[dict], files: int) -> Path:
    """The records as JSON Lines seed files, dealt round-robin over ``files`` files."""
    directory.mkdir(parents=True)
    for number in range(files):
        lines = [json.dumps(record) for record in records[number::files]]
        (directory / f"part-{number}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def _run(seeds: Path, db: Path, hash_seed: int, *flags: str) -> None:
    """``wirebeam run --offline`` in a fresh process with its own string-hash seed."""
    command = [sys.executable, "-m", "pipeline", "run", "--offline", "--seeds", str(seeds), "--db", str(db), *flags]
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    subprocess.run(
        command, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600
    )


def _grouping(db: Path) -> dict[str, tuple[str, str]]:
    """Each stored article's URL with its event and storyline IDs."""
    return {url: (event, story) for url, event, story in query(db, "SELECT url, event_id, storyline_id FROM articles")}


def _shuffled(records: list[dict], seed: int) -> list[dict]:
    shuffled = list(records)
    random.Random(seed).shuffle(shuffled)
    return shuffled


def test_a_run_groups_alike_whatever_the_hash_seed_record_order_and_workers(tmp_path: Path):
    records = _records()
    _run(_write_seeds(tmp_path / "first", records, 1), tmp_path / "first.duckdb", 1)
    again = _write_seeds(tmp_path / "again", _shuffled(records, 7), 3)
    _run(again, tmp_path / "again.duckdb", 2, "--direct_num_workers", "2", "--direct_running_mode", "multi_processing")
    first = _grouping(tmp_path / "first.duckdb")
    assert len(first) == len(records)
    assert len(set(first.values())) < len(records) / 2  # the corpus' reports do group
    assert _grouping(tmp_path / "again.duckdb") == first


def test_new_reports_join_stored_events_alike_whatever_the_hash_seed_and_record_order(tmp_path: Path):
    records = _records()
    stored, new = records[::2], records[1::2]
    groupings = []
    for attempt, hash_seed in enumerate((3, 4)):
        db = tmp_path / f"{attempt}.duckdb"
        _run(_write_seeds(tmp_path / f"stored-{attempt}", _shuffled(stored, attempt), 1 + attempt), db, hash_seed)
        _run(_write_seeds(tmp_path / f"new-{attempt}", _shuffled(new, attempt), 2 - attempt), db, hash_seed + 10)
        groupings.append(_grouping(db))
    assert len(groupings[0]) == len(records)
    assert groupings[1] == groupings[0]


def test_a_component_cut_into_parts_clusters_alike_whatever_the_order_of_its_ids_and_edges():
    """900 real UCI headlines form one candidate component of 895: with parts of at most 250 it is cut by spectral
    bisection (``lobpcg`` above 200), whose float results must not follow the order ids and edges come in."""
    items = uci_items(shared_data("headlines", "uci-news-aggregator-dev.csv"))[:900]
    features = batch_features({item.item_id: (item.title, None, item.published) for item in items})
    edges = [(a, b, score(features[a], features[b])) for a, b in sorted(candidate_pairs(features))]
    assert _largest_component(features, edges, DEFAULT_THRESHOLDS.lowest) > 250  # so it is cut
    first = cluster_levels(features, edges, DEFAULT_THRESHOLDS, features=features, max_dense=250)
    assert 10 < len(set(first[1].values())) < len(items) / 2
    for seed in range(3):
        ids = _shuffled(list(features), seed)
        shuffled = [(b, a, value) if seed % 2 else (a, b, value) for a, b, value in _shuffled(edges, seed)]
        assert cluster_levels(ids, shuffled, DEFAULT_THRESHOLDS, features=features, max_dense=250) == first


def _largest_component(ids, edges, min_edge: float) -> int:
    """The size of the largest component of the edges scoring ``min_edge`` or more."""
    index = {item: number for number, item in enumerate(ids)}
    strong = [(index[a], index[b]) for a, b, value in edges if value >= min_edge]
    rows, columns = zip(*strong, strict=True) if strong else ((), ())
    graph = coo_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(index), len(index)))
    _, labels = connected_components(graph, directed=False)
    return int(np.bincount(labels).max())
