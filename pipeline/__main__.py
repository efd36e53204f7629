"""``python -m pipeline`` is the ``wirebeam`` command."""

import os
import signal
import sys

EXIT_INTERRUPTED = 130


def main() -> int:
    """The ``wirebeam`` command; Ctrl-C at any moment ends it with one line and 130. The signal itself is noted
    because a C extension that it interrupts while loading (the CLI's or a command's lazy imports: duckdb, numpy)
    may turn it into an ``ImportError`` or another error instead of ``KeyboardInterrupt``."""
    interrupted = []

    def note(signum, frame):
        interrupted.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, note)
    try:
        from pipeline.cli import main as cli_main

        code = cli_main()
    except BaseException:
        if not interrupted:
            raise
        print("wirebeam: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if code == EXIT_INTERRUPTED:
        _exit_interrupted()
    return code


def _exit_interrupted() -> None:
    """Exit with 130. A Ctrl-C that landed in code run by ``PyRun_*`` (a C extension's start-up does that) makes
    CPython end the process by SIGINT at exit, whatever the exit code; what had to be saved is saved by now."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    sys.exit(main())
