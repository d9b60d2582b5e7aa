# Two entry points, both self-contained: `make run` and `make test`.
# Each creates or refreshes the virtualenv at .venv when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck layering unit bench clean system-packages

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Vigil needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The server with embedded defaults: SQLite, the advisory store and the job queue in the user's
# data directory (~/.local/share/vigil, shared with every vigil command; DATA_DIR=... for
# another), on 127.0.0.1:$(PORT). The first start prints the first admin access key once.
PORT ?= 8080
DATA_DIR ?=
run: $(STAMP)
	$(VENV)/bin/vigil server --port $(PORT) $(if $(DATA_DIR),--data-dir $(DATA_DIR))

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks scripts
	$(VENV)/bin/ruff format --check src tests benchmarks scripts

typecheck: $(STAMP)
	$(VENV)/bin/mypy

layering: $(STAMP)
	$(VENV)/bin/lint-imports

system-packages:
	@bash scripts/system-packages.sh

unit: $(STAMP) system-packages
	$(VENV)/bin/pytest -n auto

test: lint typecheck layering unit

bench: $(STAMP)
	$(VENV)/bin/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
