"""One run: lock the database, stage, build and execute the pipeline, load the shards, record the run; and
`run_repeatedly`, ``wirebeam run --every``.

Imported only by ``wirebeam run`` (it imports Beam); the CLI layer parses and prints.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import logging
import multiprocessing
import os
import pickle
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import TypeVar

import apache_beam as beam
import filelock
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions, WorkerOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner

from pipeline import live_plan, staging
from pipeline.dedup.minhash import MinHashConfig
from pipeline.enrich.gazetteer import load_gazetteers
from pipeline.enrich.language import load_model
from pipeline.events.embeddings import EmbeddingsUnavailable, require_embeddings
from pipeline.graph import RunPlan, build_pipeline
from pipeline.options import UsageError, WirebeamOptions, event_thresholds, run_options
from pipeline.progress import PROGRESS
from pipeline.sources.seeds import LocalSeed, list_local_seeds
from pipeline.store.connection import StoreError
from pipeline.store.features import refresh_stale_features
from pipeline.store.load import load_run
from pipeline.store.runs import last_completed_options, record_run
from pipeline.store.side_inputs import export_paragraphs, export_stored_entries, export_term_stats
from schemas.models import Run

LOGGER = logging.getLogger(__name__)

LOCAL_RUNNERS = {"DirectRunner", "FnApiRunner", "BundleBasedDirectRunner"}
STAGING_DIRNAME = ".wirebeam-staging"
YOUNG_COLLECTION_ALLOCATIONS = 10_000
"""Allocations between two collections of the garbage collector's youngest generation during a run (Python's
default: 700). A run makes and drops millions of short-lived objects (Beam's elements), and every collection walks
what survived: 2,000 articles spent 0.85 s CPU in collections, 0.42 s with this."""


def new_run_id(now: datetime) -> str:
    """A time-ordered, unique run ID."""
    return f"{now:%Y%m%dT%H%M%S}.{now.microsecond // 1000:03d}Z-{secrets.token_hex(3)}"


def choose_runner(options: PipelineOptions):
    """The runner to use: Beam's in-process FnApiRunner for local runs, so nothing is downloaded at run time.

    Since Beam 2.68 the default DirectRunner first tries Prism, which fetches a binary from the internet.
    """
    name = options.view_as(StandardOptions).runner
    if name is None or name in LOCAL_RUNNERS - {"BundleBasedDirectRunner"}:
        return FnApiRunner()
    if name == "DaskRunner":  # not among the runners Beam finds by their short name
        from pipeline.dask_runner import BoundedDaskRunner

        return BoundedDaskRunner()
    return name


def staging_root(staging_dir: str | None, db_path: Path) -> str:
    """Where the runs of one database stage their shards (a directory or an object-store URL): a folder of its
    own, so that runs on two databases never touch each other's staging."""
    digest = hashlib.sha256(str(db_path.resolve()).encode()).hexdigest()[:12]
    base = staging_dir or str(db_path.parent / STAGING_DIRNAME)
    if "://" not in base:  # a local directory: absolute, since workers may run in another directory
        base = os.path.abspath(base)
    return staging.join(base, f"{db_path.name}-{digest}")


def _prepare_staging(options: WirebeamOptions, db_path: Path, run_id: str) -> str:
    """The run's staging folder, after clearing what interrupted runs of this database left (the caller
    holds the database's lock, so no run of it is in progress)."""
    root = staging_root(options.staging_dir, db_path)
    for stale in staging.run_folders(root):
        LOGGER.info("removing staging left by an interrupted run: %s", stale)
        staging.remove(stale)
    return staging.join(root, run_id)


def _stage_prior(staging_dir: str, name: str, export: Callable[[Path], int | bool]) -> tuple[str | None, int | bool]:
    """Stored data the workers read (``export`` writes it to a local Parquet file and returns what it counted,
    falsy for nothing), staged beside the run's shards: (its staged path or None, what ``export`` returned)."""
    target = staging.join(staging_dir, "prior", f"{name}.parquet")
    with tempfile.TemporaryDirectory(prefix="wirebeam-") as scratch:
        local = Path(scratch) / f"{name}.parquet"
        counted = export(local)
        if counted:
            staging.upload(local, target)
    return (target if counted else None), counted


def _warn_if_embedding_mode_changed(db_path: Path, embeddings: bool) -> None:
    """Stored event features carry embeddings only when their runs used ``--embeddings``; a run in the other
    mode compares new articles with stored events without the embedding part, against its own thresholds."""
    last = last_completed_options(db_path)  # None for a new database (or not a wirebeam one: the run says so)
    if last is not None and bool(last.get("embeddings")) != embeddings:
        LOGGER.warning(
            "this database's last run was %s --embeddings and this one is %s: stored events and new articles "
            "are compared without embeddings; keep one mode per database",
            "with" if not embeddings else "without",
            "with" if embeddings else "without",
        )


def _check_writable(db_path: Path) -> None:
    """Fail early, and clearly, when the database cannot be written where it is asked for."""
    if db_path.is_dir():
        raise UsageError(f"--db {db_path} is a directory; give a file path")
    try:
        with tempfile.TemporaryFile(dir=db_path.parent):
            pass
    except OSError as error:  # a file-system error (exit 1), not a usage error
        raise OSError(f"cannot write the database in {db_path.parent}: {error.strerror}") from error


def unknown_flags(flags: list[str]) -> list[str]:
    """The flags that neither wirebeam nor any Beam pipeline option knows (Beam itself only warns)."""
    if any("daskrunner" in flag.lower() for flag in flags):
        _load_dask_runner()
    parser = argparse.ArgumentParser(allow_abbrev=False, add_help=False, conflict_handler="resolve")
    for options_class in {str(cls): cls for cls in PipelineOptions.__subclasses__()}.values():
        options_class._add_argparse_args(parser)
    _, unknown = parser.parse_known_args(flags)
    return [flag for flag in unknown if flag.startswith("-")]


def _load_dask_runner() -> None:
    """The Dask runner declares its flags (``--dask_client_address`` ...) where it is defined."""
    try:
        import apache_beam.runners.dask.dask_runner  # noqa: F401
    except ImportError as error:
        raise UsageError(f"--runner=DaskRunner needs pip install 'wirebeam[dask]' ({error})") from None


def execute_run(flags: list[str]) -> Run:
    """One run: build and run the pipeline, then load its shards; returns the recorded run.

    A large local seeds directory is read in windows (``--window_mib``), each a run of its own loaded before the
    next; then the returned run sums their counts (the last window's ID, the first one's start)."""
    if unknown := unknown_flags(flags):
        raise UsageError(f"unrecognized arguments: {' '.join(unknown)} (see `wirebeam run --help`)")
    options = run_options(flags)
    FileSystems.set_options(options)  # staging in an object store takes its settings (--s3_endpoint_url ...)
    ours = options.view_as(WirebeamOptions)
    seeds_dir = Path(ours.seeds)
    if not (seeds_dir.is_dir() or seeds_dir.is_file() or live_plan.feeds_only(ours)):
        what = "is neither a directory nor a file" if seeds_dir.exists() else "not found"
        raise UsageError(f"--seeds {seeds_dir}: {what} (give a directory of seed files, or one seed file)")
    if ours.window_mib < 0:
        raise UsageError(f"--window_mib must be 0 or more, got {ours.window_mib}")
    try:
        thresholds = event_thresholds(ours)
        MinHashConfig(threshold=ours.near_duplicate_threshold)  # its range, checked before anything runs
        if ours.embeddings:
            require_embeddings()
    except (ValueError, EmbeddingsUnavailable) as error:
        raise UsageError(str(error)) from None
    runner = choose_runner(options)
    db_path = Path(ours.db)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    _check_writable(db_path)
    lock = filelock.FileLock(f"{db_path}.lock", timeout=ours.lock_timeout)
    windows = seed_windows(seeds_dir, int(ours.window_mib * 2**20))
    run_window = partial(_run_window, options, runner, thresholds)
    forking = len(windows) > 1 and isinstance(runner, FnApiRunner)
    if forking:
        run_window = partial(_in_child_process, run_window)
    with lock, _shared_tables(forking), _interrupt_noted() as interrupt, _fewer_collections():
        runs = []
        for number, window in enumerate(windows):
            if len(windows) > 1:
                LOGGER.info("window %d of %d: %d seed files", number + 1, len(windows), len(window))
            runs.append(run_window(window, (number, len(windows)), interrupt))
    return runs[0] if len(runs) == 1 else _summed(runs)


def _in_child_process(run_window: Callable[..., Run], *args) -> Run:
    """``run_window(*args)`` in a child process forked for it, so that what one window's run leaves in the heap
    (freed but kept by the allocator, caches filled) is gone before the next: a large input's windows each peak
    at what one window needs (``benchmarks/scale.py``). Its error, if any, is raised here. The child has a process
    group of its own, so that Ctrl-C reaches it once, from here, and it records its run as interrupted first."""
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_send_outcome, args=(sender, run_window, args))
    child.start()
    sender.close()
    try:
        run, error = receiver.recv()
    except EOFError:
        child.join()
        raise RuntimeError(f"a window's run ended without a result (exit code {child.exitcode})") from None
    except KeyboardInterrupt:
        with _sigint_ignored():
            os.kill(child.pid, signal.SIGINT)
            child.join()
        raise
    child.join()
    if error is not None:
        raise error
    return run


