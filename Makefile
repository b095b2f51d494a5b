# Each target sets itself up on a fresh Debian/Ubuntu machine: a .venv with the package, and Graphviz's `dot`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MODELS := $(sort $(wildcard models/*.yaml))

.PHONY: report test lint bench catalogue schema setup dot print clean

report: setup
	$(BIN)/threatlib report $(MODELS) -o reports

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check threatlib tests

schema: setup
	$(BIN)/threatlib schema -o docs/model.schema.json

catalogue: setup
	$(BIN)/threatlib catalogue -o docs/catalogue.md

bench: setup
	$(BIN)/python bench/run.py

setup: $(STAMP) dot print

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
