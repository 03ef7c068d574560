"""The API's routes, one module per workspace (prefix /api)."""
