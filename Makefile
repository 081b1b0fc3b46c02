# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test test-clock-ahead bench lint clean

run: $(VENV)/.installed  ## set up, then open the window on the demo database
	$(BIN)/workbench --demo

test: $(VENV)/.installed $(VENV)/.test-packages  ## set up, then run every test (offscreen, temporary databases)
	$(BIN)/python -m pytest

# No test may depend on the day it runs: the suite again with the system clock 400 days
# ahead. The team-server tests stay out: PostgreSQL does not run under faketime.
test-clock-ahead: $(VENV)/.installed $(VENV)/.test-packages
	faketime -f '+400d' $(BIN)/python -m pytest -q -p no:cacheprovider --ignore=tests/sync

$(VENV)/.test-packages: .ci/system-packages | $(VENV)/.installed
	bash .ci/system-packages --test
	touch $@

bench: $(VENV)/.installed $(VENV)/.test-packages  ## speed benchmarks, each beside a baseline measured in the same run
	$(BIN)/python -m pytest tests/bench -o python_files='bench_*.py' -s -q

lint: $(VENV)/.installed
	$(BIN)/ruff check .

$(VENV)/.installed: pyproject.toml .ci/system-packages
	bash .ci/system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info
