"""Seed readers: local files (.txt, .html, .json, .jsonl, saved RSS/Atom feeds) -> ``RawDocument``s.

``read_seed_file(path, data)`` is the pure function; ``ReadSeeds`` matches the files of a seeds directory with
Beam's ``fileio`` (so it works on any file system Beam knows) and emits documents plus rejects.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import PurePosixPath

import apache_beam as beam
import feedparser
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from charset_normalizer import from_bytes

from pipeline.documents import RawDocument
from pipeline.errors import REJECTS, RejectedInput, emit_reject, unexpected

LOGGER = logging.getLogger(__name__)

STAGE = "read"
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
FEED_LIST_SUFFIXES = {".opml", ".toml"}
"""Feed lists live beside the seeds but are configuration, not articles."""

MAX_SEED_BYTES = 50 * 1024 * 1024
_BINARY_SNIFF_BYTES = 8192
MOSTLY_ASCII_SHARE = 0.7
"""Western text is mostly ASCII; Cyrillic, Greek or Arabic in a legacy charset is mostly not."""
_FIELD_ALIASES = {
    "title": ("title", "headline"),
    "text": ("text", "body", "content", "articleBody"),
    "html": ("html",),
    "summary": ("summary", "description", "standfirst"),
    "url": ("url", "link"),
    "published": ("published", "published_at", "date", "pubDate", "timestamp"),
    "source": ("source", "publisher", "outlet", "site_name"),
    "author": ("author", "byline"),
    "language": ("language", "lang"),
    "categories": ("categories", "tags", "category"),
}


def _mostly_ascii(data: bytes) -> bool:
    return sum(byte < 0x80 for byte in data) >= MOSTLY_ASCII_SHARE * len(data)


def decode_bytes(data: bytes) -> str:
    """Text of a file: UTF-8 (BOM allowed), else Windows-1252 for mostly-ASCII text (Western languages, where
    statistical detection on a few accented letters guesses wrong), else the detected charset; binary or
    empty input is rejected."""
    if not data.strip():
        raise RejectedInput("empty_file", "the file has no content")
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        raise RejectedInput("binary_file", "NUL bytes found: not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if _mostly_ascii(data):
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                pass
        guess = from_bytes(data).best()
        if guess is None:
            raise RejectedInput("undecodable_text", f"not UTF-8 ({error}) and no charset detected") from error
        return str(guess)


def _pick(record: dict, field: str) -> object:
    for alias in _FIELD_ALIASES[field]:
        value = record.get(alias)
        if value not in (None, "", []):
            return value
    return None


_TEXT_FIELDS = ("title", "text", "html", "summary", "url", "source", "author", "language")


def _checked(fields: dict) -> dict:
    """The record's fields with numbers as text; rejects shapes no article field can take (objects, lists)."""
    fields = dict(fields)
    for name in _TEXT_FIELDS:
        value = fields[name]
        if value is not None and not isinstance(value, str | int | float):
            raise RejectedInput("invalid_record", f"'{name}' must be text, got {type(value).__name__}")
        fields[name] = None if value is None else str(value)
    published = fields["published"]
    if published is not None and not isinstance(published, str | int | float):
        raise RejectedInput("invalid_record", f"'published' must be a date, got {type(published).__name__}")
    categories = fields["categories"]
    if categories is not None and not (isinstance(categories, list) and all(isinstance(c, str) for c in categories)):
        raise RejectedInput("invalid_record", "'categories' must be a list of strings")
    return fields


def document_from_record(record: object, source_ref: str) -> RawDocument:
    """A JSON record (``title``, ``text`` or ``html`` or ``summary``, ``url``, ``published``, ``source``)."""
    if not isinstance(record, dict):
        raise RejectedInput("invalid_record", f"expected a JSON object, got {type(record).__name__}")
    fields = {field: _pick(record, field) for field in _FIELD_ALIASES}
    if isinstance(fields["source"], dict):
        fields["source"] = fields["source"].get("name") or fields["source"].get("title")
    if isinstance(fields["categories"], str):
        fields["categories"] = [fields["categories"]]
    meta = _checked(fields)
    text, html = meta.pop("text"), meta.pop("html")
    if not (meta["title"] or text or html or meta["summary"]):
        raise RejectedInput("missing_fields", "a record needs a title, text, html or summary")
    if html:
        return RawDocument(source_ref, "seed", "html", html, meta)
    return RawDocument(source_ref, "seed", "text" if text else "none", text or "", meta)


