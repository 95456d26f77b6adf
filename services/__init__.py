"""Orchestration: read, resolve, write, report; the one place the CLI and the API's
mutations call to move records from the loaders to the graph (`services/pipeline.py`)."""