@contextmanager
def _shared_tables(preload: bool) -> Iterator[None]:
    """When ``preload``: what every window's run would load for itself (the gazetteers and py3langid's model, ~0.9 s
    CPU, ~220 MiB), loaded once here, before the windows' children are forked: they inherit it. Frozen while the
    windows run, so that the collector's passes in the children do not write to (and so copy) its pages; unfrozen
    after, so that a process running many runs (``--every``, tests) does not keep each run's objects for good."""
    if not preload:
        yield
        return
    collecting = gc.isenabled()
    gc.disable()
    try:
        load_gazetteers()
        load_model()
    finally:
        if collecting:
            gc.enable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _send_outcome(sender, run_window: Callable[..., Run], args: tuple) -> None:
    """In the child: ``(run, None)`` or ``(None, error)`` to the parent (an error that cannot be pickled as a
    RuntimeError naming it)."""
    os.setpgrp()
    try:
        outcome = (run_window(*args), None)
    except BaseException as error:
        try:
            pickle.dumps(error)
        except Exception:
            error = RuntimeError(repr(error))
        outcome = (None, error)
    sender.send(outcome)
    sender.close()


def seed_windows(seeds: Path, window_bytes: int) -> list[frozenset[str] | None]:
    """The windows a run reads its seeds in: sets of consecutive seed files (relative paths, in the order
    ``list_local_seeds`` gives: a directory's files by name, then its subdirectories) of
    about ``window_bytes`` together; ``[None]`` (everything at once) for one window, one seed file, a directory
    that is not local, or ``window_bytes`` 0."""
    if window_bytes <= 0 or not seeds.is_dir():
        return [None]
    windows: list[list[str]] = [[]]
    size = 0
    for item in list_local_seeds(str(seeds)):
        relative_path, length = (item.relative_path, _size(item.path)) if isinstance(item, LocalSeed) else (item[0], 0)
        if windows[-1] and size + length > window_bytes:
            windows.append([])
            size = 0
        windows[-1].append(relative_path)
        size += length
    return [None] if len(windows) == 1 else [frozenset(window) for window in windows]


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:  # it is read (and rejected) by the window it falls in
        return 0


