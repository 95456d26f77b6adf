"""Entrypoints: the `diplograph` command line (`cli.py`); the ASGI app factory is
`schema/app.py:create_app`, the API's own entrypoint."""
