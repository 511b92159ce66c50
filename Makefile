# Two commands for a newcomer: `make demo` (install, migrate, demo data, serve) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast test-at-month-start install lint typecheck migrations-check serve clean messages browsers

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	@echo ""
	@echo "Yinling is starting on http://127.0.0.1:$(PORT)/  (all demo passwords: Yinling@2020)"
	@echo ""
	@# The task worker runs beside the web server; Ctrl-C (or the server ending) stops both.
	@trap 'kill 0' INT TERM EXIT; \
	DEBUG=1 $(PY) manage.py db_worker --queue-name '*' --verbosity 0 & \
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite: unit, integration, permission, browser (Chromium) tests.
# DATABASE_URL selects the database (SQLite by default; CI runs it again on PostgreSQL).
# TEST_WORKERS: pytest-xdist processes (auto: one per CPU; 0 runs in this process).
TEST_WORKERS ?= auto
test: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The development loop: everything but the browser tests.
test-fast: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

# The suite in the first minutes of a month in Asia/Shanghai (still last month in UTC).
test-at-month-start: $(STAMP)
	YINLING_TEST_NOW=2027-01-01T00:02:00+08:00 $(PY) -m pytest -q -n $(TEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	DEBUG=1 $(VENV)/bin/mypy yinling

migrations-check: $(STAMP)
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

messages: $(STAMP)
	cd yinling && DEBUG=1 ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete && DEBUG=1 ../$(PY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) var staticfiles
