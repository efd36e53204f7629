"""Hostile live feeds: one bad feed or entry is its own reject; the other feeds of the run go on."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to
from pytest_httpserver import HTTPServer

from pipeline.sources.feeds import FeedState, PollPolicy
from pipeline.sources.http import FetchPolicy
from pipeline.sources.live import FEEDS, PollFeeds
from tests.conftest import local_test_pipeline

RSS = "application/rss+xml"


def _rss(*items: str) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>{"".join(items)}</channel></rss>'.encode()


def test_surrogate_references_and_a_long_retry_after_cost_only_their_own_feed(
    httpserver: HTTPServer, fast_policy: FetchPolicy
):
    hostile = _rss(
        "<item><title>Smile &#55357;&#56832;</title><link>http://127.0.0.1:9/a</link><guid>g-a</guid></item>",
        "<item><title>Lone &#xDC00; half</title><link>http://127.0.0.1:9/b</link><guid>g-b</guid></item>",
        "<item><title>Year 9999</title><link>http://127.0.0.1:9/c</link>"
        "<pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate></item>",
    )
    httpserver.expect_request("/hostile.xml").respond_with_data(hostile, content_type=RSS)
    httpserver.expect_request("/ok.xml").respond_with_data(
        _rss("<item><title>Fine</title><link>http://127.0.0.1:9/d</link></item>"), content_type=RSS
    )
    httpserver.expect_request("/busy.xml").respond_with_data("later", status=503, headers={"Retry-After": "3600"})
    states = [FeedState(url=httpserver.url_for(path)) for path in ("/busy.xml", "/hostile.xml", "/ok.xml")]
    with local_test_pipeline() as pipeline:
        polled = pipeline | PollFeeds(states, fast_policy, PollPolicy(), "run-1")
        assert_that(
            polled.entries | beam.Map(lambda e: (e.title, e.published)),
            equal_to([("Smile 😀", None), ("Lone \ufffd half", None), ("Year 9999", None), ("Fine", None)]),
            label="every entry of the hostile feed and of the good feed",
        )
        assert_that(
            polled.rejects | beam.Map(lambda r: (r.source_ref.rsplit("/", 1)[1], r.reason)),
            equal_to([("busy.xml", "http_5xx")]),
            label="only the busy feed failed",
        )
        assert_that(
            polled[FEEDS] | beam.Map(lambda r: (r.url.rsplit("/", 1)[1], r.consecutive_failures)),
            equal_to([("busy.xml", 1), ("hostile.xml", 0), ("ok.xml", 0)]),
            label="states",
        )
