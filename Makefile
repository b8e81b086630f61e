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

$(VENV)/.installed: requirements.txt
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

prod: install
	@test -f .env || { echo "Copy deploy/env.example to .env and fill it in first."; exit 1; }
	mkdir -p var
	$(VENV)/bin/honcho run $(PY) manage.py migrate --noinput
	$(VENV)/bin/honcho run $(PY) manage.py collectstatic --noinput
	$(VENV)/bin/honcho run $(PY) manage.py check --deploy --fail-level WARNING
	$(VENV)/bin/honcho start

test: install
	$(PY) -m tests.services -- $(PY) -m pytest $(ARGS)

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

bench: install
	$(PY) bench/bench_slots.py
	$(PY) bench/imaging.py
	$(PY) -m tests.services -- $(PY) bench/gallery_page.py
	$(PY) -m pip install --quiet locust==2.47.0  # the load generator, for bench/load.py only
	$(PY) bench/load.py

vendor:
	bin/vendor
