"""The OPML feed list: add, list, import, export."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.sources.feedlist import (
    Subscription,
    add_feed,
    add_to_feed_list,
    export_opml,
    import_into_feed_list,
    normalize_feed_url,
    parse_opml,
    read_feed_list,
    write_feed_list,
)

NESTED_OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Reader export</title></head>
  <body>
    <outline text="News">
      <outline text="World">
        <outline type="rss" text="World desk" title="World desk" xmlUrl="https://Example.org:443/world.xml#top"
                 htmlUrl="https://example.org/world" category="/wire,/Europe/Politics"/>
      </outline>
      <outline type="rss" text="Local" xmlUrl="http://local.example.net/rss"/>
    </outline>
    <outline type="rss" text="Top" xmlUrl="feed://top.example.com/feed"/>
    <outline type="rss" text="Not a feed" xmlUrl="ftp://files.example.com/feed"/>
    <outline type="rss" text="Duplicate" xmlUrl="HTTP://LOCAL.example.net:80/rss"/>
  </body>
</opml>"""


def test_nested_opml_categories_become_paths_and_urls_are_normalised():
    report = parse_opml(NESTED_OPML)
    by_url = {s.url: s for s in report.subscriptions}
    assert set(by_url) == {
        "https://example.org/world.xml",
        "http://local.example.net/rss",
        "http://top.example.com/feed",
    }
    assert by_url["https://example.org/world.xml"] == Subscription(
        "https://example.org/world.xml", "World desk", ("Europe/Politics", "News/World", "wire")
    )
    assert by_url["http://local.example.net/rss"].categories == ("News",)
    assert report.duplicates == ("http://local.example.net/rss",)
    assert [url for url, _ in report.invalid] == ["ftp://files.example.com/feed"]


def test_export_then_parse_roundtrips_the_list():
    original = parse_opml(NESTED_OPML).subscriptions
    exported = export_opml(original)
    again = parse_opml(exported)
    assert sorted(again.subscriptions, key=lambda s: s.url) == sorted(original, key=lambda s: s.url)
    assert again.invalid == () and again.duplicates == ()
    assert export_opml(again.subscriptions) == exported, "export is deterministic"
    assert b'version="2.0"' in exported and b'<outline text="News"' in exported


def test_missing_or_empty_list_is_an_empty_list(tmp_path: Path):
    assert read_feed_list(tmp_path / "absent.opml") == []
    (tmp_path / "empty.opml").write_bytes(b"")
    assert read_feed_list(tmp_path / "empty.opml") == []


@pytest.mark.parametrize("data", [b"<opml><body><outline", b"garbage", b"<rss><channel/></rss>"])
def test_unreadable_list_is_an_error_naming_the_file(tmp_path: Path, data: bytes):
    path = tmp_path / "feeds.opml"
    path.write_bytes(data)
    with pytest.raises(ValueError, match="feeds.opml"):
        read_feed_list(path)


def test_add_creates_the_file_and_dedupes_by_normalised_url(tmp_path: Path):
    path = tmp_path / "seeds" / "feeds.opml"
    first = add_to_feed_list(path, "https://News.example.com/rss.xml", title="Example News")
    again = add_to_feed_list(path, "https://news.example.com:443/rss.xml#latest")
    assert [s.url for s in first.added] == ["https://news.example.com/rss.xml"]
    assert again.added == () and again.duplicates == ("https://news.example.com/rss.xml",)
    assert read_feed_list(path) == [Subscription("https://news.example.com/rss.xml", "Example News")]


@pytest.mark.parametrize("url", ["ftp://example.com/feed", "javascript:alert(1)", "not a url", "http://"])
def test_add_refuses_non_http_urls(url: str):
    with pytest.raises(ValueError, match="http"):
        add_feed([], url)


def test_import_merges_into_the_existing_list(tmp_path: Path):
    path = tmp_path / "feeds.opml"
    write_feed_list(path, [Subscription("http://local.example.net/rss", "Mine", ("Home",))])
    report = import_into_feed_list(path, NESTED_OPML)
    stored = {s.url: s for s in read_feed_list(path)}
    assert len(stored) == 3 and len(report.added) == 2
    assert stored["http://local.example.net/rss"] == Subscription("http://local.example.net/rss", "Mine", ("Home",))
    assert [url for url, _ in report.invalid] == ["ftp://files.example.com/feed"]
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file is left behind"


def test_normalize_feed_url_keeps_query_and_path_case():
    assert normalize_feed_url(" HTTPS://Example.COM/Feed?Cat=A#x ") == "https://example.com/Feed?Cat=A"
    assert normalize_feed_url("http://example.com") == "http://example.com/"
    assert normalize_feed_url("http://example.com:8080/a") == "http://example.com:8080/a"
    assert normalize_feed_url("feed:https://example.com/a") == "https://example.com/a"
