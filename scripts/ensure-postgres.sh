#!/usr/bin/env bash
# Make PostgreSQL server binaries available for the store tests.
# Installs Debian's `postgresql` when missing and we can (root with apt-get); otherwise says
# loudly which suites will be skipped. The tests start their own server in a temp directory.
set -uo pipefail

find_initdb() {
  command -v initdb 2>/dev/null && return 0
  ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1
}

if [ -n "$(find_initdb)" ]; then
  echo "postgres: server binaries found ($(find_initdb))"
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "postgres: installing Debian's postgresql for the store tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  if [ -n "$(find_initdb)" ]; then
    echo "postgres: installed ($(find_initdb))"
    exit 0
  fi
fi
cat >&2 <<'MSG'
************************************************************************
* WARNING: PostgreSQL server binaries (initdb, pg_ctl) are not available *
* and could not be installed (needs root and apt-get).                   *
* SKIPPED suites: every test marked `postgres` (store and CLI tests on   *
* PostgreSQL: tests/store/*, tests/cli/*, parameter [postgresql]).    *
* In CI (CI=true) these tests fail instead of skipping.                  *
************************************************************************
MSG
exit 0
