"""The reject record every stage emits for input it cannot process, and the tag that carries it."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import apache_beam as beam

from pipeline import ids
from pipeline.outputs import Tagged
from schemas.models import Reject

LOGGER = logging.getLogger(__name__)

REJECTS = "rejects"
"""Tag of every stage's reject output."""

RECORD_PREVIEW_CHARS = 500


class RejectedInput(Exception):
    """Raised by a pure stage function for input it cannot use; the stage turns it into a reject."""

    def __init__(self, reason: str, detail: str | None = None, source_ref: str | None = None):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.source_ref = source_ref
        """Set when the failing record is narrower than the file or page being read."""


UNEXPECTED_ERROR = "unexpected_error"


def unexpected(error: Exception, source_ref: str) -> RejectedInput:
    """The reject for an error no stage anticipated (a bug, or input a library cannot handle): the record
    becomes a reject with the error text, the traceback goes to the log, and the run goes on."""
    LOGGER.warning("unexpected error on %s", source_ref, exc_info=error)
    return RejectedInput(UNEXPECTED_ERROR, f"{type(error).__name__}: {error}")


def make_reject(
    source_ref: str,
    stage: str,
    reason: str,
    detail: str | None = None,
    record: str | bytes | None = None,
    run_id: str = "",
) -> Reject:
    """A reject whose ID depends only on what failed and why, so the same failure is stored once."""
    if isinstance(record, bytes):
        record = record[:RECORD_PREVIEW_CHARS].decode("utf-8", errors="replace")
    detail = detail[:2000] if detail else detail
    return Reject(
        reject_id=ids.reject_id(source_ref, stage, reason, detail),
        run_id=run_id,
        source_ref=source_ref,
        stage=stage,
        reason=reason,
        detail=detail,
        record=record[:RECORD_PREVIEW_CHARS] if record else None,
        rejected_at=datetime.now(timezone.utc),
    )


def count_reject(reject: Reject) -> None:
    """Count a reject in Beam's metrics, one counter per stage and reason."""
    beam.metrics.Metrics.counter("wirebeam.rejects", f"{reject.stage}.{reject.reason}").inc()


def emit_reject(source_ref: str, stage: str, error: RejectedInput, record: str | bytes | None = None):
    """A tagged reject output for a DoFn to yield (see ``pipeline.outputs``)."""
    reject = make_reject(source_ref, stage, error.reason, error.detail, record)
    count_reject(reject)
    return Tagged(REJECTS, reject)
