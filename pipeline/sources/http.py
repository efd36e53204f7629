"""A polite, bounded HTTP fetcher for feeds and article pages.

`Fetcher.fetch(url)` never raises for the failures a crawler expects: it returns a `FetchResult` whose
`reason` is a short snake_case constant from this module (``http_404``, ``timeout``, ``too_large`` ...).
Safety: only http/https, redirects followed by hand so every hop is checked and counted, a cap on the bytes
read from the wire and on the decompressed body, a wall-clock deadline per attempt (a slow-drip body is cut
off), a content-type check before the body is read. Politeness: a configurable User-Agent, a minimum
interval between requests to one host (raised by robots.txt ``Crawl-delay``), robots.txt for article pages,
retries with exponential backoff and seeded jitter, ``Retry-After`` honoured.

The fetcher keeps per-host state (rate limit, robots.txt cache) in memory, so create one per process or per
DoFn in ``setup()`` and key fetches by host (`host_key`) so one host's fetches land on one worker.
"""

from __future__ import annotations

import contextlib
import email.utils
import fnmatch
import ipaddress
import logging
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import protego
import requests
import requests.adapters
import urllib3

from pipeline.text import NotText, declared_charsets, decode

LOGGER = logging.getLogger(__name__)

OK_SCHEMES = frozenset({"http", "https"})
KINDS = frozenset({"page", "feed"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})
CHUNK_BYTES = 64 * 1024
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_TTL_SECONDS = 24 * 3600.0
"""RFC 9309: a cached robots.txt should not be used for more than 24 hours."""
ROBOTS_FAILURE_TTL_SECONDS = 600.0
"""How long a robots.txt that answered 5xx/429 keeps its host disallowed before we ask again."""

# FetchResult.reason values. 4xx statuses other than 429 are reported as f"http_{status}".
BAD_URL = "bad_url"
BAD_SCHEME = "bad_scheme"
TIMEOUT = "timeout"
DEADLINE_EXCEEDED = "deadline_exceeded"
TLS_ERROR = "tls_error"
CONNECTION_ERROR = "connection_error"
HTTP_5XX = "http_5xx"
RATE_LIMITED = "rate_limited"
REDIRECT_LOOP = "redirect_loop"
TOO_MANY_REDIRECTS = "too_many_redirects"
BAD_REDIRECT = "bad_redirect"
TOO_LARGE = "too_large"
DECOMPRESSED_TOO_LARGE = "decompressed_too_large"
BAD_ENCODING = "bad_encoding"
BAD_CONTENT_TYPE = "bad_content_type"
ROBOTS_DISALLOWED = "robots_disallowed"
HOST_BUDGET = "host_budget"
"""A page not fetched because its host's page or time budget for the run is spent (fetched by a later run)."""
PRIVATE_ADDRESS = "private_address"
"""The host resolves to a loopback, private, link-local, multicast or reserved address (SSRF guard)."""
ROBOTS_UNREACHABLE = "robots_unreachable"

TRANSPORT_REASONS = frozenset({TIMEOUT, DEADLINE_EXCEEDED, TLS_ERROR, CONNECTION_ERROR})
"""Failures of the host, not of its robots.txt: the page would fail the same way, so they are kept."""
RETRYABLE_REASONS = frozenset({TIMEOUT, CONNECTION_ERROR, HTTP_5XX, RATE_LIMITED})
"""Reasons worth another attempt; a deadline overrun is not (the same slow server would be slow again)."""

