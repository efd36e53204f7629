"""``wirebeam run`` polling live feeds as a user runs it, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree

import filelock
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipeline.cli import main
from pipeline.run import run_repeatedly
from pipeline.sources.feedlist import Subscription, read_feed_list, write_feed_list
from tests.conftest import REPO, SHARED_DATA, query, table_counts
from tests.sources.test_live import (
    ATOM,
    HTML,
    RDF,
    RSS,
    SLOW,
    TIMEOUTS,
    Item,
    atom,
    conditional,
    drip,
    rss10,
    rss20,
    stall,
)

# No waits or retries, and limits so generous that a page that should be fetched is, however loaded the machine.
FAST_FETCHES = [
    "--connect_timeout=5",
    "--read_timeout=5",
    "--fetch_deadline=10",
    "--min_host_interval=0",
    "--allow_private_networks",
    "--fetch_retries=0",
]


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def site(server: HTTPServer) -> HTTPServer:
    """The server, cleared; unknown paths (robots.txt too) answer 404."""
    server.clear()
    server.no_handler_status_code = 404
    return server


@pytest.fixture(scope="module")
def pages() -> list[tuple[str, bytes]]:
    """(name, UTF-8 HTML) of the six smallest dev article pages."""
    folder = SHARED_DATA / "articles" / "html"
    paths = sorted(folder.glob("*.html.gz"), key=lambda path: path.stat().st_size)[:6]
    if len(paths) < 6:
        pytest.skip(f"needs the dev article pages in {folder} (../shared/data beside the repository)")
    return [(path.name.removesuffix(".html.gz")[:12], gzip.decompress(path.read_bytes())) for path in paths]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "seeds").mkdir()
    return tmp_path


def run_online(workdir: Path, *extra: str) -> int:
    return main(
        ["run", "--seeds", str(workdir / "seeds"), "--db", str(workdir / "wirebeam.duckdb")]
        + ["--feeds", str(workdir / "feeds.opml"), *FAST_FETCHES, *extra]
    )


def subscribe(workdir: Path, site: HTTPServer, *paths: str) -> None:
    write_feed_list(workdir / "feeds.opml", [Subscription(site.url_for(path)) for path in paths])


def serve_pages(site: HTTPServer, pages: list[tuple[str, bytes]]) -> list[str]:
    for name, html in pages:
        site.expect_request(f"/news/{name}").respond_with_data(html, content_type="text/html; charset=utf-8")
    return [site.url_for(f"/news/{name}") for name, _ in pages]


def requests_to(site: HTTPServer, prefix: str) -> int:
    return sum(1 for request, _ in site.log if request.path.startswith(prefix))


def db(workdir: Path) -> Path:
    return workdir / "wirebeam.duckdb"


def test_runs_poll_three_feed_formats_store_each_story_once_and_fetch_only_new_pages(
    site: HTTPServer, pages: list[tuple[str, bytes]], workdir: Path, capsys
):
    links = serve_pages(site, pages)
    rss_items = [Item("rss-0", "Story zero", links[0]), Item("rss-1", "Story one", links[1])]
    atom_items = [Item("atom-1", "Story one again", links[1]), Item("atom-2", "Story two", links[2])]
    rdf_items = [Item("rdf-3", "Story three", links[3])]
    versions = {'"v1"': rss20(rss_items), '"v2"': rss20([Item("rss-4", "Story four", links[4]), *rss_items])}
    current = ['"v1"']

    def rss_feed(request: Request) -> Response:
        if request.headers.get("If-None-Match") == current[0]:
            return Response(status=304)
        return Response(versions[current[0]], content_type=RSS, headers={"ETag": current[0]})

    site.expect_request("/rss.xml").respond_with_handler(rss_feed)
    site.expect_request("/atom.xml").respond_with_handler(conditional(atom(atom_items), '"a1"', ATOM))
    site.expect_request("/rdf.xml").respond_with_handler(conditional(rss10(rdf_items), '"r1"', RDF))
    subscribe(workdir, site, "/rss.xml", "/atom.xml", "/rdf.xml")

    assert run_online(workdir) == 0
    assert "feeds polled      3 (0 unchanged, 0 failing)" in capsys.readouterr().out
    stored = query(db(workdir), "SELECT url, origin, feed_title, content_kind, fallback_reason FROM articles")
    assert sorted(stored) == sorted(
        [
            (links[0], "feed", "Wire Desk", "body", None),
            (links[1], "feed", "Atom Wire", "body", None),
            (links[2], "feed", "Atom Wire", "body", None),
            (links[3], "feed", "RDF Wire", "body", None),
        ]
    ), "the story in two feeds is fetched and stored once"
    assert [requests_to(site, f"/news/{name}") for name, _ in pages[:4]] == [1, 1, 1, 1]
    feeds = query(db(workdir), "SELECT url, last_status, etag, consecutive_failures, entry_count FROM feeds")
    assert sorted(feeds) == [
        (site.url_for("/atom.xml"), 200, '"a1"', 0, 2),
        (site.url_for("/rdf.xml"), 200, '"r1"', 0, 1),
        (site.url_for("/rss.xml"), 200, '"v1"', 0, 2),
    ]

    assert run_online(workdir, "--poll_all") == 0
    assert "feeds polled      3 (3 unchanged, 0 failing)" in capsys.readouterr().out
    assert query(db(workdir), "SELECT count(*) FROM articles") == [(4,)]
    assert requests_to(site, "/news/") == 4, "a 304 fetches no page"

    current[0] = '"v2"'
    assert run_online(workdir, "--poll_all") == 0
    assert query(db(workdir), "SELECT count(*), count(DISTINCT url) FROM articles") == [(5, 5)]
    assert requests_to(site, "/news/") == 5, "only the new entry's page is fetched"
    (counts,) = query(db(workdir), "SELECT feed_counts FROM runs ORDER BY started_at DESC LIMIT 1")[0]
    assert json.loads(counts)[site.url_for("/rss.xml")] == {
        "status": 200,
        "error": None,
        "entries": 3,
        "articles_new": 1,
        "fallbacks": 0,
    }
    assert table_counts(db(workdir))["runs"] == 3


def test_failing_feeds_and_unfetchable_pages_are_recorded_and_the_run_goes_on(
    site: HTTPServer, slow_site: HTTPServer, pages: list[tuple[str, bytes]], workdir: Path
):
    (good,) = serve_pages(site, pages[:1])
    text = "Le ministre a déclaré à Montréal que la réforme sera votée «très bientôt», après l'été. " * 12
    latin = f"<html><head><title>Réforme</title></head><body><article><h1>Réforme</h1><p>{text}</p></article></body>"
    site.expect_request("/fr").respond_with_data(latin.encode("cp1252"), content_type="text/html; charset=cp1252")
    site.expect_request("/huge").respond_with_data(b"<p>" + b"word " * 100_000 + b"</p>", content_type=HTML)
    site.expect_request("/loop-a").respond_with_data("", status=302, headers={"Location": "/loop-b"})
    site.expect_request("/loop-b").respond_with_data("", status=302, headers={"Location": "/loop-a"})
    failing_pages = {"/gone": "http_404", "/huge": "too_large", "/loop-a": "redirect_loop"}
    items = [Item("good", "A real article", good), Item("fr", "Réforme", site.url_for("/fr"))]
    items += [Item(path, f"Unreachable {path}", site.url_for(path)) for path in failing_pages]
    items += [Item("ftp", "Not on the web", "ftp://127.0.0.1/story.txt"), Item("nolink", "No link at all", None)]
    site.expect_request("/feed.xml").respond_with_data(rss20(items), content_type=RSS)
    site.expect_request("/missing.xml").respond_with_data("gone", status=404)
    site.expect_request("/error.xml").respond_with_data("oops", status=500)
    slow_site.expect_request("/stall.xml").respond_with_handler(stall())
    slow_site.expect_request("/drip.xml").respond_with_handler(drip)
    site.expect_request("/bad.xml").respond_with_data(b"<rss><channel><item><title>bro", content_type=RSS)
    failing_feeds = {
        "/missing.xml": "http_404",
        "/error.xml": "http_5xx",
        "/stall.xml": "timeout",
        "/drip.xml": "deadline_exceeded",
        "/bad.xml": "malformed_feed",
    }
    feed_url = {path: (slow_site if path[1:] in SLOW else site).url_for(path) for path in ["/feed.xml", *failing_feeds]}
    write_feed_list(workdir / "feeds.opml", [Subscription(url) for url in feed_url.values()])

    timeouts = [f"--read_timeout={TIMEOUTS['read_timeout']}", f"--fetch_deadline={TIMEOUTS['deadline']}"]
    assert run_online(workdir, "--max_page_bytes=300000", *timeouts) == 0

    rejects = query(db(workdir), "SELECT source_ref, stage, reason FROM rejects")
    expected = [(feed_url[path], "feed", reason) for path, reason in failing_feeds.items()]
    expected += [(site.url_for(path), "fetch", reason) for path, reason in failing_pages.items()]
    no_links = query(db(workdir), "SELECT entry_key FROM articles WHERE url IS NULL")  # no link, an ftp: link
    expected += [(f"{site.url_for('/feed.xml')}#{key}", "fetch", "entry_without_link") for (key,) in no_links]
    assert sorted(rejects) == sorted(expected)
    articles = dict(query(db(workdir), "SELECT title, fallback_reason FROM articles"))
    assert articles == {
        "A real article": None,
        "Réforme": None,
        "Unreachable /gone": "http_404",
        "Unreachable /huge": "too_large",
        "Unreachable /loop-a": "redirect_loop",
        "Not on the web": "entry_without_link",
        "No link at all": "entry_without_link",
    }
    assert query(db(workdir), "SELECT count(*) FROM articles WHERE content_kind = 'summary'") == [(5,)]
    (french,) = query(db(workdir), "SELECT text FROM articles WHERE title = 'Réforme'")[0]
    assert "déclaré à Montréal" in french and "«très bientôt»" in french
    health = query(
        db(workdir), "SELECT url, consecutive_failures, last_error, next_poll_at > last_polled_at FROM feeds"
    )
    assert sorted(health) == sorted(
        [(site.url_for("/feed.xml"), 0, None, True)]
        + [(feed_url[path], 1, reason, True) for path, reason in failing_feeds.items()]
    )


def test_entries_whose_links_differ_only_in_an_identifying_query_parameter_are_each_stored(
    site: HTTPServer, pages: list[tuple[str, bytes]], workdir: Path
):
    queries = ["nid=101", "nid=102", "articleId=7", "slug=harbour-strike"]
    for query_string, (_, html) in zip(queries, pages[:4], strict=True):
        site.expect_request("/story", query_string=query_string).respond_with_data(html, content_type=HTML)
    links = [f"{site.url_for('/story')}?{query_string}" for query_string in queries]
    items = [Item(f"q-{index}", f"Story {index}", link) for index, link in enumerate(links)]
    site.expect_request("/feed.xml").respond_with_data(rss20(items), content_type=RSS)
    subscribe(workdir, site, "/feed.xml")
    assert run_online(workdir) == 0
    stored = query(db(workdir), "SELECT url, fallback_reason, duplicate_of FROM articles ORDER BY title")
    assert stored == [(link, None, None) for link in links], "four pages, four articles, none a copy of another"
    assert requests_to(site, "/story") == 4


def test_an_entry_its_feed_gives_a_new_guid_and_headline_is_not_stored_again(
    site: HTTPServer, pages: list[tuple[str, bytes]], workdir: Path
):
    (link,) = serve_pages(site, pages[:1])
    summary = "Shares in Asia and Europe opened higher on Monday after a quiet weekend of trading."
    items = [[Item("guid-1", "Markets open higher", link, summary)]]
    site.expect_request("/feed.xml").respond_with_handler(lambda request: Response(rss20(items[0]), content_type=RSS))
    subscribe(workdir, site, "/feed.xml")
    assert run_online(workdir) == 0

    other = "Brent crude fell three percent by noon in London trading on Monday."
    items[0] = [Item("guid-2", "Stocks rally as markets open", link, summary), Item("guid-3", "Oil falls", link, other)]
    assert run_online(workdir, "--poll_all") == 0
    assert query(db(workdir), "SELECT title, fallback_reason FROM articles ORDER BY 1") == [
        ("Markets open higher", None),
        ("Oil falls", "shared_page"),
    ], "the re-keyed, retitled entry is the stored article; another entry on its page is an article of its own"
    assert requests_to(site, "/news/") == 1


def test_a_feed_its_hosts_time_budget_leaves_is_reported_deferred_and_polled_by_the_next_run(
    site: HTTPServer, pages: list[tuple[str, bytes]], workdir: Path, capsys
):
    budget = 3.0  # seconds of host time: the second run fetches a feed and a page in it, even on a loaded machine
    (link,) = serve_pages(site, pages[:1])
    site.expect_request("/a-slow.xml").respond_with_handler(stall(budget + 0.1))
    site.expect_request("/b.xml").respond_with_data(rss20([Item("b-1", "Story b", link)]), content_type=RSS)
    slow, waiting = site.url_for("/a-slow.xml"), site.url_for("/b.xml")
    subscribe(workdir, site, "/a-slow.xml", "/b.xml")

    assert run_online(workdir, f"--max_host_seconds={budget}") == 0
    out = capsys.readouterr().out
    assert "feeds polled      1 (0 unchanged, 0 failing)" in out
    assert "feeds deferred    1 (host time budget spent; polled first next run)" in out
    assert f"feed {waiting}  deferred: its host's time budget for this run was spent" in out
    assert requests_to(site, "/b.xml") == 0
    (counts,) = query(db(workdir), "SELECT feed_counts FROM runs")[0]
    assert json.loads(counts)[waiting] == {
        "status": None,
        "error": "host_budget",
        "entries": 0,
        "articles_new": 0,
        "fallbacks": 0,
    }, "the run's history says so too"

    assert run_online(workdir, f"--max_host_seconds={budget}") == 0
    out = capsys.readouterr().out
    assert f"feed {waiting}  polled: 200, 1 new article" in out and f"feed {slow}  not due until" in out
    assert query(db(workdir), "SELECT url, fallback_reason FROM articles") == [(link, None)]


def test_a_feed_not_due_is_not_polled_and_a_moved_feed_is_found_under_its_new_url(
    site: HTTPServer, pages: list[tuple[str, bytes]], workdir: Path, capsys
):
    (link,) = serve_pages(site, pages[:1])
    site.expect_request("/old.xml").respond_with_data("", status=301, headers={"Location": site.url_for("/new.xml")})
    site.expect_request("/new.xml").respond_with_data(rss20([Item("x", "Moved", link)]), content_type=RSS)
    subscribe(workdir, site, "/old.xml")
    assert run_online(workdir) == 0
    assert query(db(workdir), "SELECT url, previous_urls FROM feeds") == [
        (site.url_for("/new.xml"), [site.url_for("/old.xml")])
    ]
    assert listed(workdir) == [site.url_for("/new.xml")], "the feed list follows the permanent redirect"
    assert run_online(workdir) == 0
    assert requests_to(site, "/new.xml") == 1, "polled again only when due"
    assert run_online(workdir, "--poll_all") == 0
    assert (requests_to(site, "/old.xml"), requests_to(site, "/new.xml")) == (1, 2)
    assert table_counts(db(workdir))["articles"] == 1
    capsys.readouterr()
    assert main(["feeds", "list", "--feeds", str(workdir / "feeds.opml"), "--db", str(db(workdir))]) == 0
    listing = capsys.readouterr().out
    assert "Wire Desk" in listing and "ok (200)" in listing and site.url_for("/new.xml") in listing
    assert "not in the feed list" not in listing


def listed(workdir: Path) -> list[str]:
    return [subscription.url for subscription in read_feed_list(workdir / "feeds.opml")]


def test_removing_a_moved_feed_by_its_stored_url_removes_it_from_the_list(site: HTTPServer, workdir: Path):
    site.expect_request("/old.xml").respond_with_data("", status=301, headers={"Location": site.url_for("/new.xml")})
    site.expect_request("/new.xml").respond_with_data(rss20([Item("x", "Moved", None)]), content_type=RSS)
    subscribe(workdir, site, "/old.xml")
    assert run_online(workdir) == 0
    subscribe(workdir, site, "/old.xml")  # a list that still names the old URL (written before the move was seen)
    manage = ["--feeds", str(workdir / "feeds.opml"), "--db", str(db(workdir))]
    assert main(["feeds", "remove", site.url_for("/new.xml"), *manage]) == 0
    assert listed(workdir) == [], "the old URL stayed listed: the next run polls the feed as never polled"
    assert query(db(workdir), "SELECT count(*) FROM feeds") == [(0,)]


def test_feeds_commands_add_import_export_and_list(tmp_path: Path, capsys):
    feeds = str(tmp_path / "feeds.opml")
    assert main(["feeds", "add", "https://example.org/rss", "--title", "Example", "--feeds", feeds]) == 0
    assert main(["feeds", "add", "HTTPS://EXAMPLE.org/rss", "--feeds", feeds]) == 0
    assert main(["feeds", "add", "javascript:alert(1)", "--feeds", feeds]) == 2
    other = tmp_path / "reader-export.opml"
    other.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body><outline text="News">'
        '<outline type="rss" text="Wire" xmlUrl="http://wire.example/feed"/>'
        '<outline type="rss" text="Dup" xmlUrl="https://example.org/rss"/></outline></body></opml>'
    )
    assert main(["feeds", "import", str(other), "--feeds", feeds]) == 0
    output = capsys.readouterr()
    assert "added https://example.org/rss" in output.out and "already in" in output.out
    assert "imported 1 feed into" in output.out and "must be http or https" in output.err
    assert main(["feeds", "export", "--feeds", feeds]) == 0
    exported = ElementTree.fromstring(capsys.readouterr().out.encode())
    urls = sorted(node.get("xmlUrl") for node in exported.iter("outline") if node.get("xmlUrl"))
    assert urls == ["http://wire.example/feed", "https://example.org/rss"]
    assert main(["feeds", "list", "--feeds", feeds, "--db", str(tmp_path / "none.duckdb")]) == 0
    listing = capsys.readouterr().out
    assert listing.count("never polled") == 2 and "Example" in listing


def test_run_every_repeats_until_ctrl_c_and_skips_a_tick_while_the_database_is_locked(capsys):
    outcomes = iter(["first", filelock.Timeout("db.lock"), "third"])
    reported, sleeps = [], []

    def execute() -> str:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise KeyboardInterrupt

    assert run_repeatedly(execute, lambda result, _: reported.append(result), every=0.5, sleep=sleep) == 0
    assert reported == ["first", "third"] and len(sleeps) == 3 and all(0 <= s <= 0.5 for s in sleeps)
    assert "skipping this run" in capsys.readouterr().err


NO_SOCKET_RUN = textwrap.dedent(
    """
    import sys

    def refuse_sockets(event, args):
        if event.startswith("socket."):
            raise RuntimeError(f"offline run opened a socket: {event} {args}")

    sys.addaudithook(refuse_sockets)
    from pipeline.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def test_offline_run_with_a_feed_list_polls_nothing_and_opens_no_socket(workdir: Path):
    write_feed_list(workdir / "seeds" / "feeds.opml", [Subscription("http://127.0.0.1:9/feed.xml")])
    (workdir / "seeds" / "story.txt").write_text("A headline\nA body about something that happened.")
    command = [sys.executable, "-c", NO_SOCKET_RUN, "run", "--offline", "--seeds", str(workdir / "seeds")]
    command += ["--db", str(db(workdir)), "--feeds", str(workdir / "seeds" / "feeds.opml")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "socket" not in result.stderr
    assert table_counts(db(workdir))["articles"] == 1
    assert query(db(workdir), "SELECT count(*) FROM feeds") == [(0,)]


def test_a_feeds_only_run_needs_no_seeds_directory(
    site: HTTPServer, pages: list[tuple[str, bytes]], tmp_path: Path, monkeypatch
):
    links = serve_pages(site, pages[:1])
    site.expect_request("/only.xml").respond_with_data(
        rss20([Item("only-0", "Only story", links[0])]), content_type=RSS
    )
    subscribe(tmp_path, site, "/only.xml")
    monkeypatch.chdir(tmp_path)  # no seeds/ here
    assert not (tmp_path / "seeds").exists()
    flags = ["--db", str(tmp_path / "wirebeam.duckdb"), "--feeds", str(tmp_path / "feeds.opml"), *FAST_FETCHES]
    assert main(["run", *flags]) == 0
    assert query(tmp_path / "wirebeam.duckdb", "SELECT url FROM articles") == [(links[0],)]
    assert main(["run", "--offline", *flags]) == 2, "an offline run still needs its seeds"


def test_entries_with_their_own_guids_linking_one_page_are_each_stored_and_the_page_is_fetched_once(
    site: HTTPServer, pages: list[tuple[str, bytes]], workdir: Path
):
    (link,) = serve_pages(site, pages[:1])
    live = [
        Item("live-1", "Live: markets open higher", link, published="2025-02-01T09:00:00Z"),
        Item("live-2", "Oil falls at noon", link, "Brent fell three percent by noon.", "2025-02-01T12:00:00Z"),
        Item("live-3", "Live: markets open higher - Wire Desk", link, published="2025-02-01T09:05:00Z"),
    ]
    items = [live]
    site.expect_request("/live.xml").respond_with_handler(lambda request: Response(rss20(items[0]), content_type=RSS))
    subscribe(workdir, site, "/live.xml")
    assert run_online(workdir) == 0
    shared = "SELECT entry_key IS NOT NULL, title, canonical_url, fallback_reason, duplicate_of FROM articles"
    shared += " ORDER BY title"
    assert query(db(workdir), shared) == [
        (True, "Live: markets open higher", link, None, None),
        (True, "Oil falls at noon", None, "shared_page", None),
    ]
    assert query(db(workdir), "SELECT reason, detail LIKE '%repeats%' FROM rejects") == [("shared_page", True)]
    assert requests_to(site, "/news/") == 1

    items[0] = [*live, Item("live-4", "Central bank holds rates", link, published="2025-02-01T15:00:00Z")]
    assert run_online(workdir, "--poll_all") == 0
    assert query(db(workdir), "SELECT title, fallback_reason FROM articles WHERE title LIKE 'Central%'") == [
        ("Central bank holds rates", "shared_page")
    ]
    assert query(db(workdir), "SELECT count(*), count(duplicate_of) FROM articles") == [(3, 0)]
    assert requests_to(site, "/news/") == 1, "the stored page is not fetched again"


WILDFIRE_PAGE = """<html><head><title>Wildfire forces evacuations near Boulder - Mountain Daily</title></head><body>
<article><h1>Wildfire forces evacuations near Boulder</h1>
<p>A wildfire driven by strong winds forced the evacuation of about two thousand homes west of Boulder on Tuesday,
county officials said, as firefighters struggled to contain flames that had spread across dry grassland.</p>
<p>The sheriff's office said no injuries had been reported, but several outbuildings were destroyed. Air tankers
dropped retardant along the ridge through the afternoon while crews cut containment lines by hand.</p>
<p>Forecasters expected the winds to ease overnight, which would give firefighters a chance to gain ground.</p>
</article></body></html>"""


def test_a_page_two_feeds_link_is_the_article_of_the_entry_whose_headline_it_states(site: HTTPServer, workdir: Path):
    site.expect_request("/news/wildfire").respond_with_data(WILDFIRE_PAGE, content_type=HTML)
    link = site.url_for("/news/wildfire")
    bridge = "Two dead as a bridge collapses over the river in the night; rescuers search for more victims."
    broken = [Item("b-1", "Bridge collapse kills two", link, bridge, "2025-02-01T08:00:00Z")]  # the wrong link
    good = [Item("w-1", "Wildfire forces evacuations near Boulder", link, published="2025-02-01T09:00:00Z")]
    site.expect_request("/broken.xml").respond_with_data(rss20(broken, "Broken Feed"), content_type=RSS)
    site.expect_request("/good.xml").respond_with_data(rss20(good), content_type=RSS)
    subscribe(workdir, site, "/broken.xml", "/good.xml")
    assert run_online(workdir) == 0
    rows = query(
        db(workdir), "SELECT title, canonical_url, fallback_reason, coalesce(text, summary) FROM articles ORDER BY 1"
    )
    assert [row[:3] for row in rows] == [
        ("Bridge collapse kills two", None, "shared_page"),
        ("Wildfire forces evacuations near Boulder", link, None),
    ], "the earlier entry's headline is another story's: the page is the later entry's article"
    assert "bridge collapses" in rows[0][3] and "wildfire driven by strong winds" in rows[1][3].lower()
    assert requests_to(site, "/news/") == 1


def test_a_guid_that_is_no_url_is_not_fetched_as_a_page_of_the_feeds_site(site: HTTPServer, workdir: Path):
    items = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><description>{title}: the wire's own text.</description>"
        "<pubDate>Sat, 01 Feb 2025 09:30:00 +0000</pubDate></item>"
        for guid, title in (("abc-123", "Harbour strike ends"), ("tag:wire.example,2025:7", "Rates held"))
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'
    site.expect_request("/rss/feed.xml").respond_with_data(feed, content_type=RSS)
    subscribe(workdir, site, "/rss/feed.xml")
    assert run_online(workdir) == 0
    assert [request.path for request, _ in site.log] == ["/rss/feed.xml"], "no page fetched: no /rss/abc-123"
    assert query(db(workdir), "SELECT title, url, fallback_reason FROM articles ORDER BY 1") == [
        ("Harbour strike ends", None, "entry_without_link"),
        ("Rates held", None, "entry_without_link"),
    ]


def test_a_link_to_no_web_page_is_stored_as_no_link_not_rewritten(site: HTTPServer, workdir: Path):
    items = [Item("f-1", "Harbour strike ends", "file:///etc/passwd"), Item("j-1", "Rates held", "javascript:alert(1)")]
    site.expect_request("/feed.xml").respond_with_data(rss20(items), content_type=RSS)
    subscribe(workdir, site, "/feed.xml")
    assert run_online(workdir) == 0
    assert query(db(workdir), "SELECT title, url, fallback_reason FROM articles ORDER BY 1") == [
        ("Harbour strike ends", None, "entry_without_link"),
        ("Rates held", None, "entry_without_link"),
    ], "file:///etc/passwd was stored as file://etc/passwd"
    assert query(db(workdir), "SELECT DISTINCT reason FROM rejects") == [("entry_without_link",)]


def test_an_entry_whose_page_another_feed_reaches_through_a_redirect_is_stored_not_lost(
    site: HTTPServer, workdir: Path
):
    site.expect_request("/p/port").respond_with_data(WILDFIRE_PAGE, content_type=HTML)
    site.expect_request("/r/port").respond_with_data("", status=302, headers={"Location": site.url_for("/p/port")})
    page = "Wildfire forces evacuations near Boulder"
    other = "Firefighters ask residents to stay away from the canyon roads"
    first = [Item("a-1", page, site.url_for("/r/port"), published="2025-02-01T09:00:00Z")]
    second = [Item("b-1", other, site.url_for("/p/port"), other + ".", "2025-02-01T15:00:00Z")]
    site.expect_request("/a.xml").respond_with_data(rss20(first, "Feed A"), content_type=RSS)
    site.expect_request("/b.xml").respond_with_data(rss20(second, "Feed B"), content_type=RSS)
    subscribe(workdir, site, "/a.xml", "/b.xml")
    assert run_online(workdir) == 0
    rows = query(db(workdir), "SELECT title, canonical_url, fallback_reason FROM articles ORDER BY published_at")
    assert rows == [(page, site.url_for("/p/port"), None), (other, None, "shared_page")], "entry b-1 was lost"
    assert requests_to(site, "/p/") == 1


def test_a_feed_with_a_backlog_over_the_entry_budget_is_not_counted_failing(site: HTTPServer, workdir: Path, capsys):
    items = [
        Item(f"g-{day}", f"Harbour strike day {day}", None, f"Day {day}.", f"2025-02-0{day}T09:00:00Z")
        for day in (1, 2, 3)
    ]
    site.expect_request("/feed.xml").respond_with_data(rss20(items), content_type=RSS)
    subscribe(workdir, site, "/feed.xml")
    assert run_online(workdir, "--max_new_entries_per_feed=2") == 0
    out = capsys.readouterr().out
    assert "feeds polled      1 (0 unchanged, 0 failing)" in out, "a healthy feed counted failing for its backlog"
    assert query(db(workdir), "SELECT count(*) FROM articles") == [(2,)]


PORT_PAGE = """<html><head><title>Rotterdam port strike halts container traffic</title>
<meta property="og:site_name" content="Harbour Times"></head><body><article>
<h1>Rotterdam port strike halts container traffic</h1>
<p>Dock workers at the port of Rotterdam walked off the job on Thursday in a dispute over automation, halting
container traffic at Europe's largest port.</p>
<p>The FNV union said the strike would last 24 hours. Port authority chief executive Boudewijn Siemons said dozens
of ships were waiting at anchor off the coast of the Netherlands.</p>
<p>Shipping companies Maersk and MSC said they were diverting some vessels to Antwerp and Hamburg.</p>
</article></body></html>"""


def other_host(site: HTTPServer, path: str) -> str:
    """The server's URL for ``path`` under another host name (``localhost``): fetched by another host's worker."""
    return site.url_for(path).replace("127.0.0.1", "localhost")


def test_an_entry_whose_page_a_feed_of_another_host_reaches_through_a_redirect_is_stored_not_lost(
    site: HTTPServer, workdir: Path
):
    site.expect_request("/p/port").respond_with_data(PORT_PAGE, content_type=HTML)
    site.expect_request("/r/port").respond_with_data("", status=302, headers={"Location": site.url_for("/p/port")})
    page, other = "Rotterdam port strike halts container traffic", "Port strike: ships wait off Rotterdam"
    first = [Item("a1", page, other_host(site, "/r/port"), "Dock workers strike.", "2026-11-19T09:00:00Z")]
    second = [Item("b1", other, site.url_for("/p/port"), "Ships wait.", "2026-11-19T15:00:00Z")]
    site.expect_request("/a.rss").respond_with_data(rss20(first, "Feed A"), content_type=RSS)
    site.expect_request("/b.rss").respond_with_data(rss20(second, "Feed B"), content_type=RSS)
    subscribe(workdir, site, "/a.rss", "/b.rss")
    assert run_online(workdir) == 0
    rows = query(db(workdir), "SELECT title, canonical_url, fallback_reason FROM articles ORDER BY published_at")
    assert rows == [(page, site.url_for("/p/port"), None), (other, None, "shared_page")], "entry b1 was lost"


def test_one_outlet_is_one_source_whether_its_page_names_its_site_or_was_not_fetched(site: HTTPServer, workdir: Path):
    site.expect_request("/p/port").respond_with_data(PORT_PAGE, content_type=HTML)  # og:site_name Harbour Times
    site.expect_request("/news/wildfire").respond_with_data(WILDFIRE_PAGE, content_type=HTML)  # no site name
    items = [
        Item("a1", "Rotterdam port strike halts container traffic", site.url_for("/p/port")),
        Item("a2", "Wildfire forces evacuations near Boulder", site.url_for("/news/wildfire")),
        Item("a3", "Harbour pilots join the strike", site.url_for("/news/gone"), "Pilots walked out too."),  # 404
    ]
    site.expect_request("/a.rss").respond_with_data(rss20(items, "Feed A"), content_type=RSS)
    subscribe(workdir, site, "/a.rss")
    assert run_online(workdir) == 0
    rows = query(db(workdir), "SELECT fallback_reason, source FROM articles ORDER BY title")
    assert rows == [("http_404", "127.0.0.1"), (None, "127.0.0.1"), (None, "127.0.0.1")], "one outlet, three sources"


def test_an_entry_its_feed_says_was_updated_is_read_again_once_and_stored_as_a_new_version(
    site: HTTPServer, workdir: Path
):
    story = site.url_for("/news/wildfire")
    page, feed = [WILDFIRE_PAGE], [b""]

    def atom_entry(title: str, updated: datetime) -> bytes:
        return (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Mountain Wire'
            f"</title><id>urn:w</id><updated>{updated:%Y-%m-%dT%H:%M:%SZ}</updated><entry><id>urn:w:1</id>"
            f'<title>{title}</title><link rel="alternate" href="{story}"/><published>2025-02-01T09:00:00Z</published>'
            f"<updated>{updated:%Y-%m-%dT%H:%M:%SZ}</updated><summary>Evacuations.</summary></entry></feed>"
        ).encode()

    site.expect_request("/news/wildfire").respond_with_handler(lambda _: Response(page[0], content_type=HTML))
    site.expect_request("/w.xml").respond_with_handler(lambda _: Response(feed[0], content_type=ATOM))
    feed[0] = atom_entry("Wildfire forces evacuations near Boulder", datetime(2025, 2, 1, 9, tzinfo=timezone.utc))
    subscribe(workdir, site, "/w.xml")
    assert run_online(workdir) == 0
    page[0] = WILDFIRE_PAGE.replace("</article>", "<p>By evening two thousand more homes were evacuated.</p></article>")
    feed[0] = atom_entry("Wildfire evacuations grow near Boulder", datetime.now(timezone.utc))
    assert run_online(workdir, "--poll_all") == 0
    assert run_online(workdir, "--poll_all") == 0
    rows = query(db(workdir), "SELECT title, duplicate_of IS NOT NULL FROM articles ORDER BY ingested_at")
    assert rows == [
        ("Wildfire forces evacuations near Boulder", False),
        ("Wildfire evacuations grow near Boulder", True),
    ], "the updated story was never read again"
    assert requests_to(site, "/news/") == 2, "read again once, not at every poll"


def test_a_live_entrys_unreadable_or_placeholder_date_is_null_and_flagged(site: HTTPServer, workdir: Path):
    dates = ["yesterday", "Thu, 01 Jan 1970 00:00:00 GMT", "Sat, 01 Feb 2025 09:00:00 GMT"]
    items = "".join(
        f"<item><guid isPermaLink='false'>g{n}</guid><title>Harbour story {n}</title>"
        f"<description>Harbour workers said story {n}.</description><pubDate>{date}</pubDate></item>"
        for n, date in enumerate(dates)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Dates</title>{items}</channel></rss>'
    site.expect_request("/d.xml").respond_with_data(feed, content_type=RSS)
    subscribe(workdir, site, "/d.xml")
    assert run_online(workdir) == 0
    stored = query(db(workdir), "SELECT title, published_at IS NULL FROM articles ORDER BY 1")
    assert stored == [("Harbour story 0", True), ("Harbour story 1", True), ("Harbour story 2", False)]
    flags = query(db(workdir), "SELECT stage, reason FROM rejects WHERE reason LIKE '%date' ORDER BY detail DESC")
    assert flags == [("fetch", "unparseable_date"), ("fetch", "placeholder_date")], "a live entry's date vanished"


def test_an_entry_redirected_to_a_page_a_former_run_stored_is_stored_not_lost(site: HTTPServer, workdir: Path):
    site.expect_request("/p/port").respond_with_data(PORT_PAGE, content_type=HTML)
    site.expect_request("/r/port").respond_with_data("", status=302, headers={"Location": site.url_for("/p/port")})
    page, other = "Rotterdam port strike halts container traffic", "Port strike: ships wait off Rotterdam"
    first = [Item("a1", page, site.url_for("/p/port"), "Dock workers strike.", "2026-11-19T09:00:00Z")]
    site.expect_request("/a.rss").respond_with_data(rss20(first, "Feed A"), content_type=RSS)
    subscribe(workdir, site, "/a.rss")
    assert run_online(workdir) == 0
    again = [Item("c1", page, other_host(site, "/r/port"), "Dock workers strike.", "2026-11-19T10:00:00Z")]
    second = [Item("b1", other, other_host(site, "/r/port"), "Ships wait.", "2026-11-19T15:00:00Z")]
    site.expect_request("/b.rss").respond_with_data(rss20(again + second, "Feed B"), content_type=RSS)
    subscribe(workdir, site, "/a.rss", "/b.rss")
    assert run_online(workdir) == 0
    rows = query(db(workdir), "SELECT title, canonical_url, fallback_reason FROM articles ORDER BY published_at")
    assert rows == [(page, site.url_for("/p/port"), None), (other, None, "shared_page")], "entry b1 was lost"
    rejects = query(db(workdir), "SELECT reason, detail FROM rejects")
    assert rejects == [
        ("shared_page", "entry c1 repeats a stored article linking the same page: one article stands for both")
    ]


def atom_feed(entries: list[tuple[str, str, datetime]]) -> bytes:
    """An Atom feed of ``(key, link, updated)`` entries, each published 2025-02-01 09:00 UTC."""
    body = "".join(
        f"<entry><id>urn:w:{key}</id><title>Story {key}</title><link rel='alternate' href='{link}'/>"
        f"<published>2025-02-01T09:00:00Z</published><updated>{updated:%Y-%m-%dT%H:%M:%SZ}</updated>"
        f"<summary>Story {key} in short.</summary></entry>"
        for key, link, updated in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>'
        f"<id>urn:w</id><updated>2025-02-01T09:00:00Z</updated>{body}</feed>"
    ).encode()


def test_an_updated_entry_whose_page_did_not_change_is_read_again_once_not_at_every_run(
    site: HTTPServer, workdir: Path
):
    site.expect_request("/news/wildfire").respond_with_data(WILDFIRE_PAGE, content_type=HTML)
    feed = [atom_feed([("1", site.url_for("/news/wildfire"), datetime(2025, 2, 1, 9, tzinfo=timezone.utc))])]
    site.expect_request("/w.xml").respond_with_handler(lambda _: Response(feed[0], content_type=ATOM))
    subscribe(workdir, site, "/w.xml")
    assert run_online(workdir) == 0
    feed[0] = atom_feed([("1", site.url_for("/news/wildfire"), datetime.now(timezone.utc))])
    for _ in range(3):
        assert run_online(workdir, "--poll_all") == 0
    assert requests_to(site, "/news/") == 2, "an unchanged page was read again at every run"
    assert query(db(workdir), "SELECT count(*) FROM articles") == [(1,)]


def test_new_entries_are_fetched_before_updated_ones_read_again(
    site: HTTPServer, workdir: Path, pages: list[tuple[str, bytes]]
):
    a, b, c = serve_pages(site, pages[:3])
    first = datetime(2025, 2, 1, 9, tzinfo=timezone.utc)
    feed = [atom_feed([("a", a, first), ("b", b, first)])]
    site.expect_request("/w.xml").respond_with_handler(lambda _: Response(feed[0], content_type=ATOM))
    subscribe(workdir, site, "/w.xml")
    assert run_online(workdir) == 0
    now = datetime.now(timezone.utc)
    feed[0] = atom_feed([("a", a, now), ("b", b, now), ("c", c, first)])
    assert run_online(workdir, "--poll_all", "--max_pages_per_host=2") == 0
    stored = query(db(workdir), "SELECT entry_key, fallback_reason FROM articles WHERE title = 'Story c'")
    assert [reason for _, reason in stored] == [None], "the new entry lost the host's page budget to re-reads"
    assert query(db(workdir), "SELECT count(*) FROM articles WHERE fallback_reason IS NOT NULL") == [(0,)]
    assert run_online(workdir, "--poll_all", "--max_pages_per_host=2") == 0
    assert run_online(workdir, "--poll_all", "--max_pages_per_host=2") == 0
    fetched = [requests_to(site, f"/news/{name}") for name, _ in pages[:3]]
    assert fetched == [2, 2, 1], "each updated entry is read again once, the one deferred at the next run"
    assert query(db(workdir), "SELECT count(*) FROM articles WHERE fallback_reason IS NOT NULL") == [(0,)]


def test_an_entry_redirected_to_a_stored_page_it_repeats_is_not_fetched_again_at_every_run(
    site: HTTPServer, workdir: Path
):
    site.expect_request("/p/port").respond_with_data(PORT_PAGE, content_type=HTML)
    site.expect_request("/r/port").respond_with_data("", status=302, headers={"Location": site.url_for("/p/port")})
    page = "Rotterdam port strike halts container traffic"
    first = [Item("a1", page, site.url_for("/p/port"), "Dock workers strike.", "2026-11-19T09:00:00Z")]
    site.expect_request("/a.rss").respond_with_data(rss20(first, "Feed A"), content_type=RSS)
    subscribe(workdir, site, "/a.rss")
    assert run_online(workdir) == 0
    again = [Item("c1", page, other_host(site, "/r/port"), "Dock workers strike.", "2026-11-19T10:00:00Z")]
    site.expect_request("/b.rss").respond_with_data(rss20(again, "Feed B"), content_type=RSS)
    subscribe(workdir, site, "/a.rss", "/b.rss")
    for _ in range(3):
        assert run_online(workdir, "--poll_all") == 0
    assert requests_to(site, "/r/port") == 1, "the repeat was fetched again at every run"
    assert query(db(workdir), "SELECT count(*) FROM rejects WHERE reason = 'shared_page'") == [(1,)]


def test_a_feed_list_that_cannot_be_rewritten_is_a_warning_after_a_run_that_succeeded(
    site: HTTPServer, workdir: Path, capsys
):
    site.expect_request("/old.xml").respond_with_data("", status=301, headers={"Location": site.url_for("/new.xml")})
    site.expect_request("/new.xml").respond_with_data(rss20([Item("x", "Moved", None)]), content_type=RSS)
    subscribe(workdir, site, "/old.xml")
    (workdir / "feeds.opml.lock").mkdir()  # the list's lock cannot be taken: no change of the list can be made
    assert run_online(workdir) == 0, "a run loaded and committed was reported failed"
    assert query(db(workdir), "SELECT count(*) FROM articles") == [(1,)]
    assert listed(workdir) == [site.url_for("/old.xml")]
    assert "does not follow the moved feeds yet" in capsys.readouterr().err
    (workdir / "feeds.opml.lock").rmdir()
    assert run_online(workdir, "--poll_all") == 0
    assert listed(workdir) == [site.url_for("/new.xml")], "the next run did not rewrite the list"


def test_a_live_entry_is_flagged_only_for_the_date_that_would_have_been_stored(site: HTTPServer, workdir: Path):
    entries = "".join(
        f"<entry><id>urn:e:{n}</id><title>Harbour story {n}</title><summary>Harbour workers said story {n}.</summary>"
        f"<published>1970-01-01T00:00:00Z</published><updated>{updated}</updated></entry>"
        for n, updated in enumerate(["2025-02-01T09:00:00Z", "yesterday"])
    )
    feed = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Dates</title>{entries}</feed>'
    site.expect_request("/d.xml").respond_with_data(feed, content_type=ATOM)
    subscribe(workdir, site, "/d.xml")
    assert run_online(workdir) == 0
    stored = query(db(workdir), "SELECT title, strftime(published_at, '%Y-%m-%d') FROM articles ORDER BY 1")
    assert stored == [("Harbour story 0", "2025-02-01"), ("Harbour story 1", None)]
    flags = query(db(workdir), "SELECT reason FROM rejects WHERE reason LIKE '%date'")
    assert flags == [("placeholder_date",)], "a date that was not stored as null was flagged"


def test_a_database_made_before_entry_reads_is_read_and_gets_the_table(site: HTTPServer, workdir: Path):
    import duckdb

    site.expect_request("/news/wildfire").respond_with_data(WILDFIRE_PAGE, content_type=HTML)
    feed = atom_feed([("1", site.url_for("/news/wildfire"), datetime(2025, 2, 1, 9, tzinfo=timezone.utc))])
    site.expect_request("/w.xml").respond_with_data(feed, content_type=ATOM)
    subscribe(workdir, site, "/w.xml")
    assert run_online(workdir) == 0
    with duckdb.connect(str(db(workdir))) as connection:  # as an older wirebeam left it
        connection.execute("DROP TABLE entry_reads")
    assert run_online(workdir, "--poll_all") == 0
    assert requests_to(site, "/news/") == 1, "the stored entry was taken for a new one"
    assert query(db(workdir), "SELECT count(*) FROM entry_reads") == [(0,)]


def atom_stories(title: str, *stories: tuple[str, str, str, str, datetime]) -> bytes:
    """An Atom feed of ``(id, headline, link, summary, updated)`` stories, each published 2026-11-19 09:00 UTC."""
    body = "".join(
        f"<entry><id>{key}</id><title>{headline}</title><link rel='alternate' href='{link}'/>"
        f"<published>2026-11-19T09:00:00Z</published><updated>{updated:%Y-%m-%dT%H:%M:%SZ}</updated>"
        f"<summary>{summary}</summary></entry>"
        for key, headline, link, summary, updated in stories
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>urn:{title}</id><updated>2026-11-19T09:00:00Z</updated>{body}</feed>"
    ).encode()


@pytest.mark.parametrize("link", ["/r/port", "localhost/r/port", "/p/port"])
def test_an_updated_entry_stored_as_a_shared_page_is_read_again_as_its_own_text_not_the_page_it_reached(
    site: HTTPServer, workdir: Path, link: str
):
    site.expect_request("/p/port").respond_with_data(PORT_PAGE, content_type=HTML)
    site.expect_request("/r/port").respond_with_data("", status=302, headers={"Location": site.url_for("/p/port")})
    path = link.removeprefix("localhost")
    redirect = other_host(site, path) if link.startswith("localhost") else site.url_for(path)
    page, early = "Rotterdam port strike halts container traffic", datetime(2026, 11, 19, 9, tzinfo=timezone.utc)
    owner = ("a1", page, site.url_for("/p/port"), "Dock workers strike.", early)
    site.expect_request("/a.xml").respond_with_data(atom_stories("A", owner), content_type=ATOM)
    feed = [atom_stories("B", ("b1", "Ships wait off Rotterdam", redirect, "Dozens of ships wait.", early))]
    site.expect_request("/b.xml").respond_with_handler(lambda _: Response(feed[0], content_type=ATOM))
    subscribe(workdir, site, "/a.xml", "/b.xml")
    assert run_online(workdir) == 0
    now = datetime.now(timezone.utc)
    feed[0] = atom_stories("B", ("b1", "Ships still wait off Rotterdam", redirect, "Forty ships wait at anchor.", now))
    assert run_online(workdir, "--poll_all") == 0
    assert run_online(workdir, "--poll_all") == 0
    rows = query(db(workdir), "SELECT title, canonical_url, fallback_reason, summary FROM articles ORDER BY 1")
    assert rows == [
        (page, site.url_for("/p/port"), None, "Dock workers strike."),
        ("Ships still wait off Rotterdam", None, "shared_page", "Forty ships wait at anchor."),
        ("Ships wait off Rotterdam", None, "shared_page", "Dozens of ships wait."),
    ], "the update was lost: the entry read again took the page of another entry (its article, stored already)"
    assert requests_to(site, "/p/port") == (1 if link == "/p/port" else 3), "fetched again but through its redirect"


# Hostile feeds, each through a real run.


def test_a_live_entry_dated_days_or_years_ahead_is_stored_undated_and_flagged(site: HTTPServer, workdir: Path):
    items = [
        Item("f1", "Harbour strike ends", None, "Workers return.", "2025-02-01T09:00:00Z"),
        Item("f2", "Harbour strike in 2031", None, "A date years ahead.", "2031-01-01T09:00:00Z"),
        Item("f3", "Harbour strike in 2150", None, "A date far ahead.", "2150-01-01T09:00:00Z"),
        Item(
            "f4",
            "Harbour strike next January",
            None,
            "A date days ahead.",
            f"{datetime.now(timezone.utc).year + 1}-01-09T09:00:00Z",
        ),
    ]
    site.expect_request("/f.xml").respond_with_data(rss20(items), content_type=RSS)
    subscribe(workdir, site, "/f.xml")
    assert run_online(workdir) == 0
    stored = query(db(workdir), "SELECT title, strftime(published_at, '%Y') FROM articles ORDER BY title")
    assert stored == [
        ("Harbour strike ends", "2025"),
        ("Harbour strike in 2031", None),
        ("Harbour strike in 2150", None),
        ("Harbour strike next January", None),
    ], "a date ahead of the run was stored as the publication date"
    flags = "SELECT stage, reason, count(*) FROM rejects WHERE reason <> 'entry_without_link' GROUP BY ALL"
    assert query(db(workdir), flags) == [("fetch", "date_out_of_range", 3)]


def test_entries_of_one_feed_sharing_a_guid_with_other_content_are_each_stored_once_and_flagged(
    site: HTTPServer, workdir: Path
):
    items = [
        Item("same", "Harbour strike ends", None, "Dock workers return to work."),
        Item("same", "Bridge collapses over the river", None, "Two dead as the bridge falls."),
        Item("same", "Harbour strike ends", None, "Dock workers return to work."),
        Item("own", "Rates held", None, "The central bank held rates."),
    ]
    site.expect_request("/f.xml").respond_with_data(rss20(items), content_type=RSS)
    subscribe(workdir, site, "/f.xml")
    assert run_online(workdir) == 0
    assert run_online(workdir, "--poll_all") == 0
    stored = query(db(workdir), "SELECT title FROM articles ORDER BY 1")
    assert stored == [("Bridge collapses over the river",), ("Harbour strike ends",), ("Rates held",)], "one was lost"
    assert query(db(workdir), "SELECT reason, count(*) FROM rejects WHERE reason = 'shared_guid' GROUP BY 1") == [
        ("shared_guid", 1)
    ], "the GUID's oldest story keeps it, the other is keyed by its text"
    for alone in items[:2]:  # the GUID names one story again: each keeps the key it had, none is stored twice
        site.clear()
        site.expect_request("/f.xml").respond_with_data(rss20([alone, items[3]]), content_type=RSS)
        assert run_online(workdir, "--poll_all") == 0
        assert query(db(workdir), "SELECT title FROM articles ORDER BY 1") == stored


def test_a_guid_no_url_can_be_made_of_costs_its_entry_a_link_not_the_feed(site: HTTPServer, workdir: Path):
    items = [
        Item("http://[oops", "Harbour strike ends", None, "Dock workers return."),
        Item("g2", "Rates held", None, "x"),
    ]
    site.expect_request("/f.xml").respond_with_data(rss20(items), content_type=RSS)
    subscribe(workdir, site, "/f.xml")
    assert run_online(workdir) == 0
    assert query(db(workdir), "SELECT title FROM articles ORDER BY 1") == [("Harbour strike ends",), ("Rates held",)]
    assert query(db(workdir), "SELECT count(*) FROM rejects WHERE stage = 'feed'") == [(0,)], "the feed failed"


def test_credentials_in_an_entrys_link_are_neither_sent_nor_stored(site: HTTPServer, workdir: Path):
    site.expect_request("/p/port").respond_with_data(PORT_PAGE, content_type=HTML)
    link = site.url_for("/p/port").replace("http://", "http://reader:s3cret@")
    items = [Item("c1", "Rotterdam port strike halts container traffic", link, "Dock workers strike.")]
    site.expect_request("/f.xml").respond_with_data(rss20(items), content_type=RSS)
    subscribe(workdir, site, "/f.xml")
    assert run_online(workdir) == 0
    assert query(db(workdir), "SELECT url, canonical_url, fallback_reason FROM articles") == [
        (site.url_for("/p/port"), site.url_for("/p/port"), None)
    ], "the feed's credentials were stored"
    assert not [request for request, _ in site.log if "Authorization" in request.headers], "credentials were sent"


def test_a_huge_entry_is_stored_cut_to_the_field_limits_and_flagged(site: HTTPServer, workdir: Path):
    huge = "Dock workers said the strike would go on. " * 5_000  # 210,000 characters
    site.expect_request("/f.xml").respond_with_data(rss20([Item("h1", "Harbour strike", None, huge)]), content_type=RSS)
    subscribe(workdir, site, "/f.xml")
    assert run_online(workdir) == 0
    assert query(db(workdir), "SELECT length(summary) FROM articles") == [(100_000,)], "stored whole, unflagged"
    assert query(db(workdir), "SELECT stage, reason FROM rejects WHERE reason <> 'entry_without_link'") == [
        ("fetch", "field_truncated")
    ]


def test_a_run_allowing_only_the_test_servers_address_refuses_redirects_to_other_private_addresses(
    site: HTTPServer, workdir: Path
):
    inside = f"http://127.0.0.2:{site.port}"  # loopback, not the allowed 127.0.0.1: no traffic leaves the machine
    site.expect_request("/p/inside").respond_with_data("", status=302, headers={"Location": f"{inside}/p/port"})
    site.expect_request("/inside.xml").respond_with_data("", status=302, headers={"Location": f"{inside}/f.xml"})
    items = [Item("i1", "Harbour strike ends", site.url_for("/p/inside"), "Workers return.")]
    site.expect_request("/f.xml").respond_with_data(rss20(items), content_type=RSS)
    subscribe(workdir, site, "/f.xml", "/inside.xml")
    flags = [flag for flag in FAST_FETCHES if flag != "--allow_private_networks"] + ["--allow_network=127.0.0.1/32"]
    run = ["run", "--seeds", str(workdir / "seeds"), "--db", str(db(workdir)), "--feeds", str(workdir / "feeds.opml")]
    assert main([*run, *flags]) == 0
    assert query(db(workdir), "SELECT title, fallback_reason FROM articles") == [
        ("Harbour strike ends", "private_address")
    ]
    rejects = query(db(workdir), "SELECT stage, reason, detail LIKE '%127.0.0.2%' FROM rejects ORDER BY 1")
    assert rejects == [("feed", "private_address", True), ("fetch", "private_address", True)]
    assert all(request.host.startswith("127.0.0.1") for request, _ in site.log)
