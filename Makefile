# Convene: `make run` serves the demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install migrate demo test test-postgres lint format check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_credit

## Serve the demo conference at http://$(HOST):$(PORT) (SQLite, in-memory channel layer).
run: demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## The whole suite on the current settings (defaults: SQLite, in-memory layer).
test: $(STAMP)
	$(BIN)/python -m pytest

## The suite against the local PostgreSQL and Redis.
test-postgres: $(STAMP)
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/convene REDIS_URL=redis://127.0.0.1:6379/0 DB_PREPARED_STATEMENTS=1 \
		$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

bench: $(STAMP)
	$(BIN)/python bench/registration_rush.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
