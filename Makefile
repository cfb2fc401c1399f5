# Quick start: `make site` builds the public site into site/; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# An editable install that maps a folder (schemas/ ships as builder.schemas) makes setuptools print an "Editable
# installation" notice, information only; it is left out so that any real warning stands out (tests/test_package.py).
PIP_INSTALL := PYTHONWARNINGS='ignore:Editable installation' $(BIN)/pip install --quiet

.PHONY: site preview serve test validate clean constraints

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(PIP_INSTALL) -c constraints.txt -e .
	touch $@

# The tests also build with Zensical (guidance build --engine zensical), so they install that extra too.
# pa11y-ci (tests/browser/test_pa11y.py) from its lock file; it drives Debian's Chromium, so Puppeteer downloads none.
$(TEST_STAMP): pyproject.toml constraints.txt tests/pa11y/package-lock.json | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(PIP_INSTALL) -c constraints.txt -e '.[test,zensical]'
	cd tests/pa11y && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $@

site: $(STAMP)
	$(BIN)/guidance build

preview: $(STAMP)
	$(BIN)/guidance build --preview

serve: $(STAMP)
	$(BIN)/guidance serve

validate: $(STAMP)
	$(BIN)/guidance validate

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf build site site-preview

# Lock what CI installs to what the tests last passed with (run after changing dependencies in pyproject.toml).
constraints: $(TEST_STAMP)
	{ sed -n 1,2p constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -v '^#'; } > constraints.tmp && mv constraints.tmp constraints.txt
