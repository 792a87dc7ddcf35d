# AIMA: two commands from nothing, `make demo` and `make test`. See README.md.
#
# Which nbdev test flags run where (cells marked `#| slow`, `#| gpu`, `#| llm`, `#| spark`; tests marked slow):
#   make test        no flags: fast cells and tests only (CI; under 20 min from a fresh clone, budget in CONTRIBUTING.md)
#   make test-slow   NBDEV_FLAGS="slow spark" and pytest --runslow: adds slow and Spark cells and slow tests
#   make test-all    NBDEV_FLAGS="slow spark gpu llm": everything (needs a GPU and a local LLM)
# Notebooks run once per `make test`: the nbtest step is the docs build (each notebook in a fresh kernel, as
# nbdev_test runs it), which keeps the executed notebooks in _proc/_nbcache; the docs test then builds from it.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.aima-installed
WORKSPACE ?= demo/aima.duckdb
PORT ?= 8866
SERVE ?= 1
NBDEV_FLAGS ?=
PYTEST_ARGS ?=
RUN_SKIPS := test-artifacts/skips.jsonl
PAPERS ?= $(patsubst papers/%/,%,$(sort $(wildcard papers/[0-9][0-9]_*/)))
FULL ?= 0

.PHONY: help install readme lint format test test-slow test-all check-notebooks nbtest nbdev-test pytest browser-deps demo dash lab docs bench papers clean

help:
	@echo "make demo    set up .venv, build $(WORKSPACE) from bundled data, serve dashboards on 127.0.0.1:$(PORT) (SERVE=0: no serving)"
	@echo "make test    set up .venv, check notebooks are clean and exported, run nbdev_test and pytest"
	@echo "make papers  run every paper's notebooks with --smoke into test-artifacts/papers and build its tables (what CI checks)"
	@echo "             FULL=1: the full runs into papers/<paper>/results/ and the tables in their READMEs; PAPERS=06_clv_churn: one paper"
	@echo "make test-slow | test-all   also the slow and Spark cells and tests (| GPU and LLM ones)"
	@echo "make lab | docs | dash | bench | browser-deps | nbtest | nbdev-test | pytest | clean"

$(STAMP): setup.py settings.ini
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "AIMA needs Python >= 3.10 (3.11 recommended); set PYTHON=/path/to/python3.11"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, pinned: the CPU wheel; an unpinned torch would pull a multi-GB CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

check-notebooks: install
	$(BIN)/python tools/check_notebooks.py
	$(BIN)/python tools/make_readme.py --check
	$(MAKE) --no-print-directory lint

# The notebooks are the source, so ruff reads them (config in pyproject.toml: 120 columns). `make format` rewrites them.
lint: install
	$(BIN)/ruff check nbs tests bench tools

format: install
	$(BIN)/ruff format nbs
	$(BIN)/nbdev_clean
	$(BIN)/nbdev_export

readme: install
	$(BIN)/python tools/make_readme.py

# Runs every notebook (fresh kernel each, flagged and `#| eval: false` cells skipped, as nbdev_test does) through the
# docs build, which keeps them executed in _proc/_nbcache for the docs test and `make docs`; prints each one's time.
nbtest: install
	$(BIN)/aima docs build --out _site --refresh $(if $(strip $(NBDEV_FLAGS)),--flags "$(NBDEV_FLAGS)",)

# nbdev's own runner (same cells, nothing kept), for those who prefer it.
nbdev-test: install
	$(BIN)/nbdev_test --n_workers 2 $(if $(strip $(NBDEV_FLAGS)),--flags "$(NBDEV_FLAGS)",)

pytest: install
	NBDEV_FLAGS="$(NBDEV_FLAGS)" $(BIN)/python -m pytest tests --durations=15 $(PYTEST_ARGS)

# The browser tests (tests/test_browser.py) drive Debian's chromium with playwright (never `playwright install`).
# Installs chromium when it is missing and this shell may (root, or password-less sudo, with apt-get);
# otherwise says how, and the browser tests skip with that reason.
CHROMIUM ?= /usr/bin/chromium
browser-deps:
	@if [ -x "$(CHROMIUM)" ]; then echo "chromium: $(CHROMIUM)"; exit 0; fi
	SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo -n"
	if command -v apt-get >/dev/null && { [ -z "$$SUDO" ] || sudo -n true 2>/dev/null; }; then
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium
	else
		echo "note: no chromium at $(CHROMIUM) and no way to install it here; browser tests will skip. Install it: sudo apt-get install chromium"
	fi

# Each step's time is printed, and the skips of the run (notebooks and pytest) are listed at the end; on CI
# (CI=true) a skip that tests/expected_skips.txt does not expect fails the run.
test:
	@start=$$(date +%s); times=""
	summary() { printf "make test: step times\n$$times"; }
	trap 'rc=$$?; summary; [ $$rc = 0 ] || echo "make test: FAILED (exit $$rc) after $$(( $$(date +%s) - start )) s"' EXIT
	step() { local t=$$(date +%s); $(MAKE) --no-print-directory "$$1"; local d=$$(( $$(date +%s) - t ))
	         times="$$times$$(printf '  %-16s %5d s' "$$1" "$$d")\n"; echo "make test: $$1 took $$d s"; }
	mkdir -p test-artifacts && rm -f $(RUN_SKIPS)
	export SKIP_LOG="$$(pwd)/$(RUN_SKIPS)"  # aima.workbench.skips logs here (AIMA_* would be config)
	step install
	step check-notebooks
	step nbtest
	step browser-deps
	step pytest
	$(BIN)/python tools/skip_report.py $(RUN_SKIPS)
	echo "make test: all checks passed in $$(( $$(date +%s) - start )) s"

test-slow:
	$(MAKE) test NBDEV_FLAGS="slow spark" PYTEST_ARGS="--runslow"

test-all:
	$(MAKE) test NBDEV_FLAGS="slow spark gpu llm" PYTEST_ARGS="--runslow"

demo: install
	$(BIN)/aima demo --workspace $(WORKSPACE)
	if [ "$(SERVE)" = "1" ]; then $(BIN)/aima dash --workspace $(WORKSPACE) --port $(PORT); fi

dash: install
	$(BIN)/aima dash --workspace $(WORKSPACE) --port $(PORT)

lab: install
	$(BIN)/python -m ipykernel install --sys-prefix --name aima --display-name "AIMA (.venv)"
	$(BIN)/jupyter lab --ip 127.0.0.1 --notebook-dir .

# The published site (.github/workflows/docs.yml runs this): notebooks from the cache when `make test` ran them.
docs: install
	$(BIN)/aima docs build --out _site
	@echo "docs site: $$(pwd)/_site/index.html  (with Quarto installed, nbdev_docs also works)"

bench: install
	$(BIN)/aima bench run all

papers: install
	for p in $(PAPERS); do
	  if [ "$(FULL)" = "1" ]; then
	    $(BIN)/aima papers run $$p
	    $(BIN)/aima papers tables $$p
	  else
	    $(BIN)/aima papers run $$p --smoke --results test-artifacts/papers
	    $(BIN)/aima papers tables $$p --results test-artifacts/papers
	  fi
	done

clean:
	rm -rf _proc _docs _site demo .pytest_cache test-artifacts
