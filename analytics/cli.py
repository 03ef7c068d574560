"""The command line: `python -m analytics <command>`, one subcommand per job.

Each workspace adds its commands from `analytics/<workspace>/cli.py` (a `register(sub)`
function); a workspace not built yet simply has no commands. With `--format json` a command
prints exactly one JSON document on stdout; errors go to stderr as one line, exit status 2
for bad input and 1 for other failures.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

from analytics import __version__
from analytics.errors import RiskdeskError
from analytics.jsonutil import dumps
from analytics.modules import optional_module

COMMAND_MODULES = (
    "analytics.data_commands",
    "analytics.cashout.cli",
    "analytics.overdraft.cli",
    "analytics.fraud.cli",
    "analytics.rewards.cli",
    "analytics.mules.cli",
    "analytics.auth_commands",
    "analytics.api.cli",
    "analytics.daily",
)

log = logging.getLogger("riskdesk")


def common_options() -> argparse.ArgumentParser:
    """Options every command takes (use as a parent parser)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--format", choices=("text", "json"), default="text",
        help="text for people (default) or one JSON document on stdout",
    )
    return parent


def emit(args: argparse.Namespace, payload: Any, text: Callable[[Any], str] | None = None) -> None:
    """Print `payload` as JSON (with --format json) or as text for people."""
    if getattr(args, "format", "text") == "json":
        sys.stdout.write(dumps(payload) + "\n")
    else:
        sys.stdout.write((text(payload) if text else dumps(payload, indent=2)) + "\n")
    sys.stdout.flush()


def _load_modules() -> list[Any]:
    return [m for m in map(optional_module, COMMAND_MODULES) if m is not None]


def build_parser() -> argparse.ArgumentParser:
    """The parser with every available command."""
    parser = argparse.ArgumentParser(
        prog="python -m analytics",
        description="Riskdesk: cashout audits, overdraft monitor, fraud cohort, rewards, mule lab.",
    )
    parser.add_argument("--version", action="version", version=f"riskdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parent = common_options()
    for module in _load_modules():
        module.register(sub, parent)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status."""
    logging.basicConfig(
        level=os.environ.get("RISKDESK_LOG_LEVEL", "WARNING").upper(), stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args) or 0)
    except RiskdeskError as exc:
        sys.stderr.write(f"error: {_one_line(exc)}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except Exception as exc:  # an unexpected failure: one line, the trace only on request
        if os.environ.get("RISKDESK_DEBUG"):
            traceback.print_exc()
        sys.stderr.write(f"error: internal failure: {type(exc).__name__}: {_one_line(exc)}\n")
        return 1


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
