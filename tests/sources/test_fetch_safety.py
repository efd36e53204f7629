"""The fetcher's SSRF guard and its one deadline over a whole response, against real servers on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from pytest_httpserver import HTTPServer

from pipeline.sources.http import DEADLINE_EXCEEDED, PRIVATE_ADDRESS, Fetcher, FetchPolicy, is_public_address


@pytest.fixture
def guarded(fast_policy: FetchPolicy) -> FetchPolicy:
    """The default guard, with only the test server's own address let through."""
    return replace(fast_policy, allow_private_networks=False, allowed_networks=("127.0.0.1/32",))


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.0.0.1", "192.168.1.1", "172.16.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0"]
    + ["224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:169.254.169.254", "ff02::1"],
)
def test_non_public_addresses_are_not_public(address):
    assert not is_public_address(address)


def test_public_addresses_are_public():
    assert is_public_address("93.184.216.34") and is_public_address("2606:2800:220:1:248:1893:25c8:1946")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://0xa9fea9fe/latest/meta-data/",
        "http://2852039166/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://10.0.0.1/",
        "http://0177.0.0.1/",
    ],
)
def test_private_targets_are_refused_by_default_before_any_connection(url, fast_policy):
    policy = replace(fast_policy, allow_private_networks=False)
    with Fetcher(policy) as fetcher:
        result = fetcher.fetch(url)
    assert result.reason == PRIVATE_ADDRESS and result.status is None


def test_the_local_server_is_refused_by_default_and_fetched_with_the_flag(httpserver: HTTPServer, fast_policy):
    httpserver.expect_request("/page").respond_with_data("<p>hi</p>", content_type="text/html")
    with Fetcher(replace(fast_policy, allow_private_networks=False)) as fetcher:
        assert fetcher.fetch(httpserver.url_for("/page")).reason == PRIVATE_ADDRESS
    assert not httpserver.log
    with Fetcher(replace(fast_policy, allow_private_networks=True)) as fetcher:
        assert fetcher.fetch(httpserver.url_for("/page")).ok


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://[::1]:{port}/page", "http://0xa9fea9fe/"]
)
def test_a_redirect_to_a_private_address_is_refused_at_that_hop(httpserver: HTTPServer, guarded, target):
    httpserver.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": target.format(port=httpserver.port)}
    )
    with Fetcher(guarded) as fetcher:
        result = fetcher.fetch(httpserver.url_for("/moved"))
    assert result.reason == PRIVATE_ADDRESS and len(httpserver.log) == 1


def test_a_redirect_to_localhost_is_followed_with_the_flag(httpserver: HTTPServer, fast_policy):
    httpserver.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": f"http://127.0.0.1:{httpserver.port}/page"}
    )
    httpserver.expect_request("/page").respond_with_data("<p>hi</p>", content_type="text/html")
    with Fetcher(replace(fast_policy, allow_private_networks=True)) as fetcher:
        result = fetcher.fetch(httpserver.url_for("/moved"))
    assert result.ok and result.text == "<p>hi</p>"


@pytest.fixture
def dripping_server() -> Iterator[str]:
    """A server on 127.0.0.1 that sends its status line, then one header byte every 0.1 s, forever."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve(connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not stop.is_set():
                try:
                    connection.sendall(b"a")
                except OSError:
                    return
                time.sleep(0.1)

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"
    stop.set()
    thread.join()
    listener.close()


@pytest.mark.parametrize("kind", ["feed", "page"])
def test_a_server_dripping_its_headers_is_cut_off_at_the_deadline(dripping_server, fast_policy, kind):
    policy = replace(fast_policy, deadline=1.0)
    started = time.monotonic()
    with Fetcher(policy) as fetcher:
        result = fetcher.fetch(dripping_server, kind=kind)
    assert result.reason == DEADLINE_EXCEEDED
    assert time.monotonic() - started < fast_policy.read_timeout, "neither the read timeout nor the drip ends it"


def test_a_page_declared_utf8_but_written_in_cp1252_is_read_as_cp1252(httpserver: HTTPServer, fast_policy):
    text = "<p>" + "Plain English words make up most of this page. " * 40 + "Crème brûlée, “quoted” – done.</p>"
    httpserver.expect_request("/page").respond_with_data(text.encode("cp1252"), content_type="text/html; charset=utf-8")
    with Fetcher(fast_policy) as fetcher:
        result = fetcher.fetch(httpserver.url_for("/page"))
    assert result.text == text and result.encoding == "cp1252"
