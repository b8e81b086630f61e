# Photostudio: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run prod test lint format worker beat bench vendor check

help:
	@echo "make run     install into $(VENV), migrate, load demo data, serve http://$(HOST):$(PORT)"
	@echo "make prod    production: migrate, collectstatic, then gunicorn, workers and beat (needs .env)"
	@echo "make test    the whole test suite (uses local PostgreSQL/Redis when they answer)"
	@echo "make lint    ruff check and format check"
	@echo "make worker  a Celery worker for every queue (needs REDIS_URL)"
	@echo "make beat    Celery beat, the scheduler of periodic tasks (needs REDIS_URL)"
	@echo "make bench   the benchmarks in bench/"

# `install` (for run, test, lint): what runs plus the tests and tools; `prod`: only what runs.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(VENV)/.installed-runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

run: export DEBUG ?= 1
# Links in emails point at the address being served (another PORT or HOST included), unless SITE_URL is set.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (the admin: http://$(HOST):$(PORT)/admin/). Ctrl-C to stop."
	$(PY) manage.py runserver $(HOST):$(PORT)

prod: $(VENV)/.installed-runtime
	@test -f .env || { echo "Copy deploy/env.example to .env and fill it in first."; exit 1; }
	mkdir -p var
	$(VENV)/bin/honcho run $(PY) manage.py migrate --noinput
	$(VENV)/bin/honcho run $(PY) manage.py collectstatic --noinput
	$(VENV)/bin/honcho run $(PY) manage.py check --deploy --fail-level WARNING
	$(VENV)/bin/honcho start

# Tests run in parallel, a worker per core (TEST_WORKERS=0 runs them in this one process); a worker
# that is free takes queued tests from a busy one, so a slow module never runs last on its own.
TEST_WORKERS ?= auto
test: install
	$(PY) -m tests.services -- $(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

worker: install
	$(VENV)/bin/celery -A photostudio worker --queues=default,email,images --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A photostudio beat --loglevel=INFO

# The benchmarks' peers (easy-thumbnails, sorl-thumbnail) go into a virtualenv of their own,
# never into the project's.
BENCH_VENV := bench/.venv
BENCH_PY := $(BENCH_VENV)/bin/python

$(BENCH_VENV)/.installed: requirements.txt bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install --quiet --upgrade pip
	$(BENCH_PY) -m pip install --quiet -r requirements.txt -r bench/requirements.txt
	touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_PY) bench/bench_slots.py
	$(BENCH_PY) bench/imaging.py
	$(BENCH_PY) -m tests.services -- $(BENCH_PY) bench/gallery_page.py
	$(BENCH_PY) -m tests.services -- $(BENCH_PY) bench/booking_page.py
	$(BENCH_PY) -m tests.services -- $(BENCH_PY) bench/load.py
	$(BENCH_PY) -m tests.services -- $(BENCH_PY) bench/lighthouse.py

vendor:
	bin/vendor