def _input_bytes(seeds: Path, window: frozenset[str] | None) -> int:
    """The size of the seed files a run reads (the window's, or all)."""
    return sum(
        _size(item.path)
        for item in list_local_seeds(str(seeds))
        if isinstance(item, LocalSeed) and (window is None or item.relative_path in window)
    )


def worker_count(options: PipelineOptions) -> int:
    """The workers a run asks for (``--direct_num_workers``, ``--num_workers`` or ``--max_num_workers``)."""
    worker = options.view_as(WorkerOptions)
    counts = (options.view_as(DirectOptions).direct_num_workers, worker.num_workers, worker.max_num_workers)
    return max(1, *(count or 0 for count in counts))


def _summed(runs: list[Run]) -> Run:
    """One run's figures for the windows of one ``wirebeam run``."""
    counted = [name for name, field in Run.model_fields.items() if field.annotation is int]
    return runs[-1].model_copy(
        update={
            "started_at": runs[0].started_at,
            **{name: sum(getattr(run, name) for run in runs) for name in counted},
            "feed_counts": runs[0].feed_counts,
        }
    )


def _run_window(
    options: PipelineOptions,
    runner,
    thresholds,
    window: frozenset[str] | None,
    position: tuple[int, int],
    interrupt: threading.Event,
) -> Run:
    """One run over one window of the seeds (``position``: its index and the number of windows; the first polls
    the feeds too), loaded; the caller holds the lock."""
    ours = options.view_as(WirebeamOptions)
    in_process = isinstance(runner, FnApiRunner)
    db_path = Path(ours.db)
    seeds_dir = Path(ours.seeds)
    started_at = datetime.now(timezone.utc)
    run = Run(
        run_id=new_run_id(started_at),
        started_at=started_at,
        mode="offline" if ours.offline else "online",
        status="completed",
        options={key: value for key, value in options.get_all_options(drop_default=True).items()},
    )
    staging_dir = _prepare_staging(ours, db_path, run.run_id)
    write_wait = max(ours.outside_lock_timeout, ours.lock_timeout)
    on_sigint = signal.getsignal(signal.SIGINT)
    try:
        _warn_if_embedding_mode_changed(db_path, ours.embeddings)
        refresh_stale_features(db_path, wait=write_wait)  # first waits while another program holds the database
        term_stats_path, prior_docs = _stage_prior(staging_dir, "term_stats", partial(export_term_stats, db_path))
        paragraphs_path, _ = _stage_prior(staging_dir, "paragraphs", partial(export_paragraphs, db_path))
        plan_live = None
        if not ours.offline and position[0] == 0:
            stored, _ = _stage_prior(staging_dir, "entries", partial(export_stored_entries, db_path))
            plan_live = live_plan.plan_live_feeds(options, db_path, in_process, stored)
        plan = RunPlan(
            term_stats_path=term_stats_path,
            prior_docs=prior_docs,
            paragraphs_path=paragraphs_path,
            staging_shards=staging.staging_shards(_input_bytes(seeds_dir, window), worker_count(options)),
            lookup_buckets=staging.lookup_buckets(worker_count(options)),
            run_id=run.run_id,
            started_at=started_at,
            seeds_dir=str(seeds_dir.absolute()),  # workers may run in another directory
            seed_files=window,
            staging_dir=staging_dir,
            minhash=MinHashConfig(threshold=ours.near_duplicate_threshold),
            event_thresholds=thresholds,
            embeddings=ours.embeddings,
            live=plan_live,
        )
        seed_files = _count_files(seeds_dir) if window is None else len(window)
        if seed_files or (plan.live is not None and (plan.live.feeds or plan.live.refetch)):  # else nothing to read
            if in_process:  # the stages run in this process, so their counts are seen here
                label = f"{position[0] + 1}/{position[1]}" if position[1] > 1 else ""
                PROGRESS.start(sys.stderr, seed_files, live=sys.stderr.isatty(), window=label)
            pipeline = beam.Pipeline(runner=runner, options=options)
            try:
                with pipeline:
                    build_pipeline(pipeline, plan)
            finally:
                _close_dask_client(getattr(pipeline, "result", None))
            PROGRESS.loading()
        run = load_run(
            db_path,
            staging_dir,
            run.model_copy(update={"finished_at": _now()}),
            plan.minhash,
            thresholds,
            before_commit=_ignore_sigint,  # a committed run is loaded: Ctrl-C from its commit on no longer stops it
            wait=write_wait,
        )
    except BaseException as error:
        PROGRESS.finish()
        interrupted = interrupt.is_set() or isinstance(error, KeyboardInterrupt)
        with _sigint_ignored():
            _record_failure(db_path, run, error, "interrupted" if interrupted else "failed")
            staging.remove(staging_dir)
        _restore_sigint(on_sigint)
        if interrupted:
            raise KeyboardInterrupt from None
        raise
    PROGRESS.finish()
    staging.remove(staging_dir)
    _restore_sigint(on_sigint)
    if plan_live is not None:  # the feed list follows permanent redirects, as the feeds table does
        live_plan.follow_moved_feeds(options, db_path)
    return run


