# Firegrid — the two set-up commands are `make run` and `make test`; the rest are their parts.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test install install-test assets system-packages migrate demo serve lint check test-sqlite test-postgres bench bench-ledger bench-monitoring bench-documents bench-reports bench-longterm guide clean

## make run: venv, install, front-end assets, migrate SQLite, load the demo district, serve on 127.0.0.1:8000
run: install assets
	@bash scripts/system-packages.sh run || true
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py collectstatic --noinput --verbosity 0
	DEBUG=true $(PY) manage.py demo
	@DEBUG=true $(PY) manage.py demo_logins
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

## make test: install what tests need, lint, format check, layer contract, types, migrations check, the whole suite
## (SQLite with coverage floor, PostgreSQL, browser)
test: install-test assets
	@CI=$(CI) bash scripts/system-packages.sh test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	FIREGRID_DEV=true $(BIN)/mypy firegrid
	FIREGRID_DEV=true $(PY) manage.py check
	FIREGRID_DEV=true $(PY) manage.py makemigrations --check --dry-run
	CI=$(CI) bash scripts/test-suite.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Front-end assets come from the npm registry and are served locally (government intranets are offline).
firegrid/static/vendor/.built: package.json scripts/build-assets.sh
	bash scripts/build-assets.sh
	touch $@

assets: firegrid/static/vendor/.built

migrate: install
	DEBUG=true $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=true $(PY) manage.py demo

serve:
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

lint: install-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

## make bench: performance figures as ratios against baselines measured in the same run -> bench/results.json,
## then the documents benchmark (bench/results-documents.json), the long-term one (bench/results-longterm.json),
## the photos shrunk on the phone (bench/results-photos.json) and the sensor ingester (bench/results-monitoring.json)
bench: install-test
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/documents.py
	$(PY) bench/longterm.py $(LONGTERM_ARGS)
	$(PY) bench/photos.py
	$(PY) bench/monitoring.py

## make bench-monitoring: the MQTT ingester's drain rate with its writes vs a bare paho receive loop (same broker,
## same backlog), and alarm-to-case latency with 10,000 devices heartbeating each minute -> bench/results-monitoring.json
bench-monitoring: install-test
	$(PY) bench/monitoring.py $(BENCH_ARGS)

## make bench-documents: notice rendering, a 1,000-notice batch print, premises-file queries -> bench/results-documents.json
bench-documents: install-test
	$(PY) bench/documents.py $(BENCH_ARGS)

## make bench-ledger: import of a 100,000-row premises ledger and of a 100,000-row rental ledger (出租房屋台账)
## vs reading each with openpyxl (wall and CPU seconds) -> bench/results-ledger.json
bench-ledger: install-test
	$(PY) bench/ledger.py $(BENCH_ARGS)

## make bench-longterm: the work queue (page and API) and the nightly grade recomputation vs same-run baselines
## (a plain ORM read of the same rows; one SQL pass over the same facts) -> bench/results-longterm.json
bench-longterm: install-test
	$(PY) bench/longterm.py $(BENCH_ARGS)

## make bench-reports: daily report generation vs the one equivalent SQL GROUP BY (PostgreSQL) -> bench/results-reports.json
bench-reports: install-test
	$(PY) bench/reports.py $(BENCH_ARGS)

## make guide: retake the user guide's screenshots with the browser tests that make them (into a temp dir) and copy
## them, shrunk, into firegrid/static/guide/ (the images firegrid/data/guide/*.md reference; scripts/guide.py)
guide: install-test assets
	$(PY) scripts/guide.py

clean:
	rm -rf $(VENV) node_modules firegrid/static/vendor
