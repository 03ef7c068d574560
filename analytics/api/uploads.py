"""Uploaded files: written under safe generated names in a private temporary folder, removed after."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath, PureWindowsPath

from fastapi import UploadFile

from analytics import settings
from analytics.api.errors import TooLarge
from analytics.errors import InputError
from analytics.loaders import safe_file_name

MAX_NAME = 200


def label(name: str | None, index: int) -> str:
    """The name a file is known by (its base name, control characters dropped), or upload-N."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    clean = "".join(ch for ch in base if ch.isprintable()).strip()[:MAX_NAME]
    return clean or f"upload-{index + 1}"


@contextmanager
def saved(files: list[UploadFile]) -> Iterator[list[tuple[Path, str]]]:
    """Write each upload to a private temporary folder; yield (path, label) pairs."""
    if not files:
        raise InputError("files: send one or more files as multipart/form-data parts named 'files'")
    limit = settings.max_upload_bytes()
    folder = Path(tempfile.mkdtemp(prefix="riskdesk-api-upload-"))
    try:
        out, total = [], 0
        for i, upload in enumerate(files):
            name = label(upload.filename, i)
            target = folder / f"{i:03d}_{safe_file_name(name)}"
            with open(target, "wb") as fh:
                upload.file.seek(0)
                shutil.copyfileobj(upload.file, fh, length=1 << 20)
            total += target.stat().st_size
            if total > limit:
                raise TooLarge(limit)
            out.append((target, name))
        yield out
    finally:
        shutil.rmtree(folder, ignore_errors=True)
