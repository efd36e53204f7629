"""Extraction: ``RawDocument`` -> ``ExtractedArticle`` (headline, body, date, author, outlet).

Plain-text articles lose their page chrome (breadcrumbs, "Advertisement · Scroll to continue", "Tags:" tails);
HTML pages go through trafilatura, whose ``None`` (page rejected) becomes a reject reason.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
import warnings
from collections.abc import Iterable

import apache_beam as beam
import trafilatura
from trafilatura.settings import set_date_params

from pipeline.dates import parse_date_line, parse_datetime
from pipeline.documents import ExtractedArticle, RawDocument
from pipeline.errors import REJECTS, RejectedInput, emit_reject, unexpected
from pipeline.outputs import SplitOutputs
from pipeline.text import clean_line, html_to_text

STAGE = "extract"
LOGGER = logging.getLogger(__name__)
TIMEOUT = "extraction_timeout"
EXTRACT_TIMEOUT_SECONDS = 30.0
"""Longest a web page's extraction may take."""
MAX_HTML_CHARS = 5_000_000
MAX_TITLE_CHARS = 300
DATE_LINE_WINDOW = 4
"""How many lines after the headline may hold a dateline."""
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
"""Dates of pages keep their time of day and offset where the page states them (htmldate's default is the day)."""

