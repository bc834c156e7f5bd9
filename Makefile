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

# The HTML book reads offline: MathJax 3, require.js and the Jupyter widget manager come from npm (web/package.json,
# web/package-lock.json) and are copied into $(WEB_STATIC), which _config.yml lists in html_static_path. Without npm
# (or with `make book NPM=`) the book still builds, from a copy of _config.yml without those settings, and then
# loads them from CDNs. `make book` always rebuilds; `make test` rebuilds only when an input is newer than the book.
NPM         := $(shell command -v npm 2>/dev/null)
WEB_STATIC  := _build/web-static
CDN_CONFIG  := _build/_config.cdn.yml
WEB_ASSETS  := $(if $(NPM),$(WEB_STATIC)/.vendored,$(CDN_CONFIG))
BOOK_CONFIG := $(if $(NPM),_config.yml,$(CDN_CONFIG))
BOOK_STAMP  := _build/html/.built-$(if $(NPM),offline,cdn)
BOOK_INPUTS := _config.yml _toc.yml $(shell find book lossnotes -type f -not -path '*/__pycache__/*' \
                 -not -path '*/.ipynb_checkpoints/*' 2>/dev/null)

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

$(WEB_STATIC)/.vendored: web/node_modules/.package-lock.json web/vendor.py web/widgets-offline.js $(STAMP)
	$(BIN)/python web/vendor.py copy $(WEB_STATIC)
	@touch $@

$(CDN_CONFIG): _config.yml web/vendor.py $(STAMP)
	@echo "npm not found: the book will load MathJax and the widget manager from CDNs (it will not read offline)"
	$(BIN)/python web/vendor.py cdn-config _config.yml $@

define build-book
@rm -f _build/html/.built-*
$(BIN)/jupyter-book build . --all -W -n --keep-going --config $(BOOK_CONFIG)
@touch $(BOOK_STAMP)
@echo "The book is at $(CURDIR)/_build/html/index.html$(if $(NPM),, (MathJax and widgets from CDNs: no npm))"
endef

book: $(STAMP) $(WEB_ASSETS)
	$(build-book)

$(BOOK_STAMP): $(STAMP) $(WEB_ASSETS) $(BOOK_INPUTS)
	$(build-book)

# The tests: the library, the exercises and grading, the built book in a browser, and every chapter under nbval
# (cells marked NBVAL_CHECK_OUTPUT must print what the committed notebook shows).
test: lint $(BOOK_STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile tests --nbval-lax book

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_losses.py
	$(BIN)/python benchmarks/bench_widgets.py

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
