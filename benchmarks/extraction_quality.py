"""Article-body extraction quality on the dev pages: the wirebeam pipeline versus trafilatura called directly.

Systems, on the same 60 pages of ``../shared/data/articles/html`` (ground truth: ``ground-truth.json``):

- ``pipeline (live run)``: the pages are served on 127.0.0.1 behind a generated RSS 2.0 feed and ``wirebeam run``
  polls it, fetches every page and stores it; the score is on ``articles.text`` (an article stored from the
  feed entry because its page failed scores as an empty body).
- ``pipeline extract_article``: the same extraction path without HTTP (``extract_article`` on an html
  ``RawDocument``), to tell fetching problems from extraction ones.
- ``trafilatura.extract`` (baseline): the library's default settings on the raw HTML.

Scoring follows the scrapinghub article-extraction-benchmark: text is split into ``\\w+`` tokens, compared as
multisets of 4-token shingles (fewer tokens: one shingle of all of them); per document TP/FP/FN are normalised
to sum to 1, precision and recall are averaged over documents (precision over documents with a prediction,
recall over documents with a truth), and F1 is the harmonic mean of the two averages. Plain-token (n=1) scores
are reported as well. The ratio is pipeline F1 / baseline F1 (goal: >= 1, the pipeline must not be worse).

Run: ``.venv/bin/python -m benchmarks.extraction_quality`` (writes ``benchmarks/results/extraction_quality.json``).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import logging
import re
import statistics
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
import trafilatura

from pipeline.cli import main as wirebeam
from pipeline.documents import RawDocument
from pipeline.errors import RejectedInput
from pipeline.extract import extract_article
from pipeline.sources.feedlist import Subscription, write_feed_list

LOGGER = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "articles"
RESULTS = REPO / "benchmarks" / "results" / "extraction_quality.json"
SHINGLE_SIZE = 4
_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str | None) -> list[str]:
    """Word tokens as the benchmark counts them."""
    return _TOKEN.findall(text or "")


def shingle_counts(text: str | None, size: int) -> Counter:
    """Multiset of ``size``-token shingles; a text shorter than ``size`` tokens is one shingle."""
    words = tokens(text)
    return Counter(tuple(words[start : start + size]) for start in range(max(1, len(words) - size + 1)) if words)


def match_counts(truth: str, predicted: str | None, size: int = SHINGLE_SIZE) -> tuple[float, float, float]:
    """(TP, FP, FN) of one document over shingle multisets, normalised to sum to 1 (all zero when both empty)."""
    true, pred = shingle_counts(truth, size), shingle_counts(predicted, size)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def scores(truths: Mapping[str, str], predictions: Mapping[str, str | None], size: int) -> dict[str, float]:
    """Averaged precision and recall, and their F1, over the documents of ``truths``."""
    counts = [match_counts(truths[key], predictions.get(key), size) for key in truths]
    precision = statistics.mean(_precision(*c) for c in counts if c[0] + c[1] > 0)
    recall = statistics.mean(_recall(*c) for c in counts if c[0] + c[2] > 0)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall)}


def document_f1(truth: str, predicted: str | None, size: int = SHINGLE_SIZE) -> float:
    """F1 of one document, for per-page comparisons."""
    counts = match_counts(truth, predicted, size)
    precision, recall = _precision(*counts), _recall(*counts)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def load_pages(data: Path) -> tuple[dict[str, str], dict[str, bytes]]:
    """Ground-truth bodies and raw HTML bytes, by page ID."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {key: gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes()) for key in sorted(truth)}
    return {key: truth[key].get("articleBody") or "" for key in pages}, pages


def trafilatura_direct(pages: Mapping[str, bytes]) -> dict[str, str | None]:
    """The baseline: ``trafilatura.extract`` with its defaults on each page."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return {key: trafilatura.extract(html) for key, html in pages.items()}


def pipeline_extract(pages: Mapping[str, bytes]) -> dict[str, str | None]:
    """wirebeam's extraction function on each page, as the page stage hands it over (decoded HTML)."""
    found: dict[str, str | None] = {}
    for key, html in pages.items():
        document = RawDocument(f"http://127.0.0.1/page/{key}", "feed", "html", html.decode("utf-8", "replace"))
        try:
            found[key] = extract_article(document).text
        except RejectedInput:
            found[key] = None
    return found


