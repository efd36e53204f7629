#!/bin/sh
# Make sure headless Chromium is available for the HTML report test (tests/test_report.py).
# Installs Debian's `chromium` package when it is missing and we are root with apt-get; otherwise says why the
# test will be skipped. Never fails: a machine without Chromium still runs the rest of the suite.
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: installing Debian's chromium package for the report test"
    if DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; then
        exit 0
    fi
    echo "ensure-chromium: apt-get could not install chromium; the report test will be skipped"
    exit 0
fi
echo "ensure-chromium: chromium is missing and cannot be installed here (needs root and apt-get);" \
    "the report test will be skipped"
exit 0
