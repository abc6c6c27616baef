# Integrationsportal – the two everyday commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1:8000

.PHONY: install run test lint format bench vendor clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## Development server with the LK Vechta concept and one demo user per role, plus the
## background worker that renders the yearly report PDFs.
run: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	@# The worker re-reads the configured statistics sources when they fall due.
	DJANGO_DEBUG=1 $(PY) manage.py refresh_statistics --schedule
	@# The django-tasks worker (PDF reports) runs beside the server and stops with it.
	DJANGO_DEBUG=1 $(PY) manage.py db_worker --queue-name '*' & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST)

## Test suite: SQLite by default, PostgreSQL when DATABASE_URL=postgres://… is set.
## Two workers by default (PYTEST_ARGS= for one process).
PYTEST_ARGS ?= -n 2
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks on a separate database; prints a table and writes var/bench.md.
bench: install
	mkdir -p var
	rm -f var/bench.sqlite3
	DATABASE_URL=sqlite:///var/bench.sqlite3 $(PY) manage.py migrate --no-input -v 0
	DATABASE_URL=sqlite:///var/bench.sqlite3 $(PY) manage.py run_benchmarks --output var/bench.md
	@# Load: 50 signed-in people for 60 s (LOAD_USERS, LOAD_SECONDS) against gunicorn and a
	@# throw-away PostgreSQL cluster in var/ on a free port.
	$(PY) scripts/load_benchmark.py --output var/load.md

## Refresh the KERN UX assets from the npm package.
vendor:
	./scripts/vendor_kern.sh

clean:
	rm -rf $(VENV) var *.egg-info