DEFAULT_PAGE_CONTENT_TYPES = ("text/html", "application/xhtml+xml")
DEFAULT_FEED_CONTENT_TYPES = (
    "application/xml",
    "text/xml",
    "application/*+xml",
    "application/x-rss+xml",
    "text/plain",
    "application/octet-stream",
)
"""Feeds are often served with generic types; the feed parser decides whether the body is a feed."""


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and manners of one fetcher; all durations in seconds."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 30.0
    """Wall-clock limit of one attempt: all redirect hops plus the body."""
    max_body_bytes: int = 5_000_000
    """Cap on bytes read from the wire (compressed)."""
    max_decompressed_bytes: int = 20_000_000
    max_redirects: int = 5
    user_agent: str = "wirebeam/0.1 (+https://github.com/wirebeam/wirebeam)"
    min_host_interval: float = 1.0
    max_crawl_delay: float = 10.0
    """Upper bound on a robots.txt Crawl-delay we honour."""
    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    max_retry_wait: float = 30.0
    """A Retry-After longer than this is not waited for: the fetch fails with the server's retry_after."""
    retry_seed: int = 0
    page_content_types: tuple[str, ...] = DEFAULT_PAGE_CONTENT_TYPES
    feed_content_types: tuple[str, ...] = DEFAULT_FEED_CONTENT_TYPES
    respect_robots: bool = True
    """Check robots.txt before fetching article pages (feeds are subscribed to explicitly)."""
    use_env_proxies: bool = True
    allow_private_networks: bool = False
    """Fetch from loopback, private, link-local and reserved addresses too (off: such hosts are refused)."""
    allowed_networks: tuple[str, ...] = ()
    """Networks (CIDR) exempt from that refusal, e.g. ``("127.0.0.1/32",)`` for one local test server."""
    max_pages_per_host: int = 100
    """Article pages fetched from one host per run; the others wait for the next run (``pipeline.store.refetch``)."""
    max_host_seconds: float = 300.0
    """Time spent polling one host's feeds per run, and again fetching its pages, after which its other feeds
    and pages wait for the next run."""

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "deadline", "backoff_base", "backoff_max"):
            if getattr(self, name) <= 0:
                raise ValueError(f"FetchPolicy.{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("min_host_interval", "max_crawl_delay", "max_retry_wait"):
            if getattr(self, name) < 0:
                raise ValueError(f"FetchPolicy.{name} must be >= 0, got {getattr(self, name)!r}")
        for name in ("max_body_bytes", "max_decompressed_bytes", "max_pages_per_host", "max_host_seconds"):
            if getattr(self, name) < 1:
                raise ValueError(f"FetchPolicy.{name} must be >= 1, got {getattr(self, name)!r}")
        if self.max_redirects < 0 or self.max_retries < 0:
            raise ValueError("FetchPolicy.max_redirects and max_retries must be >= 0")
        if not self.user_agent.strip():
            raise ValueError("FetchPolicy.user_agent must not be empty")
        if not self.page_content_types or not self.feed_content_types:
            raise ValueError("FetchPolicy content-type lists must not be empty")

    def content_types(self, kind: str) -> tuple[str, ...]:
        """Media types (fnmatch patterns) accepted for a fetch of this kind."""
        return self.page_content_types if kind == "page" else self.feed_content_types


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one `Fetcher.fetch`; `reason` is None on success (2xx or 304)."""

    url: str
    """The URL asked for."""
    final_url: str
    status: int | None = None
    reason: str | None = None
    detail: str | None = None
    """Human-readable error text for `reason`."""
    not_modified: bool = False
    body: bytes = b""
    text: str | None = None
    encoding: str | None = None
    content_type: str | None = None
    """Media type without parameters, lower case."""
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None
    """Seconds the server asked us to wait (Retry-After), when it did."""
    redirects: tuple[str, ...] = ()
    """URLs we were redirected to, in order (the last is `final_url`)."""
    permanent_redirect_url: str | None = None
    """Set when every hop was 301/308: the URL to store in place of `url`."""
    attempts: int = 1
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.reason is None


def host_key(url: str) -> str:
    """The key fetches are grouped by so one host is served by one worker: ``scheme://host:port``."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def media_type(content_type: str | None) -> str | None:
    """``text/html; charset=x`` -> ``text/html``; None when absent."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """``(text, encoding)`` of a body by :func:`pipeline.text.decode`, the header's and the page's declared
    charsets counting as declared; a body that is no text reads as UTF-8 with replacement characters, so this
    never raises."""
    try:
        return decode(body, declared_charsets(body, content_type))
    except NotText:
        return body.decode("utf-8", errors="replace"), "utf-8"


class HostRateLimiter:
    """Spaces requests to one host at least `interval` seconds apart; safe to share between threads."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._clock = clock
        self._sleep = sleep
        self._next_slot: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, interval: float, max_wait: float = float("inf")) -> float | None:
        """Block until `host` may be contacted and book the following slot; returns seconds slept.

        When that would take longer than `max_wait`, books nothing and returns None without sleeping.
        """
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(host, now))
            if slot - now > max_wait:
                return None
            self._next_slot[host] = slot + interval
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay

    def delay(self, host: str) -> float:
        """Seconds until `host` may be contacted again."""
        with self._lock:
            return max(0.0, self._next_slot.get(host, 0.0) - self._clock())

    def hold_off(self, host: str, seconds: float) -> None:
        """Push the next slot of `host` back, e.g. after a Retry-After."""
        with self._lock:
            until = self._clock() + seconds
            self._next_slot[host] = max(self._next_slot.get(host, until), until)


