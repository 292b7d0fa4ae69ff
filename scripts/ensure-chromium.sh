#!/usr/bin/env bash
# Make Debian's Chromium available for the web UI's browser tests (Playwright drives
# /usr/bin/chromium; no browser is ever downloaded by Playwright).
# Installs Debian's `chromium` when missing and we can (root with apt-get); otherwise says
# loudly which tests will be skipped.
set -uo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "chromium: found ($("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"))"
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium: installing Debian's chromium for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  if [ -x "$CHROMIUM" ]; then
    echo "chromium: installed ($("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"))"
    exit 0
  fi
fi
cat >&2 <<'MSG'
************************************************************************
* WARNING: Chromium is not available at /usr/bin/chromium and could    *
* not be installed (needs root and apt-get).                           *
* NOT RUN: the browser tests (tests/service/test_web_e2e.py skips;     *
* tests/report/test_screenshot.py needs it too).                       *
* In CI (CI=true) these tests fail instead of skipping.                *
************************************************************************
MSG
exit 0
