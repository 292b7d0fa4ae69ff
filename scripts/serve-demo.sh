#!/usr/bin/env bash
# `make run`, last step: start the web UI on the demo cohort in the background and print its URL.
# Development settings (ONCOBOARD_ENV=development): a per-process random secret, plain-HTTP cookies,
# loopback only. Demo accounts are created once in the same database as the imported demo cohort;
# their passwords are written to out/demo-credentials.txt (mode 0600), never to a log.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${ONCOBOARD_HOST:-127.0.0.1}
PORT=${ONCOBOARD_PORT:-8765}
OUT=out
mkdir -p "$OUT"
PIDFILE="$OUT/serve.pid"
CREDS="$OUT/demo-credentials.txt"

if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "serve: stopping the earlier demo server (pid $(cat "$PIDFILE"))"
  kill "$(cat "$PIDFILE")" || true
  sleep 1
fi

umask 077
if [ ! -s "$CREDS" ]; then
  : >"$CREDS"
  for spec in clinician:clinician analyst:analyst admin:admin; do
    name=demo-${spec%%:*}
    role=${spec##*:}
    password=$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(12))')
    if printf '%s\n' "$password" | "$BIN/oncoboard" users add "$name" --role "$role" --password-stdin >/dev/null 2>&1; then
      echo "$name $password" >>"$CREDS"
    else
      echo "serve: user $name already exists; its password is unchanged" >&2
    fi
  done
fi

ONCOBOARD_ENV=development nohup "$BIN/oncoboard" serve --host "$HOST" --port "$PORT" \
  >"$OUT/serve.log" 2>&1 &
echo $! >"$PIDFILE"
for _ in $(seq 1 50); do
  if "$BIN/python" - "$HOST" "$PORT" <<'PY' 2>/dev/null; then
import sys, urllib.request
urllib.request.urlopen(f"http://{sys.argv[1]}:{sys.argv[2]}/login", timeout=1)
PY
    echo
    echo "Oncoboard web UI running at http://$HOST:$PORT/  (API docs: http://$HOST:$PORT/api/docs)"
    echo "Demo accounts (user password) are in $CREDS; stop the server with: kill \$(cat $PIDFILE)"
    exit 0
  fi
  sleep 0.2
done
echo "serve: the web UI did not start; see $OUT/serve.log" >&2
exit 1