@dataclass
class _Robots:
    parser: protego.Protego | None
    """None means disallow everything (robots.txt unreachable or 5xx, per RFC 9309)."""
    fetched_at: float
    detail: str | None = None


class _Failure(Exception):
    """Internal: ends an attempt with a reason."""

    def __init__(self, reason: str, detail: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.status = status
        self.retry_after = retry_after


@dataclass
class _Attempt:
    """Mutable bookkeeping of one attempt."""

    deadline_at: float
    visited: set[str] = field(default_factory=set)
    redirects: list[str] = field(default_factory=list)
    all_permanent: bool = True


class Fetcher:
    """Fetches URLs under a `FetchPolicy`; holds a requests.Session, a rate limiter and a robots cache."""

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        rate_limiter: HostRateLimiter | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.policy = policy or FetchPolicy()
        self._clock = clock
        self._sleep = sleep
        self._limiter = rate_limiter or HostRateLimiter(clock, sleep)
        self._rng = random.Random(self.policy.retry_seed)
        self._robots: dict[str, _Robots] = {}
        self._held: dict[str, float] = {}
        """URL -> when a server's Retry-After for it ends; it holds that URL only, not its host's other URLs."""
        self._crawl_delay: dict[str, float] = {}
        self._session = requests.Session()
        for prefix in ("http://", "https://"):
            self._session.mount(prefix, _GuardedAdapter())
        self._session.trust_env = self.policy.use_env_proxies
        self._session.headers["User-Agent"] = self.policy.user_agent

    def close(self) -> None:
        """Close the HTTP session (DoFn.teardown)."""
        self._session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        kind: str = "page",
    ) -> FetchResult:
        """Fetch `url` with retries; conditional when given `etag` or `last_modified` (304: not_modified)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            result = self._attempt(url, etag, last_modified, kind)
            if result.reason not in RETRYABLE_REASONS or attempt > self.policy.max_retries:
                break
            wait = self._backoff(attempt, result.retry_after)
            if wait is None:
                break
            LOGGER.info("retrying %s after %s (attempt %d, wait %.2fs)", url, result.reason, attempt, wait)
            self._sleep(wait)
        elapsed = self._clock() - started
        if result.reason:
            LOGGER.info("fetch %s failed: %s (%s)", url, result.reason, result.detail)
        return replace(result, attempts=attempt, elapsed=elapsed)

    def _backoff(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds before the next attempt: Retry-After when given, else capped exponential, full jitter."""
        if retry_after is not None:
            return retry_after if retry_after <= self.policy.max_retry_wait else None
        ceiling = min(self.policy.backoff_max, self.policy.backoff_base * 2 ** (attempt - 1))
        return self._rng.uniform(0, ceiling)

    def _attempt(self, url: str, etag: str | None, last_modified: str | None, kind: str) -> FetchResult:
        state = _Attempt(deadline_at=self._clock() + self.policy.deadline, visited={url})
        current = url
        try:
            while True:
                _check_url(current)
                self._check_address(current)
                if kind == "page" and self.policy.respect_robots:
                    self._check_robots(current, state)
                response = self._request(current, etag, last_modified, state)
                with response:
                    location = self._next_hop(current, response, state)
                    if location is None:
                        return self._finish(url, current, response, kind, state)
                current = location
        except _Failure as failure:
            return FetchResult(
                url=url,
                final_url=current,
                status=failure.status,
                reason=failure.reason,
                detail=failure.detail,
                retry_after=failure.retry_after,
                redirects=tuple(state.redirects),
            )

    def _remaining(self, state: _Attempt) -> float:
        remaining = state.deadline_at - self._clock()
        if remaining <= 0:
            raise self._deadline_failure()
        return remaining

    def _deadline_failure(self) -> _Failure:
        return _Failure(DEADLINE_EXCEEDED, f"no response within the {self.policy.deadline}s deadline")

    def _request(self, url: str, etag: str | None, last_modified: str | None, state: _Attempt) -> requests.Response:
        held = self._held.get(url, 0.0) - self._clock()
        if held > 0:
            raise _Failure(RATE_LIMITED, f"{url} is on hold for {held:.1f}s (Retry-After)", retry_after=held)
        host = host_key(url)
        interval = max(self.policy.min_host_interval, self._crawl_delay.get(host, 0.0))
        if self._limiter.wait(host, interval, max_wait=self._remaining(state)) is None:
            wait = self._limiter.delay(host)
            raise _Failure(RATE_LIMITED, f"{host} is on hold for {wait:.1f}s", retry_after=wait)
        remaining = self._remaining(state)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        timeout = (min(self.policy.connect_timeout, remaining), min(self.policy.read_timeout, remaining))
        _LIMITS.deadline = time.monotonic() + remaining
        _LIMITS.allow_private = self.policy.allow_private_networks
        _LIMITS.allowed_networks = self.policy.allowed_networks
        try:
            return self._session.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=False)
        except BlockedAddress as error:
            raise _Failure(PRIVATE_ADDRESS, str(error)) from error
        except requests.exceptions.RequestException as error:
            if self._clock() >= state.deadline_at:
                raise self._deadline_failure() from error
            raise _request_failure(error) from error
        finally:
            _LIMITS.deadline = None

    def _address_allowed(self, address: str) -> bool:
        return is_public_address(address) or _in_networks(address, self.policy.allowed_networks)

    def _check_address(self, url: str) -> None:
        """Refuse a host that resolves to an address outside the public internet, unless allowed."""
        if self.policy.allow_private_networks:
            return
        host = urlsplit(url).hostname or ""
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}
        except (OSError, UnicodeError):
            return  # unresolvable here: the connection fails on its own (or a proxy resolves it)
        blocked = sorted(address for address in addresses if not self._address_allowed(address))
        if blocked:
            raise _Failure(PRIVATE_ADDRESS, f"{host} resolves to {', '.join(blocked)}, not a public address")

    def _next_hop(self, url: str, response: requests.Response, state: _Attempt) -> str | None:
        """The URL to follow for a redirect (checked and counted), None for a final response."""
        if response.status_code not in REDIRECT_STATUSES:
            return None
        location = response.headers.get("Location")
        if not location:
            raise _Failure(BAD_REDIRECT, f"{response.status_code} without Location", response.status_code)
        target = urljoin(url, location.strip())
        scheme = urlsplit(target).scheme.lower()
        if scheme not in OK_SCHEMES:
            raise _Failure(BAD_SCHEME, f"redirect to {scheme!r} URL {target[:200]}", response.status_code)
        if target in state.visited:
            raise _Failure(REDIRECT_LOOP, f"redirect loop at {target}", response.status_code)
        if len(state.redirects) >= self.policy.max_redirects:
            raise _Failure(TOO_MANY_REDIRECTS, f"more than {self.policy.max_redirects} redirects", response.status_code)
        state.redirects.append(target)
        state.visited.add(target)
        state.all_permanent = state.all_permanent and response.status_code in PERMANENT_REDIRECT_STATUSES
        return target

    def _finish(self, url: str, final_url: str, response: requests.Response, kind: str, state: _Attempt) -> FetchResult:
        status = response.status_code
        headers = response.headers
        retry_after = parse_retry_after(headers.get("Retry-After"))
        if retry_after is not None and status >= 400:
            self._held[final_url] = self._clock() + retry_after
        common = {
            "url": url,
            "final_url": final_url,
            "status": status,
            "etag": headers.get("ETag"),
            "last_modified": headers.get("Last-Modified"),
            "content_type": media_type(headers.get("Content-Type")),
            "retry_after": retry_after,
            "redirects": tuple(state.redirects),
            "permanent_redirect_url": final_url if state.redirects and state.all_permanent else None,
        }
        if status == 304:
            return FetchResult(**common, not_modified=True)
        failure = _status_failure(status)
        if failure:
            detail = f"HTTP {status} {response.reason or ''}".strip()
            return FetchResult(**common, reason=failure, detail=detail)
        if not _content_type_allowed(common["content_type"], self.policy.content_types(kind)):
            detail = f"{common['content_type']} is not accepted for {kind}"
            return FetchResult(**common, reason=BAD_CONTENT_TYPE, detail=detail)
        try:
            body = self._read_body(response, state)
        except _Failure as error:
            return FetchResult(**common, reason=error.reason, detail=error.detail)
        text, encoding = decode_body(body, headers.get("Content-Type"))
        return FetchResult(**common, body=body, text=text, encoding=encoding)

    def _read_body(self, response: requests.Response, state: _Attempt) -> bytes:
        """Stream the body, decompressing, within the wire-byte cap, the decompressed cap and the deadline (each
        read waits at most the read timeout and never past the deadline)."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.policy.max_body_bytes:
            raise _Failure(TOO_LARGE, f"Content-Length {declared} over {self.policy.max_body_bytes} bytes")
        raw = response.raw
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                _limit_next_read(raw, min(self.policy.read_timeout, self._remaining(state)))
                chunk = raw.read1(CHUNK_BYTES, decode_content=True)
                if raw.tell() > self.policy.max_body_bytes:
                    raise _Failure(TOO_LARGE, f"body over {self.policy.max_body_bytes} bytes")
                if not chunk:
                    break
                size += len(chunk)
                if size > self.policy.max_decompressed_bytes:
                    raise _Failure(
                        DECOMPRESSED_TOO_LARGE,
                        f"decompressed body over {self.policy.max_decompressed_bytes} bytes",
                    )
                chunks.append(chunk)
        except (urllib3.exceptions.HTTPError, OSError) as error:
            if self._clock() >= state.deadline_at:  # the read waited until the deadline, which ended it
                raise self._deadline_failure() from error
            raise _body_failure(error) from error
        return b"".join(chunks)

    def _check_robots(self, url: str, state: _Attempt) -> None:
        host = host_key(url)
        robots = self._robots.get(host)
        ttl = ROBOTS_TTL_SECONDS if robots and robots.parser else ROBOTS_FAILURE_TTL_SECONDS
        if robots is None or self._clock() - robots.fetched_at > ttl:
            robots = self._load_robots(host, state)
            self._robots[host] = robots
        if robots.parser is None:
            raise _Failure(ROBOTS_UNREACHABLE, f"robots.txt of {host} unavailable: {robots.detail}")
        if not robots.parser.can_fetch(url, self.policy.user_agent):
            raise _Failure(ROBOTS_DISALLOWED, f"robots.txt of {host} disallows {url}")

    def _load_robots(self, host: str, state: _Attempt) -> _Robots:
        """Fetch and parse ``host/robots.txt``: 4xx allows all, 5xx and 429 disallow all (RFC 9309).

        Transport failures (TRANSPORT_REASONS) and a host on hold end the attempt with that reason, uncached.
        """
        current = f"{host}/robots.txt"
        robots_state = _Attempt(deadline_at=state.deadline_at, visited={current})
        fetched_at = self._clock()
        try:
            while True:
                _check_url(current)
                self._check_address(current)
                response = self._request(current, None, None, robots_state)
                with response:
                    location = self._next_hop(current, response, robots_state)
                    if location is None:
                        return self._parse_robots(host, response, robots_state, fetched_at)
                current = location
        except _Failure as failure:
            if failure.reason in TRANSPORT_REASONS or failure.reason == RATE_LIMITED:
                raise
            return _Robots(None, fetched_at, failure.reason)

    def _parse_robots(self, host: str, response: requests.Response, state: _Attempt, fetched_at: float) -> _Robots:
        status = response.status_code
        if 400 <= status < 500 and status != 429:
            return _Robots(protego.Protego.parse(""), fetched_at)
        if status != 200:
            return _Robots(None, fetched_at, f"http_{status}")
        body = self._read_body(response, state)[:ROBOTS_MAX_BYTES]
        parser = protego.Protego.parse(body.decode("utf-8", errors="replace"))
        delay = parser.crawl_delay(self.policy.user_agent)
        if delay:
            self._crawl_delay[host] = min(float(delay), self.policy.max_crawl_delay)
        return _Robots(parser, fetched_at)


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise _Failure(BAD_URL, str(error)) from error
    if parts.scheme.lower() not in OK_SCHEMES:
        raise _Failure(BAD_SCHEME, f"scheme {parts.scheme!r} is not http/https: {url[:200]}")
    if not parts.hostname:
        raise _Failure(BAD_URL, f"no host in {url[:200]}")


def _limit_next_read(raw: urllib3.HTTPResponse, seconds: float) -> None:
    """Make the next read from the response's socket wait at most `seconds` (the connection is None once the
    body has been read to its end)."""
    connection = raw.connection
    if connection is not None and connection.sock is not None:
        connection.sock.settimeout(max(seconds, 0.001))


def _body_failure(error: urllib3.exceptions.HTTPError | OSError) -> _Failure:
    """The failure of a body read that raised before the deadline."""
    if isinstance(error, urllib3.exceptions.ReadTimeoutError):
        return _Failure(TIMEOUT, str(error))
    if isinstance(error, urllib3.exceptions.DecodeError):
        return _Failure(BAD_ENCODING, str(error))
    if isinstance(error, urllib3.exceptions.SSLError):
        return _Failure(TLS_ERROR, str(error))
    return _Failure(CONNECTION_ERROR, str(error))


def _status_failure(status: int) -> str | None:
    if 200 <= status < 300:
        return None
    if status == 429:
        return RATE_LIMITED
    if status >= 500:
        return HTTP_5XX
    return f"http_{status}"


def _content_type_allowed(content_type: str | None, allowed: tuple[str, ...]) -> bool:
    """A missing Content-Type is let through: the parser downstream decides."""
    if content_type is None:
        return True
    return any(fnmatch.fnmatchcase(content_type, pattern) for pattern in allowed)


def _request_failure(error: requests.exceptions.RequestException) -> _Failure:
    """The failure of a request that raised."""
    if isinstance(error, requests.exceptions.SSLError):
        return _Failure(TLS_ERROR, str(error))
    if isinstance(error, requests.exceptions.Timeout):
        return _Failure(TIMEOUT, str(error))
    if isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema):
        return _Failure(BAD_URL, str(error))
    return _Failure(CONNECTION_ERROR, str(error))


def is_public_address(address: str) -> bool:
    """Whether an IP address is on the public internet: not loopback, private, link-local, multicast, reserved
    or unspecified (an IPv4-mapped IPv6 address is judged by its IPv4 address)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback)


