"""Atomic, durable file writes: a temporary file in the same folder, fsync, then rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_path(path: Path, perms: int = 0o644) -> Iterator[Path]:
    """A temporary path beside `path` to fill by any means (a handle, DuckDB's COPY ... TO); when
    the block ends it is fsynced and renamed over `path`, when the block fails it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        os.fchmod(fd, perms)
        os.close(fd)
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        sync_dir(path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_open(
    path: Path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None,
    perms: int = 0o644,
) -> Iterator[IO]:
    """Write `path` through a handle: readers see the old file or the whole new one, never a part."""
    binary = "b" in mode
    with atomic_path(path, perms) as tmp, open(tmp, mode, encoding=None if binary else encoding,
                                               newline=None if binary else newline) as fh:
        yield fh


def atomic_write(path: Path, data: bytes | str, perms: int = 0o644) -> Path:
    """Write bytes, or text as UTF-8, atomically; return the path."""
    with atomic_open(path, "wb", perms=perms) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def sync_dir(folder: Path) -> None:
    """fsync a folder so a rename in it survives a crash."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
