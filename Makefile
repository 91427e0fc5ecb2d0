# Set-up and entry points of memnets. `make demo` and `make test` are all a fresh
# machine with Python 3.11+ and pip needs; `make test` lints (ruff) before the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test test-slow clean

$(STAMP): requirements.txt setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements.txt
	$(PY) -m pip install -e . --no-deps
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m experiments.demo

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q -n 2 -m "not slow" tests

# The tests of tests/slow.txt (10 s or more each); CI runs them after `make test`.
test-slow: $(STAMP)
	$(PY) -m pytest -q -n 2 -m slow tests

clean:
	rm -rf $(VENV) build *.egg-info
