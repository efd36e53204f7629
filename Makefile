# wirebeam: `make run` sets up and runs the pipeline offline on seeds/; `make test` runs the whole test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= data/wirebeam.duckdb

.PHONY: run test lint schema bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/wirebeam run --offline --seeds seeds --db $(DB)

test: $(VENV)/.installed-dev
	sh scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/wirebeam schema --check
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

schema: $(VENV)/.installed
	$(BIN)/wirebeam schema

clean:
	rm -rf $(VENV) data .pytest_cache build *.egg-info
