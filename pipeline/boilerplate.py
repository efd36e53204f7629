"""Site chrome out of article bodies: repeated paragraphs stripped, junk bodies flagged.

Scraped pages keep text that is not the article: cookie and newsletter blocks, "We have sent you a verification
email", subscriber walls, share buttons, footers. Two different reports that share it must not look alike, so
before exact and near-duplicate detection, event features and enrichment:

- **Repeated paragraphs are chrome** (line-level deduplication, as CCNet and datatrove do): a paragraph (a line of
  the body) found in at least ``MIN_SOURCE_REPEATS`` articles of one outlet (counted by distinct headline, so
  copies of one story count once), or a short one in articles of at least ``MIN_OUTLETS`` outlets, is removed
  from the body. Only the paragraph's normalized hash is counted.
- **Junk bodies are flagged, not deduplicated**: a body left empty, or with fewer than ``MIN_BODY_WORDS`` words
  after chrome and known walls (consent, login, subscription, verification email, newsletter, "enable
  JavaScript") are removed is no article body. The article keeps its headline (a short real remainder becomes
  its summary when it has none), ``body_status`` says why, and ``original_text`` keeps what was extracted.

``text`` holds the cleaned body; ``original_text`` the extracted one whenever they differ.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container, Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipeline.normalize import content_fields
from pipeline.packing import pack, unpack
from pipeline.staging import LOOKUP_BUCKETS, bucket, lookup
from pipeline.text import normalized_content
from schemas.models import Article, ArticleParagraphs

MIN_SOURCE_REPEATS = 3
"""A paragraph in this many articles (distinct headlines) of one outlet is that outlet's chrome."""
MIN_OUTLETS = 5
"""A short paragraph in articles of this many outlets is chrome everywhere (copyright lines, share buttons)."""
MAX_SHARED_WORDS = 30
"""Longest paragraph counted across outlets: longer shared passages are syndicated copy, not chrome."""
MIN_BODY_WORDS = 20
"""A body with fewer words left is no article body."""
MAX_WALL_WORDS = 80
"""Longest paragraph that can be a wall notice."""
OK = "ok"

