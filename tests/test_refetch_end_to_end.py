"""Pages that failed transiently are fetched again by later runs and upgrade their articles in place."""

from __future__ import annotations

import random
import socket
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Response

from pipeline.cli import main
from pipeline.sources.feedlist import Subscription, write_feed_list
from tests.conftest import query
from tests.sources.test_live import RSS, Item, rss20
from tests.test_online_end_to_end import FAST_FETCHES
from tests.test_online_end_to_end import pages as pages  # noqa: F401 (a pytest fixture)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(workdir: Path, *extra: str) -> int:
    return main(
        ["run", "--seeds", str(workdir / "seeds"), "--db", str(workdir / "w.duckdb")]
        + ["--feeds", str(workdir / "feeds.opml"), *FAST_FETCHES, *extra]
    )


def _articles(workdir: Path) -> dict[str, tuple]:
    rows = query(workdir / "w.duckdb", "SELECT url, article_id, fallback_reason, content_kind FROM articles")
    return {url: tuple(rest) for url, *rest in rows}


def test_a_server_stopped_mid_run_and_restarted_has_every_fallback_upgraded_in_place(
    site: HTTPServer,
    pages: list[tuple[str, bytes]],
    tmp_path: Path,  # noqa: F811
):
    (tmp_path / "seeds").mkdir()
    other = HTTPServer(host="127.0.0.1", port=_free_port(), threaded=True)  # "stopped": not started yet
    other.no_handler_status_code = 404
    (good, good_html), (busy, busy_html), (gone, gone_html), (down, down_html) = pages[:4]
    links = {
        "good": site.url_for(f"/news/{good}"),
        "busy": site.url_for(f"/news/{busy}"),
        "gone": site.url_for(f"/news/{gone}"),
        "down": f"http://127.0.0.1:{other.port}/news/{down}",
    }
    items = [Item(name, f"Story {name}", link) for name, link in links.items()]
    site.expect_request("/feed.xml").respond_with_data(rss20(items), content_type=RSS)
    site.expect_request(f"/news/{good}").respond_with_data(good_html, content_type="text/html")
    busy_answer = [Response("busy", status=503)]
    site.expect_request(f"/news/{busy}").respond_with_handler(lambda _: busy_answer[0])
    site.expect_request(f"/news/{gone}").respond_with_data("gone", status=404)
    write_feed_list(tmp_path / "feeds.opml", [Subscription(site.url_for("/feed.xml"))])

    assert _run(tmp_path) == 0
    first = _articles(tmp_path)
    assert {url: row[1] for url, row in first.items()} == {
        links["good"]: None,
        links["busy"]: "http_5xx",
        links["gone"]: "http_404",
        links["down"]: "connection_error",
    }

    busy_answer[0] = Response(busy_html, content_type="text/html")
    other.expect_request(f"/news/{down}").respond_with_data(down_html, content_type="text/html")
    other.start()
    try:
        assert _run(tmp_path) == 0, "the feed is not due: the retries do not wait for it"
        second = _articles(tmp_path)
        assert len(second) == 4, "nothing stored twice"
        for name in ("busy", "down"):
            article_id, reason, kind = second[links[name]]
            assert (article_id, reason, kind) == (first[links[name]][0], None, "body"), name
        assert second[links["gone"]] == first[links["gone"]], "a permanent failure is not retried"
        assert [request.path for request, _ in other.log if request.path.startswith("/news/")] == [f"/news/{down}"]
        assert query(tmp_path / "w.duckdb", "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL") == [(0,)]
        (events,) = query(tmp_path / "w.duckdb", "SELECT count(*) FROM events WHERE article_count > 0")[0]
        assert query(tmp_path / "w.duckdb", "SELECT count(*) FROM events") == [(events,)]

        requests_before = len(site.log)
        assert _run(tmp_path) == 0
        assert len(site.log) == requests_before, "nothing left to fetch again"

        site.clear()
        site.no_handler_status_code = 404
        site.expect_request(f"/news/{gone}").respond_with_data(gone_html, content_type="text/html")
        gone_id = first[links["gone"]][0]
        assert main(["feeds", "refetch", "--article", gone_id, "--db", str(tmp_path / "w.duckdb")]) == 0
        assert _run(tmp_path) == 0
        assert _articles(tmp_path)[links["gone"]] == (gone_id, None, "body")
    finally:
        other.clear()
        other.stop()


