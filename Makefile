# Oncoboard: two set-up commands, `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench postgres chromium clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; Oncoboard needs Python 3.11" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,train]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/oncoboard validate examples/cases
	$(BIN)/oncoboard import examples/cases
	$(BIN)/oncoboard list
	$(BIN)/oncoboard annotate examples/cases
	$(BIN)/oncoboard plan examples/cases/mbc-002-pik3ca-diabetes.yaml
	$(BIN)/oncoboard plan examples/cases
	$(BIN)/oncoboard monitor examples/cases/mbc-005-esr1-serial-ctdna.yaml
	$(BIN)/oncoboard mrd examples/mrd/tumour.tsv examples/mrd/plasma.tsv --normals examples/mrd/normals.tsv
	$(BIN)/oncoboard report examples/cases --out out/reports
	$(BIN)/oncoboard export MBC-005 --format fhir -o out/mbc-005.fhir.json
	$(BIN)/oncoboard export MBC-005 --format phenopacket -o out/mbc-005.phenopacket.json
	$(BIN)/oncoboard cohort export-cbioportal examples/cases --out out/cbioportal
	$(BIN)/python scripts/validate_cohorts.py --out out/validation
	$(BIN)/oncoboard cohort annotate out/validation/metabric.maf --out out/cohort --clinical examples/cohort/metabric --clinical-format metabric
	$(BIN)/oncoboard cohort report out/cohort --out out/cohort-report.html --clinical examples/cohort/metabric --clinical-format metabric
	@bash scripts/serve-demo.sh

lint: $(STAMP)
	$(BIN)/ruff check --no-cache src tests bench scripts
	$(BIN)/ruff format --no-cache --check src tests bench scripts
	$(BIN)/mypy

postgres:
	@bash scripts/ensure-postgres.sh

chromium:
	@bash scripts/ensure-chromium.sh

test: $(STAMP) postgres chromium lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
