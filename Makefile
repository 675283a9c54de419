# Berdaya — the two commands a new user needs are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := berdaya.settings

.PHONY: run test check pytest install install-dev lock messages bench bench-screen bench-regions bench-import bench-worklist bench-monitoring bench-load bench-hostile-import bench-sqlite-writers bench-api-paging bench-screen-scale demo demo-province clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when the lock file changes.
$(VENV)/.base: requirements/base.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: requirements/dev.lock $(VENV)/.base
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	touch $@

install: $(VENV)/.base
install-dev: $(VENV)/.dev

## make run: install, migrate, load regions and their map outlines, demo data on an empty database, serve on http://$(HOST):$(PORT)/
run: install
	@mkdir -p var
	$(BIN)/berdaya migrate --no-input
	$(BIN)/berdaya loadregions
	$(BIN)/berdaya loadboundaries
	$(BIN)/berdaya demo --if-empty
	@# Background tasks (large imports, screening, the daily monitoring run) need a worker; the monitor loop queues
	@# the monitoring run now and every day at 01:00. Both stop with the server.
	$(BIN)/berdaya db_worker & worker=$$!; $(BIN)/berdaya monitor --daily & monitor=$$!; \
		trap "kill $$worker $$monitor 2>/dev/null" EXIT INT TERM; \
		$(BIN)/berdaya runserver $(HOST):$(PORT)

demo: install
	$(BIN)/berdaya demo

## make demo-province: Kalimantan Timur in bulk (600 KUBE, 1 M persons) on an empty database; best on PostgreSQL
demo-province: install
	$(BIN)/berdaya migrate --no-input
	$(BIN)/berdaya loadregions
	$(BIN)/berdaya loadboundaries
	$(BIN)/berdaya demo --scale province

## make test: ruff, mypy, Django's checks, then the whole pytest suite (SQLite, or DATABASE_URL=postgres://...)
test: install-dev check pytest

check: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy berdaya
	$(BIN)/lint-imports
	$(BIN)/berdaya check
	$(BIN)/berdaya makemigrations --check --dry-run
	$(BIN)/python -m berdaya.lib.i18n_check

pytest: install-dev
	@$(BIN)/python -c "import shutil,sys; sys.exit(0 if shutil.which('chromium') else 1)" || \
		echo "!!!!!!!! Chromium (/usr/bin/chromium) is missing: browser tests will be SKIPPED. apt-get install chromium !!!!!!!!"
	$(BIN)/pytest -n 2 --dist loadgroup

## Maintainer targets
lock: $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements/base.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements/dev.lock

# Extract strings into both catalogues, then compile them with polib (no GNU msgfmt needed at install time).
messages: install-dev
	cd berdaya && ../$(BIN)/berdaya makemessages -l id -l en --no-location --no-obsolete
	$(BIN)/python -m berdaya.lib.i18n_check --compile

bench: bench-regions bench-screen bench-import bench-worklist bench-monitoring bench-hostile-import bench-sqlite-writers

bench-regions: install
	$(BIN)/python -m bench.regions

bench-screen: install-dev
	$(BIN)/python -m bench.screening.run --sizes 10k,100k,1M

# Nation scale (issue 17): dedupe 10M and link 1M x 10M, on one process and on a local cluster of two workers.
# Not in `make bench`: about 25 GB of disk for the data and half an hour; SCALE_ARGS="--size 1M" for a quick look.
bench-screen-scale: install-dev
	$(BIN)/python -m bench.screening.scale $(SCALE_ARGS)

# What every page pays for the menu's "My tasks" count, per demo role, on the regency-scale demo.
bench-worklist: install-dev
	$(BIN)/python bench/worklist.py

# Levels, scores and warnings of 1,000 groups with two years of records (about 1.5M cash entries); 24-month backfill.
bench-monitoring: install-dev
	$(BIN)/python bench/monitoring.py

# Locust: 50 users of every role for 10 minutes against gunicorn (DEBUG off) on a PostgreSQL demo database
# (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/berdaya_load); LOAD_ARGS="--time 3m --users 20" ...
bench-load: install-dev
	$(BIN)/python bench/load/run.py $(LOAD_ARGS)

# Hostile import files (millions of empty rows, zip bombs): the upload request and the worker's refusal.
bench-hostile-import: install-dev
	BERDAYA_VAR_DIR=$${BERDAYA_VAR_DIR:-/tmp/berdaya-bench-hostile} $(BIN)/python bench/hostile_import.py

# SQLite writers in threads: DEFERRED against IMMEDIATE transactions ("database is locked").
bench-sqlite-writers: install-dev
	$(BIN)/python -m bench.sqlite_writers --threads 4

# Paging through a million registry persons by the API on PostgreSQL (DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/berdaya_api_bench; the persons are built once and reused).
bench-api-paging: install-dev
	$(BIN)/python bench/api_paging.py

# A million-row registry CSV into a scratch SQLite database; set DATABASE_URL=postgres://... for PostgreSQL.
bench-import: install
	BERDAYA_VAR_DIR=$${BERDAYA_VAR_DIR:-/tmp/berdaya-bench-import} $(BIN)/python bench/registry_import.py --rows 1000000

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