def _in_networks(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)


class BlockedAddress(Exception):
    """Raised by a connection whose peer is not a public address (a host that resolved differently at connect
    time than when it was checked)."""


class _Limits(threading.local):
    """What the request running in this thread may do: its wall-clock deadline (``time.monotonic``) and
    whether private addresses are allowed. Set by `Fetcher` around each request."""

    deadline: float | None = None
    allow_private: bool = True
    allowed_networks: tuple[str, ...] = ()


_LIMITS = _Limits()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _GuardedConnectionMixin:
    """A urllib3 connection that checks its peer address once connected and ends a response whose headers do
    not arrive before the request's deadline (a read timeout alone lets a server drip one byte a second)."""

    def _new_conn(self):
        sock = super()._new_conn()
        if not _LIMITS.allow_private and not getattr(self, "proxy", None):
            peer = sock.getpeername()[0]
            if not (is_public_address(peer) or _in_networks(peer, _LIMITS.allowed_networks)):
                sock.close()
                raise BlockedAddress(f"{self.host} connected to {peer}, not a public address")
        return sock

    def getresponse(self, *args, **kwargs):
        timer = None
        if _LIMITS.deadline is not None and self.sock is not None:
            timer = threading.Timer(max(0.0, _LIMITS.deadline - time.monotonic()), _shutdown, (self.sock,))
            timer.daemon = True
            timer.start()
        try:
            return super().getresponse(*args, **kwargs)
        finally:
            if timer is not None:
                timer.cancel()


class _GuardedHTTPConnection(_GuardedConnectionMixin, urllib3.connection.HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, urllib3.connection.HTTPSConnection):
    pass


class _GuardedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter with `_GuardedConnectionMixin` connections (direct ones; a proxy's are its own)."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}