def _close_dask_client(result) -> None:
    """The Dask runner leaves its client open after the job (it would log reconnection errors at exit)."""
    client = getattr(result, "client", None)
    if client is not None:
        client.close()


def _count_files(seeds: Path) -> int:
    return 1 if seeds.is_file() else sum(len(files) for _, _, files in os.walk(seeds))


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The garbage collector's youngest generation collected every ``YOUNG_COLLECTION_ALLOCATIONS`` allocations (in
    this process and the windows' children), as before afterwards."""
    thresholds = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_ALLOCATIONS, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextmanager
def _interrupt_noted() -> Iterator[threading.Event]:
    """Ctrl-C raises ``KeyboardInterrupt`` as usual and is also noted, since Beam re-raises it wrapped in its own
    error when it lands inside a stage, and DuckDB turns it into ``RuntimeError: Query interrupted`` when it lands
    in a query: any error after a noted Ctrl-C leaves as ``KeyboardInterrupt``. Logging stops then, so Beam does
    not print that error's traceback."""
    noted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield noted
        return

    def note(signum, frame):
        noted.set()
        logging.disable(logging.CRITICAL)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield noted
    except BaseException:
        if noted.is_set():
            raise KeyboardInterrupt from None
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
        logging.disable(logging.NOTSET)


