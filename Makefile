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

.PHONY: help system-deps env frontend-env contracts run test lint typecheck suite unit frontend-test format dashboard soak bench clean

help:
	@echo "make run        start every process (embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL)"
	@echo "make test       system packages, env, lint, format check, mypy, pytest: what CI runs"
	@echo "                (SKIP_BROWSER_TESTS=1 make test: without Chromium, skip the browser tests)"
	@echo "make system-deps  Chromium and docker-compose for make test (installed with apt-get as root)"
	@echo "make unit       the unit tier only (no server, no process): seconds"
	@echo "make lint       ruff check + ruff format --check + lint-imports (the layer contracts)"
	@echo "make format     ruff format + ruff check --fix"
	@echo "make contracts  regenerate frontend/lib/contracts.{schema.json,ts} from packages/contracts"
	@echo "make dashboard  serve the built dashboard alone at DASHBOARD_PORT (make run builds it)"
	@echo "make soak       steady mixed load with sockets for SOAK_MINUTES (10); one summary line"
	@echo "make bench      throughput, latency, fan-out and memory figures vs targets (BENCH_SECONDS per part)"
	@echo "make clean      stop leftover embedded servers and delete .data/"

# System packages that uv and npm cannot provide, from Debian: Chromium for the browser tests
# and docker-compose to validate docker-compose.yml (`config` needs no Docker engine). Each is
# installed only when missing, as root with apt-get (`apt-get update` once, the output in a
# log shown only on failure); otherwise the command to run is printed. Without Chromium
# `make test` stops here, unless SKIP_BROWSER_TESTS=1 (the browser tests are then skipped);
# without a Compose CLI the compose check is skipped. CHROMIUM_PATH names another Chromium.
# `make run` needs neither. Node.js 20 and npm must be there already (Debian 12 has 18).
SYSTEM_DEPS ?= chromium compose

define system_deps_script
packages() {
  case $1 in
    chromium) echo chromium fonts-liberation ;;
    compose) echo docker-compose ;;
    *) echo "system-deps: unknown SYSTEM_DEPS entry '$1' (known: chromium compose)" >&2
       exit 2 ;;
  esac
}
have() {
  case $1 in
    chromium) test -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ;;
    compose) docker compose version || command -v docker-compose ;;
  esac >/dev/null 2>&1
}
missing=() wanted=()
for need in "$@"; do
  packages "$need" >/dev/null
  if [ "$need" = chromium ] && [ "${SKIP_BROWSER_TESTS:-}" = 1 ]; then continue; fi
  if ! have "$need"; then missing+=("$need"); wanted+=($(packages "$need")); fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  why="not root"
elif ! command -v apt-get >/dev/null 2>&1; then
  why="no apt-get on this machine"
else
  log=$(mktemp "${TMPDIR:-/tmp}/system-deps.XXXXXX")
  echo "system-deps: installing ${wanted[*]} (Debian packages, apt-get; log in $log)"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -q >"$log" 2>&1 &&
    apt-get install -y -q --no-install-recommends "${wanted[@]}" >>"$log" 2>&1; then
    echo "system-deps: installed ${wanted[*]}"
    rm -f "$log"
    why=""
  else
    tail -n 20 "$log" >&2
    why="apt-get failed, its output just above and in $log"
  fi
fi
status=0
for need in "${missing[@]}"; do
  have "$need" && continue
  install="apt-get update && apt-get install -y --no-install-recommends $(packages "$need")"
  why=${why:-still missing after apt-get}
  case $need in
    chromium)
      echo "system-deps: Chromium is missing (${CHROMIUM_PATH:-/usr/bin/chromium}; $why)." >&2
      echo "  The browser tests need it. Install it as root: $install" >&2
      echo "  (or: sudo make system-deps), or set CHROMIUM_PATH to a Chromium binary," >&2
      echo "  or skip the browser tests: SKIP_BROWSER_TESTS=1 make test" >&2
      status=1 ;;
    compose)
      echo "system-deps: no Compose CLI ($why): the docker-compose.yml check will be skipped." >&2
      echo "  To run it, install as root: $install (or Docker's compose plugin)" >&2 ;;
  esac
done
exit $status
endef
export SYSTEM_DEPS_SCRIPT := $(value system_deps_script)

system-deps:
	@bash -c "$$SYSTEM_DEPS_SCRIPT" system-deps $(SYSTEM_DEPS)

env:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@if command -v uv >/dev/null 2>&1; then uv sync --locked; else python3 -m uv sync --locked; fi

run: env
	$(PYTHON) -m devstack run

test: system-deps env frontend-env lint typecheck suite frontend-test

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
	.venv/bin/lint-imports

typecheck: env
	$(PYTHON) -m mypy $(TYPED_PACKAGES)

# Every tier of tests (what make test runs); `make unit` only the tests that need no server
# and no process, in seconds. Tiers are pytest markers set from each test's folder
# (conftest.py): unit, integration, e2e, browser, faults, bench — e.g. `.venv/bin/python -m
# pytest -m "unit or integration"`.
suite: env
	$(PYTHON) -m pytest

unit: env
	$(PYTHON) -m pytest -m unit -q

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
