# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test test-clock-ahead bench lint bundle bundle-test clean

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

# A folder that runs without Python (PyInstaller), and its archive for reps: dist/
bundle: $(VENV)/.bundle-tools
	$(BIN)/pyinstaller --noconfirm --log-level WARN --workpath build/pyinstaller \
		--distpath dist packaging/lead-workbench.spec
	tar -C dist -czf dist/lead-workbench-$$($(BIN)/python -c 'import ui.product as p; print(p.version())')-linux-$$(uname -m).tar.gz lead-workbench

# Builds the bundle, then runs it outside the virtual environment (kept out of `make test`)
bundle-test: bundle $(VENV)/.test-packages
	$(BIN)/python -m pytest -m bundle tests/test_bundle.py

$(VENV)/.bundle-tools: pyproject.toml | $(VENV)/.installed
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test,bundle]'
	touch $@

lint: $(VENV)/.installed
	$(BIN)/ruff check .

$(VENV)/.installed: pyproject.toml .ci/system-packages
	bash .ci/system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) build dist *.egg-info