def _ignore_sigint() -> None:
    """Ctrl-C ignored from here on (until ``_restore_sigint``)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _restore_sigint(handler) -> None:
    """Ctrl-C handled by ``handler`` again (as before ``_ignore_sigint``)."""
    if threading.current_thread() is threading.main_thread() and handler is not None:
        signal.signal(signal.SIGINT, handler)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Finish recording the run even when Ctrl-C is pressed again."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _record_failure(db_path: Path, run: Run, error: BaseException, status: str) -> None:
    if isinstance(error, StoreError):  # the database is the problem (in use, foreign): the error says why
        LOGGER.info("run %s not recorded: %s", run.run_id, error)
        return
    failed = run.model_copy(update={"status": status, "finished_at": _now(), "error": repr(error)[:2000]})
    try:
        record_run(db_path, failed)
    except Exception as record_error:  # the database itself may be the problem; the original error is what matters
        LOGGER.warning("run %s not recorded: %s", run.run_id, record_error)


EXIT_INTERRUPTED = 130
"""The shell's code for a command stopped by Ctrl-C (128 + SIGINT)."""
RunResult = TypeVar("RunResult")


def run_repeatedly(
    execute: Callable[[], RunResult],
    report: Callable[[RunResult, float], None],
    every: float | None,
    sleep: Callable[[float], None] = time.sleep,
    fatal: tuple[type[Exception], ...] = (),
) -> int:
    """Run once, or every `every` seconds until Ctrl-C; a tick that finds the database locked is skipped.

    Ctrl-C between runs ends the loop normally (0); Ctrl-C during a run exits 130 (that run is not loaded).
    With ``every``, a failed run is reported and the loop goes on, unless its error is one of ``fatal``.
    """
    if every is not None and every <= 0:
        raise ValueError(f"every must be positive, got {every}")
    while True:
        started = time.monotonic()
        try:
            result = _execute_with_progress(execute)
        except filelock.Timeout:
            if every is None:
                raise
            print("wirebeam: another run is using the database; skipping this run", file=sys.stderr)
        except fatal:
            raise
        except Exception as error:  # a scheduler outlives one failed run; the failure is in `runs`
            if every is None:
                raise
            LOGGER.warning("run failed", exc_info=error)
            print(f"wirebeam: this run failed ({error}); trying again at the next run", file=sys.stderr)
        except KeyboardInterrupt:
            print("\nwirebeam: stopped (an interrupted run is not loaded; the next run does its work)", file=sys.stderr)
            return EXIT_INTERRUPTED
        else:
            with _sigint_ignored():  # the run is loaded: its summary is printed whole
                report(result, time.monotonic() - started)
        if every is None:
            return 0
        wait = max(0.0, started + every - time.monotonic())
        if sys.stderr.isatty():
            next_run = datetime.now().astimezone() + timedelta(seconds=wait)
            print(f"next run at {next_run:%H:%M:%S} (Ctrl-C stops)", file=sys.stderr)
        try:
            sleep(wait)
        except KeyboardInterrupt:
            print("\nwirebeam: stopped between runs", file=sys.stderr)
            return 0


def _execute_with_progress(execute: Callable[[], RunResult]) -> RunResult:
    """Run once; the progress line, if any, is ended before anything else is printed."""
    from pipeline.sources.live import PROGRESS

    try:
        return execute()
    finally:
        PROGRESS.finish()
