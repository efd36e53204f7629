"""Managing feeds as an operator: the run summary lists every feed; remove, disable, enable, refresh, list."""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer

from pipeline.cli import main
from pipeline.sources.feedlist import Subscription, read_feed_list, write_feed_list
from tests.sources.test_live import RSS, Item, drip, rss20
from tests.test_online_end_to_end import FAST_FETCHES


def _polls(site: HTTPServer, path: str) -> int:
    return sum(1 for request, _ in site.log if request.path == path)


def test_summary_lists_every_feed_and_feeds_can_be_disabled_enabled_refreshed_and_removed(
    site: HTTPServer, tmp_path: Path, capsys
):
    page = (
        "<html><body><article><p>" + "The port reopened after the storm passed. " * 30 + "</p></article></body></html>"
    )
    site.expect_request("/news/1").respond_with_data(page, content_type="text/html")
    site.expect_request("/a.xml").respond_with_data(
        rss20([Item("a1", "Port reopens", site.url_for("/news/1"))]), content_type=RSS
    )
    bozo = rss20([Item("b1", "Storm passes", None)]).replace(b"</channel>", b"<item><title>cut</channel>")
    site.expect_request("/b.xml").respond_with_data(bozo, content_type=RSS)
    site.expect_request("/c.xml").respond_with_data("later", status=503, headers={"Retry-After": "3600"})
    feeds, db = tmp_path / "feeds.opml", tmp_path / "w.duckdb"
    urls = {name: site.url_for(f"/{name}.xml") for name in "abc"}
    write_feed_list(feeds, [Subscription(url) for url in urls.values()])
    (tmp_path / "seeds").mkdir()
    flags = ["--seeds", str(tmp_path / "seeds"), "--db", str(db), "--feeds", str(feeds), *FAST_FETCHES]
    manage = ["--db", str(db), "--feeds", str(feeds)]

    assert main(["run", *flags]) == 0
    out = capsys.readouterr().out
    assert f"feed {urls['a']}  polled: 200, 1 new article\n" in out
    assert f"feed {urls['b']}  polled: 200, 1 new article, warning: malformed_feed" in out
    assert f"feed {urls['c']}  polled: failing (http_5xx); backing off until" in out

    assert main(["run", *flags]) == 0
    out = capsys.readouterr().out
    assert f"feed {urls['a']}  not due until" in out
    assert f"feed {urls['c']}  backing off until" in out and "(http_5xx, 1 failure)" in out

    assert main(["feeds", "list", *manage]) == 0
    listing = capsys.readouterr().out
    assert "ok with warning (200)" in listing and "failing (503)" in listing

    assert main(["feeds", "disable", urls["a"], *manage]) == 0
    assert main(["run", *flags, "--poll_all"]) == 0
    assert _polls(site, "/a.xml") == 1, "a disabled feed is not polled"
    assert main(["feeds", "list", *manage]) == 0
    assert "disabled" in capsys.readouterr().out
    assert main(["feeds", "enable", urls["a"], *manage]) == 0
    assert main(["feeds", "refresh", urls["a"], *manage]) == 0
    capsys.readouterr()
    assert main(["run", *flags]) == 0
    assert _polls(site, "/a.xml") == 2, "enabled and refreshed: polled without --poll_all"
    assert _polls(site, "/b.xml") == 2, "b was polled by the --poll_all run only"

    assert main(["feeds", "remove", urls["c"], *manage]) == 0
    assert [s.url for s in read_feed_list(feeds)] == [urls["a"], urls["b"]]
    capsys.readouterr()
    assert main(["feeds", "list", *manage]) == 0
    assert urls["c"] not in capsys.readouterr().out
    assert main(["feeds", "remove", urls["c"], *manage]) == 2
    assert main(["feeds", "disable", urls["a"] + "x", *manage]) == 2, "a mistyped URL is refused"
    assert "nor stored" in capsys.readouterr().err
    assert main(["feeds", "disable", urls["c"], *manage]) == 2, "removed and forgotten"


def test_feeds_list_on_a_database_without_feeds_says_there_are_none(seeds_dir: Path, db_path: Path, capsys):
    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path)]) == 0
    capsys.readouterr()
    feeds = db_path.parent / "feeds.opml"
    assert main(["feeds", "list", "--feeds", str(feeds), "--db", str(db_path)]) == 0
    assert capsys.readouterr().out.startswith(f"no feeds in {feeds}")


def test_a_feed_cut_by_its_deadline_is_listed_failing_by_the_deadline_not_by_its_200(
    site: HTTPServer, tmp_path: Path, capsys
):
    site.expect_request("/slow.xml").respond_with_handler(drip)
    feeds, db = tmp_path / "feeds.opml", tmp_path / "w.duckdb"
    write_feed_list(feeds, [Subscription(site.url_for("/slow.xml"))])
    (tmp_path / "seeds").mkdir()
    flags = ["--seeds", str(tmp_path / "seeds"), "--db", str(db), "--feeds", str(feeds), *FAST_FETCHES]
    assert main(["run", *flags, "--fetch_deadline=1"]) == 0
    capsys.readouterr()
    assert main(["feeds", "list", "--db", str(db), "--feeds", str(feeds)]) == 0
    listing = capsys.readouterr().out
    assert "failing (deadline_exceeded)" in listing and "(200)" not in listing
