# Two commands do everything on a fresh machine:
#   make briefing   set up, then write out/briefing-YYYY-MM-DD.pdf and .json from the seeds
#   make test       set up, then lint, type check and run the whole test suite
#   make test-fast  the same without the tests marked slow (flow runs, servers, the seed PDF)
# Two more run it as a service on this machine (details in deploy/README.md):
#   make up         Prefect server on 127.0.0.1:4200, the deployments, a process worker
#   make down       stop exactly the processes make up started
# And one measures it (docs/benchmarks.md):
#   make bench      every stage at 2,000 and 20,000 synthetic feed items, as a table and JSON
#   make bench-articles  full-article fetching off and on, over 500 synthetic teaser items
# Set-up is idempotent: a pinned uv in .tools/, the locked dependencies in .venv/, and the
# Debian libraries WeasyPrint needs (installed when missing and this user can, else explained).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export PREFECT_SERVER_ANALYTICS_ENABLED := false
# PYTHONDONTWRITEBYTECODE is set on these machines, so a venv installed without bytecode compiles
# every module it imports again in every process: 12 s to import Prefect's test harness, seconds
# more in each `briefing run` and worker process the tests start. uv writes it at install instead.
export UV_COMPILE_BYTECODE := 1

.PHONY: help setup system-deps briefing up down test test-fast lint typecheck pytest pytest-fast evaluate schema docs-images bench bench-articles clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock Makefile  # Makefile: how the venv is made
	$(UV) sync --locked --python $(PYTHON)
	touch $@

system-deps: ## Check (and where possible install) the Debian libraries WeasyPrint needs
	@bash scripts/system-deps.sh

setup: system-deps $(VENV)/.synced ## Everything both commands need
	@# This project's own modules too (uv compiles only what it installs): without their bytecode
	@# every process compiles them again, 30 ms of a worker's 0.28 s start, 80 ms of a run's
	@# imports (best of seven each). Up-to-date files are skipped; a stale one is recompiled.
	@$(BIN)/python -m compileall -q -j 0 briefing commands flows benchmarks

briefing: setup ## Write today's edition from the seeds into out/ (no configured feeds read)
	$(BIN)/briefing run --no-configured-feeds

up: setup ## Start a Prefect server (127.0.0.1:4200), register the deployments, start a worker
	bash scripts/up.sh

down: ## Stop exactly the server and worker that make up started
	bash scripts/down.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest

test: lint typecheck pytest ## Lint, type check and run the whole test suite

pytest-fast: setup
	$(BIN)/pytest -m "not slow"

test-fast: lint typecheck pytest-fast ## Lint, type check and run the tests not marked slow (under a minute)

evaluate: setup ## Score the seed edition against evaluation/labels.yaml
	$(BIN)/briefing evaluate

schema: setup ## Regenerate schema/briefing.schema.json from the models
	$(BIN)/briefing schema > schema/briefing.schema.json

docs-images: setup ## Refresh the images in docs/: the first two pages of the seed edition and of the news set's, its HTML edition at 390 and 1,280 px, and the run form
	rm -rf .docs-build
	# A memory of its own, so the seed edition is shown as a first edition whatever out/ remembers.
	BRIEFING_DATABASE_URL=sqlite:///.docs-build/memory.db $(BIN)/briefing run --date 2023-01-20 --out .docs-build
	$(BIN)/briefing evaluate --news-edition .docs-build/news > /dev/null
	news=$$(ls .docs-build/news/*.pdf); \
	for page in 1 2; do \
	  pdftoppm -png -r 60 -f $$page -l $$page -singlefile .docs-build/briefing-2023-01-20.pdf docs/page-$$page; \
	  pdftoppm -png -r 60 -f $$page -l $$page -singlefile $$news docs/news-page-$$page; \
	done
	$(BIN)/python scripts/screenshots.py edition $$(ls .docs-build/news/*.html) docs
	port=$$($(BIN)/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	export RUN_DIR=.docs-build/run PREFECT_PORT=$$port; \
	trap 'bash scripts/down.sh > /dev/null' EXIT; \
	bash scripts/up.sh > /dev/null && $(BIN)/python scripts/screenshots.py form http://127.0.0.1:$$port docs
	rm -rf .docs-build

bench: setup ## Benchmark every stage at 2,000 and 20,000 synthetic items; writes benchmarks/results/latest.json
	$(BIN)/python -m benchmarks --prefect --startup

bench-articles: setup ## Benchmark full-article fetching off, on (cold) and on (304); writes benchmarks/results/articles.json
	$(BIN)/python -m benchmarks.articles

clean: ## Remove the environments and outputs (not the seeds)
	rm -rf .tools $(VENV) out .pytest_cache .mypy_cache .ruff_cache
