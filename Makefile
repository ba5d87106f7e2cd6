# Fresh Debian 12, as root:  bash scripts/setup-system.sh && make book   (or: make test)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup book test lint golden clean wheel

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)
	bash scripts/setup-system.sh

book: $(STAMP)
	$(BIN)/publisher build manuscripts/anthology.toml --out dist

test: $(STAMP)
	$(BIN)/ruff check publisher tests
	$(BIN)/mypy
	$(BIN)/python -m pytest -q --durations=15

# A wheel for `pipx install` / `pip install` (README, quick start): wheels/publisher-*.whl
wheel: $(STAMP)
	$(BIN)/pip wheel --no-deps --quiet -w wheels .

golden: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_golden.py --update-golden

clean:
	rm -rf dist .publisher-cache
