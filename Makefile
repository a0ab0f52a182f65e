# One dev loop for people and CI: `make demo`, `make test`, `make lint`, `make bench`.
# Each target creates or refreshes .venv itself, so a fresh clone needs nothing else.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP     := $(VENV)/.dev-installed

.PHONY: demo test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

KERNEL := hatch_build.py src/servesell/learn/_probit.c

$(RUNTIME_STAMP): pyproject.toml $(KERNEL) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml $(KERNEL) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $@ $(RUNTIME_STAMP)

demo: $(RUNTIME_STAMP)
	$(BIN)/servesell demo

test: $(DEV_STAMP)
	$(BIN)/python -m pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench hatch_build.py
	$(BIN)/ruff format --check src tests bench hatch_build.py
	$(BIN)/mypy

format: $(DEV_STAMP)
	$(BIN)/ruff format src tests bench hatch_build.py
	$(BIN)/ruff check --fix src tests bench hatch_build.py

bench: $(DEV_STAMP)
	@for script in bench/*.py; do \
		echo "== $$script" >&2; \
		$(BIN)/python $$script || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
