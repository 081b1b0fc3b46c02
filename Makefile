# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test bench lint clean

run: $(VENV)/.installed  ## set up, then open the window on the demo database
	$(BIN)/workbench --demo

test: $(VENV)/.installed $(VENV)/.test-packages  ## set up, then run every test (offscreen, temporary databases)
	$(BIN)/python -m pytest

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
