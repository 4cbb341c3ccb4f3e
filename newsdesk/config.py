"""Declares every setting in one table and loads them from NEWSDESK_* variables or a TOML file.

Precedence, highest first: explicit overrides (CLI flags), environment ``NEWSDESK_<NAME>``,
the TOML file (``NEWSDESK_CONFIG`` or ``<config dir>/newsdesk.toml``), the default.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import platformdirs

from .errors import ConfigError

__all__ = ["Setting", "SETTINGS", "Settings", "load_settings", "default_db_url"]

APP = "newsdesk"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    type: type
    help: str
    secret: bool = False
    validate: Callable[[Any], None] | None = None

    @property
    def env(self) -> str:
        return "NEWSDESK_" + self.name.upper()


def _positive(value: Any) -> None:
    if value <= 0:
        raise ValueError("must be greater than 0")


def _non_negative(value: Any) -> None:
    if value < 0:
        raise ValueError("must be 0 or more")


def _networks(value: Any) -> None:
    for part in _split(value):
        ipaddress.ip_network(part, strict=False)


def _db_url(value: Any) -> None:
    if value and not (value.startswith("sqlite:") or value.startswith("postgresql:")
                      or value.startswith("postgres:")):
        raise ValueError("must start with sqlite:/// or postgresql://")


def _log_level(value: Any) -> None:
    if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")


def _port(value: Any) -> None:
    if not 0 < value < 65536:
        raise ValueError("must be between 1 and 65535")


def _split(value: str) -> list[str]:
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def default_db_url() -> str:
    """Returns the SQLite URL of the database in the user's data directory."""
    return "sqlite:///" + str(Path(platformdirs.user_data_dir(APP)) / "newsdesk.db")


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "", str, "Database URL: sqlite:///path.db or postgresql://...; empty means "
            "newsdesk.db in the user's data directory.", validate=_db_url),
    Setting("log_level", "WARNING", str, "Logging level: DEBUG, INFO, WARNING, ERROR.",
            validate=_log_level),
    Setting("user_agent", "newsdesk/0.1 (self-hosted news reader)",
            str, "User-Agent sent with every request; add a contact URL for your deployment."),
    Setting("fetch_connect_timeout", 5.0, float, "Seconds to wait for a TCP/TLS connection.",
            validate=_positive),
    Setting("fetch_read_timeout", 15.0, float, "Seconds to wait between bytes of a response.",
            validate=_positive),
    Setting("fetch_total_timeout", 60.0, float, "Seconds a whole response may take to arrive, "
            "slow trickles included.", validate=_positive),
    Setting("fetch_max_bytes", 10_000_000, int, "Byte cap on a response body, after "
            "decompression.", validate=_positive),
    Setting("fetch_max_redirects", 5, int, "Redirects followed before giving up.",
            validate=_non_negative),
    Setting("fetch_retries", 3, int, "Retries on 429 and 5xx responses and on connection errors, "
            "with exponential backoff.", validate=_non_negative),
    Setting("fetch_backoff", 1.0, float, "First backoff delay in seconds; doubles each retry.",
            validate=_non_negative),
    Setting("fetch_max_retry_after", 120.0, float, "Longest Retry-After (seconds) honoured before "
            "giving up on a URL.", validate=_non_negative),
    Setting("fetch_host_delay", 1.0, float, "Minimum seconds between two requests to the same host.",
            validate=_non_negative),
    Setting("fetch_respect_robots", True, bool, "Obey robots.txt for page and feed fetches."),
    Setting("fetch_allow_networks", "", str, "Comma-separated CIDRs that may be fetched although "
            "private, loopback or link-local (e.g. 127.0.0.0/8 for a local test server). Empty "
            "refuses them all.", validate=_networks),
    Setting("fetch_proxy", "", str, "HTTP(S) proxy URL for outgoing requests; may hold "
            "credentials.", secret=True),
    Setting("crawl_interval", 1800, int, "Seconds between two polls of the same feed.",
            validate=_positive),
    Setting("crawl_max_entries", 100, int, "Most new entries fetched from one feed per poll.",
            validate=_positive),
    Setting("crawl_error_backoff_max", 86_400, int, "Longest delay (seconds) before re-polling a "
            "feed that keeps failing.", validate=_positive),
    Setting("embedding_model", "", str, "Embedding model of the stories and search steps; empty "
            "means the default (docs/embeddings.md lists the models and their figures)."),
    Setting("web_host", "127.0.0.1", str, "Address the web app listens on."),
    Setting("web_port", 8000, int, "Port the web app listens on.",
            validate=_port),
    Setting("page_size", 30, int, "Articles per page in lists.", validate=_positive),
    # -- web accounts and comments (issue 6) --
    Setting("web_secret_file", "", str, "File holding the key that signs CSRF tokens; empty keeps "
            "a random key in the database."),
    Setting("web_session_days", 14, int, "Days a login session lasts.", validate=_positive),
    Setting("web_login_max_failures", 5, int, "Failed logins in a row that lock an account.",
            validate=_positive),
    Setting("web_login_lockout_minutes", 15, int, "Minutes an account stays locked after too "
            "many failed logins.", validate=_positive),
    Setting("web_comment_rate_limit", 5, int, "Comments one account may post in 10 minutes "
            "(editors and admins are not limited).", validate=_positive),
    Setting("web_banned_words_file", "", str, "File of extra banned words for comment "
            "moderation, one a line; the built-in list always applies."),
    Setting("llm_url", "", str, "Base URL of an OpenAI-compatible endpoint (Ollama, vLLM, "
            "llama.cpp server), e.g. http://127.0.0.1:8080/v1; empty means no LLM: every feature "
            "works without one."),
    Setting("llm_model", "", str, "Model name sent to the LLM endpoint."),
    Setting("llm_api_key", "", str, "API key sent to the LLM endpoint, if it needs one.",
            secret=True),
    Setting("llm_timeout", 60.0, float, "Seconds to wait for one LLM answer.", validate=_positive),
)