def _records_of(value: object) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        lists = [v for v in value.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if len(lists) == 1 and not _pick(value, "title"):
            return lists[0]
    return [value]


def _entry_document(entry: dict, source_ref: str, feed_title: str | None) -> RawDocument | None:
    content = entry.get("content")
    body = content[0].get("value", "") if content else ""
    meta = {
        "title": entry.get("title"),
        "url": entry.get("link"),
        "summary": entry.get("summary"),
        "published": entry.get("published") or entry.get("updated"),
        "source": feed_title,
        "author": entry.get("author"),
        "categories": [tag.get("term") for tag in entry.get("tags", []) if tag.get("term")],
        "feed_title": feed_title,
        "entry_key": entry.get("id") or entry.get("link"),
    }
    if not (meta["title"] or body or meta["summary"]):
        return None
    return RawDocument(source_ref, "seed", "html" if body else "none", body, meta)


def _feed_documents(text: str, source_ref: str) -> Iterator[RawDocument | RejectedInput]:
    """Entries of a saved feed; feedparser never raises, so a broken feed shows as ``bozo`` with no entries."""
    parsed = feedparser.parse(text)
    feed_title = parsed.feed.get("title")
    documents = [
        _entry_document(entry, f"{source_ref}#{index}", feed_title) for index, entry in enumerate(parsed.entries)
    ]
    if not any(documents):
        reason = "malformed_feed" if parsed.bozo else "empty_feed"
        raise RejectedInput(reason, str(parsed.get("bozo_exception", "the feed has no usable entries")))
    for index, document in enumerate(documents):
        yield document or RejectedInput(
            "missing_fields", "the entry has no title, content or summary", f"{source_ref}#{index}"
        )


def read_seed_file(relative_path: str, data: bytes) -> Iterator[RawDocument | RejectedInput]:
    """The documents in one seed file; a bad record inside a multi-record file yields a ``RejectedInput``.

    Raises ``RejectedInput`` when the whole file is unusable.
    """
    suffix = PurePosixPath(relative_path).suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES | FEED_SUFFIXES:
        raise RejectedInput("unsupported_file_type", f"no reader for '{suffix or 'no extension'}' files")
    if len(data) > MAX_SEED_BYTES:
        raise RejectedInput("file_too_large", f"{len(data)} bytes, the limit is {MAX_SEED_BYTES}")
    text = decode_bytes(data)
    if suffix in TEXT_SUFFIXES:
        yield RawDocument(relative_path, "seed", "text_file", text)
    elif suffix in HTML_SUFFIXES:
        yield RawDocument(relative_path, "seed", "html", text, {})
    elif suffix in FEED_SUFFIXES:
        yield from _feed_documents(text, relative_path)
    elif suffix in JSON_SUFFIXES:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise RejectedInput("invalid_json", str(error)) from error
        for index, record in enumerate(_records_of(value)):
            yield _record_or_reject(record, f"{relative_path}#{index}")
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield _jsonl_line(line, f"{relative_path}#{number}")


def _record_or_reject(record: object, source_ref: str) -> RawDocument | RejectedInput:
    try:
        return document_from_record(record, source_ref)
    except RejectedInput as error:
        return RejectedInput(error.reason, error.detail, source_ref)


def _jsonl_line(line: str, source_ref: str) -> RawDocument | RejectedInput:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return RejectedInput("invalid_json", str(error), source_ref)
    return _record_or_reject(record, source_ref)


def is_seed_path(relative_path: str) -> bool:
    """Whether a matched file is an input: not hidden, not a feed list."""
    parts = PurePosixPath(relative_path).parts
    if any(part.startswith(".") for part in parts):
        return False
    return PurePosixPath(relative_path).suffix.lower() not in FEED_LIST_SUFFIXES


class _ParseSeedFile(beam.DoFn):
    def __init__(self, seeds_dir: str):
        self._seeds_dir = seeds_dir

    def process(self, readable_file: fileio.ReadableFile):
        relative_path = os.path.relpath(readable_file.metadata.path, self._seeds_dir).replace(os.sep, "/")
        if not is_seed_path(relative_path):
            return
        data = b""
        try:
            if readable_file.metadata.size_in_bytes > MAX_SEED_BYTES:
                size = readable_file.metadata.size_in_bytes
                raise RejectedInput("file_too_large", f"{size} bytes, the limit is {MAX_SEED_BYTES}")
            data = readable_file.read()
            for item in read_seed_file(relative_path, data):
                if isinstance(item, RejectedInput):
                    yield emit_reject(item.source_ref or relative_path, STAGE, item)
                else:
                    yield item
        except RejectedInput as error:
            yield emit_reject(relative_path, STAGE, error, data)
        except OSError as error:
            yield emit_reject(relative_path, STAGE, RejectedInput("unreadable_file", str(error)))
        except Exception as error:  # one bad file must not stop the run: it becomes a reject
            yield emit_reject(relative_path, STAGE, unexpected(error, relative_path), data)


class ReadSeeds(beam.PTransform):
    """Seeds directory -> ``RawDocument``s (main) and ``Reject``s (``rejects``), every file below it."""

    def __init__(self, seeds_dir: str):
        super().__init__()
        self._seeds_dir = seeds_dir

    def expand(self, pbegin):
        pattern = os.path.join(self._seeds_dir, "**")
        return (
            pbegin
            | "MatchSeedFiles" >> fileio.MatchFiles(pattern, fileio.EmptyMatchTreatment.ALLOW)
            | "OpenSeedFiles" >> fileio.ReadMatches(compression=CompressionTypes.UNCOMPRESSED)
            | "ParseSeedFiles" >> beam.ParDo(_ParseSeedFile(self._seeds_dir)).with_outputs(REJECTS, main="documents")
        )
