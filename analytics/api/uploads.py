"""Uploaded files: written under safe generated names in a private temporary folder, removed after."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath, PureWindowsPath

from fastapi import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from analytics import settings
from analytics.api.errors import TooLarge, body
from analytics.api.responses import JSON
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


class BodyLimit:
    """ASGI middleware: a request body over RISKDESK_MAX_UPLOAD_MB is refused with 413 (by its
    Content-Length before reading, or while it streams)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = settings.max_upload_bytes()
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await JSON(body(TooLarge(limit).detail), status_code=413)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        await self.app(scope, limited, send)
