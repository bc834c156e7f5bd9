# Everything installs into .venv from the pinned requirements; each target sets itself up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.PHONY: all setup book test test-book test-lib test-portable test-oldest lint bench exercises grade provision \
        notebooks test-zip screenshots clean distclean pdf test-pdf test-slow

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

# What `make test` needs outside Python: npm (to vendor MathJax and the widget manager, so that the book reads
# offline) and a Chromium for the browser tests. web/provision.py finds them, or installs them and says how, or
# stops with the one command to run.
provision: $(STAMP)
	@$(BIN)/python web/provision.py npm
	@$(BIN)/python web/provision.py chromium >/dev/null

# The HTML book reads offline: MathJax 3, require.js and the Jupyter widget manager come from npm (web/package.json,
# web/package-lock.json) and are copied into $(WEB_STATIC), which _config.yml lists in html_static_path. Without npm
# (or with `make book NPM=`) `make book` still builds, from a copy of _config.yml without those settings, and then
# loads them from CDNs. `make book` always executes every chapter (execute_notebooks: force in _config.yml).
NPM         := $(shell command -v npm 2>/dev/null)
WEB_STATIC  := _build/web-static
CDN_CONFIG  := _build/_config.cdn.yml
WEB_ASSETS  := $(if $(NPM),$(WEB_STATIC)/.vendored,$(CDN_CONFIG))
BOOK_CONFIG := $(if $(NPM),_config.yml,$(CDN_CONFIG))
BOOK_SOURCES := _config.yml _toc.yml web/lossnotes.css $(shell find book -type f -not -path '*/.ipynb_checkpoints/*' 2>/dev/null)
LIB_SOURCES  := $(shell find lossnotes -name '*.py' 2>/dev/null)
# the graded exercises' masters and the autograder zips made from them (defined here: `test` depends on them)
MASTERS := $(wildcard exercises/source/[0-9][0-9]_*.ipynb)
ZIPS    := $(patsubst exercises/source/%.ipynb,exercises/build/%-autograder.zip,$(MASTERS))

web/node_modules/.package-lock.json: web/package.json web/package-lock.json web/provision.py
	@$(BIN)/python web/provision.py npm
	cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

$(WEB_STATIC)/.vendored: web/node_modules/.package-lock.json web/vendor.py web/widgets-offline.js web/lossnotes.css $(STAMP)
	$(BIN)/python web/vendor.py copy $(WEB_STATIC)
	@touch $@

$(CDN_CONFIG): _config.yml web/vendor.py web/lossnotes.css $(STAMP)
	@echo "npm not found: the book will load MathJax and the widget manager from CDNs (it will not read offline)"
	$(BIN)/python web/vendor.py cdn-config _config.yml $@

book: $(STAMP) $(WEB_ASSETS)
	$(BIN)/jupyter-book build . --all -W -n --keep-going --config $(BOOK_CONFIG)
	@echo "The book is at $(CURDIR)/_build/html/index.html$(if $(NPM),, (MathJax and widgets from CDNs: no npm))"

# The book as one PDF, _build/pdf/lossnotes.pdf (every page of _toc.yml; intro.md links to it from the HTML book
# built after it): jupyter-book's pdflatex builder (XeLaTeX, _config.yml `latex:`) from the committed notebooks,
# as the test copy below, into _build/pdf/_build/latex. TeX Live comes from Debian (web/provision.py texlive).
# max_print_line keeps the LaTeX log's lines whole, for `make test-pdf`, which reads it.
PDF        := _build/pdf/lossnotes.pdf
PDF_CONFIG := _build/_config.pdf.yml
PDF_LATEX  := _build/pdf/_build/latex

$(PDF_CONFIG): _config.yml web/book_pdf.py web/vendor.py $(STAMP)
	$(BIN)/python web/book_pdf.py config _config.yml $@

$(PDF): $(STAMP) $(PDF_CONFIG) $(BOOK_SOURCES) $(LIB_SOURCES) web/book_pdf.py
	@$(BIN)/python web/provision.py texlive
	@rm -rf $(PDF_LATEX) $@
	max_print_line=10000 $(BIN)/jupyter-book build . --all -W -n --keep-going --builder pdflatex \
	  --config $(PDF_CONFIG) --path-output _build/pdf
	cp $(PDF_LATEX)/lossnotes.pdf $@
	@echo "The PDF is at $(CURDIR)/$@"

