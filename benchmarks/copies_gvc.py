"""Copies that are not copies: exact and near-duplicate links between reports of different incidents, on GVC dev.

Corpus: ``../shared/data/events/gvc-dev.jsonl`` (3,125 real local reports of 1,840 gun-violence incidents, with
the page chrome their scrapes kept). Each report becomes a JSON Lines seed record (``title``, ``text``,
``published`` and the archived page's own URL, so an article's outlet is its site; the gold ``event`` is kept
aside), and ``wirebeam run --offline`` (``pipeline.cli.main``, the shipped code path) runs on them.

Read back from the database:
- exact links: every article with ``duplicate_of`` (article -> its original);
- near links: every ``article_links`` row of method ``minhash``;
- a link is *cross-incident* when its two reports carry different gold incidents; the corpus lists a few pages
  twice under two incidents (one page reporting both): links between two rows of one page are counted apart as
  ``same_page`` and are not errors;
- junk bodies: articles whose ``body_status`` is not ``ok`` (when the column exists), per reason and per outlet.

Target (issue 13): at most 1% of the exact and of the near-duplicate links join different incidents.

The wall notices and the chrome rules were written while reading this corpus, so ``--half A`` / ``--half B``
report the two halves of a fixed split by incident apart (rules read from either half; neither is held out).

Run: ``.venv/bin/python -m benchmarks.copies_gvc [--label after] [--half A|B]`` (writes
``benchmarks/results/copies_gvc.json``, one entry per label, so "before" and "after" measurements sit side by side).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from pipeline import cli

LOGGER = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parents[1].parent / "shared/data/events/gvc-dev.jsonl"
RESULTS = Path(__file__).resolve().parent / "results/copies_gvc.json"
TARGET_CROSS_SHARE = 0.01
EXAMPLES = 8


def incident_half(label: str) -> str:
    """ "A" or "B": a fixed split of the incidents, for reporting the two halves apart."""
    return "AB"[hashlib.sha256(label.encode()).digest()[0] % 2]


def page_url(archived: str) -> str:
    """The archived page's own URL (``http://web.archive.org/web/<time>/<url>`` -> ``<url>``)."""
    path = urlsplit(archived)
    if path.hostname == "web.archive.org":
        inner = archived.split("/web/", 1)[1].split("/", 1)[1]
        return inner if "://" in inner else f"http://{inner}"
    return archived


def seed_records(rows: list[dict]) -> list[dict]:
    """One seed record per report; a page listed twice gets a distinct query parameter on its second listing."""
    seen: Counter = Counter()
    records = []
    for index, row in enumerate(rows):
        url = page_url(row["url"])
        seen[url] += 1
        if seen[url] > 1:
            url = f"{url}{'&' if '?' in url else '?'}gvc_row={index}"
        records.append({"title": row["title"], "text": row["text"], "published": row["published"], "url": url})
    return records


def link_summary(pairs: list[tuple[int, int]], rows: list[dict], titles: list[str]) -> dict:
    """Counts of links, cross-incident links (and a few examples) and same-page links."""
    cross = [(a, b) for a, b in pairs if rows[a]["event"] != rows[b]["event"] and rows[a]["url"] != rows[b]["url"]]
    same_page = sum(1 for a, b in pairs if rows[a]["url"] == rows[b]["url"])
    return {
        "links": len(pairs),
        "cross_incident": len(cross),
        "cross_share": round(len(cross) / len(pairs), 4) if pairs else 0.0,
        "same_page": same_page,
        "examples": [[titles[a][:70], titles[b][:70]] for a, b in cross[:EXAMPLES]],
    }


def measure(rows: list[dict], workdir: Path) -> dict:
    """Run the pipeline on the corpus and count its links."""
    records = seed_records(rows)
    seeds = workdir / "seeds"
    seeds.mkdir()
    with open(seeds / "gvc.jsonl", "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
    db_path = workdir / "gvc.duckdb"
    started = time.perf_counter()
    status = cli.main(["run", "--offline", "--seeds", str(seeds), "--db", str(db_path)])
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"wirebeam run exited with {status}")
    row_of_url = {record["url"]: index for index, record in enumerate(records)}
    with duckdb.connect(str(db_path), read_only=True) as connection:
        columns = {row[0] for row in connection.execute("DESCRIBE articles").fetchall()}
        status_column = "body_status" if "body_status" in columns else "NULL"
        articles = connection.execute(f"SELECT article_id, url, source, {status_column} FROM articles").fetchall()
        exact = connection.execute("SELECT article_id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL")
        exact = exact.fetchall()
        near = connection.execute("SELECT article_id, other_article_id FROM article_links WHERE method = 'minhash'")
        near = near.fetchall()
        cursor = connection.execute("SELECT * FROM runs")
        run_row = dict(zip([column[0] for column in cursor.description], cursor.fetchone(), strict=True))
    row_of_article = {article_id: row_of_url[url] for article_id, url, _, _ in articles}
    titles = [row["title"] for row in rows]
    junk = [(source, status) for _, _, source, status in articles if status not in (None, "ok")]
    return {
        "articles_stored": len(articles),
        "seconds": round(seconds, 1),
        "exact": link_summary([(row_of_article[a], row_of_article[b]) for a, b in exact], rows, titles),
        "near": link_summary([(row_of_article[a], row_of_article[b]) for a, b in near], rows, titles),
        "junk_bodies": len(junk) if status_column != "NULL" else None,
        "junk_by_reason": dict(Counter(status for _, status in junk).most_common()),
        "junk_by_source": dict(Counter(source for source, _ in junk).most_common(15)),
        "run_counts": {key: run_row.get(key) for key in ("exact_duplicates", "near_duplicates", "junk_bodies")},
    }


def print_table(label: str, result: dict) -> None:
    print(f"\nGVC dev through `wirebeam run --offline` ({label}): {result['articles_stored']} articles stored")
    print(f"{'links':<8}{'all':>6}{'cross':>7}{'share':>8}{'same page':>11}   (target: share <= {TARGET_CROSS_SHARE})")
    for kind in ("exact", "near"):
        found = result[kind]
        print(
            f"{kind:<8}{found['links']:>6}{found['cross_incident']:>7}{found['cross_share']:>8}{found['same_page']:>11}"
        )
    print(f"junk bodies: {result['junk_bodies']}  by reason {result['junk_by_reason']}")
    print(f"junk by outlet (top): {result['junk_by_source']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="after", help="Name of this measurement in the results file.")
    parser.add_argument("--workdir", type=Path, help="Keep the seeds and database here (a new directory).")
    parser.add_argument(
        "--half", choices=("A", "B"), help="Only the reports of half the incidents (split by a hash of the label)."
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if not DATA.exists():
        raise SystemExit(f"GVC dev corpus not found: {DATA}")
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    if args.half:
        rows = [row for row in rows if incident_half(row["event"]) == args.half]
    if args.workdir:
        args.workdir.mkdir(parents=True)
        result = measure(rows, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="wirebeam-gvc-") as workdir:
            result = measure(rows, Path(workdir))
    print_table(args.label, result)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    half = f" --half {args.half}" if args.half else ""
    previous[args.label] = {"command": f"python -m benchmarks.copies_gvc --label {args.label}{half}", **result}
    RESULTS.write_text(json.dumps(previous, indent=2) + "\n")


if __name__ == "__main__":
    main()
