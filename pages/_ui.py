"""Helpers shared by the pages: the store handle, sign-in and the acting identity, errors."""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from analytics import auth, settings
from analytics.errors import InputError, RiskdeskError
from analytics.identity import Actor, os_user
from analytics.loaders import safe_file_name
from analytics.store import Store

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@st.cache_resource
def get_store() -> Store:
    """The store handle shared by all sessions (it opens the file per use, never holds it)."""
    return Store()


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, RiskdeskError):
        return False
    except Exception:  # Streamlit raises its own error type when no secrets file exists
        return False


def use_app_navigation() -> None:
    """Run app.py's navigation even when the first visits come before app.py has ever run it.

    Streamlit starts in its old pages-folder mode (because `pages/` exists) until app.py has
    called `st.navigation` once. A run in that mode goes through Streamlit's `_mpa_v1`; such a
    run leaves the mode and reruns, so app.py's navigation draws the page. The check is per run:
    sessions that started in the old mode together all leave it (a sign-in form drawn in that
    mode would not match the one app.py draws, and its first submit would be lost).
    """
    from streamlit.runtime.pages_manager import PagesManager

    frame, old_mode = sys._getframe(1), False
    while frame is not None and not old_mode:
        old_mode = frame.f_code.co_name == "_mpa_v1"
        frame = frame.f_back
    if PagesManager.uses_pages_directory or old_mode:
        PagesManager.uses_pages_directory = False
        st.rerun()


def current_actor() -> Actor:
    """Who is using the app; shows the sign-in form and stops the page until someone signs in.

    No users file: the local OS user with full rights, for clients on this machine only.
    Users file: a local password sign-in, or company single sign-on (st.login) when
    `[auth]` is configured in .streamlit/secrets.toml, mapped to a role by e-mail.
    """
    use_app_navigation()
    actor = st.session_state.get("_actor")
    if actor is not None:
        return actor
    if not auth.sign_in_required():
        ip = getattr(st.context, "ip_address", None)
        if isinstance(ip, str) and ip and ip not in LOOPBACK:
            st.error("Riskdesk runs without sign-in, so it only serves this machine. "
                     "Configure users (python -m analytics users set ...) to open it to others.")
            st.stop()
        return Actor(os_user(), "admin")
    _sign_in_form()
    st.stop()
    raise AssertionError("unreachable")  # st.stop() ends the run


def _sign_in_form() -> None:
    st.title("Riskdesk")
    if _oidc_configured():
        user = st.user
        if getattr(user, "is_logged_in", False):
            actor = auth.actor_for_email(getattr(user, "email", None))
            if actor is None:
                st.error("Your account is not allowed here; ask an admin to add your e-mail.")
                st.button("Sign out", on_click=st.logout)
                return
            st.session_state["_actor"] = actor
            st.rerun()
        st.button("Sign in with company account", type="primary", on_click=st.login)
        st.divider()
    with st.form("sign_in"):
        name = st.text_input("User name")
        password = st.text_input("Password", type="password")
        if st.form_submit_button("Sign in", type="primary"):
            try:
                st.session_state["_actor"] = auth.authenticate(name, password)
            except RiskdeskError as exc:
                st.error(str(exc))
            else:
                st.rerun()


def signed_in() -> bool:
    """True once this session may see the app: someone signed in, or sign-in is off."""
    return "_actor" in st.session_state or not auth.sign_in_required()


def sign_out_button() -> None:
    """A sidebar line naming who is signed in, with a sign-out button when sign-in is on."""
    actor = current_actor()
    st.sidebar.caption(f"Signed in as **{actor.name}** ({actor.role})")
    if auth.sign_in_required() and st.sidebar.button("Sign out"):
        st.session_state.pop("_actor", None)
        if getattr(st.user, "is_logged_in", False):
            st.logout()
        st.rerun()


@contextmanager
def guarded(what: str = "That") -> Iterator[None]:
    """Show the project's errors as messages; anything else as a short failure, never a trace."""
    try:
        yield
    except RiskdeskError as exc:
        st.error(str(exc), icon=":material/error:")
    except Exception as exc:
        st.error(f"{what} failed unexpectedly: {type(exc).__name__}: {exc}", icon=":material/error:")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:])")


def md(text: object) -> str:
    """User text (file names, usernames) escaped so Markdown shows it literally, never as markup."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


@contextmanager
def saved_uploads(files: list) -> Iterator[list[tuple[Path, str]]]:
    """Write uploaded files to a temporary folder (safe names); yield (path, original name)."""
    limit = settings.max_upload_bytes()
    for upload in files:
        if upload.size > limit:
            raise InputError(f"{upload.name}: {upload.size / 2**20:.1f} MB is over the upload limit of "
                             f"{limit / 2**20:.0f} MB (RISKDESK_MAX_UPLOAD_MB)")
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