pdf: $(PDF)

# The PDF's text, pictures, bookmarks and LaTeX log (tests/test_pdf.py: chapters in order, no raw TeX, no reprs).
test-pdf: $(PDF)
	LOSSNOTES_PDF=$(CURDIR)/$(PDF) LOSSNOTES_PDF_LOG=$(CURDIR)/$(PDF_LATEX)/lossnotes.log \
	  $(BIN)/python -m pytest -q tests/test_pdf.py

# The test copy of the book, for the browser tests: built from the committed notebooks without executing them
# (nbval executes each chapter once in `make test` and checks that the committed outputs are current), always with
# the vendored JavaScript, into _build/test/_build/html. Rebuilt only when a source is newer.
TEST_CONFIG := _build/_config.test.yml
TEST_HTML   := _build/test/_build/html
TEST_STAMP  := $(TEST_HTML)/.built

$(TEST_CONFIG): _config.yml web/vendor.py $(STAMP)
	$(BIN)/python web/vendor.py test-config _config.yml $@

$(TEST_STAMP): $(STAMP) $(WEB_STATIC)/.vendored $(TEST_CONFIG) $(BOOK_SOURCES)
	@rm -f $@
	$(BIN)/jupyter-book build . --all -W -n --keep-going --config $(TEST_CONFIG) --path-output _build/test >/dev/null
	@touch $@

test-book: $(TEST_STAMP)

# Every check, each chapter executed once (by nbval): lint; the library, notebook, exercise and launch tests; the
# chapters under nbval (cells tagged nbval-check-output must print what the committed notebook shows); the test copy
# of the book in Chromium. Work is shared out by file, the browser tests page by page (tests/conftest.py).
NBVAL := --nbval-lax --nbval-current-env
test: provision lint $(TEST_STAMP) $(ZIPS)
	LOSSNOTES_CHROMIUM="$$($(BIN)/python web/provision.py chromium)" LOSSNOTES_HTML=$(CURDIR)/$(TEST_HTML) \
	  $(BIN)/python -m pytest -n $(JOBS) --dist loadfile -m "not slow" tests $(NBVAL) book

# The checks marked slow (pyproject.toml), which `make test` leaves out to stay short: every
# chapter's self-check questions answered in the browser (tests/test_selfcheck.py; `make test` answers chapter 1's),
# and the desktop and phone checks of the chapters without an explorer (tests/test_browser.py).
test-slow: provision $(TEST_STAMP)
	LOSSNOTES_CHROMIUM="$$($(BIN)/python web/provision.py chromium)" LOSSNOTES_HTML=$(CURDIR)/$(TEST_HTML) \
	  $(BIN)/python -m pytest -q -n $(JOBS) -m slow tests

# The browser tests again, saving screenshots of every page (desktop, phone, dark mode) into test-artifacts/.
screenshots: provision $(TEST_STAMP)
	LOSSNOTES_SCREENSHOTS=1 LOSSNOTES_CHROMIUM="$$($(BIN)/python web/provision.py chromium)" \
	  LOSSNOTES_HTML=$(CURDIR)/$(TEST_HTML) $(BIN)/python -m pytest -q -n $(JOBS) tests/test_browser.py

# The library alone: units, losses, bad input, noise models, symbolic checks, fitters, explorers.
NOT_LIB   := tests/test_browser.py tests/test_exercises.py tests/test_grading.py tests/test_launch.py \
             tests/test_notebooks.py tests/test_pdf.py tests/test_selfcheck.py
LIB_TESTS := $(filter-out $(NOT_LIB),$(wildcard tests/test_*.py))
test-lib: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile $(LIB_TESTS)