def _handler(routes: Mapping[str, tuple[bytes, str]]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            body, content_type = routes.get(self.path, (b"not found", "text/plain"))
            self.send_response(200 if self.path in routes else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            return

    return Handler


@contextlib.contextmanager
def serve(routes: Mapping[str, tuple[bytes, str]]) -> Iterator[str]:
    """A threaded HTTP server on 127.0.0.1 serving ``routes``; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(routes))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def rss_feed(base: str, keys: list[str]) -> bytes:
    """An RSS 2.0 feed with one item (title and link only) per page."""
    items = "".join(
        f"<item><guid>{escape(key)}</guid><title>Page {index}</title><link>{base}/page/{key}</link></item>"
        for index, key in enumerate(keys)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Benchmark pages</title>'
        f"<link>{base}/</link><description>dev pages</description>{items}</channel></rss>"
    ).encode()


def pipeline_live_run(pages: Mapping[str, bytes]) -> tuple[dict[str, str | None], dict[str, int]]:
    """Serve the pages behind a feed, run ``wirebeam run`` on it, and read back ``articles.text`` by page."""
    routes = {f"/page/{key}": (html, "text/html; charset=utf-8") for key, html in pages.items()}
    with tempfile.TemporaryDirectory() as tmp, serve(routes) as base:
        routes["/feed.xml"] = (rss_feed(base, list(pages)), "application/rss+xml")
        work = Path(tmp)
        (work / "seeds").mkdir()
        write_feed_list(work / "feeds.opml", [Subscription(f"{base}/feed.xml")])
        db = work / "wirebeam.duckdb"
        flags = ["run", "--seeds", str(work / "seeds"), "--feeds", str(work / "feeds.opml"), "--db", str(db)]
        with contextlib.redirect_stdout(io.StringIO()):  # the run's own summary
            status = wirebeam([*flags, "--min_host_interval=0", "--fetch_retries=0"])
        if status != 0:
            raise RuntimeError(f"wirebeam run exited with {status}")
        with duckdb.connect(str(db), read_only=True) as connection:
            rows = connection.execute("SELECT url, text, fallback_reason FROM articles").fetchall()
            rejected = dict(connection.execute("SELECT reason, count(*) FROM rejects GROUP BY 1").fetchall())
    texts = {url.rsplit("/", 1)[1]: text for url, text, _ in rows}
    fallbacks = sum(1 for *_, reason in rows if reason)
    return texts, {"stored": len(rows), "fallbacks": fallbacks, **{f"rejected_{r}": n for r, n in rejected.items()}}


def _timed(function: Callable, *args) -> tuple[object, float]:
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="Directory with ground-truth.json and html/.")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    truths, pages = load_pages(args.data)
    baseline, baseline_seconds = _timed(trafilatura_direct, pages)
    extracted, extract_seconds = _timed(pipeline_extract, pages)
    (live, run_counts), live_seconds = _timed(pipeline_live_run, pages)
    systems = {
        "pipeline (live run)": (live, live_seconds),
        "pipeline extract_article": (extracted, extract_seconds),
        "trafilatura.extract (baseline)": (baseline, baseline_seconds),
    }
    results = {
        name: {
            "shingle4": scores(truths, predictions, SHINGLE_SIZE),
            "token": scores(truths, predictions, 1),
            "empty": sum(1 for key in truths if not predictions.get(key)),
            "seconds": round(seconds, 2),
        }
        for name, (predictions, seconds) in systems.items()
    }
    per_page = {
        key: document_f1(truth, live.get(key)) - document_f1(truth, baseline[key]) for key, truth in truths.items()
    }
    base_f1 = results["trafilatura.extract (baseline)"]["shingle4"]["f1"]
    payload = {
        "pages": len(truths),
        "method": "scrapinghub article-extraction-benchmark: \\w+ tokens, 4-token shingle multisets, "
        "P/R averaged per document, F1 of the averages",
        "systems": results,
        "ratio_f1_pipeline_to_baseline": results["pipeline (live run)"]["shingle4"]["f1"] / base_f1,
        "ratio_f1_extract_to_baseline": results["pipeline extract_article"]["shingle4"]["f1"] / base_f1,
        "pages_pipeline_better": sum(1 for d in per_page.values() if d > 1e-9),
        "pages_pipeline_worse": sum(1 for d in per_page.values() if d < -1e-9),
        "live_run": run_counts,
    }
    print(f"Extraction quality on {len(truths)} dev pages (shingle F1 as the article-extraction-benchmark; tokens)")
    print(f"{'system':<32}{'F1':>7}{'P':>7}{'R':>7}{'tokF1':>8}{'empty':>7}{'sec':>8}")
    for name, result in results.items():
        shingle, token = result["shingle4"], result["token"]
        print(
            f"{name:<32}{shingle['f1']:>7.3f}{shingle['precision']:>7.3f}{shingle['recall']:>7.3f}"
            f"{token['f1']:>8.3f}{result['empty']:>7}{result['seconds']:>8.1f}"
        )
    print(
        f"ratio F1 pipeline/baseline: {payload['ratio_f1_pipeline_to_baseline']:.3f} "
        f"(pages better {payload['pages_pipeline_better']}, worse {payload['pages_pipeline_worse']}); "
        f"live run: {run_counts}"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
