#!/usr/bin/env bash
# `make down`: stop exactly the process groups `make up` started (worker, server, editions
# server), from their PID files in
# $RUN_DIR, and nothing else; then Prefect's PostgreSQL cluster, if make up started one. The worker first (an idle process worker ignores SIGTERM for over
# a minute but stops on a second SIGINT), then the server. A PID file whose process is gone, or
# whose PID now belongs to some other program, is removed without signalling anything.
set -uo pipefail
cd "$(dirname "$0")/.."
RUN_DIR=${RUN_DIR:-.run}

gone() { ! kill -0 -- "-$1" 2>/dev/null; }

wait_gone() { # PGID SECONDS
  local tries=$(($2 * 5))
  for _ in $(seq 1 "$tries"); do
    gone "$1" && return 0
    sleep 0.2
  done
  return 1
}

stop() { # NAME SIGNAL...: send each signal to the group in turn until it is gone; then SIGKILL
  local name=$1 file=$RUN_DIR/$1.pid pid
  shift
  if [ ! -f "$file" ]; then
    echo "$name: not started by make up"
    return 0
  fi
  pid=$(cat "$file")
  # While any member of the group lives, Linux never hands its id out as a new PID; so a live
  # leader that is not a prefect command leading its own group means the PID was reused.
  if gone "$pid"; then
    echo "$name: already stopped"
  elif kill -0 "$pid" 2>/dev/null && {
    ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qE 'prefect|briefing serve|commands.alerts' ||
      [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" != "$pid" ]
  }; then
    echo "$name: pid $pid is no longer the process make up started; leaving it alone"
  else
    for signal in "$@"; do
      kill -s "$signal" -- "-$pid" 2>/dev/null
      wait_gone "$pid" 5 && break
    done
    if ! gone "$pid"; then
      kill -s KILL -- "-$pid" 2>/dev/null
      wait_gone "$pid" 5
    fi
    echo "$name: stopped (process group $pid)"
  fi
  rm -f "$file"
}

for file in "$RUN_DIR"/worker*.pid; do
  [ -e "$file" ] || { echo "worker: not started by make up"; break; }
  stop "$(basename "$file" .pid)" INT INT TERM
done
stop server TERM
stop editions TERM
[ -f "$RUN_DIR/alerts.pid" ] && stop alerts TERM
# Prefect's PostgreSQL cluster, if make up started one: stopped after the server, its data kept.
POSTGRES_DIR=${PREFECT_POSTGRES_DIR:-$RUN_DIR/postgres}
if [ -d "$POSTGRES_DIR/data" ]; then
  if .venv/bin/python -m commands.local_postgres stop "$POSTGRES_DIR"; then
    echo "postgres: stopped ($POSTGRES_DIR, data kept)"
  else
    echo "postgres: could not stop the cluster in $POSTGRES_DIR" >&2
  fi
fi