# What can depend on the CPU, again on other CPU kernels: the library tests, and nbval over the chapters and the
# exercise masters, once under each setting (checked outputs must not depend on the CPU's SIMD or BLAS kernels).
# Grading compares answers with tolerances that no kernel reaches, so it runs once, in `make test`.
PORTABLE_SETTINGS := NPY_DISABLE_CPU_FEATURES=AVX2,FMA3,AVX512F OPENBLAS_CORETYPE=Sandybridge OPENBLAS_NUM_THREADS=1
PORTABLE_TESTS    := $(LIB_TESTS)
test-portable: $(STAMP)
	@set -e; for setting in $(PORTABLE_SETTINGS); do \
	  echo "== $$setting"; \
	  env $$setting $(BIN)/python -m pytest -q -n $(JOBS) --dist loadfile $(PORTABLE_TESTS) \
	    $(NBVAL) book exercises/source; \
	done

# The oldest versions pyproject.toml allows (tests/floors.py reads them), in .venv-oldest, with what the notebooks
# need to run: the library tests and every chapter there.
OLDEST     := .venv-oldest
OLDEST_RUN := ipykernel nbval pytest pytest-xdist hypothesis mpmath
$(OLDEST)/.installed: pyproject.toml tests/floors.py
	test -x $(OLDEST)/bin/python || $(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python tests/floors.py > $(OLDEST)/floors.txt
	$(OLDEST)/bin/python -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
	  -r $(OLDEST)/floors.txt $(OLDEST_RUN)
	$(OLDEST)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(OLDEST)/bin/python -m pip check
	touch $@

test-oldest: $(OLDEST)/.installed
	LOSSNOTES_EXPECT_FLOORS=1 $(OLDEST)/bin/python -m pytest -n $(JOBS) --dist loadfile $(LIB_TESTS) $(NBVAL) book

# Execute notebooks in place as the tests expect them committed (Restart & Run All, widget state saved, no
# timestamps): make notebooks NB="book/03_noise_models.ipynb"; every chapter without NB.
notebooks: $(STAMP)
	$(BIN)/python book/execute.py $(NB)

# The autograder zip alone: a clean virtual environment from the requirements the zip declares (this needs the
# package registry), then `otter run` offline must give a correct submission full marks (tests/clean_zip.py).
test-zip: $(STAMP) $(ZIPS)
	$(BIN)/python -m pytest -q tests/clean_zip.py

bench: $(STAMP) $(ZIPS)
	$(BIN)/python benchmarks/bench_losses.py
	$(BIN)/python benchmarks/bench_generative.py
	$(BIN)/python benchmarks/bench_grading.py
	$(BIN)/python benchmarks/bench_widgets.py
	LOSSNOTES_CHROMIUM="$$($(BIN)/python web/provision.py chromium)" $(BIN)/python benchmarks/bench_explorers.py

# The graded exercises: each autograder zip is built from its master by `exercises/assign.py NAME` (which also
# writes the student notebook and runs the tests against the solutions), again whenever the master, the build
# script or the library changes.

exercises/build/%-autograder.zip: exercises/source/%.ipynb exercises/assign.py $(LIB_SOURCES) $(STAMP)
	$(BIN)/python exercises/assign.py --no-run-tests $*

# `make test` grades every solution (tests/test_grading.py), which is what `otter assign` would check, so the
# build skips Otter's own run of the tests; the student notebooks are built into exercises/build/students and
# `make exercises` copies them to exercises/, where they are committed (tests/test_exercises.py compares the two).
exercises: $(ZIPS)
	cp exercises/build/students/*.ipynb exercises/

# make grade SUBMISSIONS=folder [TIMEOUT=120] [GRADE_JOBS=1]: grades every .ipynb there into folder/grades.csv
TIMEOUT    ?= 120
GRADE_JOBS ?= 1
grade: $(ZIPS)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=<folder of .ipynb>"; exit 2; }
	$(BIN)/python exercises/grade.py "$(SUBMISSIONS)" --timeout $(TIMEOUT) --jobs $(GRADE_JOBS)

# Every build product; `make distclean` also removes the virtual environments.
clean:
	rm -rf _build exercises/build web/node_modules test-artifacts .hypothesis .pytest_cache *.egg-info
	find . -name __pycache__ -type d -not -path './.venv*' -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -not -path './.venv*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(OLDEST)
