# Quick start: `make site` builds the public site into site/; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site preview serve test validate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

site: $(STAMP)
	$(BIN)/guidance build

preview: $(STAMP)
	$(BIN)/guidance build --preview

serve: $(STAMP)
	$(BIN)/guidance serve

validate: $(STAMP)
	$(BIN)/guidance validate

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf build site site-preview
