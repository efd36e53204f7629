"""``python -m pipeline`` is the ``wirebeam`` command."""

import sys

EXIT_INTERRUPTED = 130


def main() -> int:
    """The ``wirebeam`` command; Ctrl-C while it is still loading ends it with one line too."""
    try:
        from pipeline.cli import main as cli_main
    except KeyboardInterrupt:
        print("wirebeam: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
