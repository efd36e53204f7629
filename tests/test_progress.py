"""Progress of a local run: counts from the stages, a log line per interval without a terminal."""

import io
import re
import time

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from pipeline.progress import PROGRESS, READ, TIMED, CountProgress, RunProgress
from tests.conftest import local_test_pipeline


def test_log_lines_give_files_articles_stage_and_eta():
    stream = io.StringIO()
    progress = RunProgress()
    progress.start(stream, total_files=2, live=False, log_interval=0.05)
    for ref in ("a.jsonl#1", "a.jsonl#2", "b.txt", "b.txt#2"):
        progress.count(READ, ref)
    progress.count(TIMED)
    progress._stage_started -= 10  # as if enrichment had started ten seconds ago
    time.sleep(0.3)
    progress.finish()
    last = stream.getvalue().splitlines()[-1]
    assert re.search(r"files 2/2, articles read 4; enrich 1/4 \(0\.1 articles/s, ETA 3\d s\)$", last), last
    shown = len(stream.getvalue())
    time.sleep(0.2)
    assert len(stream.getvalue()) == shown  # nothing after finish


def test_a_window_of_a_large_input_is_named_in_the_log_lines():
    stream = io.StringIO()
    progress = RunProgress()
    progress.start(stream, total_files=3, live=False, log_interval=0.05, window="2/5")
    progress.count(READ, "c.jsonl#1")
    time.sleep(0.2)
    progress.finish()
    assert stream.getvalue().splitlines()[-1].endswith(": window 2/5, files 1/3, articles read 1; read")


def test_counting_steps_pass_elements_through_and_count_in_process():
    PROGRESS.start(io.StringIO(), total_files=1, live=False, log_interval=60)
    try:
        with local_test_pipeline() as pipeline:
            counted = pipeline | "Create" >> beam.Create([1, 2, 3]) | "Count" >> CountProgress(TIMED)
            assert_that(counted, equal_to([1, 2, 3]))
        assert PROGRESS._counts[TIMED] == 3
    finally:
        PROGRESS.finish()