_CHROME_LINE = re.compile(
    r"^(advertisement(\s*[·•|-]\s*scroll to continue)?|scroll to continue|skip to (main )?content"
    r"|share( this( article| story)?)?|print|e-?mail|listen to (this )?article)$",
    re.IGNORECASE,
)
_TAIL_MARKER = re.compile(r"^(tags|related( articles| stories| topics)?|read more)\s*:?\s*$", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^(data )?sourced? from\s*:\s*(?P<source>\S.{0,80})$", re.IGNORECASE)
_BREADCRUMB = re.compile(r"^[•›»>·|]|/$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def title_from_text(text: str) -> str:
    """A headline for an untitled article: its first sentence, cut at a word boundary."""
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0].splitlines()[0]
    if len(first) <= MAX_TITLE_CHARS:
        return first
    return first[:MAX_TITLE_CHARS].rsplit(" ", 1)[0] + "…"


def parse_text_article(text: str) -> tuple[str, str, dict]:
    """(headline, body, stated metadata) of a plain-text article whose first real line is the headline."""
    lines = [clean_line(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    while lines and _BREADCRUMB.search(lines[0]):
        lines.pop(0)
    if not lines:
        raise RejectedInput("no_text", "only page chrome, no headline")
    title, rest = lines[0], lines[1:]
    meta: dict = {}
    body: list[str] = []
    for index, line in enumerate(rest):
        if _TAIL_MARKER.match(line):
            break
        if line == title or _CHROME_LINE.match(line):
            continue
        if source := _SOURCE_LINE.match(line):
            meta["source"] = source.group("source").strip()
            continue
        if index < DATE_LINE_WINDOW and "published" not in meta and (stated := parse_date_line(line)):
            meta["published"] = stated
            continue
        body.append(line)
    return title[:MAX_TITLE_CHARS], "\n".join(body), meta


def extract_html(html: str, url: str | None) -> dict:
    """Article fields of a web page, by trafilatura; rejects pages it finds no article in."""
    if len(html) > MAX_HTML_CHARS:
        raise RejectedInput("page_too_large", f"{len(html)} characters, the limit is {MAX_HTML_CHARS}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params={**set_date_params(), "outputformat": DATE_FORMAT},
        )
    if document is None or not (document.text or "").strip():
        raise RejectedInput("no_article_found", "trafilatura found no main text in the page")
    return {
        "title": document.title,
        "text": document.text,
        "summary": document.description,
        "published": _with_time_of_day(document.date, html),
        "author": document.author,
        "site_name": document.sitename,
        "language": document.language,
        "categories": _as_list(document.categories),
        "url": document.url,
    }


_JSON_LD_PUBLISHED = re.compile(r'"datePublished"\s*:\s*"(\d{4}-\d\d-\d\dT[^"]{2,30})"')
_DAY_ONLY = "T00:00:00"


def _with_time_of_day(date: str | None, html: str) -> str | None:
    """htmldate's date of a page with the time and offset of the page's JSON-LD ``datePublished`` for that day:
    htmldate keeps only the day of a JSON-LD date (``2026-08-12T07:45:00+02:00`` came out as midnight UTC)."""
    if not date or not date.endswith(_DAY_ONLY):
        return date
    stated = (value for value in _JSON_LD_PUBLISHED.findall(html) if value[:10] == date[:10])
    return next((value for value in stated if parse_datetime(value) is not None), date)


def _as_list(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value if item]
    return [item.strip() for item in str(value).split(",") if item.strip()] if value else []


def _first(*values: object) -> object:
    return next((value for value in values if value not in (None, "", [])), None)


def _stated_outlet(stated: dict) -> str | None:
    """The outlet a source named, unless it is only the title of the feed the entry came in: an aggregator's or
    a saved feed's title is no entry's site (the page's site name, else the entry URL's host, names it then)."""
    source = stated.get("source")
    return None if source and source == stated.get("feed_title") else source


def extract_article(document: RawDocument) -> ExtractedArticle:
    """The article in a document; raises ``RejectedInput`` when there is none."""
    stated = document.meta
    found: dict = {}
    text = None
    fallback_reason = stated.get("fallback_reason")
    if document.body_format == "text_file":
        title, text, found = parse_text_article(document.body)
        found["title"] = title
    elif document.body_format == "html":
        try:
            found = extract_html(document.body, stated.get("url"))
            text = found.pop("text")
        except RejectedInput as error:
            if "fallback_text" not in stated:
                raise
            # a feed entry's page without an article: the entry's own text stands in, flagged
            fallback_reason, text = error.reason, stated["fallback_text"]
    elif document.body_format == "text":
        text = "\n".join(clean_line(line) for line in document.body.splitlines() if line.strip())
    summary = _first(stated.get("summary"), found.get("summary"))
    summary = html_to_text(str(summary)) if summary else None
    title = _first(stated.get("title"), found.get("title"))
    title = " ".join((html_to_text(str(title)) or "").splitlines()) if title else None
    if not title:
        title = _first(text, summary)
        if not title:
            raise RejectedInput("missing_title", "no headline and no text to take one from")
        title = title_from_text(str(title))
    published = _first(stated.get("published"), found.get("published"))
    categories = _first(stated.get("categories"), found.get("categories")) or []
    return ExtractedArticle(
        source_ref=document.source_ref,
        origin=document.origin,
        title=title,
        text=text or None,
        summary=summary if summary != title else None,
        url=_first(stated.get("url"), found.get("url")),
        source=_stated_outlet(stated) or found.get("source"),
        site_name=found.get("site_name"),
        author=_first(stated.get("author"), found.get("author")),
        language=_first(stated.get("language"), found.get("language")),
        categories=tuple(str(category) for category in categories),
        published_at=parse_datetime(published),
        feed_url=stated.get("feed_url"),
        feed_title=stated.get("feed_title"),
        entry_key=stated.get("entry_key"),
        fallback_reason=fallback_reason,
    )


EXTRACTOR_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext")
"""The libraries whose log lines are about one page they give up on ("discarding data: None", "empty HTML tree"):
each such page is a reject row already, so they are shown only from INFO on (``--verbose``)."""


def quiet_extractors(level: int) -> None:
    """Set `EXTRACTOR_LOGGERS` for a process logging at ``level``."""
    for name in EXTRACTOR_LOGGERS:
        logging.getLogger(name).setLevel(level if level <= logging.INFO else logging.CRITICAL)


def _start_extraction_process(level: int, log_format: str | None) -> None:
    """Logging of the extraction process as the launcher's: its level and format (a spawned process has none of
    its own, and its lines would come out raw, even after the run's summary), the extractors quiet."""
    logging.basicConfig(level=level, format=log_format or logging.BASIC_FORMAT, force=True)
    quiet_extractors(level)


def _extract_in_worker(document: RawDocument) -> ExtractedArticle | tuple[str, str | None, str | None]:
    """:func:`extract_article` in the extraction process; a reject comes back as its plain fields (exceptions with
    extra fields do not survive pickling whole)."""
    try:
        return extract_article(document)
    except RejectedInput as error:
        return error.reason, error.detail, error.source_ref


class _ExtractArticle(beam.DoFn):
    """Extracts web pages in a child process with a time limit (trafilatura can spin on some pages): a page
    taking longer is rejected as ``extraction_timeout`` and the child is replaced. A daemonic worker process (Dask's
    default) may have no children: there pages are extracted in the worker itself, without the limit."""

    def __init__(self, timeout: float):
        self._timeout = timeout
        self._pool = None
        self._in_worker = False

    def setup(self) -> None:
        self._pool = None
        quiet_extractors(logging.getLogger().getEffectiveLevel())
        self._in_worker = multiprocessing.current_process().daemon
        if self._in_worker:
            LOGGER.warning(
                "a daemonic worker process cannot start the child that enforces the %g s extraction time limit: "
                "pages are extracted without it (on Dask: DASK_DISTRIBUTED__WORKER__DAEMON=False)",
                self._timeout,
            )

    def _extract(self, document: RawDocument) -> ExtractedArticle:
        if document.body_format != "html" or self._in_worker:
            return extract_article(document)
        if self._pool is None:
            root = logging.getLogger()
            log_format = next((handler.formatter._fmt for handler in root.handlers if handler.formatter), None)
            start = (root.getEffectiveLevel(), log_format)
            self._pool = multiprocessing.get_context("spawn").Pool(1, _start_extraction_process, start)
        pending = self._pool.apply_async(_extract_in_worker, (document,))
        try:
            result = pending.get(self._timeout)
        except multiprocessing.TimeoutError:
            self._pool.terminate()
            self._pool = None
            raise RejectedInput(TIMEOUT, f"no result within {self._timeout:g} s") from None
        if isinstance(result, tuple):
            raise RejectedInput(*result)
        return result

    def process(self, document: RawDocument) -> Iterable:
        try:
            article = self._extract(document)
            if article.fallback_reason and document.body_format == "html":
                failure = RejectedInput(article.fallback_reason, "no article in the page; the entry's text is stored")
                yield emit_reject(document.source_ref, STAGE, failure, document.body)
            yield article
        except RejectedInput as error:
            yield emit_reject(document.source_ref, STAGE, error, document.body)
        except Exception as error:  # one bad page must not stop the run: it becomes a reject
            yield emit_reject(document.source_ref, STAGE, unexpected(error, document.source_ref), document.body)

    def teardown(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None


class ExtractArticles(beam.PTransform):
    """``RawDocument``s -> ``ExtractedArticle``s (main) and ``Reject``s (``rejects``); a web page gets at most
    ``timeout`` seconds."""

    def __init__(self, timeout: float = EXTRACT_TIMEOUT_SECONDS):
        super().__init__()
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout!r}")
        self._timeout = timeout

    def expand(self, documents):
        return (
            documents
            | "ExtractArticle" >> beam.ParDo(_ExtractArticle(self._timeout))
            | "ExtractOutputs" >> SplitOutputs(REJECTS, main="articles")
        )
