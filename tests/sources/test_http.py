"""Fetcher behaviour against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import socket
import time
from dataclasses import replace

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipeline.sources import http
from pipeline.sources.http import Fetcher, FetchPolicy, HostRateLimiter, decode_body, parse_retry_after
from tests.sources.test_live import STALL_SECONDS, stall

HTML = "text/html; charset=utf-8"


def test_first_fetch_returns_body_text_and_validators(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_request("/page").respond_with_data(
        "<html><body><p>Grüße</p></body></html>",
        content_type=HTML,
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"},
    )
    result = Fetcher(fast_policy).fetch(httpserver.url_for("/page"))
    assert result.ok and result.status == 200 and not result.not_modified
    assert result.etag == '"v1"' and result.last_modified == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert result.content_type == "text/html" and result.encoding == "utf-8"
    assert "Grüße" in result.text and result.body.decode() == result.text
    assert result.final_url == result.url and result.redirects == ()


def test_conditional_fetch_with_matching_etag_is_not_modified_and_has_no_body(
    httpserver: HTTPServer, fast_policy: FetchPolicy
):
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    httpserver.expect_request("/feed").respond_with_data("<rss/>", content_type="application/rss+xml")
    fetcher = Fetcher(fast_policy)
    fresh = fetcher.fetch(httpserver.url_for("/feed"), kind="feed")
    cached = fetcher.fetch(httpserver.url_for("/feed"), etag='"v1"', kind="feed")
    assert fresh.status == 200 and fresh.body == b"<rss/>"
    assert cached.ok and cached.not_modified and cached.status == 304
    assert cached.body == b"" and cached.text is None


def test_if_modified_since_is_sent_from_last_modified(httpserver: HTTPServer, fast_policy: FetchPolicy):
    stamp = "Wed, 01 Jan 2025 00:00:00 GMT"
    httpserver.expect_request("/feed", headers={"If-Modified-Since": stamp}).respond_with_data("", status=304)
    result = Fetcher(fast_policy).fetch(httpserver.url_for("/feed"), last_modified=stamp, kind="feed")
    assert result.not_modified


def test_user_agent_from_policy_is_sent(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_request("/ua", headers={"User-Agent": "test-bot/1.0"}).respond_with_data(
        "<p>ok</p>", content_type=HTML
    )
    result = Fetcher(replace(fast_policy, user_agent="test-bot/1.0")).fetch(httpserver.url_for("/ua"))
    assert result.ok


@pytest.mark.parametrize(("status", "reason"), [(404, "http_404"), (410, "http_410"), (500, "http_5xx")])
def test_http_error_statuses_become_reasons(httpserver: HTTPServer, fast_policy: FetchPolicy, status: int, reason: str):
    httpserver.expect_request("/err").respond_with_data("nope", status=status)
    result = Fetcher(fast_policy).fetch(httpserver.url_for("/err"))
    assert not result.ok and result.reason == reason and result.status == status and result.body == b""


def test_server_error_is_retried_until_success(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_ordered_request("/flaky").respond_with_data("down", status=503)
    httpserver.expect_ordered_request("/flaky").respond_with_data("<p>up</p>", content_type=HTML)
    result = Fetcher(replace(fast_policy, max_retries=2)).fetch(httpserver.url_for("/flaky"))
    assert result.ok and result.attempts == 2 and result.text == "<p>up</p>"


def test_persistent_server_error_gives_up_after_max_retries(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_request("/down").respond_with_data("down", status=500)
    result = Fetcher(replace(fast_policy, max_retries=2)).fetch(httpserver.url_for("/down"))
    assert result.reason == "http_5xx" and result.attempts == 3
    assert len(httpserver.log) == 3


def test_backoff_waits_are_bounded_and_repeat_for_the_same_seed(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_request("/down").respond_with_data("down", status=500)
    policy = replace(fast_policy, max_retries=3, backoff_base=0.01, backoff_max=0.02, retry_seed=7)
    waits: list[list[float]] = [[], []]
    for recorded in waits:
        Fetcher(policy, sleep=recorded.append).fetch(httpserver.url_for("/down"))
    assert len(waits[0]) == 3 and waits[0] == waits[1]
    assert all(0 <= wait <= 0.02 for wait in waits[0])


def test_no_response_within_read_timeout_is_a_timeout(slow_site: HTTPServer, fast_policy: FetchPolicy):
    slow_site.expect_request("/stall").respond_with_handler(stall())
    started = time.monotonic()
    result = Fetcher(replace(fast_policy, read_timeout=0.3)).fetch(slow_site.url_for("/stall"))
    assert result.reason == "timeout"
    assert time.monotonic() - started < fast_policy.deadline


def test_slow_drip_body_is_cut_off_by_the_deadline(slow_site: HTTPServer, fast_policy: FetchPolicy):
    def drip(_: Request) -> Response:
        def chunks():
            for _ in range(int(STALL_SECONDS * 10)):
                yield b"<p>x</p>"
                time.sleep(0.1)

        return Response(chunks(), content_type=HTML, direct_passthrough=True)

    slow_site.expect_request("/drip").respond_with_handler(drip)
    started = time.monotonic()
    result = Fetcher(replace(fast_policy, deadline=0.6)).fetch(slow_site.url_for("/drip"))
    assert result.reason == "deadline_exceeded" and result.status == 200 and result.body == b""
    assert time.monotonic() - started < fast_policy.read_timeout


def test_a_body_that_stops_midway_ends_at_the_deadline(slow_site: HTTPServer, fast_policy: FetchPolicy):
    def half(_: Request) -> Response:
        def chunks():
            yield b"<p>the start</p>"
            time.sleep(STALL_SECONDS)
            yield b"<p>the end</p>"

        return Response(chunks(), content_type=HTML, direct_passthrough=True)

    slow_site.expect_request("/half").respond_with_handler(half)
    started = time.monotonic()
    result = Fetcher(replace(fast_policy, deadline=0.6)).fetch(slow_site.url_for("/half"))
    assert result.reason == "deadline_exceeded", "the read waiting when the deadline came is the deadline's doing"
    assert time.monotonic() - started < fast_policy.read_timeout


@pytest.mark.parametrize("announce_length", [True, False])
def test_body_over_the_byte_cap_is_too_large(httpserver: HTTPServer, fast_policy: FetchPolicy, announce_length: bool):
    body = b"<p>" + b"a" * 300_000 + b"</p>"

    def big(_: Request) -> Response:
        if announce_length:
            return Response(body, content_type=HTML)
        return Response(iter([body[i : i + 8192] for i in range(0, len(body), 8192)]), content_type=HTML)

    httpserver.expect_request("/big").respond_with_handler(big)
    result = Fetcher(replace(fast_policy, max_body_bytes=100_000)).fetch(httpserver.url_for("/big"))
    assert result.reason == "too_large" and result.body == b""


def test_gzip_bomb_is_stopped_at_the_decompressed_cap(httpserver: HTTPServer, fast_policy: FetchPolicy):
    bomb = gzip.compress(b"\0" * 20_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    httpserver.expect_request("/bomb").respond_with_data(bomb, content_type=HTML, headers={"Content-Encoding": "gzip"})
    policy = replace(fast_policy, max_body_bytes=200_000, max_decompressed_bytes=1_000_000)
    result = Fetcher(policy).fetch(httpserver.url_for("/bomb"))
    assert result.reason == "decompressed_too_large" and result.body == b""


def test_gzip_encoded_real_article_pages_are_decoded(
    httpserver: HTTPServer, fast_policy: FetchPolicy, article_pages: list[tuple[str, bytes]]
):
    fetcher = Fetcher(fast_policy)
    for name, html in article_pages:
        httpserver.expect_request(f"/{name}").respond_with_data(
            gzip.compress(html), content_type="text/html", headers={"Content-Encoding": "gzip"}
        )
        result = fetcher.fetch(httpserver.url_for(f"/{name}"))
        assert result.ok, (name, result.reason, result.detail)
        assert result.body == html
        assert result.text == html.decode("utf-8")


def test_redirects_are_followed_and_a_permanent_chain_gives_the_new_url(
    httpserver: HTTPServer, fast_policy: FetchPolicy
):
    new = httpserver.url_for("/new")
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/mid"})
    httpserver.expect_request("/mid").respond_with_data("", status=308, headers={"Location": new})
    httpserver.expect_request("/temp").respond_with_data("", status=302, headers={"Location": "/old"})
    httpserver.expect_request("/new").respond_with_data("<p>here</p>", content_type=HTML)
    fetcher = Fetcher(fast_policy)
    permanent = fetcher.fetch(httpserver.url_for("/old"))
    mixed = fetcher.fetch(httpserver.url_for("/temp"))
    assert permanent.ok and permanent.final_url == new
    assert permanent.redirects == (httpserver.url_for("/mid"), new)
    assert permanent.permanent_redirect_url == new
    assert mixed.ok and mixed.final_url == new and mixed.permanent_redirect_url is None


def test_redirect_loop_is_detected(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    result = Fetcher(fast_policy).fetch(httpserver.url_for("/a"))
    assert result.reason == "redirect_loop" and result.redirects == (httpserver.url_for("/b"),)


def test_redirect_chain_longer_than_the_cap_is_refused(httpserver: HTTPServer, fast_policy: FetchPolicy):
    for hop in range(10):
        httpserver.expect_request(f"/r{hop}").respond_with_data("", status=307, headers={"Location": f"/r{hop + 1}"})
    result = Fetcher(replace(fast_policy, max_redirects=3)).fetch(httpserver.url_for("/r0"))
    assert result.reason == "too_many_redirects" and len(result.redirects) == 3
    assert len(httpserver.log) == 4


@pytest.mark.parametrize("target", ["ftp://127.0.0.1/file", "file:///etc/passwd", "javascript:alert(1)"])
def test_redirect_to_a_non_http_scheme_is_refused(httpserver: HTTPServer, fast_policy: FetchPolicy, target: str):
    httpserver.expect_request("/jump").respond_with_data("", status=302, headers={"Location": target})
    result = Fetcher(fast_policy).fetch(httpserver.url_for("/jump"))
    assert result.reason == "bad_scheme" and result.status == 302


@pytest.mark.parametrize(("url", "reason"), [("ftp://127.0.0.1/x", "bad_scheme"), ("http:///nohost", "bad_url")])
def test_non_http_or_hostless_url_is_refused_without_a_request(fast_policy: FetchPolicy, url: str, reason: str):
    result = Fetcher(fast_policy).fetch(url)
    assert result.reason == reason and result.status is None


def test_rate_limited_with_long_retry_after_is_not_waited_for(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_request("/busy").respond_with_data("slow down", status=429, headers={"Retry-After": "120"})
    slept: list[float] = []
    result = Fetcher(replace(fast_policy, max_retries=2), sleep=slept.append).fetch(httpserver.url_for("/busy"))
    assert result.reason == "rate_limited" and result.retry_after == 120.0
    assert result.attempts == 1 and slept == []


def test_url_on_hold_after_retry_after_fails_fast_and_holds_no_other_url_of_its_host(
    httpserver: HTTPServer, fast_policy: FetchPolicy
):
    httpserver.expect_request("/busy").respond_with_data("", status=429, headers={"Retry-After": "3600"})
    httpserver.expect_request("/other").respond_with_data("<p>x</p>", content_type=HTML)
    fetcher = Fetcher(fast_policy)
    assert fetcher.fetch(httpserver.url_for("/busy")).reason == "rate_limited"
    started = time.monotonic()
    held = fetcher.fetch(httpserver.url_for("/busy"))
    assert held.reason == "rate_limited" and held.status is None and 3599 < held.retry_after <= 3600
    assert time.monotonic() - started < 0.5 and len(httpserver.log) == 1
    assert fetcher.fetch(httpserver.url_for("/other")).ok


def test_rate_limited_with_short_retry_after_is_retried(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_ordered_request("/busy").respond_with_data("wait", status=429, headers={"Retry-After": "0"})
    httpserver.expect_ordered_request("/busy").respond_with_data("<p>ok</p>", content_type=HTML)
    result = Fetcher(replace(fast_policy, max_retries=1)).fetch(httpserver.url_for("/busy"))
    assert result.ok and result.attempts == 2


def test_page_declaring_windows_1251_in_meta_only_is_decoded(httpserver: HTTPServer, fast_policy: FetchPolicy):
    text = "Новости дня: правительство объявило о новых мерах поддержки экономики."
    head = '<head><meta charset="windows-1251"><title>Новости</title></head>'
    page = f"<html>{head}<body><p>{text}</p></body></html>"
    httpserver.expect_request("/ru").respond_with_data(page.encode("cp1251"), content_type="text/html")
    result = Fetcher(fast_policy).fetch(httpserver.url_for("/ru"))
    assert result.ok and result.encoding == "cp1251" and text in result.text


def test_page_declaring_latin1_in_http_equiv_is_decoded(httpserver: HTTPServer, fast_policy: FetchPolicy):
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"></head>'
        "<body><p>Café crème à Genève</p></body></html>"
    )
    httpserver.expect_request("/fr").respond_with_data(page.encode("latin-1"), content_type="text/html")
    result = Fetcher(fast_policy).fetch(httpserver.url_for("/fr"))
    assert result.ok and "Café crème à Genève" in result.text


def test_undeclared_non_utf8_text_is_detected():
    text = "Президент подписал закон о бюджете на следующий год. Депутаты обсуждали его три месяца." * 3
    decoded, encoding = decode_body(text.encode("cp1251"))
    assert decoded == text and encoding.replace("_", "").lower() in {"cp1251", "windows1251"}


def test_wrong_content_type_for_a_page_is_refused(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_request("/img").respond_with_data(b"\x89PNG....", content_type="image/png")
    result = Fetcher(fast_policy).fetch(httpserver.url_for("/img"))
    assert result.reason == "bad_content_type" and result.content_type == "image/png" and result.body == b""


def test_feed_content_types_are_accepted_for_feeds(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_request("/atom").respond_with_data("<feed/>", content_type="application/atom+xml")
    fetcher = Fetcher(fast_policy)
    assert fetcher.fetch(httpserver.url_for("/atom"), kind="feed").ok
    assert fetcher.fetch(httpserver.url_for("/atom"), kind="page").reason == "bad_content_type"


def test_robots_txt_disallow_is_respected_for_pages_only(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    httpserver.expect_request("/private/story").respond_with_data("<p>secret</p>", content_type=HTML)
    httpserver.expect_request("/public/story").respond_with_data("<p>open</p>", content_type=HTML)
    httpserver.expect_request("/private/feed").respond_with_data("<rss/>", content_type="application/rss+xml")
    polite = replace(fast_policy, respect_robots=True)
    fetcher = Fetcher(polite)
    assert fetcher.fetch(httpserver.url_for("/private/story")).reason == "robots_disallowed"
    assert fetcher.fetch(httpserver.url_for("/public/story")).ok
    assert fetcher.fetch(httpserver.url_for("/private/feed"), kind="feed").ok
    ignoring = Fetcher(fast_policy)
    assert ignoring.fetch(httpserver.url_for("/private/story")).ok
    robots_requests = [req for req, _ in httpserver.log if req.path == "/robots.txt"]
    assert len(robots_requests) == 1, "robots.txt is fetched once per host and cached"
    assert [req.path for req, _ in httpserver.log].count("/private/story") == 1, "only the robots-ignoring fetch"


def test_missing_robots_txt_allows_and_failing_robots_txt_disallows(httpserver: HTTPServer, fast_policy: FetchPolicy):
    polite = replace(fast_policy, respect_robots=True)
    httpserver.expect_request("/page").respond_with_data("<p>ok</p>", content_type=HTML)
    assert Fetcher(polite).fetch(httpserver.url_for("/page")).ok
    httpserver.expect_request("/robots.txt").respond_with_data("", status=503)
    assert Fetcher(polite).fetch(httpserver.url_for("/page")).reason == "robots_unreachable"


def test_connection_refused_is_a_connection_error(fast_policy: FetchPolicy):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = Fetcher(fast_policy).fetch(f"http://127.0.0.1:{port}/x")
    assert result.reason == "connection_error"


def test_untrusted_certificate_is_a_tls_error(self_signed_https_server: HTTPServer, fast_policy: FetchPolicy):
    self_signed_https_server.expect_request("/secure").respond_with_data("<p>x</p>", content_type=HTML)
    url = self_signed_https_server.url_for("/secure")
    assert url.startswith("https://127.0.0.1")
    assert Fetcher(fast_policy).fetch(url).reason == "tls_error"


def test_requests_to_one_host_are_spaced_by_the_min_interval(httpserver: HTTPServer, fast_policy: FetchPolicy):
    httpserver.expect_request("/p").respond_with_data("<p>x</p>", content_type=HTML)
    fetcher = Fetcher(replace(fast_policy, min_host_interval=0.15))
    started = time.monotonic()
    for _ in range(3):
        assert fetcher.fetch(httpserver.url_for("/p")).ok
    assert time.monotonic() - started >= 0.3


def test_rate_limiter_books_slots_per_host():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)

    limiter = HostRateLimiter(clock=lambda: now[0], sleep=sleep)
    assert limiter.wait("http://a", 2.0) == 0
    assert limiter.wait("http://b", 2.0) == 0
    assert limiter.wait("http://a", 2.0) == 2.0
    limiter.hold_off("http://b", 30.0)
    assert limiter.wait("http://b", 2.0, max_wait=10.0) is None, "too long a wait is refused, not slept"
    assert limiter.wait("http://b", 2.0) == 30.0
    assert slept == [2.0, 30.0]


def test_retry_after_accepts_seconds_and_http_dates():
    from datetime import datetime, timezone

    now = datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 01 Jan 2025 00:01:00 GMT", now) == 60.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.parametrize(
    "changes", [{"connect_timeout": 0}, {"max_body_bytes": 0}, {"max_redirects": -1}, {"user_agent": " "}]
)
def test_invalid_policy_is_refused_early(changes: dict):
    with pytest.raises(ValueError, match="FetchPolicy"):
        FetchPolicy(**changes)


def test_unknown_fetch_kind_is_refused(fast_policy: FetchPolicy):
    with pytest.raises(ValueError, match="kind"):
        Fetcher(fast_policy).fetch("http://127.0.0.1/", kind="image")


def test_host_key_groups_by_scheme_host_and_port():
    assert http.host_key("HTTP://Example.com:8080/a?b") == "http://example.com:8080"
    assert http.host_key("https://example.com/x") != http.host_key("http://example.com/x")
