"""`python -m diplograph`: the same command as the `diplograph` console script.

The one module of the domain package that imports the project (the CLI, on top of
everything); nothing imports it, and the architecture contract ignores it by name.
"""

from entrypoints.cli import app

app()