def test_a_page_failing_again_counts_the_attempt_and_backs_off(site: HTTPServer, tmp_path: Path):
    (tmp_path / "seeds").mkdir()
    link = site.url_for("/news/busy")
    site.expect_request("/feed.xml").respond_with_data(rss20([Item("busy", "Story busy", link)]), content_type=RSS)
    site.expect_request("/news/busy").respond_with_data("busy", status=503)
    write_feed_list(tmp_path / "feeds.opml", [Subscription(site.url_for("/feed.xml"))])
    assert _run(tmp_path) == 0
    assert _run(tmp_path) == 0
    rows = query(
        tmp_path / "w.duckdb", "SELECT fallback_reason, fetch_attempts, next_fetch_at IS NOT NULL FROM articles"
    )
    assert rows == [("http_5xx", 1, True)]
    requests = len(site.log)
    assert _run(tmp_path) == 0
    assert len(site.log) == requests, "not due again before its backoff"


def test_pages_over_a_hosts_budget_wait_for_the_next_runs_oldest_first(
    site: HTTPServer,
    pages: list[tuple[str, bytes]],  # noqa: F811 (the fixture)
    tmp_path: Path,
):
    (tmp_path / "seeds").mkdir()
    names = [name for name, _ in pages[:3]]
    for name, html in pages[:3]:
        site.expect_request(f"/news/{name}").respond_with_data(html, content_type="text/html")
    items = [
        Item(name, f"Story {name}", site.url_for(f"/news/{name}"), published=f"2024-04-0{day}T10:00:00Z")
        for day, name in zip((3, 1, 2), names, strict=True)
    ]
    site.expect_request("/feed.xml").respond_with_data(rss20(items), content_type=RSS)
    write_feed_list(tmp_path / "feeds.opml", [Subscription(site.url_for("/feed.xml"))])
    order = [names[1], names[2], names[0]]  # by publication day
    for run in range(1, 4):
        assert _run(tmp_path, "--max_pages_per_host=1") == 0
        fetched = [request.path.rsplit("/", 1)[1] for request, _ in site.log if request.path.startswith("/news/")]
        assert fetched == order[:run]
        rows = _articles(tmp_path)
        assert len(rows) == 3
        assert sorted(reason or "" for _, reason, _ in rows.values()) == sorted(
            [""] * run + ["host_budget"] * (3 - run)
        )


def _term_counts_agree(db: Path) -> bool:
    """Whether ``term_stats`` holds, for every term, the number of stored originals whose features have it."""
    recount = """
        SELECT term, count(*) FROM (SELECT unnest(terms) AS term FROM article_features
            WHERE article_id IN (SELECT article_id FROM articles WHERE duplicate_of IS NULL)) GROUP BY term
        EXCEPT SELECT term, doc_count FROM term_stats WHERE doc_count > 0
    """
    extra = "SELECT term FROM term_stats WHERE doc_count <> 0 EXCEPT SELECT unnest(terms) FROM article_features"
    return query(db, recount) == [] and query(db, extra) == []


def test_an_upgrade_is_not_new_counts_its_terms_once_and_recounts_the_event_it_left(
    site: HTTPServer,
    pages: list[tuple[str, bytes]],
    tmp_path: Path,  # noqa: F811
):
    (tmp_path / "seeds").mkdir()
    db = tmp_path / "w.duckdb"
    (first, first_html), (second, second_html) = pages[:2]
    links = {name: site.url_for(f"/news/{name}") for name in ("original", "copy", "own")}
    items = [
        Item("original", "Story original", links["original"], "Ships reach the port after a long storm."),
        Item("copy", "Story original", links["copy"], "A reprint of the port story, at another address."),
        Item("own", "Story own", links["own"], "A different story about elections in the north."),
    ]
    site.expect_request("/feed.xml").respond_with_data(rss20(items), content_type=RSS)
    site.expect_request("/news/original").respond_with_data(first_html, content_type="text/html")
    answers = {"copy": Response("busy", status=503), "own": Response("busy", status=503)}
    for name in answers:
        site.expect_request(f"/news/{name}").respond_with_handler(lambda _, name=name: answers[name])
    write_feed_list(tmp_path / "feeds.opml", [Subscription(site.url_for("/feed.xml"))])
    assert _run(tmp_path) == 0
    assert query(db, "SELECT count(*) FROM articles WHERE fallback_reason = 'http_5xx'") == [(2,)]
    (left_event,) = query(db, "SELECT event_id FROM articles WHERE url = ?", [links["copy"]])[0]

    answers["copy"] = Response(first_html, content_type="text/html")  # the original's page at another address
    answers["own"] = Response(second_html, content_type="text/html")
    assert _run(tmp_path) == 0
    assert query(db, "SELECT articles_new, articles_upgraded FROM runs ORDER BY started_at DESC LIMIT 1") == [(0, 2)]
    (original_id, original_event) = query(
        db, "SELECT article_id, event_id FROM articles WHERE url = ?", [links["original"]]
    )[0]
    assert query(db, "SELECT duplicate_of, event_id FROM articles WHERE url = ?", [links["copy"]]) == [
        (original_id, original_event)
    ], "the upgraded copy is the original's exact copy, in its event"
    assert (
        query(db, "SELECT count(*) FROM events WHERE event_id = ?", [left_event]) == [(0,)]
        or left_event == original_event
    )
    stale = """
        SELECT e.event_id FROM events e LEFT JOIN articles a USING (event_id)
        GROUP BY e.event_id, e.article_count HAVING count(a.article_id) <> e.article_count
    """
    assert query(db, stale) == [], "every event counts its members"
    assert _term_counts_agree(db), "the old versions' terms are not counted beside the new ones"


