"""Untrusted text made safe to store: surrogates, NUL bytes, overlong fields, absurd dates.

Pure functions shared by the seed readers and feed parsing. A value that had to be changed is reported as a
`Flag` (a reason and a detail), which the caller stores as a reject row beside the item it keeps.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit, urlunsplit

from pipeline.dates import parse_datetime

TRUNCATED = "field_truncated"
DATE_OUT_OF_RANGE = "date_out_of_range"
UNPARSEABLE_DATE = "unparseable_date"
PLACEHOLDER_DATE = "placeholder_date"
EARLIEST_YEAR = 1800
MAX_AHEAD = timedelta(days=1)
"""Publication dates before `EARLIEST_YEAR`, or later than this after they are read (past any time zone's error:
nothing is published in the future), are taken for errors and stored as null."""
PLACEHOLDER_DAYS = frozenset({date(1900, 1, 1), date(2099, 1, 1), date(2099, 12, 31), date(2100, 1, 1)})
"""Days that systems write when they have no date (besides the Unix epoch): stored as null, never as a date."""
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ZONE_SPREAD = timedelta(hours=14)
"""The widest time zone offset: the Unix epoch (a zero timestamp) or a placeholder day written in any time zone
("1969-12-31T19:00:00-05:00", "1900-01-01T00:00:00+01:00") is a placeholder."""
MAX_FIELD_CHARS = {"title": 2_000, "author": 1_000, "source": 1_000, "url": 8_000, "summary": 100_000}
MAX_BODY_CHARS = 2_000_000
"""A body longer than this is cut (with a flag): two thousand pages of text is no news article."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_CHAR_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,12}));")


@dataclass(frozen=True)
class Flag:
    """A change made to keep an item: its reason (snake_case) and what was changed."""

    reason: str
    detail: str


def clean_text(value: str) -> str:
    """The text with surrogate pairs joined, lone surrogates replaced by U+FFFD and NUL characters removed."""
    if _SURROGATE.search(value):
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value.replace("\x00", "") if "\x00" in value else value


