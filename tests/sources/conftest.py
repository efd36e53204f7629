"""Fixtures for source tests: a threaded HTTP server on 127.0.0.1, dev article pages, fast fetch policies."""

from __future__ import annotations

import gzip
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipeline.sources.http import FetchPolicy

ARTICLES_DIR = Path(__file__).resolve().parents[2].parent / "shared/data/articles/html"


@pytest.fixture(scope="session")
def make_httpserver() -> Iterator[HTTPServer]:
    """pytest-httpserver's server on 127.0.0.1 only, threaded so a slow handler blocks no other test."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def httpserver(make_httpserver: HTTPServer) -> HTTPServer:
    """The shared server, cleared; unknown paths answer 404 like a real site (no robots.txt: allow)."""
    make_httpserver.clear()
    make_httpserver.no_handler_status_code = 404
    return make_httpserver


@pytest.fixture
def fast_policy() -> FetchPolicy:
    """No wait between requests, no retries, no robots.txt, no proxies from the env.

    The time limits are generous, so a fetch that should succeed does so however loaded the machine (the test
    server is a thread of the test process, competing for its CPU and GIL); a test that wants a timeout sets a
    short limit for that failure alone and makes its server stall for longer than that (`tests.sources.test_live`).
    """
    return FetchPolicy(
        connect_timeout=5.0,
        read_timeout=5.0,
        deadline=10.0,
        min_host_interval=0.0,
        max_retries=0,
        backoff_base=0.01,
        backoff_max=0.05,
        max_retry_wait=1.0,
        respect_robots=False,
        use_env_proxies=False,
        allow_private_networks=True,
    )


@pytest.fixture(scope="session")
def article_pages() -> list[tuple[str, bytes]]:
    """(name, UTF-8 HTML) of the first dev article pages, sorted by name."""
    paths = sorted(ARTICLES_DIR.glob("*.html.gz"))[:5]
    if not paths:
        pytest.skip(f"no dev article pages in {ARTICLES_DIR}")
    return [(path.name.removesuffix(".html.gz"), gzip.decompress(path.read_bytes())) for path in paths]


@pytest.fixture(scope="session")
def self_signed_https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HTTPServer]:
    """An HTTPS server on 127.0.0.1 whose certificate no client trusts."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a self-signed certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()