def _prose(seed: int, words: int = 160) -> str:
    """Made-up prose of `words` words (a test text, not for tuning anything)."""
    rng = random.Random(seed)
    vocabulary = [f"{rng.choice('bdfgklmnprstv')}{rng.choice('aeiou')}{rng.choice('lmnrst')}{i}" for i in range(900)]
    return " ".join(rng.choice(vocabulary) for _ in range(words)) + "."


def _page(title: str, text: str) -> Response:
    html = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{text}</p></article></body>"
    return Response(html, content_type="text/html; charset=utf-8")


def test_stored_near_copies_of_an_upgraded_article_are_checked_again_and_follow_it_or_let_it_go(
    site: HTTPServer, tmp_path: Path
):
    (tmp_path / "seeds").mkdir()
    db = tmp_path / "w.duckdb"
    texts = {
        name: f"{name.title()} strike ends in the harbour. {_prose(seed)}" for seed, name in enumerate(["x1", "x2"])
    }
    items, answers = [], {}
    for name, text in texts.items():
        link, copy = site.url_for(f"/news/{name}"), site.url_for(f"/news/copy-of-{name}")
        items += [
            Item(name, f"{name.title()} strike ends", link, published="2025-02-01T09:00:00Z", content=text),
            Item(f"copy-of-{name}", f"{name.title()} strike ends", copy, published="2025-02-01T10:00:00Z"),
        ]
        answers[name] = Response("busy", status=503)
        answers[f"copy-of-{name}"] = _page(f"{name.title()} strike ends", f"{text} Reporting by the desk.")
    site.expect_request("/feed.xml").respond_with_data(rss20(items), content_type=RSS)
    for name in answers:
        site.expect_request(f"/news/{name}").respond_with_handler(lambda _, name=name: answers[name])
    write_feed_list(tmp_path / "feeds.opml", [Subscription(site.url_for("/feed.xml"))])
    assert _run(tmp_path) == 0
    near = "SELECT a.url, a.near_duplicate_of = p.article_id, a.event_id = p.event_id FROM articles a "
    near += "JOIN articles p ON p.url = replace(a.url, 'copy-of-', '') WHERE a.url LIKE '%copy-of-%' ORDER BY 1"
    copies = [site.url_for(f"/news/copy-of-{name}") for name in texts]
    assert query(db, near) == [(copies[0], True, True), (copies[1], True, True)], "near-copies of the fallbacks"

    answers["x1"] = _page("X1 strike ends", f"{texts['x1']} Updated with the union's statement.")
    answers["x2"] = _page("X2 strike ends", f"X2 strike ends in the harbour. {_prose(99)}")  # another text now
    assert _run(tmp_path) == 0
    assert query(db, "SELECT articles_upgraded FROM runs ORDER BY started_at DESC LIMIT 1") == [(2,)]
    assert query(db, near)[0] == (copies[0], True, True), "the copy of the text still there follows it, event too"
    assert query(db, near)[1][:2] == (copies[1], None), "the other is a near-copy no more, and stays where it was"
    links = "SELECT a.url FROM article_links l JOIN articles a USING (article_id) WHERE l.method = 'minhash'"
    assert query(db, links) == [(copies[0],)]
    scores = "SELECT near_duplicate_score FROM articles WHERE url = ?"
    assert query(db, scores, [copies[1]]) == [(None,)] and query(db, scores, [copies[0]])[0][0] > 0.3
    stale = """
        SELECT e.event_id FROM events e LEFT JOIN articles a USING (event_id)
        GROUP BY e.event_id, e.article_count HAVING count(a.article_id) <> e.article_count
    """
    assert query(db, stale) == [], "every event counts its members"
