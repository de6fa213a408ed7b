# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REQUIREMENTS := requirements/base.txt requirements/local.txt

.PHONY: run test lint typecheck bench migrations-check clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python $(REQUIREMENTS)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements/local.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m config.embedded run

# Lint and types first: they take seconds and fail the same way everywhere.
test: $(STAMP) lint typecheck
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m config.embedded exec -- $(BIN)/pytest $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy apps config

bench: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m config.embedded exec -- $(BIN)/python -m bench $(ARGS)

migrations-check: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .local .pytest_cache .mypy_cache .ruff_cache