WALLS: dict[str, re.Pattern] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "verification_wall": r"\b(verification|confirmation) (email|e-mail|message)\b|\bactivate your\b.{0,30}"
        r"\b(profile|account)\b|\bthank you for registering\b",
        "login_wall": r"\b(sign|log) ?in (using|with|to (continue|read|comment))\b|\bplease (sign|log) ?in\b|"
        r"\bwelcome back\b|\balready have an account\b|\bregistration information\b|\bowner of this article\b|"
        r"\bcomplete your registration\b|\bsign in to (update|manage|access)\b|\bupdate your profile\b",
        "subscription_wall": r"\balready a (subscriber|member)\b|\bfull[- ]access subscriber\b|\bwithout a "
        r"subscription\b|\bsubscribe (now|today)\b|\bsubscription (offers|service)\b|\bdigital access\b|"
        r"\bpremium clicks\b|\bmaximum number of (free )?(stories|articles)\b|\bhome delivery\b|"
        r"\bpreview of \S+\.com\b|\b(free|remaining) articles? (left|remaining)\b",
        "newsletter_wall": r"\bemail notifications?\b|\bnewsletters?\b.{0,60}\b(sign up|inbox|submit|subscribe)\b|"
        r"\bsign up for (our|one of our)\b.{0,40}\bnewsletters?\b|\bnotification has been saved\b|"
        r"\bproblem saving your notification\b",
        "consent_wall": r"\b(we|this (site|website)) uses? cookies\b|\bcookie (policy|settings|consent)\b|"
        r"\baccept (all )?cookies\b|\bmanage (your )?(privacy|consent) (settings|preferences)\b|"
        r"\bby (continuing|using this (site|website))\b.{0,40}\b(agree|consent|cookies)\b",
        "javascript_required": r"\b(enable|turn on|requires?) javascript\b|\bjavascript (is )?(disabled|required)\b|"
        r"\bupdate your browser\b|\bdisabling any ad blocking\b",
    }.items()
}
CHROME_LINE = re.compile(
    r"^(advertisement|close|print|e-?mail|share( this( article| story)?)?|share this: .{0,40}|twitter|facebook|"
    r"pinterest|google\+?|linkedin|reddit|more|photos?|video|comments?|\d+ (pending )?comments|like this: .*|"
    r"\d+ of \d+|\d{1,2}:\d\d( (?![ap]\.?m\b).*)?|[-_=*•·|]+|skip to (main )?content|scroll to continue|"
    r"read more|related( stories)?)$",
    re.IGNORECASE,
)
"""Lines that are page chrome on any site (buttons, counters, separators)."""
_ANY_WALL = re.compile(r"[^\w](?:" + "|".join(f"(?:{pattern.pattern})" for pattern in WALLS.values()) + ")")
"""Every wall at once, case-sensitive: on an ASCII paragraph lower-cased it matches exactly when one of ``WALLS``
does (their letters are lower case), in one scan instead of six case-insensitive ones (0.6 ms an article). Searched
in the paragraph after a space: every wall begins with ``\b`` and a letter, so a match starts after a non-word
character, and led by that class the search skips to such places in the engine's own loop instead of trying the
whole alternation at every character (25 -> 17 us a 340-character paragraph)."""
_ANY_WALL_ANY_CASE = re.compile(_ANY_WALL.pattern, re.IGNORECASE)
"""Every wall at once, case-insensitive: matches exactly when one of ``WALLS`` does, on any paragraph (after a
space, as ``_ANY_WALL``); one scan costs 0.6 of the six, twice the lower-cased one."""
CASE_TRAPS = ("\u0130", "\u0131", "\u017f", "\u212a")
"""The only characters that ``re.IGNORECASE`` matches with an ASCII letter but ``str.lower`` does not turn into
that one letter (dotted capital I, dotless i, long s, Kelvin sign; every code point checked). Without them,
lower-casing is exact for ``_ANY_WALL``: it maps no other character to or from ASCII, keeps every other length,
and changes no character between word and non-word or space and non-space; so a paragraph of curly quotes and
accents (most real ones are not ASCII) takes the lower-cased scan too (40 -> 23 us a 340-character paragraph)."""


def paragraphs(text: str | None) -> list[str]:
    """The non-empty lines of a body."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def paragraph_hash(paragraph: str) -> str | None:
    """Hash of a paragraph's normalized words (case and punctuation ignored); None for a paragraph without any."""
    return _folded_hash(normalized_content(paragraph))


def _folded_hash(folded: str) -> str | None:
    return hashlib.sha256(folded.encode()).hexdigest()[:16] if folded else None


def source_key(source: str | None, digest: str) -> str:
    """Key of a paragraph hash within one outlet."""
    return f"{source or ''}\x1f{digest}"


def shared_key(digest: str) -> str:
    """Key of a paragraph hash across outlets."""
    return f"*\x1f{digest}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def folded_paragraphs(text: str | None) -> list[tuple[str | None, int]]:
    """``(paragraph hash, normalized word count)`` for each of :func:`paragraphs`, in order: each paragraph is
    normalized once per article, for both its observations and its cleaning."""
    folded = [normalized_content(paragraph) for paragraph in paragraphs(text)]
    return [(_folded_hash(words), len(words.split())) for words in folded]


def paragraph_observations(
    article: Article, folded: list[tuple[str | None, int]] | None = None
) -> list[tuple[str, str]]:
    """``(key, witness)`` for each distinct paragraph of the article's body: per outlet the witness is a hash of
    its headline (copies of one story count once), across outlets a hash of the outlet. ``folded``: the body's
    :func:`folded_paragraphs`, if already computed."""
    if not article.text:
        return []
    title, outlet = _digest(normalized_content(article.title)), _digest(article.source or "")
    found = {}
    body = paragraphs(article.text)
    for paragraph, (digest, _) in zip(body, folded or folded_paragraphs(article.text), strict=True):
        if digest is None:
            continue
        found[source_key(article.source, digest)] = title
        if len(paragraph.split()) <= MAX_SHARED_WORDS:
            found[shared_key(digest)] = outlet
    return list(found.items())


