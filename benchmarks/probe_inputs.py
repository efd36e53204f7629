"""Probe ``wirebeam run`` with hundreds of malformed and hostile inputs of our own; report crashes, hangs, lost items.

Seed files (bad encodings, broken JSON, special files, hostile feeds saved to disk ...) go through one offline
run; live feeds and pages served from 127.0.0.1 (surrogate references, dripping headers, Retry-After, 5xx,
redirect loops, entity bombs ...) through one online run. Every input says what must become of it: ``stored``
(an article whose title is given), ``rejected`` (a row in ``rejects``) or ``kept`` (either, but not lost).

    python -m benchmarks.probe_inputs [--keep DIR]

Prints a table and writes ``benchmarks/results/probe_inputs.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb

RESULTS = Path(__file__).parent / "results" / "probe_inputs.json"
RUN_TIMEOUT = 600
RSS_TYPE = "application/rss+xml"


@dataclass
class Case:
    """One input: where its items show up (``refs``) and what must become of them."""

    name: str
    refs: list[str]
    expect: str
    """``stored``, ``rejected`` or ``kept``."""
    title: str | None = None
    """The stored title a ``stored`` item must have, unaltered."""


def _good(index: int) -> dict:
    return {
        "title": f"Probe story {index} about harbour traffic",
        "text": f"The harbour authority counted {index} ships on the {index}th day. " * 3,
    }


def _line(record: object) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode()


def seed_cases(root: Path) -> list[Case]:
    """Write the seed files under ``root`` and say what each must become."""
    cases: list[Case] = []
    counter = iter(range(100_000))

    def jsonl(name: str, bad: bytes, expect: str = "rejected") -> None:
        good_a, good_b = _good(next(counter)), _good(next(counter))
        (root / name).write_bytes(b"\n".join([_line(good_a), bad, _line(good_b)]) + b"\n")
        cases.append(Case(f"{name}: good line 1", [f"{name}#1"], "stored", good_a["title"]))
        cases.append(Case(f"{name}: hostile line 2", [f"{name}#2"], expect))
        cases.append(Case(f"{name}: good line 3", [f"{name}#3"], "stored", good_b["title"]))

    bad_lines = {
        "deep_list": b"[" * 50_000 + b"]" * 50_000,
        "deep_object": b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
        "big_int": b'{"title": "n", "text": ' + b"9" * 5_000 + b"}",
        "big_float": b'{"title": "n", "published": 1e400}',
        "truncated": b'{"title": "cut',
        "invalid_utf8": b'{"title": "caf\xe9 cr\xe8me"}',
        "lone_surrogate_title": b'{"title": "A \\ud800 B", "text": "body text here"}',
        "lone_surrogate_author": b'{"title": "Surrogate author", "author": "\\udfff", "text": "x y z"}',
        "lone_surrogate_text": b'{"title": "Surrogate text", "text": "smile \\ud83d"}',
        "list_title": b'{"title": ["a", "b"]}',
        "dict_text": b'{"title": "t", "text": {"a": 1}}',
        "bool_title": b'{"title": true}',
        "null": b"null",
        "array": b"[1, 2, 3]",
        "empty_object": b"{}",
        "string": b'"just a string"',
        "nan_date": b'{"title": "NaN date story", "published": NaN}',
        "year_9999": b'{"title": "Far future story", "published": "9999-12-31T23:59:59Z"}',
        "year_1": b'{"title": "Year one story", "published": "0001-01-01"}',
        "huge_epoch": b'{"title": "Huge epoch story", "published": 1e300}',
        "negative_epoch": b'{"title": "Negative epoch story", "published": -99999999999999999}',
        "object_date": b'{"title": "Object date story", "published": {"y": 2024}}',
        "u2028": '{"title": "Line\u2028separator story", "text": "para\u2029graph"}'.encode(),
        "raw_nul": b'{"title": "Raw NUL story", "text": "a\x00b"}',
        "control_chars": b'{"title": "Control \\u0001\\u001b[31m story", "text": "bell \\u0007"}',
        "empty_html": b'{"title": "Empty html story", "summary": "A summary.", "html": ""}',
        "blank_html": b'{"title": "Blank html story", "summary": "A summary.", "html": "<p> </p>"}',
        "huge_title": _line({"title": "T" * 100_000, "text": "a body"}),
        "bidi": '{"title": "Bidi \u202e story \u200b", "text": "zero\u200bwidth"}'.encode(),
        "categories_numbers": b'{"title": "Category numbers", "categories": [1, 2]}',
        "duplicate_keys": b'{"title": "first", "title": "Duplicate keys story"}',
        "bom_line": b'\xef\xbb\xbf{"title": "BOM line story"}',
        "crlf": b'{"title": "CRLF story"}\r',
        "only_spaces": b"     ",
        "cp1252_quotes": b'{"title": "\x93Quoted\x94 story"}',
    }
    kept = {
        "big_float", "invalid_utf8", "lone_surrogate_title", "lone_surrogate_author", "lone_surrogate_text",
        "nan_date", "year_9999", "year_1", "huge_epoch", "negative_epoch", "u2028", "raw_nul", "control_chars",
        "empty_html", "blank_html", "huge_title", "bidi", "duplicate_keys", "bom_line", "crlf", "cp1252_quotes",
        "only_spaces",
    }  # fmt: skip
    for name, line in bad_lines.items():
        expect = "kept" if name in kept else "rejected"
        if name == "only_spaces":
            good_a, good_b = _good(next(counter)), _good(next(counter))
            (root / f"{name}.jsonl").write_bytes(b"\n".join([_line(good_a), line, _line(good_b)]) + b"\n")
            cases.append(Case(f"{name}.jsonl: good 1", [f"{name}.jsonl#1"], "stored", good_a["title"]))
            cases.append(Case(f"{name}.jsonl: good 3", [f"{name}.jsonl#3"], "stored", good_b["title"]))
            continue
        jsonl(f"{name}.jsonl", line, expect)

    text_files = {
        "empty.txt": (b"", "rejected"),
        "spaces.txt": (b"   \n\n  ", "rejected"),
        "binary.txt": (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "rejected"),
        "png.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "rejected"),
        "one_nul.txt": (b"One NUL headline\nA body with one \x00 byte in it.", "kept"),
        "utf16le_bom.txt": ("UTF-16 headline\nBody text.".encode("utf-16"), "kept"),
        "utf16be.txt": ("UTF-16BE headline\nBody text.".encode("utf-16-be"), "kept"),
        "utf16le.txt": ("UTF-16LE headline\nBody text.".encode("utf-16-le"), "kept"),
        "cp1252.txt": ("Café crème headline\nDéjà vu body.".encode("cp1252"), "kept"),
        "koi8.txt": ("Заголовок новости\nТекст статьи о событиях.".encode("koi8-r"), "kept"),
        "long_line.txt": (("word " * 400_000).encode(), "kept"),
        "huge_body.txt": (b"Huge headline\n" + ("body " * 600_000).encode(), "kept"),
        "newlines.txt": (b"\n" * 10_000, "rejected"),
        "crlf.txt": (b"CRLF headline\r\nBody\r\n", "kept"),
        "cr_only.txt": (b"CR headline\rBody\r", "kept"),
        "escapes.txt": (b"\x1b[31mRed headline\x1b[0m\nBody \x07 bell", "kept"),
        "bom.txt": (b"\xef\xbb\xbfBOM headline\nBody", "kept"),
        "lone_surrogate_bytes.txt": (b"Surrogate bytes \xed\xa0\x80 headline\nBody", "kept"),
        "mixed_lines.txt": (b"Mixed headline\n" + "café".encode("cp1252") + b"\nmore", "kept"),
        "rtl.txt": ("\u202eRTL headline\nبالعربية نص".encode(), "kept"),
        "no_words.txt": (b"!!! ??? ...\n--- ***", "kept"),
        "md.md": (b"# Markdown headline\n\nBody **bold**.", "kept"),
    }
    for name, (data, expect) in text_files.items():
        (root / name).write_bytes(data)
        cases.append(Case(name, [name], expect))

    json_files = {
        "deep.json": (b"[" * 100_000 + b"]" * 100_000, "rejected"),
        "broken.json": (b'{"title": ', "rejected"),
        "surrogate.json": (b'{"title": "JSON \\ud800 surrogate", "text": "x"}', "kept"),
        "numbers.json": (b"[1, 2, 3]", "kept"),
        "nested_list.json": (_line({"items": [_good(900), {"title": ["bad"]}, _good(901)]}), "kept"),
        "empty.json": (b"", "rejected"),
        "nan.json": (b'{"title": "NaN JSON", "published": NaN}', "kept"),
        "utf16.json": (_line({"title": "UTF-16 JSON story"}).decode().encode("utf-16"), "kept"),
    }
    for name, (data, expect) in json_files.items():
        (root / name).write_bytes(data)
        cases.append(Case(name, [name, f"{name}#0", f"{name}#1", f"{name}#2"], expect))

    rss = '<?xml version="1.0"?><rss version="2.0"><channel><title>Probe</title>{}</channel></rss>'
    feed_files = {
        "surrogate_refs.rss": rss.format(
            "<item><title>Smile &#55357;&#56832;</title><link>http://e.test/1</link></item>"
            "<item><title>Lone &#xD800;</title><link>http://e.test/2</link></item>"
        ),
        "billion_laughs.xml": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(9))
        + ']><rss version="2.0"><channel><title>&lol8;</title><item><title>Bomb</title></item></channel></rss>',
        "xxe.xml": '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><title>XXE</title><item><title>XXE &x;</title></item></channel></rss>',
        "malformed.xml": "<rss><channel><item><title>unclosed",
        "empty_feed.rss": rss.format(""),
        "empty_content.rss": rss.replace(
            "<rss ", '<rss xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        ).format(
            "<item><title>Empty content story</title><description>Summary.</description>"
            "<content:encoded><![CDATA[<p></p>]]></content:encoded></item>"
        ),
        "absurd_dates.rss": rss.format(
            "<item><title>Year 9999 entry</title><pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate></item>"
            "<item><title>Year 1 entry</title><pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate></item>"
        ),
        "not_xml.rss": "this is not a feed at all",
        "html_as_feed.atom": "<html><body><p>Hello</p></body></html>",
        "nested.rss": rss.format("<item>" + "<div>" * 5_000 + "</div>" * 5_000 + "<title>Nested</title></item>"),
    }
    for name, text in feed_files.items():
        (root / name).write_text(text)
        cases.append(Case(name, [name, f"{name}#0", f"{name}#1"], "kept"))

    special = root / "special"
    special.mkdir()
    os.mkfifo(special / "fifo.txt")
    (special / "zero.txt").symlink_to("/dev/zero")
    (special / "null.txt").symlink_to("/dev/null")
    (special / "urandom.txt").symlink_to("/dev/urandom")
    (special / "dangling.txt").symlink_to(special / "missing.txt")
    (special / "loop.txt").symlink_to(special / "loop.txt")
    (special / "dirlink").symlink_to(root)
    unreadable = special / "unreadable.txt"
    unreadable.write_text("Unreadable\nbody")
    unreadable.chmod(0)
    for name in ("fifo.txt", "zero.txt", "null.txt", "urandom.txt", "dangling.txt", "loop.txt", "dirlink"):
        cases.append(Case(f"special/{name}", [f"special/{name}"], "rejected"))
    cases.append(Case("special/unreadable.txt", ["special/unreadable.txt"], "kept"))
    bad_name = os.fsdecode(b"bad-\xff\xfe-name.txt")
    (root / bad_name).write_text("Bad name headline\nBody")
    cases.append(Case("undecodable file name", ["bad-\ufffd\ufffd-name.txt"], "stored", "Bad name headline"))
    bracket = root / "dir [x] *?"
    bracket.mkdir()
    (bracket / "inside.txt").write_text("Bracket directory headline\nBody")
    cases.append(Case("[x] directory", ["dir [x] *?/inside.txt"], "stored", "Bracket directory headline"))
    return cases


# -- live feeds and pages --------------------------------------------------------------------------------------


def _rss_items(base: str, name: str, count: int, extra: str = "") -> str:
    items = "".join(
        f"<item><title>Live {name} story {i}</title><link>{base}/page/{name}-{i}</link><guid>{name}-{i}</guid>"
        f"<description>Summary of live {name} story {i}.</description>{extra}</item>"
        for i in range(count)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Live {name}</title>{items}</channel></rss>'


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: dict = {}

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        route = self.routes.get(self.path.split("?")[0])
        if route is None and self.path.startswith("/page/"):
            route = ("page", self.path)
        if route is None:
            self._send(404, b"not found", "text/plain")
            return
        kind, payload = route
        if kind == "drip":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            for _ in range(600):
                try:
                    self.wfile.write(b"a")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.1)
            return
        if kind == "status":
            status, headers = payload
            self._send(status, b"error", "text/plain", headers)
        elif kind == "raw":
            body, content_type = payload
            self._send(200, body, content_type)
        elif kind == "page":
            name = payload.rsplit("/", 1)[1]
            text = f"<p>The full report of {name}: " + "officials said the harbour reopened. " * 40 + "</p>"
            page = (
                f"<html><head><title>{name}</title></head><body><article><h1>{name}</h1>{text}</article></body></html>"
            )
            self._send(200, page.encode(), "text/html; charset=utf-8")

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """Clients cutting a dripping response short is what the probe expects: no traceback."""


def live_cases(base: str) -> tuple[dict, list[Case]]:
    """Routes of the probe server and what must become of each feed's entries."""
    routes: dict = {}
    cases: list[Case] = []

    def feed(
        name: str, body: str | bytes, entries: int, expect: str = "kept", content_type: str = "application/rss+xml"
    ):
        routes[f"/feeds/{name}.xml"] = ("raw", (body.encode() if isinstance(body, str) else body, content_type))
        for i in range(entries):
            cases.append(Case(f"feed {name} entry {i}", [f"{base}/page/{name}-{i}"], expect))
        if not entries:
            cases.append(Case(f"feed {name}", [f"{base}/feeds/{name}.xml"], "rejected"))

    for i in range(8):
        feed(f"good{i}", _rss_items(base, f"good{i}", 3), 3)
    surrogate = _rss_items(base, "surrogate", 3).replace("story 1</title>", "story 1 &#55357;&#56832;</title>")
    feed("surrogate", surrogate.replace("story 2</title>", "story 2 &#xDC00;</title>"), 3)
    feed("bad_dates", _rss_items(base, "bad_dates", 2, "<pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate>"), 2)
    feed("empty_content", _rss_items(base, "empty_content", 2, "<content:encoded></content:encoded>").replace(
        "<rss ", '<rss xmlns:content="http://purl.org/rss/1.0/modules/content/" '), 2)  # fmt: skip
    feed("bozo", _rss_items(base, "bozo", 2).replace("</channel></rss>", "<item><title>unclosed"), 2)
    feed("malformed", "<rss><channel><item><title>broken", 0)
    feed("not_a_feed", "<html><body>hello</body></html>", 0, content_type="text/html")
    feed("empty", b"", 0)
    feed("binary", bytes(range(256)) * 10, 0, content_type="application/octet-stream")
    feed("xxe", '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
         '<rss version="2.0"><channel><title>x</title><item><title>&x;</title></item></channel></rss>', 0)  # fmt: skip
    cp1252 = _rss_items(base, "cp1252_declared_utf8", 2).replace("story", "stóry").encode("cp1252")
    feed("cp1252_declared_utf8", cp1252, 2)
    for name, status, headers in [
        ("e500", 500, {}),
        ("e503_retry", 503, {"Retry-After": "3600"}),
        ("e429", 429, {"Retry-After": "3600"}),
        ("e404", 404, {}),
        ("e410", 410, {}),
        ("loop", 302, {"Location": "/feeds/loop.xml"}),
        ("redirect_ftp", 302, {"Location": "ftp://127.0.0.1/feed"}),
        ("redirect_no_location", 302, {}),
    ]:
        routes[f"/feeds/{name}.xml"] = ("status", (status, headers))
        cases.append(Case(f"feed {name}", [f"{base}/feeds/{name}.xml"], "rejected"))
    routes["/feeds/drip.xml"] = ("drip", None)
    cases.append(Case("feed drip", [f"{base}/feeds/drip.xml"], "rejected"))
    routes["/feeds/page_failures.xml"] = (
        "raw",
        (
            (
                '<?xml version="1.0"?><rss version="2.0"><channel><title>Failures</title>'
                f"<item><title>Missing page story</title><link>{base}/missing/1</link><guid>pf-1</guid></item>"
                f"<item><title>Dripping page story</title><link>{base}/feeds/drip.xml?page</link><guid>pf-2</guid>"
                "</item><item><title>No link story</title><guid>pf-3</guid></item>"
                "<item><title>Ftp link story</title><link>ftp://127.0.0.1/x</link><guid>pf-4</guid></item>"
                "</channel></rss>"
            ).encode(),
            "application/rss+xml",
        ),
    )
    for ref in (f"{base}/missing/1", f"{base}/feeds/drip.xml?page", "ftp://127.0.0.1/x"):
        cases.append(Case(f"page {ref}", [ref], "stored"))
    return routes, cases


