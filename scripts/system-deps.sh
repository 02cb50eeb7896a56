#!/usr/bin/env bash
# WeasyPrint needs Pango from the system. Install what is missing when we are root (or have
# passwordless sudo) on a Debian-like system; otherwise say exactly what to install.
# PostgreSQL's server (initdb, pg_ctl) is for the tests that run the memory on a real PostgreSQL
# they start themselves: recommended, not required (without it they are skipped, saying why).
set -euo pipefail

required=(libpango-1.0-0 libpangoft2-1.0-0)
# Without libharfbuzz-subset0 WeasyPrint still works but logs a fontTools warning and writes PDFs
# ~2.7x slower; poppler-utils (pdftoppm) turns PDF pages into images for the tests and docs/;
# chromium is the browser the browser tests and docs/ screenshots drive (Playwright, no download);
# postgresql gives the memory's PostgreSQL tests their throwaway server; docker-compose (1.29,
# Debian's) checks deploy/compose.yaml where no Docker Compose v2 is installed.
recommended=(libharfbuzz-subset0 poppler-utils postgresql chromium docker-compose)

has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
missing=()
has_lib 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
has_lib 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
has_lib 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
  if [ "$sudo" != none ]; then
    echo "Installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    exit 0
  fi
fi

needed=()
for package in "${missing[@]}"; do
  for r in "${required[@]}"; do [ "$package" = "$r" ] && needed+=("$package"); done
done
echo "System packages are missing: ${missing[*]}" >&2
echo "Install them as an administrator, e.g. on Debian/Ubuntu:" >&2
echo "    sudo apt-get install ${missing[*]}" >&2
if [ ${#needed[@]} -gt 0 ]; then exit 1; fi
echo "(only recommended packages are missing: continuing; without libharfbuzz-subset0 PDFs" >&2
echo " render more slowly, without poppler-utils the page-image tests cannot run, and without" >&2
echo " postgresql the memory's PostgreSQL tests are skipped, and without chromium the" >&2
echo " browser tests skip, saying so; without docker-compose the compose file's check skips)" >&2