def paragraph_row(article: Article, observations: list[tuple[str, str]]) -> ArticleParagraphs:
    """The stored form of an article's :func:`paragraph_observations` (of its body as extracted)."""
    return ArticleParagraphs(
        article_id=article.article_id,
        keys=[key for key, _ in observations],
        witnesses=[witness for _, witness in observations],
    )


def wall_of(paragraph: str) -> str | None:
    """The kind of wall notice a paragraph is, if any."""
    if len(paragraph.split()) > MAX_WALL_WORDS:
        return None
    if paragraph.isascii() or not any(trap in paragraph for trap in CASE_TRAPS):
        if not _ANY_WALL.search(" " + paragraph.lower()):
            return None
    elif not _ANY_WALL_ANY_CASE.search(" " + paragraph):
        return None
    return next((name for name, pattern in WALLS.items() if pattern.search(paragraph)), None)


def clean_body(
    text: str, source: str | None, boilerplate: Container[str], folded: list[tuple[str | None, int]] | None = None
) -> tuple[str, str]:
    """``(cleaned body, body status)``: the body without chrome lines, wall notices and the paragraphs that
    ``boilerplate`` (keys of :func:`source_key` / :func:`shared_key`) names; the status is ``ok`` or the reason
    the body is junk. ``folded``: the body's :func:`folded_paragraphs`, if already computed."""
    kept, walls, words = [], [], 0
    for paragraph, (digest, count) in zip(paragraphs(text), folded or folded_paragraphs(text), strict=True):
        if digest is None or CHROME_LINE.match(paragraph):
            continue
        if wall := wall_of(paragraph):
            walls.append(wall)
            continue
        if source_key(source, digest) in boilerplate or shared_key(digest) in boilerplate:
            continue
        kept.append(paragraph)
        words += count  # the words of the cleaned body, normalized a paragraph at a time
    cleaned = "\n".join(kept)
    if words >= MIN_BODY_WORDS:
        return cleaned, OK
    if walls:
        return cleaned, walls[0]
    if not words:
        return "", "chrome" if normalized_content(text) else "empty"
    return cleaned, "too_short"


def kept_body(cleaned: str, status: str, summary: str | None) -> tuple[str | None, str | None]:
    """``(text, summary)`` an item keeps after ``clean_body``: the cleaned body when it is one (``ok``), else no body,
    and a too-short one stands as the summary where there is none."""
    if status == OK:
        return cleaned, summary
    if status == "too_short" and not summary:
        return None, cleaned
    return None, summary


def clean_article(
    article: Article, boilerplate: Container[str], folded: list[tuple[str | None, int]] | None = None
) -> Article:
    """The article with its cleaned body and ``body_status``; a junk body leaves a headline (and summary) item.
    ``folded``: the body's :func:`folded_paragraphs`, if already computed."""
    if article.text is None:
        return article
    cleaned, status = clean_body(article.text, article.source, boilerplate, folded)
    text, summary = kept_body(cleaned, status, article.summary)
    if text == article.text:
        return article.model_copy(update={"body_status": status})
    return article.model_copy(
        update={
            "text": text,
            "summary": summary,
            "body_status": status,
            "original_text": article.text,
            **content_fields(article.title, text, summary, article.url),
        }
    )


def _repeated(key: str, witnesses: int) -> bool:
    return witnesses >= (MIN_OUTLETS if key.startswith("*\x1f") else MIN_SOURCE_REPEATS)


def _observed(article: Article) -> tuple[Article, list[tuple[str | None, int]], list[tuple[str, str]]]:
    """``(article, its folded paragraphs, its paragraph observations)``."""
    folded = folded_paragraphs(article.text) if article.text else []
    return article, folded, paragraph_observations(article, folded)


