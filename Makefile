# Two commands for a new user: `make run` (set up, run the default scenario) and
# `make test` (set up, run the tests). Everything installs into .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= scenarios/xuxiake_1plus4.toml

.PHONY: setup run test test-fast lint bench docs-images clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[all]'
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/gridsim run $(SCENARIO) --out results/run --force

test: setup
	$(BIN)/python -m pytest -n 2

# Style (ruff, the rule families Mesa uses) and types (mypy with the pydantic plugin); zero findings.
lint: setup
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/mypy sim tests

test-fast: setup
	$(BIN)/python -m pytest -n 2 -m "not slow and not browser"

# Issue 14's six targets, one status table (results/bench/issue14.md); BENCH_ARGS=--quick for a smoke check.
bench: setup
	nice $(BIN)/python benchmarks/issue14.py $(BENCH_ARGS)

# The README's images in docs/ from real Xu Xiake runs (≈ 25 min of CPU); the tests never write docs/.
docs-images: setup
	$(BIN)/python docs/make_images.py

clean:
	rm -rf $(VENV) results/run
