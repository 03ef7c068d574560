"""The project's exceptions: errors a user can fix carry a message naming the file, line or field."""

from __future__ import annotations


class RiskdeskError(Exception):
    """Base class of every error the project raises on purpose."""

    exit_code = 1


class InputError(RiskdeskError):
    """Bad input the user can fix (a file, a column, a row, an argument); exit status 2."""

    exit_code = 2


class ContractError(InputError):
    """A file does not match its contract (for instance a missing required column)."""


class ConfigError(InputError):
    """A configuration file or value is invalid; the message names the key."""


class QueryRefused(InputError):
    """A SQL box statement was refused: it writes, reads files, or is more than one statement."""


class QueryTimeout(InputError):
    """A SQL box statement ran past its time limit and was stopped."""


class DatabaseBusy(RiskdeskError):
    """The store stayed locked by another process for longer than the wait allows."""


class PermissionDenied(RiskdeskError):
    """The signed-in identity's role may not perform this action."""

    exit_code = 2
