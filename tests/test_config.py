"""Settings: one table, env and TOML sources, validation, masking, documentation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import newsdesk
from newsdesk.cli import main
from newsdesk.config import SETTINGS, load_settings
from newsdesk.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_load_without_environment():
    settings = load_settings(environ={})
    assert settings.fetch_max_bytes == 10_000_000
    assert settings.fetch_respect_robots is True
    assert settings.allow_networks == []


def test_environment_overrides_toml_file(tmp_path):
    config = tmp_path / "newsdesk.toml"
    config.write_text('fetch_max_redirects = 2\nweb_port = 9000\n')
    settings = load_settings(environ={"NEWSDESK_CONFIG": str(config), "NEWSDESK_WEB_PORT": "9100"})
    assert settings.fetch_max_redirects == 2
    assert settings.web_port == 9100


@pytest.mark.parametrize("env, message", [
    ({"NEWSDESK_WEB_PORT": "seventy"}, "web_port"),
    ({"NEWSDESK_WEB_PORT": "70000"}, "between 1 and 65535"),
    ({"NEWSDESK_FETCH_RESPECT_ROBOTS": "maybe"}, "true or false"),
    ({"NEWSDESK_FETCH_ALLOW_NETWORKS": "127.0.0.0/8, not-a-net"}, "fetch_allow_networks"),
    ({"NEWSDESK_DB": "mysql://x"}, "sqlite:///"),
    ({"NEWSDESK_CONFIG": "/nonexistent/newsdesk.toml"}, "does not exist"),
])
def test_bad_values_give_one_line_config_errors(env, message):
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(environ=env)
    assert "\n" not in str(info.value)


def test_unknown_key_in_toml_is_refused(tmp_path):
    config = tmp_path / "newsdesk.toml"
    config.write_text('fetch_max_bytez = 5\n')
    with pytest.raises(ConfigError, match="fetch_max_bytez"):
        load_settings(environ={"NEWSDESK_CONFIG": str(config)})


def test_allow_networks_parses_cidrs():
    settings = load_settings(environ={"NEWSDESK_FETCH_ALLOW_NETWORKS": "127.0.0.0/8,::1/128"})
    assert [str(n) for n in settings.allow_networks] == ["127.0.0.0/8", "::1/128"]


def test_config_command_masks_secrets(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("NEWSDESK_FETCH_PROXY", "http://user:hunter2@proxy.example:3128")
    monkeypatch.setenv("NEWSDESK_DB", f"sqlite:///{tmp_path / 'x.db'}")
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "hunter2" not in out and "********" in out
    assert "fetch_max_bytes" in out and "[env]" in out


def test_every_setting_is_documented():
    doc = (ROOT / "docs" / "configuration.md").read_text()
    documented = set(re.findall(r"^\| `(\w+)` \| `NEWSDESK_", doc, flags=re.M))
    assert documented == {s.name for s in SETTINGS}
    for s in SETTINGS:
        assert s.help.strip(), s.name


def test_public_api_all_is_honest():
    for name in newsdesk.__all__:
        assert getattr(newsdesk, name) is not None, name
    public = {n for n in dir(newsdesk) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(newsdesk.__all__)
