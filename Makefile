# Two commands (README): `make run` sets up and starts the portal; `make test` runs every check.
SHELL := /bin/bash
PY := .venv/bin/python
UV := .tools/bin/uv
UV_VERSION := 0.13.8
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: run setup venv demo test lint check pytest test-services bench bench-knowledge-worker messages clean

run: setup
	@$(PY) manage.py load_demo
	@echo "门户地址 / Portal: http://127.0.0.1:8000  (Ctrl-C 停止全部 / stops all)"
	exec .venv/bin/honcho start -f Procfile

setup: venv
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input -v0
	$(PY) manage.py update_index

venv: .venv/.synced

.venv/.synced: pyproject.toml uv.lock
	@test -x $(UV) || (python3 -m venv .tools && .tools/bin/pip install -q uv==$(UV_VERSION))
	$(UV) sync --frozen
	@touch $@

test: venv lint check pytest test-services

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

check:
	env -u TEST_DATABASE_URL DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py check --fail-level WARNING
	env -u TEST_DATABASE_URL DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py makemigrations --check --dry-run

# The whole suite on SQLite (browser tests included); services tests need real PostgreSQL/Redis.
pytest:
	.venv/bin/pytest -m "not services"

# The integration part again, on PostgreSQL with a real Celery worker on Redis. CI sets the URLs;
# there, running without them is a failure, not a skip.
test-services:
	@if [ -n "$$TEST_DATABASE_URL" ] && [ -n "$$TEST_BROKER_URL" ]; then \
		.venv/bin/pytest tests/integration -p no:cacheprovider; \
	elif [ -n "$$CI" ]; then \
		echo "CI must set TEST_DATABASE_URL and TEST_BROKER_URL"; exit 1; \
	else \
		echo "TEST_DATABASE_URL/TEST_BROKER_URL not set: PostgreSQL + Redis run skipped (see README)"; \
	fi

bench: venv
	.venv/bin/python -m tests.benchmarks.run

# 10,000 tickets through one real worker; the database named here is dropped and recreated.
BENCH_WORKER_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench
BENCH_WORKER_BROKER_URL ?= redis://127.0.0.1:6379/15
bench-knowledge-worker: venv
	BENCH_ONLY=knowledge_worker BENCH_WORKER_DATABASE_URL=$(BENCH_WORKER_DATABASE_URL) \
		BENCH_WORKER_BROKER_URL=$(BENCH_WORKER_BROKER_URL) .venv/bin/python -m tests.benchmarks.run

messages: venv
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=var --ignore=tests
	cd portal && ../$(PY) ../manage.py compilemessages -l zh_Hans

clean:
	rm -rf .venv .tools var
