# The diplograph API and loaders. Neo4j runs in its own container (docker-compose.yml).

# GraphiQL's browser assets, so the image serves GraphiQL without a CDN.
FROM node:20-slim AS graphiql
WORKDIR /graphiql
COPY schema/graphiql/package.json schema/graphiql/package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY diplograph ./diplograph
COPY graph ./graph
COPY loaders ./loaders
COPY schema ./schema
COPY services ./services
COPY entrypoints ./entrypoints
COPY data ./data
# The example queries: their statements warm Neo4j's plans when the API starts.
COPY docs/examples ./docs/examples
COPY --from=graphiql /graphiql/node_modules ./schema/graphiql/node_modules
RUN uv sync --frozen --no-dev

# A user of its own; `ingest` writes its review files to data/review (a volume in
# docker-compose.yml, created here so the volume starts owned by this user).
RUN useradd --system --uid 10001 --no-create-home --home-dir /app diplograph \
 && mkdir -p /app/data/review \
 && chown diplograph /app/data/review
USER diplograph
EXPOSE 8000
CMD ["diplograph", "serve", "--host", "0.0.0.0", "--port", "8000"]
