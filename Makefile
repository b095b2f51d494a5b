# Each target sets itself up on a fresh Debian/Ubuntu machine: a .venv with the package, and Graphviz's `dot`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MODELS := $(sort $(wildcard models/*.yaml))

.PHONY: report test lint bench catalogue schema setup dot chromium fuzz harfbuzz-subset print clean sarif-multitool

report: setup
	$(BIN)/threatlib report $(MODELS) -o reports
	$(BIN)/threatlib compare $(MODELS) -o reports/comparison

test: setup sarif-multitool chromium
	$(BIN)/python -m pytest -q

# The suite without the tests marked slow (the bounded fuzzer, the large estates), for the edit-test loop.
.PHONY: test-fast
test-fast: setup sarif-multitool chromium
	$(BIN)/python -m pytest -q -m 'not slow'

# The mutation fuzzer at full size: every mutant of the shipped models must give exit 0 or positioned problems
# with exit 2, and validate and report must agree. The test suite runs a small seeded slice of it.
FUZZ_MUTANTS ?= 2000
FUZZ_SEED ?= 1
fuzz: setup
	THREATLIB_FUZZ_MUTANTS=$(FUZZ_MUTANTS) THREATLIB_FUZZ_SEED=$(FUZZ_SEED) THREATLIB_FUZZ_RENDER_EVERY=1 \
	  $(BIN)/python -m pytest -q tests/test_fuzz.py

lint: setup
	$(BIN)/ruff check threatlib tests

schema: setup
	$(BIN)/threatlib schema -o docs/model.schema.json

catalogue: setup
	$(BIN)/threatlib catalogue -o docs/catalogue.md
	$(BIN)/python -m threatlib.library.guide docs/jurisdictions.md docs/threats.md README.md

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/compare.py

setup: $(STAMP) dot harfbuzz-subset print

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "threatlib needs Python 3.11 or newer (found: $$($(PYTHON) --version 2>&1))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Graphviz's `dot` draws the diagrams. Install Debian's package where we can (root with apt-get);
# otherwise say exactly what to install and stop.
dot:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Graphviz (Debian package graphviz) for the dot program"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  else \
	    echo "threatlib needs Graphviz's dot program: run 'sudo apt-get install graphviz' (macOS: 'brew install graphviz'), then retry."; \
	    exit 1; \
	  fi; }
	@command -v dot >/dev/null 2>&1 || { echo "Graphviz's dot is still missing: install the graphviz package, then retry."; exit 1; }

# Microsoft's SARIF Multitool checks findings.sarif in the tests. It comes from npm, into .venv/npm; Node.js
# and npm come from Debian's packages where they are missing (as root with apt-get), as Graphviz does above.
MULTITOOL_VERSION := 5.7.0
MULTITOOL := $(VENV)/npm/node_modules/.bin/sarif-multitool

sarif-multitool: $(MULTITOOL)

$(MULTITOOL):
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Node.js and npm (Debian packages nodejs, npm) for the SARIF Multitool"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  else \
	    echo "the tests need npm for Microsoft's SARIF Multitool: run 'sudo apt-get install nodejs npm', then retry."; \
	    exit 1; \
	  fi; }
	npm install --silent --no-audit --no-fund --prefix $(VENV)/npm @microsoft/sarif-multitool@$(MULTITOOL_VERSION)

# The browser tests drive Debian's Chromium through Playwright (Playwright's own browser download is not used).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Chromium (Debian package chromium) for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "the browser tests need Chromium: run 'sudo apt-get install chromium', then retry."; \
	    exit 1; \
	  fi; }

# WeasyPrint subsets fonts with HarfBuzz's subset library (Debian package libharfbuzz-subset0) where it finds it,
# and otherwise with fontTools, much more slowly; install it where we can.
harfbuzz-subset:
	@ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so\.0' || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing HarfBuzz's subset library (Debian package libharfbuzz-subset0) for small PDFs"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libharfbuzz-subset0 >/dev/null; \
	  else \
	    echo "note: HarfBuzz's subset library is missing ('sudo apt-get install libharfbuzz-subset0'); PDFs subset their fonts more slowly"; \
	  fi; }

# The PDFs print any script a model may hold: Liberation Sans sets the text (Latin, Greek, Cyrillic, Hebrew), DejaVu
# Sans the diagrams and Arabic, Droid Sans Fallback Chinese, Japanese and Korean. The tests read the PDFs back with poppler (pdftoppm, pdfimages).
PRINT_PACKAGES := fonts-liberation2 fonts-dejavu-core fonts-droid-fallback poppler-utils
print:
	@{ command -v pdfimages >/dev/null 2>&1 && fc-list | grep -q DroidSansFallback && fc-list | grep -q 'DejaVuSans\.ttf' && fc-list | grep -q 'LiberationSans-Regular'; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing fonts and poppler (Debian packages $(PRINT_PACKAGES))"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PRINT_PACKAGES) >/dev/null; \
	  else \
	    echo "threatlib's PDFs need fonts and poppler: run 'sudo apt-get install $(PRINT_PACKAGES)', then retry."; \
	    exit 1; \
	  fi; }

clean:
	rm -rf reports $(VENV)
