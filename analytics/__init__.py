"""Riskdesk analytics: every number of the app, the CLI and the API is computed here."""

__version__ = "0.1.0"
