"""Tests `newsdesk users`: adding the first admin, listing, changing roles, bad input."""

from __future__ import annotations

from newsdesk.cli import main
from newsdesk.store import open_store
from newsdesk.web.auth import verify_password


def test_users_add_list_and_role(tmp_path, monkeypatch, capsys):
    db = f"sqlite:///{tmp_path / 'u.db'}"
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    monkeypatch.setenv("NEWSDESK_PASSWORD", "a strong admin password")
    assert main(["users", "add", "root", "--role", "admin", "--db", db]) == 0
    assert "added root (admin" in capsys.readouterr().out
    assert main(["users", "add", "ROOT", "--db", db]) == 2
    assert "users: user name: 'ROOT' is taken" in capsys.readouterr().err
    monkeypatch.setenv("NEWSDESK_PASSWORD", "short")
    assert main(["users", "add", "bob", "--db", db]) == 2
    assert "password: 10 to 256 characters" in capsys.readouterr().err
    assert main(["users", "role", "root", "editor", "--db", db]) == 0
    assert main(["users", "role", "nobody", "editor", "--db", db]) == 2
    capsys.readouterr()
    assert main(["users", "list", "--db", db]) == 0
    assert "root  editor" in capsys.readouterr().out
    with open_store(db) as store:
        user = store.user_by_name("root")
        assert verify_password(store.password_hash(user.id), "a strong admin password")
        assert not verify_password(store.password_hash(user.id), "wrong")
