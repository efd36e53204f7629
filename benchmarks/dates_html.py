"""Publication dates from web pages: what the extraction stage finds on the 60 dev pages, checked against each
page's own metadata.

Pages: ``../shared/data/articles/html`` (real news and blog pages of 2019). For each page:

- found: ``published_at`` of ``pipeline.extract.extract_article`` on the page as an html ``RawDocument`` (the
  shipped path: trafilatura's metadata, i.e. htmldate, with its original-date search);
- truth: the publication date the page states about itself in structured metadata, first of: JSON-LD
  ``datePublished``, ``<meta property="article:published_time">`` (or ``og:published_time``), any element with
  ``itemprop="datePublished"`` (``content`` or ``datetime``), ``<meta name=...>`` of ``pubdate``, ``publishdate``,
  ``date``, ``dc.date.issued``, ``sailthru.date``, ``parsely-pub-date`` (placeholders before 1995 skipped); pages
  stating none have no truth.

Reported: share of pages with a date found; among pages with a truth, share whose found date is the same day
(and within one day, as time zones move a date across midnight).

Run: ``.venv/bin/python -m benchmarks.dates_html`` (writes ``benchmarks/results/dates_html.json``).
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from datetime import date
from pathlib import Path

from pipeline.documents import RawDocument
from pipeline.errors import RejectedInput
from pipeline.extract import extract_article

LOGGER = logging.getLogger(__name__)

PAGES = Path(__file__).resolve().parents[1].parent / "shared/data/articles"
RESULTS = Path(__file__).resolve().parent / "results/dates_html.json"
_DAY = r"(\d{4}-\d{2}-\d{2})"
EARLIEST_YEAR = 1995
_TRUTH_PATTERNS = [
    re.compile(r'"datePublished"\s*:\s*"' + _DAY),
    re.compile(
        r'<meta[^>]+(?:property|name)="(?:article:published_time|og:published_time)"[^>]+content="' + _DAY, re.I
    ),
    re.compile(r'<meta[^>]+content="' + _DAY + r'[^"]*"[^>]+(?:property|name)="(?:article:published_time)"', re.I),
    re.compile(r'itemprop="datePublished"[^>]*(?:content|datetime)="' + _DAY, re.I),
    re.compile(r'(?:content|datetime)="' + _DAY + r'[^"]*"[^>]*itemprop="datePublished"', re.I),
    re.compile(
        r'<meta[^>]+name="(?:pubdate|publishdate|date|dc\.date\.issued|sailthru\.date|parsely-pub-date)"'
        r'[^>]+content="' + _DAY,
        re.I,
    ),
]


def stated_date(html: str) -> date | None:
    """The publication date a page states in its structured metadata (see the module docstring)."""
    for pattern in _TRUTH_PATTERNS:
        for found in pattern.finditer(html):
            stated = date.fromisoformat(found.group(1))
            if stated.year >= EARLIEST_YEAR:  # placeholders such as 0001-01-01 state nothing
                return stated
    return None


def found_date(html: str, url: str) -> date | None:
    """The publication date the extraction stage stores for the page."""
    document = RawDocument(url, "feed", "html", html, {"url": url})
    try:
        article = extract_article(document)
    except RejectedInput:
        return None
    return article.published_at.date() if article.published_at else None


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    truth_file = json.loads((PAGES / "ground-truth.json").read_text(encoding="utf-8"))
    rows = []
    for page_id, item in sorted(truth_file.items()):
        html = gzip.decompress((PAGES / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8")
        rows.append({"page": page_id, "truth": stated_date(html), "found": found_date(html, item["url"])})
    with_truth = [row for row in rows if row["truth"]]
    same_day = sum(row["found"] == row["truth"] for row in with_truth)
    near = sum(row["found"] is not None and abs((row["found"] - row["truth"]).days) <= 1 for row in with_truth)
    result = {
        "pages": len(rows),
        "with_date_found": sum(row["found"] is not None for row in rows),
        "with_stated_date": len(with_truth),
        "found_same_day": same_day,
        "found_within_one_day": near,
        "missed": sum(row["found"] is None for row in with_truth),
        "wrong": [
            {"page": row["page"], "stated": str(row["truth"]), "found": str(row["found"])}
            for row in with_truth
            if row["found"] != row["truth"]
        ],
    }
    found = result["with_date_found"]
    print(f"{len(rows)} pages: a date found on {found} ({found / len(rows):.0%})")
    print(
        f"{len(with_truth)} state their date in metadata: found the same day on {same_day} "
        f"({same_day / len(with_truth):.0%}), within a day on {near}, none found on {result['missed']}"
    )
    for wrong in result["wrong"]:
        print(f"  {wrong['page']}: stated {wrong['stated']}, found {wrong['found']}")
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
