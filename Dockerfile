# The diplograph API and loaders. Neo4j runs in its own container (docker-compose.yml).
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
RUN uv sync --frozen --no-dev

USER nobody
EXPOSE 8000
CMD ["diplograph", "serve", "--host", "0.0.0.0", "--port", "8000"]
