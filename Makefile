# ssblab — two commands do all the set-up on a fresh clone:
#   make demo   create .venv, install ssblab, run the seed-cell job, write a report
#   make test   same install plus test extras, then pytest
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install demo test test-all bench lint clean browser fuzz

$(STAMP): pyproject.toml Makefile
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/pip install -q -e ".[all]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m ssblab.demo --out demo-out

browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium) || echo "chromium not installed: the headless report test will skip"

test: $(STAMP) browser
	$(BIN)/python -m pytest -q -m "not slow" --nbmake tests examples

test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m "slow or not slow"

fuzz: $(STAMP)
	$(BIN)/python tests/fuzz/harness.py --cases 12000

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

bench: $(STAMP)
	command -v mdb-export >/dev/null || (apt-get update -qq && apt-get install -y -qq mdbtools) || true
	$(BIN)/pip install -q -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) demo-out .pytest_cache .ruff_cache
