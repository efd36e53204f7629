"""Same enrichment before and after a cost change: every output of ``enrich_article`` on the real texts, compared.

A speed change to the enrichers must leave their outputs as they were. ``dump`` writes the enrichment of every
real text in ``../shared/data`` with a body or a labelled headline (the dev halves of the place and event corpora,
the 60 article bodies, the labelled headlines and article leads: 4,268 texts) to a JSON file; ``compare`` counts
the texts whose outputs differ, per field. Run once before the change and once after:

    .venv/bin/python -m benchmarks.enrichment_same dump /tmp/before.json
    .venv/bin/python -m benchmarks.enrichment_same dump /tmp/after.json
    .venv/bin/python -m benchmarks.enrichment_same compare /tmp/before.json /tmp/after.json
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

FIELDS = ("language", "actors", "locations", "event_type", "event_date", "figures", "keywords")


def texts() -> list[tuple[str, str | None, datetime | None, str | None]]:
    """(title, text, publication date, url) of every real text."""
    from benchmarks.enrichment import CORPORA, DATA, _name_items, load_corpus

    documents = [(d["title"] or "", d["text"], None, d.get("source")) for name in CORPORA for d in load_corpus(name)]
    for name in ("gvc", "ecbplus"):
        with (DATA / "events" / f"{name}-dev.jsonl").open() as handle:
            for line in map(json.loads, handle):
                published = datetime.fromisoformat(line["published"]) if line["published"] else None
                documents.append((line["title"] or "", line["text"], published, line["url"]))
    bodies = json.loads((DATA / "articles" / "ground-truth.json").read_text()).values()
    documents += [("", body["articleBody"], None, body["url"]) for body in bodies]
    return documents + [(item["title"] or "", item["text"], None, None) for item in _name_items()]


def dump(path: Path) -> int:
    """Write every text's enrichment to ``path``; the number of texts."""
    from pipeline.enrich.enrich import enrich_article

    out = [asdict(enrich_article(title, text, published, url)) for title, text, published, url in texts()]
    path.write_text(json.dumps(out, default=str))
    return len(out)


def compare(before: Path, after: Path) -> dict[str, int]:
    """Field -> number of texts whose output differs (a missing text counts as differing in every field)."""
    old, new = json.loads(before.read_text()), json.loads(after.read_text())
    if len(old) != len(new):
        return dict.fromkeys(FIELDS, abs(len(old) - len(new)))
    return {name: sum(a[name] != b[name] for a, b in zip(old, new, strict=True)) for name in FIELDS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dump").add_argument("path", type=Path)
    both = commands.add_parser("compare")
    both.add_argument("before", type=Path)
    both.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        print(f"{dump(args.path)} texts -> {args.path}")
        return 0
    differing = compare(args.before, args.after)
    for name, count in differing.items():
        print(f"{name:12} {count} texts differ")
    return 1 if any(differing.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
