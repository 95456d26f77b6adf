# diplograph: `make run` (Neo4j up, data loaded, API serving) and `make test`.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install run test lint format neo4j-start neo4j-stop load serve clean

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

install: $(VENV)/.installed $(GRAPHIQL) ## Python deps (uv.lock) into .venv; GraphiQL assets (npm)

run: install ## start Neo4j (unless NEO4J_URI is set), load the data, serve the API
	$(BIN)/diplograph neo4j start
	$(BIN)/diplograph load
	$(BIN)/diplograph serve

test: install ## the whole suite against a real Neo4j (started and stopped by the suite)
	$(BIN)/pytest

lint: install ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

neo4j-start: install
	$(BIN)/diplograph neo4j start

neo4j-stop: install
	$(BIN)/diplograph neo4j stop

clean: ## remove the virtualenvs and the local database (not the Neo4j jar cache)
	-$(BIN)/diplograph neo4j stop
	rm -rf $(VENV) $(TOOLS) .data
