#!/usr/bin/env bash
# Register the deployments of deploy/prefect.yaml with the Prefect server at PREFECT_API_URL:
# create the process work pool "briefing" if it is missing, then `prefect deploy`. Run from any
# folder; deploys from the project root, which becomes the folder flow runs start in.
# Used by scripts/up.sh (make up) and by the compose file's deploy service.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
POOL=briefing

# The schedule's time zone is the briefing's own setting (default UTC), read by settings.py.
BRIEFING_TIMEZONE=$("$BIN/python" -c 'from briefing.settings import Settings; print(Settings().timezone)')
export BRIEFING_TIMEZONE

"$BIN/prefect" work-pool inspect "$POOL" >/dev/null 2>&1 ||
  "$BIN/prefect" work-pool create "$POOL" --type process
"$BIN/prefect" --no-prompt deploy --all --prefect-file deploy/prefect.yaml
# A value for no parameter is refused when a run is asked for (Prefect's schema allows more).
"$BIN/python" -m commands.deploy_schema
echo "Deployed weekly-briefing/weekly: Mondays 07:00 ($BRIEFING_TIMEZONE), work pool '$POOL'"
# The operator's alerts, where their relay runs (make up sets the token and port; the compose
# file the token and the relay's address on its network).
if [ -n "${BRIEFING_ALERT_TOKEN:-}" ]; then
  "$BIN/python" -m commands.alerts register "${BRIEFING_ALERT_URL:-http://127.0.0.1:${ALERTS_PORT:-8401}/alert}"
fi
