#!/usr/bin/env bash
# `make up`: a local Prefect server on 127.0.0.1, the deployments of deploy/prefect.yaml, a
# process worker, and a read-only HTTP server of the editions, all in the background. Each
# process is started in its own session (so in its
# own process group), with its PID in $RUN_DIR/NAME.pid and its output in $RUN_DIR/NAME.log;
# `make down` (scripts/down.sh) stops exactly those process groups.
#
# Settings: PREFECT_PORT (4200), EDITIONS_PORT (8400), RUN_DIR (.run), PREFECT_HOME
# ($RUN_DIR/prefect: the server's SQLite database lives there and survives `make down`),
# WORKERS (1: process workers on the pool), WORKER_LIMIT (1: runs one worker takes at once),
# PREFECT_SERVER_DATABASE_CONNECTION_URL (unset: a PostgreSQL cluster of make up's own in
# PREFECT_POSTGRES_DIR, $RUN_DIR/postgres, where PostgreSQL is installed, else Prefect's SQLite;
# PREFECT_DATABASE=sqlite keeps SQLite), and every
# BRIEFING_* setting, which the worker
# passes on to the flow runs (SMTP, recipients, time zone, output folder). BRIEFING_OUT_DIR (out)
# is served at http://127.0.0.1:$EDITIONS_PORT/, which becomes BRIEFING_PUBLIC_BASE_URL unless
# that is set: the run pages link there.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
RUN_DIR=${RUN_DIR:-.run}
PORT=${PREFECT_PORT:-4200}
EDITIONS_PORT=${EDITIONS_PORT:-8400}
ALERTS_PORT=${ALERTS_PORT:-8401}
WORKER_LIMIT=${WORKER_LIMIT:-1}
WORKERS=${WORKERS:-1}
POOL=briefing
mkdir -p "$RUN_DIR"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
export PREFECT_HOME=${PREFECT_HOME:-$RUN_DIR/prefect}
POSTGRES_DIR=${PREFECT_POSTGRES_DIR:-$RUN_DIR/postgres}
export PREFECT_API_URL=http://127.0.0.1:$PORT/api
export PREFECT_SERVER_ANALYTICS_ENABLED=false
# Poll every 2 s instead of 10 s: a run started from the UI begins within seconds.
export PREFECT_WORKER_QUERY_SECONDS=${PREFECT_WORKER_QUERY_SECONDS:-2}
export BRIEFING_OUT_DIR=${BRIEFING_OUT_DIR:-out}
export BRIEFING_PUBLIC_BASE_URL=${BRIEFING_PUBLIC_BASE_URL:-http://127.0.0.1:$EDITIONS_PORT/}

alive() { # NAME: is the process of NAME.pid still running, and still a prefect command?
  local file=$RUN_DIR/$1.pid pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file")
  kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE 'prefect|briefing serve|commands.alerts'
}

start() { # NAME COMMAND...: run it in a new session, in the background, logging to NAME.log
  local name=$1
  shift
  # A background job of a script is not a group leader, so setsid does not fork: $! is the
  # command's own PID, which is also its new process group's id.
  setsid "$@" >"$RUN_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

port_taken() { # PORT
  "$BIN/python" -c 'import socket, sys; s = socket.socket(); sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))) != 0)' "$1"
}

healthy() {
  "$BIN/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "$PREFECT_API_URL/health" 2>/dev/null
}

if alive server; then
  echo "Prefect server already running (pid $(cat "$RUN_DIR/server.pid"))"
else
  if port_taken "$PORT"; then
    echo "Port $PORT on 127.0.0.1 is taken by another program; choose another: make up PREFECT_PORT=4300" >&2
    exit 1
  fi
  # Prefect's own database. On its default SQLite (in $PREFECT_HOME) the server refused 2 to 5
  # of 30 run-form submissions while a worker's runs wrote to it ("database is locked"), so
  # where PostgreSQL's server is installed Prefect runs on a cluster of make up's own, in
  # $PREFECT_POSTGRES_DIR. PREFECT_DATABASE=sqlite keeps SQLite; a set
  # PREFECT_SERVER_DATABASE_CONNECTION_URL names another database.
  if [ -z "${PREFECT_SERVER_DATABASE_CONNECTION_URL:-}" ] && [ "${PREFECT_DATABASE:-postgresql}" != sqlite ]; then
    if url=$("$BIN/python" -m commands.local_postgres start "$POSTGRES_DIR" 2>"$RUN_DIR/postgres.err"); then
      export PREFECT_SERVER_DATABASE_CONNECTION_URL=$url
      echo "Prefect's database: PostgreSQL in $POSTGRES_DIR (stopped by make down, kept)"
    else
      echo "Prefect's database: SQLite in $PREFECT_HOME, as PostgreSQL cannot run here: $(cat "$RUN_DIR/postgres.err")" >&2
      echo "  (on SQLite the server may refuse a form submission now and then while runs write: submit it again)" >&2
    fi
  fi
  echo "Starting the Prefect server on 127.0.0.1:$PORT (log: $RUN_DIR/server.log)"
  start server "$BIN/prefect" server start --host 127.0.0.1 --port "$PORT"
fi

for _ in $(seq 1 120); do
  healthy && break
  if ! alive server; then
    echo "The Prefect server stopped while starting; its log ends:" >&2
    tail -n 20 "$RUN_DIR/server.log" >&2
    exit 1
  fi
  sleep 1
done
healthy || { echo "The Prefect server is not healthy after 120 s; see $RUN_DIR/server.log" >&2; exit 1; }

# The operator's alerts (commands/alerts.py): with BRIEFING_OPERATOR_EMAIL set, a relay on
# 127.0.0.1:$ALERTS_PORT that the Prefect server calls when a run of the deployment fails,
# crashes or does not start on time, and that mails the operators through BRIEFING_SMTP_*.
if [ -n "${BRIEFING_OPERATOR_EMAIL:-}" ]; then
  token_file=$RUN_DIR/alerts.token
  [ -s "$token_file" ] || (umask 077 && "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$token_file")
  export BRIEFING_ALERT_TOKEN=$(cat "$token_file") ALERTS_PORT
  if alive alerts; then
    echo "Alert relay already running (pid $(cat "$RUN_DIR/alerts.pid"))"
  else
    echo "Starting the operator's alert relay on 127.0.0.1:$ALERTS_PORT (log: $RUN_DIR/alerts.log)"
    start alerts "$BIN/python" -m commands.alerts serve --host 127.0.0.1 --port "$ALERTS_PORT"
  fi
else
  echo "Operator alerts: off (set BRIEFING_OPERATOR_EMAIL to be mailed when a run fails or is late)"
fi

bash scripts/deploy.sh

for number in $(seq 1 "$WORKERS"); do
  name=worker
  [ "$number" -gt 1 ] && name=worker-$number
  if alive "$name"; then
    echo "Worker $number already running (pid $(cat "$RUN_DIR/$name.pid"))"
    continue
  fi
  echo "Starting process worker $number for pool '$POOL' (log: $RUN_DIR/$name.log)"
  # --limit: a worker takes at most this many runs at once, so that with several workers on
  # the pool concurrent editions spread over them instead of piling onto the first to poll.
  start "$name" "$BIN/prefect" worker start --pool "$POOL" --limit "$WORKER_LIMIT"
done

if alive editions; then
  echo "Editions server already running (pid $(cat "$RUN_DIR/editions.pid"))"
else
  if port_taken "$EDITIONS_PORT"; then
    echo "Port $EDITIONS_PORT on 127.0.0.1 is taken by another program; choose another: make up EDITIONS_PORT=8500" >&2
    exit 1
  fi
  echo "Serving the editions of $BRIEFING_OUT_DIR at http://127.0.0.1:$EDITIONS_PORT/ (log: $RUN_DIR/editions.log)"
  start editions "$BIN/briefing" serve --dir "$BRIEFING_OUT_DIR" --host 127.0.0.1 --port "$EDITIONS_PORT"
fi

echo
echo "Prefect UI: http://127.0.0.1:$PORT"
echo "  Deployments > weekly-briefing/weekly > Run > Custom run: fill in the form to make an edition."
echo "Editions: http://127.0.0.1:$EDITIONS_PORT/ (each run's page links to its PDF, HTML and JSON there)"
echo "  Stop the server, the worker and the editions server with: make down"
