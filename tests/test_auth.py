"""Sign-in: salted slow hashes, one message for every failure, lockout, roles from the users file."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import auth
from analytics.errors import InputError
from analytics.identity import Actor
from tests.conftest import ROOT


@pytest.fixture
def users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "users.yaml"
    monkeypatch.setenv("RISKDESK_USERS_FILE", str(path))
    monkeypatch.setattr(auth, "_FAILURES", {})
    return path


def test_hash_is_salted_slow_and_verifiable() -> None:
    a, b = auth.hash_password("correct horse"), auth.hash_password("correct horse")
    assert a != b and a.startswith("scrypt$32768$8$1$")
    assert auth.verify_password("correct horse", a)
    assert not auth.verify_password("correct hors", a)
    assert not auth.verify_password("x", "md5$abc")
    with pytest.raises(InputError, match="at least 10"):
        auth.hash_password("short")


def test_no_users_file_means_open_mode(users_file: Path) -> None:
    assert auth.load_users() is None and not auth.sign_in_required()


def test_users_file_is_written_private_and_never_holds_passwords(users_file: Path) -> None:
    auth.set_user("alice", "auditor", "alice-secret-1")
    auth.set_user("sso.bob", "viewer", email="Bob@Example.com")
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    text = users_file.read_text()
    assert "alice-secret-1" not in text and "scrypt$" in text
    assert auth.sign_in_required()
    assert set(auth.load_users()) == {"alice", "sso.bob"}


def test_authenticate_gives_the_role_and_one_message_for_any_failure(users_file: Path) -> None:
    auth.set_user("alice", "auditor", "alice-secret-1")
    assert auth.authenticate("alice", "alice-secret-1") == Actor("alice", "auditor")
    with pytest.raises(InputError) as wrong:
        auth.authenticate("alice", "nope-nope-nope")
    with pytest.raises(InputError) as unknown:
        auth.authenticate("mallory", "alice-secret-1")
    assert str(wrong.value) == str(unknown.value) == "wrong user name or password"


def test_repeated_failures_lock_the_name_out(users_file: Path) -> None:
    auth.set_user("alice", "auditor", "alice-secret-1")
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(InputError, match="wrong user name"):
            auth.authenticate("alice", "guess-guess-1")
    with pytest.raises(InputError, match="too many failed sign-ins"):
        auth.authenticate("alice", "alice-secret-1")  # even the right password waits


def test_disabled_and_sso_only_users_cannot_use_a_password(users_file: Path) -> None:
    auth.set_user("sso.bob", "viewer", email="bob@example.com")
    with pytest.raises(InputError):
        auth.authenticate("sso.bob", "")
    users = auth.load_users()
    users["sso.bob"].disabled = True
    auth.save_users(users)
    assert auth.actor_for_email("bob@example.com") is None


def test_sso_email_maps_to_role_case_insensitively(users_file: Path) -> None:
    auth.set_user("sso.bob", "admin", email="Bob@Example.com")
    assert auth.actor_for_email("bob@example.COM") == Actor("sso.bob", "admin")
    assert auth.actor_for_email("eve@example.com") is None
    assert auth.actor_for_email(None) is None


@pytest.mark.parametrize(("name", "role", "message"), [
    ("../../etc/passwd", "admin", "user name"), ("alice", "root", "role 'root'"),
])
def test_bad_user_names_and_roles(users_file: Path, name: str, role: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        auth.set_user(name, role, "long-enough-pw")


def test_bad_users_file_names_the_key(users_file: Path) -> None:
    users_file.write_text("users:\n  - name: x\n    role: superuser\n")
    with pytest.raises(Exception, match=r"users\.0\.role"):
        auth.load_users()


def test_users_cli(users_file: Path, cli_env) -> None:
    env = dict(cli_env, RISKDESK_USERS_FILE=str(users_file))
    run = lambda *a, **kw: subprocess.run([sys.executable, "-m", "analytics", "users", *a], cwd=ROOT,  # noqa: E731
                                          env=env, capture_output=True, text=True, **kw)
    made = run("set", "carol", "--role", "admin", "--password-stdin", "--format", "json",
               input="carol-password-1\n")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["role"] == "admin"
    listed = json.loads(run("list", "--format", "json").stdout)
    assert listed["users"][0]["name"] == "carol" and listed["sign_in_required"] is True
    assert "scrypt" not in run("list", "--format", "json").stdout
    assert run("remove", "nobody").returncode == 2
    assert run("remove", "carol").returncode == 0


def test_viewers_see_identifiers_masked_others_do_not() -> None:
    import pandas as pd

    from analytics.identity import mask, mask_columns

    frame = pd.DataFrame({"user_id": ["u1001", "u1002", None], "amount": [1.0, 2.0, 3.0]})
    viewer = mask_columns(frame, ["user_id"], Actor("v", "viewer"))
    assert viewer["user_id"][0] == mask("u1001") and viewer["user_id"][0].startswith("u•••")
    assert "u1001" not in viewer["user_id"][0] and pd.isna(viewer["user_id"][2])
    assert viewer["user_id"][0] != viewer["user_id"][1]          # distinct people stay distinct
    assert mask("u1001") == mask("u1001")                        # stable across calls
    assert viewer["amount"].tolist() == [1.0, 2.0, 3.0]
    assert mask_columns(frame, ["user_id"], Actor("a", "auditor")) is frame
