"""The one way wirebeam opens DuckDB: session settings, writable and read-only connections.

A writable connection brings the schema up to date first (``pipeline.store.schema``); a read-only one
(``open_database``) waits a little while a run's load holds the file. Errors a user can fix are ``StoreError``s.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

from pipeline.store.statements import StoreError, sql_string

Connection = duckdb.DuckDBPyConnection
"""A DuckDB connection (the type callers outside the store name)."""
DatabaseError = duckdb.Error
"""Any error DuckDB raises (callers outside the store catch this name, not ``duckdb``'s)."""
DatabaseLocked = duckdb.IOException
"""The file is held by another process (or cannot be opened)."""

READ_WAIT_SECONDS = 10.0
"""How long a read command waits for a run's load to release the database."""


class DatabaseUnreadable(StoreError):
    """The database file is missing, or not a file wirebeam can open (a file-system error)."""


class DatabaseInUse(StoreError):
    """Another program keeps the database open (even read-only), so it cannot be written; or another connection
    of this process has it open."""


_HANDLE_CONFLICT = "Unique file handle conflict"
"""DuckDB's error when one process opens a file it has open already (twice writable, or writable and read-only)."""
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def lock_holder(error: duckdb.IOException) -> str | None:
    """Who holds the file, as DuckDB's lock error names it (``python3.11, PID 4791``); None for another error."""
    message = str(error)
    if "lock" not in message.lower():
        return None
    found = _LOCK_HOLDER.search(message)
    return f"{Path(found['program']).name}, PID {found['pid']}" if found else "another process"


class DatabaseBusy(StoreError):
    """Another process (a run's load) holds the database for longer than a reader waits."""


MEMORY_LIMIT = "1GB"
"""DuckDB's memory for one database (its buffer pool and query state; beyond it, it spills to a temporary
directory beside the file): its default, 80% of the machine's memory, grows with the database in the process
that loads a run, whose own peak is bounded by windows (``wirebeam run --window_mib``)."""


ROW_GROUP_ROWS = 2048
"""Rows of a table's row group in the database a writable connection writes (DuckDB's default: 122,880). A
checkpoint merges a table's small adjacent row groups while they fit into fewer, re-compressing every stored row
in them: with the default, a load re-wrote a table's stored rows up to 122,880 of them (the 4k run's second
2,000-article window committed in 1.86 s CPU against 0.83 s for the first; 1,000 rows appended to 30,000 stored
texts checkpointed in 0.86 s, against 0.05 s at 2,048). With one vector (2,048 rows) a row group, a commit rewrites
at most about that many stored rows of a table. File size: the 4k run's 116 -> 107-110 MB, a 2,450-article
database loaded in 3 windows 49 -> 56 MiB (more, smaller row groups). Needs DuckDB 1.2 (``ROW_GROUP_SIZE`` of
``ATTACH``) and a multiple of 2,048. An option of the connection that writes, not of the file: readers see the same
rows."""
DATABASE = "wirebeam"
"""The name a writable connection gives the database it attaches (its row group size is an attach option)."""


def configure_session(connection: duckdb.DuckDBPyConnection) -> None:
    """Settings of every wirebeam connection and cursor: UTC times, no progress bar (a scheduled run's log
    is no terminal), and bounded memory."""
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET enable_progress_bar = false")
    connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")


def connect(db_path: str | Path, read_only: bool = False, wait: float = 0.0) -> duckdb.DuckDBPyConnection:
    """A connection to the database; a writable one creates missing tables and columns and migrates old rows.

    DuckDB lets no other process open a file that one process writes, nor write one that another reads: while
    another program (a notebook, a BI tool) holds the file, a writable connection is tried again for up to ``wait``
    seconds, then ``DatabaseInUse`` says which program holds it.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            connection = duckdb.connect(str(db_path), read_only=True) if read_only else _attached(db_path)
            break
        except duckdb.Error as error:
            if _HANDLE_CONFLICT in str(error):
                raise DatabaseInUse(
                    f"{db_path} is already open in this process by another connection; close it first, or open "
                    "a second connection from it with store.connection.cursor()"
                ) from None
            if not isinstance(error, duckdb.IOException):
                raise
            holder = lock_holder(error)
            if read_only or holder is None:
                raise
            if time.monotonic() >= deadline:
                waited = f" (waited {wait:.0f} s)" if wait else ""
                raise DatabaseInUse(
                    f"{db_path} is open in another program ({holder}), so it cannot be written{waited}; "
                    "close that connection and try again"
                ) from None
            time.sleep(0.2)
    configure_session(connection)
    if not read_only:
        from pipeline.store.schema import ensure_schema

        ensure_schema(connection)
    return connection


def _attached(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    """A connection writing the database file with ``ROW_GROUP_ROWS`` a row group, spilling beside it."""
    connection = duckdb.connect()
    try:
        connection.execute(f"ATTACH {sql_string(db_path)} AS {DATABASE} (ROW_GROUP_SIZE {ROW_GROUP_ROWS})")
        connection.execute(f"USE {DATABASE}")
        connection.execute(f"SET temp_directory = {sql_string(f'{db_path}.tmp')}")
    except BaseException:
        connection.close()
        raise
    return connection


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def cursor(connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Another connection to the connection's database (its own statement and results), set up as it is."""
    database = connection.execute("SELECT current_database()").fetchone()[0]
    reader = connection.cursor()
    configure_session(reader)
    reader.execute(f"USE {_identifier(database)}")
    return reader


def open_database(
    db_path: str | Path, wait: float = READ_WAIT_SECONDS, file_access: bool = True
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to an existing database; waits up to ``wait`` seconds while a load holds it.
    Without ``file_access`` its SQL reaches no other file (DuckDB's ``enable_external_access`` off for good: no
    ``COPY ... TO``, ``read_csv``, ``ATTACH`` or extension installs; spilling to its temporary directory stays)."""
    if Path(db_path).is_dir():
        raise DatabaseUnreadable(f"--db {db_path} is a directory; give the database file")
    if not Path(db_path).is_file():
        raise DatabaseUnreadable(f"database not found: {db_path} (run `wirebeam run` first)")
    deadline = time.monotonic() + wait
    while True:
        try:
            connection = connect(db_path, read_only=True)
        except duckdb.IOException as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            if "lock" not in message.lower():
                raise DatabaseUnreadable(f"cannot open {db_path}: {message}") from None
            if time.monotonic() >= deadline:
                raise DatabaseBusy(
                    f"{db_path} is busy: another process (a run loading its results?) has held it for {wait:.0f} s; "
                    "try again when it has finished"
                ) from None
            time.sleep(0.2)
            continue
        if not file_access:
            connection.execute("SET enable_external_access = false")
        return connection