_BY_NAME = {s.name: s for s in SETTINGS}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _coerce(setting: Setting, raw: Any, origin: str) -> Any:
    try:
        if setting.type is bool:
            if isinstance(raw, bool):
                value: Any = raw
            elif str(raw).strip().lower() in _TRUE:
                value = True
            elif str(raw).strip().lower() in _FALSE:
                value = False
            else:
                raise ValueError("must be true or false")
        elif setting.type is str:
            value = str(raw)
        else:
            value = setting.type(raw)
        if setting.validate:
            setting.validate(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"config: {setting.name} from {origin} = {raw!r}: {exc}") from None
    return value


class Settings:
    """Resolved settings; read them as attributes (``settings.fetch_max_bytes``)."""

    def __init__(self, values: dict[str, Any], origins: dict[str, str]):
        self._values = values
        self._origins = origins

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # unpickling (Ray workers) asks for dunders before _values exists
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def replace(self, **overrides: Any) -> "Settings":
        values, origins = dict(self._values), dict(self._origins)
        for name, raw in overrides.items():
            if name not in _BY_NAME:
                raise ConfigError(f"config: unknown setting {name!r}")
            values[name] = _coerce(_BY_NAME[name], raw, "override")
            origins[name] = "override"
        return Settings(values, origins)

    @property
    def db_url(self) -> str:
        return self.db or default_db_url()

    @property
    def allow_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(p, strict=False) for p in _split(self.fetch_allow_networks)]

    def rows(self) -> list[tuple[str, str, str, str]]:
        """Returns (name, shown value, origin, help) per setting, secrets masked."""
        out = []
        for s in SETTINGS:
            value = self._values[s.name]
            shown = ("********" if value else "") if s.secret else str(value)
            if s.name == "db" and not value:
                shown = default_db_url()
            out.append((s.name, shown, self._origins[s.name], s.help))
        return out


def _config_path(environ: dict[str, str]) -> Path:
    if environ.get("NEWSDESK_CONFIG"):
        return Path(environ["NEWSDESK_CONFIG"])
    return Path(platformdirs.user_config_dir(APP)) / "newsdesk.toml"


def load_settings(environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Reads the TOML file and the environment and returns validated settings."""
    environ = dict(os.environ if environ is None else environ)
    file_values: dict[str, Any] = {}
    path = _config_path(environ)
    if path.is_file():
        try:
            file_values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"config: cannot read {path}: {exc}") from None
        unknown = sorted(set(file_values) - set(_BY_NAME))
        if unknown:
            raise ConfigError(f"config: unknown setting {unknown[0]!r} in {path}")
    elif environ.get("NEWSDESK_CONFIG"):
        raise ConfigError(f"config: NEWSDESK_CONFIG file {path} does not exist")
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for s in SETTINGS:
        if s.env in environ:
            values[s.name] = _coerce(s, environ[s.env], s.env)
            origins[s.name] = "env"
        elif s.name in file_values:
            values[s.name] = _coerce(s, file_values[s.name], str(path))
            origins[s.name] = "file"
        else:
            values[s.name] = s.default
            origins[s.name] = "default"
    settings = Settings(values, origins)
    overrides = {k: v for k, v in overrides.items() if v is not None}
    return settings.replace(**overrides) if overrides else settings
