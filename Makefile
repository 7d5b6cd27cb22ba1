# The course's commands. `make help` lists them; `make lab` opens the course; `make test` runs every test.
# The targets create .venv (with the Python that runs `python3`, 3.11 or newer) when it is missing.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider
STAMP  := $(VENV)/.installed

.PHONY: help images lab lab-ru messages test test-lib test-notebooks test-spawn test-browser test-all lint demo html bench clean
.DEFAULT_GOAL := help

help:  ## list the targets (this text)
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  make %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

lab: $(STAMP)  ## open the course in JupyterLab
	$(BIN)/jupyter lab notebooks/00-start-here.ipynb

lab-ru: $(STAMP)  ## open the Russian edition of the course (notebooks/ru) in JupyterLab
	$(BIN)/jupyter lab notebooks/ru/00-start-here.ipynb

test: lint test-lib test-notebooks test-spawn  ## lint, the library and every notebook, default start method and spawn

lint: $(STAMP)  ## ruff (style, imports, complexity) and mypy (the package and the tests)
	$(BIN)/ruff check .
	$(BIN)/mypy

test-lib: $(STAMP)  ## the library's tests, without the browser
	$(PYTEST) tests --ignore=tests/browser

test-notebooks: $(STAMP)  ## every notebook at quick size (nbval), both editions (notebooks/ and notebooks/ru/)
	CONCLIB_SCALE=quick $(PYTEST) --nbval-lax --nbval-current-env notebooks notebooks/ru

test-spawn: $(STAMP)  ## the same under the spawn start method (macOS and Windows use it)
	CONCLIB_START_METHOD=spawn $(PYTEST) tests --ignore=tests/browser
	CONCLIB_START_METHOD=spawn CONCLIB_SCALE=quick $(PYTEST) --nbval-lax --nbval-current-env notebooks notebooks/ru

test-browser: $(STAMP)  ## every notebook in JupyterLab, in headless Chromium
	$(PYTEST) -m browser tests/browser

# PYTHONS: the versions test-all runs; CONCLIB_TEST_ALL=short runs fewer tests on each (see noxfile.py). 3.14 and 3.15, when they are not installed, run on a Debian machine
# (as root) in a Debian sid chroot that tools/sid-python.sh builds once (a few minutes); elsewhere they are skipped.
PYTHONS     ?= 3.11 3.12 3.13 3.14 3.15
NEW_PYTHONS := 3.14 3.15

test-all: $(STAMP)  ## the library and every notebook on each CPython 3.11-3.15 found (nox), 3.14+ also via Debian
	@status=0; \
	$(BIN)/nox --no-error-on-missing-interpreters -s tests -p $(PYTHONS) || status=1; \
	for v in $(filter $(NEW_PYTHONS),$(PYTHONS)); do \
	    if command -v python$$v >/dev/null 2>&1; then echo "python$$v: tested by nox above"; \
	    elif tools/sid-python.sh available; then tools/sid-python.sh test $$v || status=1; \
	    else echo "python$$v: not installed, and no Debian chroot possible here (needs Linux, root, apt): skipped"; \
	    fi; \
	done; \
	exit $$status

demo: $(STAMP)  ## the cheat-sheet's experiment at its own size, from a terminal
	$(BIN)/python -m conclib compare

html: $(STAMP)  ## run every notebook of both editions at full size and export it to site/ (site/ru/ for Russian)
	CONCLIB_SCALE=full $(BIN)/python tools/export_html.py

bench: $(STAMP)  ## the benchmarks (minutes; the machine should be otherwise idle)
	$(BIN)/python benchmarks/core.py
	$(BIN)/python benchmarks/live_overhead.py
	$(BIN)/python benchmarks/io_requests.py
	$(BIN)/python benchmarks/dask_cluster.py

messages: $(STAMP)  ## conclib's messages: extract them, update the Russian catalogue, compile it (Babel)
	mkdir -p build
	$(BIN)/pybabel extract
	$(BIN)/pybabel update
	$(BIN)/pybabel compile

images: $(STAMP)  ## redraw docs/img from real runs (about 30 s)
	$(BIN)/python docs/make_images.py

clean:  ## remove .venv and what the targets generated
	rm -rf $(VENV) site artifacts