def clean_value(value: object) -> object:
    """`clean_text` applied to every string inside a JSON value."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_value(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(str(key)): clean_value(item) for key, item in value.items()}
    return value


def fix_char_references(body: bytes) -> bytes:
    """Markup with numeric character references to surrogates (``&#55357;&#56832;``) rewritten: a high-low
    pair becomes the one character it encodes, any other surrogate U+FFFD. XML parsers choke on them."""
    if b"&#" not in body:
        return body
    matches = list(_CHAR_REFERENCE.finditer(body))
    codes = [_code(match) for match in matches]
    if not any(0xD800 <= code <= 0xDFFF for code in codes):
        return body
    out, last, index = [], 0, 0
    while index < len(matches):
        match, code = matches[index], codes[index]
        replacement = None
        if 0xD800 <= code <= 0xDBFF and index + 1 < len(matches):
            following, low = matches[index + 1], codes[index + 1]
            if following.start() == match.end() and 0xDC00 <= low <= 0xDFFF:
                joined = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                out += [body[last : match.start()], b"&#%d;" % joined]
                last, index = following.end(), index + 2
                continue
        if 0xD800 <= code <= 0xDFFF:
            replacement = b"&#65533;"
        if replacement:
            out += [body[last : match.start()], replacement]
            last = match.end()
        index += 1
    out.append(body[last:])
    return b"".join(out)


def _code(match: re.Match) -> int:
    hex_digits, digits = match.groups()
    return int(hex_digits, 16) if hex_digits else int(digits)


def truncated(name: str, value: str | None, limit: int | None = None) -> tuple[str | None, Flag | None]:
    """The value cut to its field's limit, and a flag when it was cut."""
    limit = limit or MAX_FIELD_CHARS.get(name, MAX_BODY_CHARS)
    if value is None or len(value) <= limit:
        return value, None
    return value[:limit], Flag(TRUNCATED, f"'{name}' cut from {len(value)} to {limit} characters; the item is kept")


def checked_date(value: object) -> tuple[object, Flag | None]:
    """The stated date when it reads as a plausible one (or as none at all), else None and a flag: one that reads as
    no date at all (``unparseable_date``) or as an absurd one (``date_out_of_range``)."""
    if value is None or value == "":
        return value, None
    if isinstance(value, float) and not math.isfinite(value):
        return None, _date_flag(value, "not a finite number")
    try:
        parsed = parse_datetime(value)
    except (ValueError, OverflowError, OSError, TypeError) as error:
        return None, _date_flag(value, str(error))
    checked, flag = checked_reading(value, parsed)
    return (value if checked else None), flag


def is_placeholder(when: datetime) -> bool:
    """Whether a parsed (UTC) date is one systems write for "no date": the Unix epoch, or a `PLACEHOLDER_DAYS`, as
    written in some time zone (its wall-clock date within `ZONE_SPREAD` of the UTC one)."""
    if abs(when - EPOCH) <= ZONE_SPREAD:
        return True
    starts = (datetime.combine(day, datetime.min.time(), timezone.utc) for day in PLACEHOLDER_DAYS)
    return any(start - ZONE_SPREAD <= when < start + timedelta(days=1) + ZONE_SPREAD for start in starts)


def checked_reading(stated: object, parsed: datetime | None) -> tuple[datetime | None, Flag | None]:
    """A parser's reading (``parsed``, UTC) of a stated date, checked as `checked_date` checks a date: None and a
    flag when it read no date from one stated, or an absurd or placeholder one."""
    if stated is None or stated == "":
        return None, None
    if parsed is None:
        return None, Flag(UNPARSEABLE_DATE, f"date {str(stated)[:80]!r} stored as null: no date wirebeam reads")
    if parsed.year < EARLIEST_YEAR:
        return None, _date_flag(stated, f"year {parsed.year} is before {EARLIEST_YEAR}")
    if is_placeholder(parsed):
        return None, Flag(PLACEHOLDER_DATE, f"date {str(stated)[:80]!r} stored as null: a placeholder, no real date")
    if parsed > datetime.now(timezone.utc) + MAX_AHEAD:
        return None, _date_flag(stated, f"more than {MAX_AHEAD.days} day after it was read")
    return parsed, None


def entry_date(dates: Iterable[tuple[object, Flag | None]]) -> tuple[object, Flag | None]:
    """A feed entry's date from its checked dates, published first, then updated (`checked_date` or
    `checked_reading` of each): the first that stands, with no flag; else None and the first flag. One rule for
    saved and live feeds' entries."""
    flags = []
    for value, flag in dates:
        if value is not None and value != "":
            return value, None
        flags += [flag] if flag else []
    return None, next(iter(flags), None)


def _date_flag(value: object, why: str) -> Flag:
    return Flag(DATE_OUT_OF_RANGE, f"date {str(value)[:80]!r} stored as null: {why}")


def page_link(link: str | None) -> str | None:
    """An entry's link as the address of its page: None for a link of another scheme (``file:``, ``javascript:``,
    ``mailto:``), which names no web page and which feedparser does not even keep as written (``file:///etc/passwd``
    becomes ``file://etc/passwd``). A relative link (a saved feed's, read without its URL) stays. Credentials
    (``user:password@``, a feed's own, which its relative links inherit) are dropped: never sent to a page nor
    stored."""
    if not link:
        return None
    if urlsplit(link).scheme.lower() not in ("", "http", "https"):
        return None
    return without_credentials(link)


def without_credentials(url: str) -> str:
    """The URL without its ``user:password@`` part."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


_RSS_GUID = re.compile(rb"<guid\b[^>]*>\s*(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))\s*</guid>", re.IGNORECASE | re.DOTALL)


def guids_without_url(body: bytes, feed_url: str) -> frozenset[str]:
    """The RSS GUIDs of a feed that are no http(s) URL ("abc-123", "tag:..."), as feedparser gives them: resolved
    against the feed's URL. feedparser makes an item's GUID its link when the item has no ``<link>`` and the GUID
    is not marked ``isPermaLink="false"``; such a GUID names the item, not a page."""
    guids = (
        (cdata.decode("utf-8", "replace") if cdata else html.unescape(text.decode("utf-8", "replace"))).strip()
        for cdata, text in _RSS_GUID.findall(body)
    )
    return frozenset(filter(None, (_joined(feed_url, guid) for guid in guids if guid and not is_web_url(guid))))


def is_web_url(value: str) -> bool:
    """Whether the value is an http(s) address with a host."""
    try:
        parts = urlsplit(value)
    except ValueError:  # "http://[oops": no URL at all
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _joined(base: str, reference: str) -> str | None:
    """``urljoin``, or None for a reference no URL can be made of."""
    try:
        return urljoin(base, reference)
    except ValueError:
        return None


def entry_page_link(link: str | None, guid_is_link: bool, no_links: frozenset[str]) -> str | None:
    """A feed entry's link as the address of its page: None for a link that is only a GUID of ``no_links`` (see
    `guids_without_url`; its page would be the feed's URL with the GUID put in, a 404 at best) or that names no web
    page (`page_link`). One rule for live feeds and saved feed files."""
    return None if guid_is_link and link in no_links else page_link(link)
