# Two commands set up a fresh machine:
#   make site   build the site from the bundled collection into site/
#   make test   run every test (installs Chromium from Debian for the browser tests)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: site test validate serve lint wheel clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

site: $(VENV)/.installed
	$(PY) -m generator build

validate: $(VENV)/.installed
	$(PY) -m generator validate

serve: $(VENV)/.installed
	$(PY) -m generator serve

# Browser tests need Debian's chromium; install it when missing (needs root, as in CI).
/usr/bin/chromium:
	@if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium not installed: browser tests will be skipped (run as root to install)"; fi

test: $(VENV)/.installed-test /usr/bin/chromium
	$(PY) -m ruff check generator tests benchmarks
	$(PY) -m pytest

lint: $(VENV)/.installed-test
	$(PY) -m ruff check generator tests benchmarks

# The wheel a release publishes (release.yml builds it with `python -m build`), for trying it before
# release: PIP_FIND_LINKS=$(CURDIR)/dist make site in a new collection installs it.
wheel: $(VENV)/.installed-test
	$(PY) -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .

clean:
	rm -rf site $(VENV) dist build
