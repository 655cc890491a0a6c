# Everything runs from the Python environment at .venv/ (kept in step with uv.lock).
# `make run` starts the platform on this machine; `make test` is what CI runs.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.NOTPARALLEL:

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv
export NEXT_TELEMETRY_DISABLED := 1

PYTHON := .venv/bin/python
# Each package's importable folder (packages/*/<name>/, services/*/<name>/), tests excluded.
TYPED_PACKAGES := $(filter-out %/tests,$(patsubst %/__init__.py,%,\
	$(wildcard packages/*/*/__init__.py services/*/*/__init__.py)))

.PHONY: help env frontend-env contracts run test lint typecheck unit frontend-test format dashboard soak bench clean

help:
	@echo "make run        start every process (embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL)"
	@echo "make test       env, lint, format check, mypy, pytest: what CI runs"
	@echo "make lint       ruff check + ruff format --check"
	@echo "make format     ruff format + ruff check --fix"
	@echo "make contracts  regenerate frontend/lib/contracts.{schema.json,ts} from packages/contracts"
	@echo "make dashboard  serve the built dashboard alone at DASHBOARD_PORT (make run builds it)"
	@echo "make soak       steady mixed load with sockets for SOAK_MINUTES (10); one summary line"
	@echo "make bench      throughput, latency, fan-out and memory figures vs targets (BENCH_SECONDS per part)"
	@echo "make clean      stop leftover embedded servers and delete .data/"

env:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@if command -v uv >/dev/null 2>&1; then uv sync --locked; else python3 -m uv sync --locked; fi

run: env
	$(PYTHON) -m devstack run

test: env frontend-env lint typecheck unit frontend-test

# The dashboard's node_modules, from the committed package-lock.json; `npm ci` runs only when
# node_modules is missing or the lock changed (the stamp is shared with `make run`).
frontend-env:
	@cd frontend && want=$$(sha256sum package-lock.json | cut -d' ' -f1) \
	  && if [ "$$(cat node_modules/.devstack-lock-sha256 2>/dev/null)" != "$$want" ]; then \
	    npm ci --no-audit --no-fund --loglevel=error \
	    && echo "$$want" > node_modules/.devstack-lock-sha256; fi

# Regenerate the JSON Schema of the wire models and the dashboard's TypeScript types.
contracts: env frontend-env
	$(PYTHON) -m contracts.schema_export
	cd frontend && npm run --silent gen:contracts

frontend-test: frontend-env
	cd frontend && npm run --silent check:contracts && npm test
	cd frontend && npx --no-install tsc --noEmit

lint: env
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

typecheck: env
	$(PYTHON) -m mypy $(TYPED_PACKAGES)

unit: env
	$(PYTHON) -m pytest

format: env
	$(PYTHON) -m ruff format .
	$(PYTHON) -m ruff check --fix .

# The dashboard alone (Next.js), finding the services through CALL_SERVICE_URL and
# REALTIME_URL read at start-up (defaults: the local ports). Builds first if never built.
dashboard: frontend-env
	@cd frontend && if [ ! -f .next/BUILD_ID ]; then npm run --silent build; fi
	cd frontend && npm run --silent start

# Soak: the whole stack on free ports under a steady mixed workload with subscribed sockets,
# then errors, lost/duplicated events, p99 latency per minute, RSS and outbox (bench/soak.py).
SOAK_MINUTES ?= 10
SOAK_RATE ?= 50
SOAK_SOCKETS ?= 20
soak: env
	$(PYTHON) bench/soak.py --minutes $(SOAK_MINUTES) --rate $(SOAK_RATE) --sockets $(SOAK_SOCKETS)

# Benchmark: the raw PostgreSQL limit (pgbench), ingest, batch, end-to-end latency, drain,
# fan-out and idle sockets, each beside its ratio to the raw limit and its target
# (bench/run.py, docs/performance.md). BENCH_ARGS: e.g. --only ingest,e2e, --smoke, --check,
# --env API_WORKERS=2, or --api-url/--realtime-url/--database-url for a running system.
BENCH_SECONDS ?= 10
BENCH_ARGS ?=
bench: env
	$(PYTHON) bench/run.py --seconds $(BENCH_SECONDS) $(BENCH_ARGS)

clean:
	@if [ -x $(PYTHON) ]; then $(PYTHON) -m devstack clean; else rm -rf .data; fi
