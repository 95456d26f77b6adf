# diplograph: `make run` (Neo4j up, data loaded, API serving) and `make test`.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install run test lint format neo4j-start neo4j-stop clean chaos soak bench chromium eval-ingest

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

GRAPHIQL := schema/graphiql/node_modules/.installed

$(GRAPHIQL): schema/graphiql/package-lock.json
	npm ci --prefix schema/graphiql --no-audit --no-fund --ignore-scripts --silent
	touch $@

CONFORMANCE := tests/conformance/node_modules/.installed

$(CONFORMANCE): tests/conformance/package-lock.json
	npm ci --prefix tests/conformance --no-audit --no-fund --ignore-scripts --silent
	touch $@

install: $(VENV)/.installed $(GRAPHIQL) $(CONFORMANCE) ## Python deps (uv.lock) into .venv; GraphiQL assets, graphql-http audit (npm)

# The browser tests drive Debian's Chromium through its chromedriver. Installed when
# missing and we are root on Debian (CI, development machines); otherwise they skip.
chromium: ## Debian's chromium + chromium-driver for tests/test_browser.py
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium chromium-driver >/dev/null; \
	else echo "chromium/chromedriver missing: install them (Debian: apt-get install" \
	  "chromium chromium-driver) or the browser tests skip"; fi

# The historian's datasets, loaded by `make run` when a checkout is there.
HSG ?= ../shared/datasets/hsg

run: $(VENV)/.installed $(GRAPHIQL) ## start Neo4j (unless NEO4J_URI is set), load the data, serve the API
	$(BIN)/diplograph neo4j start
	$(BIN)/diplograph load
	if [ -d "$(HSG)" ]; then $(BIN)/diplograph load hsg "$(HSG)"; fi
	$(BIN)/diplograph serve

test: install chromium ## the whole suite against a real Neo4j (started and stopped by the suite)
	$(BIN)/pytest

chaos: install ## longer fault runs (not in CI): more stop/kill rounds, more fuzzing
	DIPLOGRAPH_CHAOS_ROUNDS=$${ROUNDS:-5} DIPLOGRAPH_FUZZ_EXAMPLES=$${EXAMPLES:-150} \
	  $(BIN)/pytest -p no:cacheprovider tests/test_faults.py tests/test_hostile.py tests/test_conformance.py

soak: install ## 10 minutes of mixed load (not in CI): RSS growth and p99 drift
	$(BIN)/python -m ops.soak --minutes $${MINUTES:-10}

lint: install ## ruff, mypy, and the import contracts (pyproject.toml [tool.importlinter])
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Starting or stopping Neo4j needs the Python environment only: no npm, no GraphiQL assets.
neo4j-start: $(VENV)/.installed
	$(BIN)/diplograph neo4j start

neo4j-stop: $(VENV)/.installed
	$(BIN)/diplograph neo4j stop

# BENCH_ARGS, e.g. BENCH_ARGS="--scale 850000" (about a million nodes); bench/README.md.
BENCH_ARGS ?=
bench: install ## API benchmark: this API vs @neo4j/graphql vs raw Cypher, one Neo4j (bench/README.md)
	cd bench/peers/neo4j-graphql && npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python -m bench.api $(BENCH_ARGS)

clean: ## remove the virtualenvs and the local database (not the Neo4j jar cache)
	-$(BIN)/diplograph neo4j stop
	rm -rf $(VENV) $(TOOLS) .data

eval-ingest: install ## score ingest on the held-apart sets (eval/ingest texts, texts-b .. texts-j), curated only and with $(HSG)
	$(BIN)/python -m eval.ingest.run --hsg "$(HSG)"
