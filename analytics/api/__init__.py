"""The HTTP API (contracts/api.md): FastAPI routes over the same functions as the pages and the CLI."""
