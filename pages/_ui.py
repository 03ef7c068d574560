"""Helpers shared by the pages: the store handle, the acting identity, error display."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from analytics.errors import RiskdeskError
from analytics.identity import Actor, os_user
from analytics.loaders import safe_identifier
from analytics.store import Store


@st.cache_resource
def get_store() -> Store:
    """The store handle shared by all sessions (it opens the file per use, never holds it)."""
    return Store()


def current_actor() -> Actor:
    """Who is using the app: with no sign-in configured, the local user with full rights."""
    return Actor(os_user(), "admin")


@contextmanager
def guarded(what: str = "That") -> Iterator[None]:
    """Show the project's errors as messages; anything else as a short failure, never a trace."""
    try:
        yield
    except RiskdeskError as exc:
        st.error(str(exc), icon=":material/error:")
    except Exception as exc:
        st.error(f"{what} failed unexpectedly: {type(exc).__name__}: {exc}", icon=":material/error:")


def safe_file_name(name: str) -> str:
    """A user's file name reduced to a safe base name that keeps its (short) extensions."""
    base = Path(name).name
    suffixes = [s.lower() for s in Path(base).suffixes[-2:] if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", s)]
    stem = base[: len(base) - len("".join(suffixes))] if suffixes else base
    return f"{safe_identifier(stem)}{''.join(suffixes)}"


@contextmanager
def saved_uploads(files: list) -> Iterator[list[tuple[Path, str]]]:
    """Write uploaded files to a temporary folder (safe names); yield (path, original name)."""
    folder = Path(tempfile.mkdtemp(prefix="riskdesk-upload-"))
    try:
        out = []
        for i, upload in enumerate(files):
            target = folder / f"{i:03d}_{safe_file_name(upload.name)}"
            with open(target, "wb") as fh:
                upload.seek(0)
                shutil.copyfileobj(upload, fh, length=1 << 20)
            out.append((target, upload.name))
        yield out
    finally:
        shutil.rmtree(folder, ignore_errors=True)