def _paragraph_refs(observed: tuple[Article, list, list], buckets: int) -> list[tuple[int, tuple[str, list]]]:
    """``(bucket, (article ID, [(key, witness)]))``: the article's paragraph observations by bucket, one element a
    bucket rather than one an observation (~10 an article, each encoded, grouped and decoded by Beam)."""
    article, _, observations = observed
    by_bucket: dict[int, list[tuple[str, str]]] = {}
    for key, witness in observations:
        by_bucket.setdefault(bucket(key, buckets), []).append((key, witness))
    return [(number, (article.article_id, found)) for number, found in by_bucket.items()]


def chrome_in_bucket(grouped: tuple[int, Iterable[tuple[str, Iterable[tuple[str, str]]]]], stored_path: str | None):
    """``(bucket, [(article ID, [(key, witness)])])`` -> ``(article ID, [its chrome keys])``: the keys whose
    distinct witnesses, the run's and (looked up in ``stored_path``, ``key, witness`` rows) the stored
    articles', make them repeated."""
    witnesses: dict[str, set[str]] = {}
    articles_of: dict[str, set[str]] = {}
    for article_id, observations in grouped[1]:
        for key, witness in observations:
            witnesses.setdefault(key, set()).add(witness)
            articles_of.setdefault(key, set()).add(article_id)
    if stored_path:
        stored = lookup(stored_path, "key", witnesses, ["witness"])
        for key, witness in zip(stored["key"].to_pylist(), stored["witness"].to_pylist(), strict=True):
            witnesses[key].add(witness)
    chrome: dict[str, list[str]] = {}
    for key, seen in witnesses.items():
        if _repeated(key, len(seen)):
            for article_id in articles_of[key]:
                chrome.setdefault(article_id, []).append(key)
    return list(chrome.items())


class _Clean(beam.DoFn):
    def __init__(self):
        self._junk = Metrics.counter("boilerplate", "junk_bodies")

    def process(self, joined: tuple[str, dict]) -> Iterable[Article]:
        _, grouped = joined
        boilerplate = {key for keys in grouped["chrome"] for key in keys}
        for article, folded in map(unpack, grouped["article"]):
            cleaned = clean_article(article, boilerplate, folded)
            if cleaned.body_status not in (None, OK):
                self._junk.inc()
            yield cleaned


class StripBoilerplate(beam.PTransform):
    """``Article``s -> dict of PCollections:

    - ``articles``: the same articles with their outlet's repeated paragraphs and known chrome removed from the
      body and junk bodies flagged (``body_status``);
    - ``paragraphs``: an ``ArticleParagraphs`` row per article with a body (its paragraphs as extracted), stored
      so that later runs count them.

    ``stored_path``: optional Parquet file of the stored articles' observations (``key, witness`` rows); the run
    looks its own paragraph keys up in it, each distinct witness counting once. Joins, not side inputs: Beam
    2.77's Dask runner doubles a side input that shares a step with its main input.
    """

    def __init__(self, stored_path: str | None = None, buckets: int = LOOKUP_BUCKETS):
        super().__init__()
        self._stored_path = stored_path
        self._buckets = buckets

    def expand(self, articles):
        observed = articles | "Observe" >> beam.Map(_observed)
        chrome = (
            observed
            | "Observations" >> beam.FlatMap(_paragraph_refs, self._buckets)
            | "GroupByBucket" >> beam.GroupByKey()
            | "ChromeKeys" >> beam.FlatMap(chrome_in_bucket, self._stored_path)
        )
        return {
            "articles": {
                "article": observed
                | "KeyById" >> beam.MapTuple(lambda a, folded, _: (a.article_id, pack((a, folded)))),
                "chrome": chrome,
            }
            | "JoinChrome" >> beam.CoGroupByKey()
            | "Clean" >> beam.ParDo(_Clean()),
            "paragraphs": observed
            | "WithBody" >> beam.Filter(lambda item: item[0].text is not None)
            | "ParagraphRows" >> beam.MapTuple(lambda article, _, observations: paragraph_row(article, observations)),
        }
