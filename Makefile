# The course's commands. `make lab` opens it; `make test` runs every test.
# Both create .venv (with the Python that runs `python3`, 3.10 or newer) when it is missing.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider
STAMP  := $(VENV)/.installed

.PHONY: images lab test test-lib test-notebooks test-spawn test-browser test-all lint demo html bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

lab: $(STAMP)  ## open the course in JupyterLab
	$(BIN)/jupyter lab notebooks/00-start-here.ipynb

test: lint test-lib test-notebooks test-spawn  ## lint, the library and every notebook, default start method and spawn

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test-lib: $(STAMP)
	$(PYTEST) tests --ignore=tests/browser

test-notebooks: $(STAMP)
	CONCLIB_SCALE=quick $(PYTEST) --nbval-lax --nbval-current-env notebooks

test-spawn: $(STAMP)  ## the same under the spawn start method (macOS and Windows use it)
	CONCLIB_START_METHOD=spawn $(PYTEST) tests --ignore=tests/browser
	CONCLIB_START_METHOD=spawn CONCLIB_SCALE=quick $(PYTEST) --nbval-lax --nbval-current-env notebooks

test-browser: $(STAMP)  ## every notebook in JupyterLab, in headless Chromium
	$(PYTEST) -m browser tests/browser

test-all: $(STAMP)  ## the library tests on every Python 3.10+ found (nox; missing ones are skipped)
	$(BIN)/nox --no-error-on-missing-interpreters -s tests

demo: $(STAMP)  ## the cheat-sheet's experiment at its own size, from a terminal
	$(BIN)/python -m conclib compare

html: $(STAMP)  ## run every notebook at full size and export it to site/
	CONCLIB_SCALE=full $(BIN)/python tools/export_html.py

bench: $(STAMP)  ## the benchmarks (minutes; the machine should be otherwise idle)
	$(BIN)/python benchmarks/core.py
	$(BIN)/python benchmarks/live_overhead.py
	$(BIN)/python benchmarks/io_requests.py
	$(BIN)/python benchmarks/dask_cluster.py

images: $(STAMP)  ## redraw docs/img from real runs (about 30 s)
	$(BIN)/python docs/make_images.py

clean:
	rm -rf $(VENV) site artifacts
