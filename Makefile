# Everything installs into .venv from the pinned requirements; each target sets itself up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.PHONY: all setup book test lint bench exercises grade clean

all: test

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

book: $(STAMP)
	$(BIN)/jupyter-book build . --all -W -n --keep-going
	@echo "The book is at $(CURDIR)/_build/html/index.html"

test: lint
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile tests

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_losses.py

exercises: $(STAMP)
	$(BIN)/python exercises/assign.py

# make grade SUBMISSIONS=folder [TIMEOUT=120] [GRADE_JOBS=1]: grades every .ipynb there into folder/grades.csv
TIMEOUT    ?= 120
GRADE_JOBS ?= 1
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=<folder of .ipynb>"; exit 2; }
	@ls exercises/build/*-autograder.zip >/dev/null 2>&1 || $(MAKE) exercises
	$(BIN)/python exercises/grade.py "$(SUBMISSIONS)" --timeout $(TIMEOUT) --jobs $(GRADE_JOBS)

clean:
	rm -rf _build
