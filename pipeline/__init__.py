"""wirebeam: news seeds and feeds -> Apache Beam -> deduplicated articles and events in DuckDB."""

import logging


class _DropUnusedBigQueryWarning(logging.Filter):
    """Beam warns at import time that its optional BigQuery client is missing; wirebeam never uses BigQuery."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("apitools not found")


logging.getLogger().addFilter(_DropUnusedBigQueryWarning())