# -- running and checking ----------------------------------------------------------------------------------------


def run(args: list[str], cwd: Path) -> dict:
    """One ``wirebeam run``; its exit code, seconds and whether it hung (timed out)."""
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pipeline", "run", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return {"exit": None, "hung": True, "seconds": RUN_TIMEOUT, "stderr": ""}
    return {
        "exit": done.returncode,
        "hung": False,
        "seconds": round(time.monotonic() - started, 1),
        "stderr": done.stderr[-2000:],
    }


def check(db: Path, cases: list[Case]) -> list[dict]:
    """What became of each case: ``ok`` or why not."""
    with duckdb.connect(str(db), read_only=True) as connection:
        stored = dict(connection.execute("SELECT source_ref, title FROM articles").fetchall())
        stored_urls = {url for (url,) in connection.execute("SELECT url FROM articles").fetchall()}
        rejected = {ref for (ref,) in connection.execute("SELECT source_ref FROM rejects").fetchall()}
    outcomes = []
    for case in cases:
        in_store = [ref for ref in case.refs if ref in stored or ref in stored_urls]
        in_rejects = [ref for ref in case.refs if ref in rejected]
        if case.expect == "stored":
            problem = None if in_store else "lost (not stored)"
            if not problem and case.title and case.title not in {stored.get(ref) for ref in in_store}:
                problem = f"altered title {[stored.get(ref) for ref in in_store]!r}"
        elif case.expect == "rejected":
            problem = None if in_rejects else ("stored, not rejected" if in_store else "lost (no reject row)")
        else:
            problem = None if in_store or in_rejects else "lost (neither stored nor rejected)"
        outcomes.append({**asdict(case), "problem": problem})
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, default=None, help="Work in this directory and keep it.")
    parser.add_argument(
        "--repo", type=Path, default=None, help="Probe this wirebeam checkout instead (a baseline), e.g. ../main."
    )
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="wirebeam-probe-"))
    workdir.mkdir(parents=True, exist_ok=True)
    repo = (args.repo or Path(__file__).resolve().parents[1]).resolve()
    knows_guard = "--allow_private_networks" in (repo / "pipeline" / "options.py").read_text()
    seeds = workdir / "seeds [probe]"
    seeds.mkdir()
    cases = seed_cases(seeds)
    seed_db = workdir / "seeds.duckdb"
    offline = run(["--offline", "--seeds", str(seeds), "--db", str(seed_db)], repo)
    (seeds / "special" / "unreadable.txt").chmod(0o644)
    server = _QuietServer(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    routes, live = live_cases(base)
    _Handler.routes = routes
    threading.Thread(target=server.serve_forever, daemon=True).start()
    feeds = workdir / "feeds.opml"
    outlines = "".join(f'<outline type="rss" xmlUrl="{base}{path}"/>' for path in routes if path.startswith("/feeds/"))
    feeds.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
    empty_seeds = workdir / "no-seeds"
    empty_seeds.mkdir()
    live_db = workdir / "live.duckdb"
    online = run(
        ["--seeds", str(empty_seeds), "--db", str(live_db), "--feeds", str(feeds)]
        + (["--allow_private_networks"] if knows_guard else [])
        + ["--no_robots", "--min_host_interval=0", "--fetch_deadline=2", "--read_timeout=1", "--fetch_retries=0"],
        repo,
    )
    server.shutdown()
    outcomes = []
    for label, result, db, group in (("seed files", offline, seed_db, cases), ("live feeds", online, live_db, live)):
        checked = check(db, group) if result["exit"] == 0 and db.exists() else []
        problems = [o for o in checked if o["problem"]]
        outcomes.append(
            {
                "inputs": label,
                "cases": len(group),
                "exit": result["exit"],
                "crashed": result["exit"] not in (0, None),
                "hung": result["hung"],
                "seconds": result["seconds"],
                "problems": len(problems) if checked else len(group),
                "problem_cases": [{"name": o["name"], "problem": o["problem"]} for o in problems],
                "stderr": result["stderr"] if result["exit"] else "",
            }
        )
    print(f"{'inputs':<12}{'cases':>7}{'exit':>6}{'crash':>7}{'hang':>6}{'lost/wrong':>12}{'seconds':>9}")
    for row in outcomes:
        print(
            f"{row['inputs']:<12}{row['cases']:>7}{row['exit']!s:>6}{row['crashed']!s:>7}{row['hung']!s:>6}"
            f"{row['problems']:>12}{row['seconds']:>9}"
        )
        for problem in row["problem_cases"]:
            print(f"    {problem['name']}: {problem['problem']}")
        if row["stderr"]:
            print(row["stderr"])
    RESULTS.parent.mkdir(exist_ok=True)
    results = RESULTS if args.repo is None else RESULTS.with_name("probe_inputs_baseline.json")
    summary = {"repo": str(repo), "total_cases": sum(r["cases"] for r in outcomes), "runs": outcomes}
    results.write_text(json.dumps(summary, indent=2))
    print(f"total cases: {sum(r['cases'] for r in outcomes)}; wrote {results}")
    return 0 if all(not r["crashed"] and not r["hung"] and not r["problems"] for r in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
