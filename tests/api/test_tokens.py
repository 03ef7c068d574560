"""`token create / list / revoke`: a token is printed once, only its sha256 is kept (owner-only file),
tied to a user of the users file; `serve` refuses to listen beyond loopback with no users file."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest

from analytics import auth, cli, tokens
from analytics.identity import Actor


@pytest.fixture
def users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "users.yaml"
    monkeypatch.setenv("RISKDESK_USERS_FILE", str(path))
    monkeypatch.delenv("RISKDESK_TOKENS_FILE", raising=False)
    auth.save_users({"ann": auth.User(name="ann", role="auditor", email="ann@example.com"),
                     "bob": auth.User(name="bob", role="viewer", email="bob@example.com", disabled=True)}, path)
    return path


def run(capsys, *args: str) -> tuple[int, dict | str, str]:
    capsys.readouterr()
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    try:
        return code, json.loads(out), err
    except json.JSONDecodeError:
        return code, out, err


def test_create_prints_the_token_once_and_keeps_only_its_hash(users: Path, capsys) -> None:
    code, made, _ = run(capsys, "token", "create", "--user", "ann", "--days", "30", "--format", "json")
    assert code == 0
    token = made["token"]
    assert token.startswith(f"rdk_{made['id']}_") and made["user"] == "ann"
    path = users.with_name("api_tokens.yaml")
    assert made["file"] == str(path)
    text = path.read_text()
    assert token not in text and token.split("_")[-1] not in text
    assert hashlib.sha256(token.encode()).hexdigest() in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    (record,) = tokens.load()
    assert (record.expires_at - record.created_at).days == 30
    users_now = auth.load_users()
    assert tokens.actor_for(token, users_now) == Actor("ann", "auditor")
    code, listed, _ = run(capsys, "token", "list", "--format", "json")
    assert code == 0 and [t["id"] for t in listed["tokens"]] == [made["id"]]
    assert "sha256" not in listed["tokens"][0] and token not in json.dumps(listed)


def test_revoke_by_id_or_by_user(users: Path, capsys) -> None:
    first, rec1 = tokens.create("ann", 1)
    second, rec2 = tokens.create("ann", 1)
    code, out, _ = run(capsys, "token", "revoke", rec1.id, "--format", "json")
    assert code == 0 and out == {"revoked": [rec1.id]}
    known = auth.load_users()
    assert tokens.actor_for(first, known) is None and tokens.actor_for(second, known) == Actor("ann", "auditor")
    code, _, err = run(capsys, "token", "revoke", rec1.id)
    assert code == 2 and "was revoked before" in err
    code, out, _ = run(capsys, "token", "revoke", "--user", "ann", "--format", "json")
    assert out == {"revoked": [rec2.id]} and tokens.actor_for(second, known) is None


@pytest.mark.parametrize(("args", "message"), [
    (["--user", "nobody"], "'nobody' is not in the users file"),
    (["--user", "bob"], "'bob' is disabled"),
    (["--user", "ann", "--days", "0"], "--days must be from 1 to 3650"),
    (["--user", "ann", "--days", "3651"], "--days must be from 1 to 3650"),
])
def test_create_refuses_bad_input(users: Path, capsys, args: list[str], message: str) -> None:
    code, _, err = run(capsys, "token", "create", *args)
    assert code == 2 and message in err
    assert tokens.load() == []


def test_no_users_file_no_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("RISKDESK_USERS_FILE", str(tmp_path / "none.yaml"))
    code, _, err = run(capsys, "token", "create", "--user", "ann")
    assert code == 2 and "no users file" in err
    code, _, err = run(capsys, "token", "revoke", "abc")
    assert code == 2 and "no token with id 'abc'" in err
    code, _, err = run(capsys, "token", "revoke")
    assert code == 2 and "give a token id or --user NAME" in err


def test_tokens_of_other_shapes_are_refused(users: Path) -> None:
    token, _ = tokens.create("ann", 1)
    known = auth.load_users()
    for bad in ("", "rdk_", token + "x", token.upper(), token.replace("rdk_", "xyz_"), "Bearer " + token):
        assert tokens.actor_for(bad, known) is None


def test_serve_refuses_a_public_address_without_users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys) -> None:
    monkeypatch.setenv("RISKDESK_USERS_FILE", str(tmp_path / "none.yaml"))
    for host in ("0.0.0.0", "192.168.1.10", "example.com", "::"):
        code, _, err = run(capsys, "serve", "--host", host)
        assert code == 2 and f"--host {host}: with no users file the API is open" in err
    code, _, err = run(capsys, "serve", "--port", "70000")
    assert code == 2 and "--port 70000" in err


def test_loopback_names() -> None:
    from analytics.api.security import is_loopback

    assert all(is_loopback(h) for h in ("127.0.0.1", "127.8.9.10", "localhost", "::1", "[::1]", "LOCALHOST"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.1", "example.com", ""))
