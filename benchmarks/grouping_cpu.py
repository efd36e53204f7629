"""CPU of event grouping's pure functions, step by step, and a digest of what they compute.

Calls the grouping functions as the scale benchmark's plain-loop floor (and the pipeline's stage) does, over one
batch of articles: term counts, document frequencies, features, blocking keys, each block's candidates
(``block_candidates``), their screen (``reaching_pairs``) and the exact scores of those it keeps, each pair once.
Prints the CPU milliseconds per article of each step (the least over ``--repeats``: steadier than a whole run on a
shared machine) and a SHA-256 digest of the features, keys and edges: two versions of the code that compute the same
values print the same digest.

Articles: the scale benchmark's synthetic ~500-word texts (``--articles``, headline from the first words, dated),
or a real corpus of ``../shared/data/events`` (``--corpus gvc|ecbplus``, every report, as the pipeline reads them)
or UCI's dev headlines (``--corpus uci``).

Run: ``nice -n 15 .venv/bin/python -m benchmarks.grouping_cpu [--articles 4000 | --corpus gvc|ecbplus|uci]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

EVENTS_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "events"


def synthetic(size: int) -> list[tuple[str, str, str, datetime | None]]:
    """``(id, title, text, published)`` of the scale benchmark's corpus (as ``incremental.write_seeds`` dates it)."""
    from benchmarks.neardup_speed import synthetic_corpus

    texts, _ = synthetic_corpus(size)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    return [
        (f"a{index:07d}", " ".join(text.split()[:9]), text, start + timedelta(minutes=7 * index))
        for index, text in enumerate(texts)
    ]


def corpus(name: str) -> list[tuple[str, str, str | None, datetime | None]]:
    """``(id, title, text, published)`` of every report of a real event corpus (UCI: its dated headlines)."""
    if name == "uci":
        from benchmarks.events import UCI_CSV, uci_items

        items = uci_items(UCI_CSV)
        return [(f"a{index:07d}", item.title, item.text, item.published) for index, item in enumerate(items)]
    articles = []
    lines = (EVENTS_DATA / f"{name}-dev.jsonl").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        record = json.loads(line)
        published = record.get("published")
        when = datetime.fromisoformat(published).replace(tzinfo=timezone.utc) if published else None
        articles.append((f"a{index:07d}", record["title"], record["text"], when))
    return articles


def grouping(articles: list[tuple[str, str, str, datetime | None]]) -> tuple[dict[str, float], str]:
    """CPU seconds of each grouping step over ``articles`` and the digest of the values computed."""
    from pipeline.events.blocking import block_candidates, block_member, blocking_keys, oversized, reaching_pairs
    from pipeline.events.features import features_from_counts, term_counts
    from pipeline.events.score import DEFAULT_THRESHOLDS, score

    model, floor = DEFAULT_THRESHOLDS.model, DEFAULT_THRESHOLDS.lowest
    cpu: dict[str, float] = {}
    clock = time.process_time()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.process_time()
        cpu[step] = now - clock
        clock = now

    counts = {item: term_counts(title, text) for item, title, text, _ in articles}
    lap("term_counts")
    doc_freq = Counter(term for counted in counts.values() for term in counted.terms())
    lap("doc_freq")
    features = {
        item: features_from_counts(counts[item], published, doc_freq, len(articles))
        for item, _, _, published in articles
    }
    lap("features_from_counts")
    keys = {item: frozenset(blocking_keys(feature)) for item, feature in features.items()}
    lap("blocking_keys")
    blocks = defaultdict(list)
    for item, item_keys in keys.items():
        for key in item_keys:
            blocks[key].append(item)
    # as the stage: a member brings the keys whose blocks hold another article, and those of them oversized
    shared = {key: block for key, block in blocks.items() if len(block) >= 2}
    large = {key for key, block in shared.items() if oversized(key, len(block))}
    members = {
        item: (features[item].first_seen, item_keys & shared.keys(), item_keys & large, features[item].full_text)
        for item, item_keys in keys.items()
    }
    packed = {item: block_member(item, features[item], *members[item][1:3])[1] for item in keys}
    candidates = {key: block_candidates(key, {item: members[item] for item in block}) for key, block in shared.items()}
    lap("block_candidates")
    edges, scored = [], set()
    for pairs in candidates.values():
        for pair in reaching_pairs(pairs, packed, model, floor):
            if pair not in scored:
                scored.add(pair)
                similarity = score(features[pair[0]], features[pair[1]], model)
                if similarity >= floor:
                    edges.append((*pair, similarity))
    lap("screen_and_score")
    digest = hashlib.sha256()
    for item in sorted(features):
        digest.update(json.dumps([item, features[item].to_dict(), sorted(keys[item])], sort_keys=True).encode())
    digest.update(json.dumps(sorted(edges)).encode())
    digest.update(json.dumps(sorted(pair for pairs in candidates.values() for pair in pairs)).encode())
    return cpu, digest.hexdigest()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=4000, help="Synthetic articles (unless --corpus).")
    parser.add_argument(
        "--corpus", choices=("gvc", "ecbplus", "uci"), default=None, help="A real event corpus instead."
    )
    parser.add_argument("--repeats", type=int, default=3, help="Runs of the steps; the least CPU of each is shown.")
    args = parser.parse_args(argv)
    articles = corpus(args.corpus) if args.corpus else synthetic(args.articles)
    best: dict[str, float] = {}
    digests = set()
    for _ in range(args.repeats):
        cpu, digest = grouping(articles)
        digests.add(digest)
        for step, seconds in cpu.items():
            best[step] = min(best.get(step, seconds), seconds)
    print(f"{len(articles)} articles ({args.corpus or 'synthetic'}), least CPU of {args.repeats} runs")
    for step, seconds in best.items():
        print(f"{step:24s} {1000 * seconds / len(articles):7.3f} ms/article")
    print(f"{'grouping':24s} {1000 * sum(best.values()) / len(articles):7.3f} ms/article")
    print("digest", *sorted(digests))


if __name__ == "__main__":
    main()
