"""Progress of a local run: files and articles read, the stage at work, its rate and ETA.

``CountProgress`` steps between the stages count elements into the process-wide ``PROGRESS``, which a local run
switches on (its stages run in the launcher's process; on a distributed runner the counts stay off, in the
workers). On a terminal a tqdm bar shows the stage at work against the articles read (files read while reading);
otherwise a line is written every ``log_interval`` seconds, for a scheduler's log.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

import apache_beam as beam

READ = "read"
STAGES = (READ, "deduplicate", "group events", "enrich", "load into DuckDB")
"""The stages counted, in pipeline order. Fused stages run interleaved, so the one shown is the furthest one
that has started; the last one runs after the pipeline."""
TIMED = "enrich"
"""The stage whose count follows its work, article by article, so that its rate gives an ETA (the others count
their input, which they take in before they work; most of a run's time is enrichment)."""
MIN_RATE_SECONDS = 2.0
REDRAW_SECONDS = 0.5


class RunProgress:
    """Per-stage counts of one local run; does nothing until ``start``."""

    def __init__(self) -> None:
        self.enabled = False
        self._lock = threading.Lock()

    def start(self, stream: TextIO, total_files: int, live: bool, log_interval: float = 30.0, window: str = "") -> None:
        """Show progress on ``stream``: a live bar when ``live``, else a line every ``log_interval`` seconds;
        ``window`` (e.g. ``2/5``) names the window of a large input this run reads."""
        with self._lock:
            self._stream, self._total_files, self._log_interval = stream, total_files, log_interval
            self._window = f"window {window}, " if window else ""
            self._files: set[str] = set()
            self._counts: dict[str, int] = {}
            self._stage = READ
            self._started = self._stage_started = time.monotonic()
            self._shown_at = self._started
            self._bar, self._bar_stage = None, READ
            if live:
                from tqdm import tqdm

                self._bar = tqdm(total=total_files or None, unit=" files", file=stream, desc=READ, dynamic_ncols=True)
            self._stopped = threading.Event()
            self.enabled = True
        interval = REDRAW_SECONDS if live else log_interval
        threading.Thread(target=self._show_every, args=(interval, self._stopped), daemon=True).start()

    def _show_every(self, seconds: float, stopped: threading.Event) -> None:
        while not stopped.wait(seconds):
            with self._lock:
                if not stopped.is_set():
                    self._show()

    def count(self, stage: str, source_ref: str | None = None) -> None:
        """One element entered ``stage`` (``source_ref`` names the file a read document came from)."""
        if not self.enabled:
            return
        with self._lock:
            self._counts[stage] = self._counts.get(stage, 0) + 1
            if source_ref is not None:
                self._files.add(source_ref.split("#", 1)[0])
            if STAGES.index(stage) > STAGES.index(self._stage):
                self._stage, self._stage_started = stage, time.monotonic()

    def loading(self) -> None:
        """The pipeline has ended and the load began."""
        if self.enabled:
            with self._lock:
                self._stage, self._stage_started = STAGES[-1], time.monotonic()

    def finish(self) -> None:
        """End the bar (or stop logging)."""
        with self._lock:
            if self.enabled:
                self._stopped.set()
                if self._bar is not None:
                    self._bar.close()
            self.enabled = False

    def _show(self) -> None:
        self._shown_at = time.monotonic()
        read, stage = self._counts.get(READ, 0), self._stage
        files = f"{self._window}files {len(self._files)}/{self._total_files}, articles read {read}"
        if stage == READ:
            done, total = len(self._files), self._total_files
        else:
            done, total = self._counts.get(stage, 0), (read if stage == TIMED else 0)
        if self._bar is not None:
            if self._bar_stage != stage:
                self._bar_stage = stage
                self._bar.reset(total=total or None)
                self._bar.set_description_str(stage)
                self._bar.unit = " files" if stage == READ else " articles"
            self._bar.total = total or None
            self._bar.set_postfix_str(files, refresh=False)
            self._bar.update(done - self._bar.n)
            self._bar.refresh()
            return
        line = f"wirebeam progress: {self._shown_at - self._started:.0f} s: {files}; {stage}"
        seconds = self._shown_at - self._stage_started
        if stage == TIMED and done and seconds >= MIN_RATE_SECONDS:
            rate = done / seconds
            line += f" {done}/{total} ({rate:.1f} articles/s, ETA {(total - done) / rate:.0f} s)"
        self._stream.write(line + "\n")
        self._stream.flush()


PROGRESS = RunProgress()


def _count_document(document):
    PROGRESS.count(READ, document.source_ref)
    return document


class CountProgress(beam.PTransform):
    """Passes elements through unchanged, counting them as entering ``stage``."""

    def __init__(self, stage: str):
        super().__init__()
        self._stage = stage

    def expand(self, elements):
        if self._stage == READ:
            return elements | beam.Map(_count_document)
        return elements | beam.Map(_count_element, self._stage)


def _count_element(element, stage: str):
    PROGRESS.count(stage)
    return element
