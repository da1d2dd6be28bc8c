"""Where the product's settings come from, and the one object that carries them.

Order of precedence: explicit values (command-line options, a key typed into the dashboard for
this session only) > environment variables > Streamlit secrets > defaults. The API key is held as
a ``SecretStr`` so that printing, logging or serialising the settings never shows it; it can be
read only from the environment, a key file, secrets, or an explicit session value — never from a
command-line flag, which would land in shell history and process lists.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from onboarding.blueprint import describe_validation
from onboarding.docspace import PortalAddress
from onboarding.errors import ConfigError
from onboarding.journal import address, is_database_url
from onboarding.workflow.retry import RetryPolicy
from onboarding.workflow.throttle import Limits

SANDBOX_PORTAL_KEY = "sandbox"
ENV_PREFIX = "DOCSPACE_"


def default_data_dir() -> Path:
    """Per-user data folder shared by the dashboard and the CLI (so they share one journal).

    ``DOCSPACE_DATA_DIR`` overrides it (tests point it at a temporary folder).
    """
    if os.environ.get("DOCSPACE_DATA_DIR"):
        return Path(os.environ["DOCSPACE_DATA_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "docspace-onboarding"


def saved_blueprint() -> Path:
    """Where the dashboard saves the blueprint (Settings > Blueprint), and where every door looks
    for one when none is named: the CLI and a worker onboard as the dashboard was set up."""
    return default_data_dir() / "blueprint.toml"


class Settings(BaseModel):
    """Resolved settings. ``sources`` says where each value came from (shown in the UI)."""

    model_config = ConfigDict(frozen=True)

    portal_url: str | None = None
    api_key: SecretStr | None = Field(default=None, repr=False)
    journal_path: Path = Field(default_factory=lambda: default_data_dir() / "journal.sqlite3")
    journal_url: str | None = Field(default=None, repr=False)
    """A shared PostgreSQL journal (``postgresql://…``); when set it replaces ``journal_path``."""
    journal_lease_seconds: float = Field(default=30.0, ge=1, le=3600)
    """How long a claim outlives its run's last heartbeat (a dead worker's clients wait this long)."""
    blueprint_path: Path | None = None
    writes_in_flight: int = Field(default=15, ge=1, le=15)
    reads_in_flight: int = Field(default=50, ge=1, le=50)
    requests_per_minute: int | None = Field(default=None, ge=0, le=100_000)
    """None: learned from the portal (its first 429 announces it); 0: never paced; N: forced."""
    daily_write_budget: int = Field(default=10_000, ge=1)
    retry_attempts: int = Field(default=6, ge=1, le=50)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = Field(default=None, repr=False)
    sandbox: bool = False
    sources: dict[str, str] = Field(default_factory=dict)

    @property
    def configured(self) -> bool:
        """True when a real portal address and key are both present."""
        return bool(self.portal_url and self.api_key and self.api_key.get_secret_value())

    @property
    def portal_key(self) -> str:
        """The portal's identity in the journal."""
        if self.sandbox or not self.portal_url:
            return SANDBOX_PORTAL_KEY
        return PortalAddress.parse(self.portal_url).base

    @field_validator("requests_per_minute", mode="before")
    @classmethod
    def _rate_words(cls, value: Any) -> Any:
        """``off`` forces no pacing; ``auto`` (or nothing) learns the portal's limit."""
        if isinstance(value, str) and value.strip().casefold() in ("off", "none"):
            return 0
        if isinstance(value, str) and value.strip().casefold() in ("auto", ""):
            return None
        return value

    @property
    def rate_text(self) -> str:
        """The request-rate setting in words (for the pages and the CLI)."""
        if self.requests_per_minute is None:
            return "learned from the portal"
        if self.requests_per_minute == 0:
            return "off"
        return f"{self.requests_per_minute:,} per minute"

    @property
    def journal(self) -> str | Path:
        """Where the journal lives: the PostgreSQL address when one is set, else the file."""
        return self.journal_url or self.journal_path

    @property
    def journal_shown(self) -> str:
        """The journal's location as it may be shown (a database address with its password masked)."""
        return address.protect(self.journal_url) if self.journal_url else str(self.journal_path)

    def limits(self) -> Limits:
        return Limits(
            writes_in_flight=self.writes_in_flight,
            reads_in_flight=self.reads_in_flight,
            requests_per_minute=self.requests_per_minute,
        )

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(attempts=self.retry_attempts)

    def masked_key(self) -> str:
        """``sk-a…9f`` style: enough to recognise a key, never enough to use it."""
        if not self.api_key:
            return "(none)"
        return mask_secret(self.api_key.get_secret_value())


def mask_secret(value: str) -> str:
    value = value.strip()
    if len(value) <= 8:
        return "•" * len(value)
    return f"{value[:4]}…{value[-2:]}"


_FIELDS = {
    "portal_url": ("URL", "portal_url"),
    "api_key": ("API_KEY", "api_key"),
    "journal_path": ("JOURNAL", "journal_path"),
    "journal_url": ("JOURNAL_URL", "journal_url"),
    "journal_lease_seconds": ("JOURNAL_LEASE_SECONDS", "journal_lease_seconds"),
    "blueprint_path": ("BLUEPRINT", "blueprint_path"),
    "writes_in_flight": ("WRITES_IN_FLIGHT", "writes_in_flight"),
    "reads_in_flight": ("READS_IN_FLIGHT", "reads_in_flight"),
    "requests_per_minute": ("REQUESTS_PER_MINUTE", "requests_per_minute"),
    "daily_write_budget": ("DAILY_WRITE_BUDGET", "daily_write_budget"),
    "retry_attempts": ("RETRY_ATTEMPTS", "retry_attempts"),
    "webhook_url": ("WEBHOOK_URL", "webhook_url"),
    "webhook_secret": ("WEBHOOK_SECRET", "webhook_secret"),
}


def read_key_file(path: str | Path) -> str:
    """The first non-empty line of a key file (the file itself should be readable by you only)."""
    p = Path(path)
    try:
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                return line.strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the API key file {p}: {exc.strerror}") from None
    raise ConfigError(f"the API key file {p} is empty")


def explicit_key(explicit: Mapping[str, Any] | None) -> bool:
    """A key (or key file) was given for this call: it wins over the environment's."""
    return bool(explicit and (explicit.get("api_key") or explicit.get("api_key_file")))


def load_settings(
    *,
    explicit: Mapping[str, Any] | None = None,
    secrets: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge the sources. ``secrets`` is Streamlit's ``st.secrets`` (a ``[docspace]`` table or top level)."""
    env = os.environ if environ is None else environ
    sec: Mapping[str, Any] = {}
    if secrets:
        table = secrets.get("docspace")
        sec = table if isinstance(table, Mapping) else secrets
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, (env_name, secret_name) in _FIELDS.items():
        if explicit and explicit.get(name) not in (None, ""):
            values[name], sources[name] = explicit[name], "explicit"
        elif env.get(ENV_PREFIX + env_name):
            values[name], sources[name] = env[ENV_PREFIX + env_name], f"environment ({ENV_PREFIX}{env_name})"
        elif sec.get(secret_name) not in (None, ""):
            values[name], sources[name] = sec[secret_name], "secrets.toml"
    if (
        env.get(ENV_PREFIX + "API_KEY")
        and env.get(ENV_PREFIX + "API_KEY_FILE")
        and not explicit_key(explicit)
    ):
        raise ConfigError(
            f"both {ENV_PREFIX}API_KEY and {ENV_PREFIX}API_KEY_FILE are set: unset one (which key "
            "to use would otherwise be a guess)"
        )
    given_key_file = (explicit or {}).get("api_key_file")
    key_file = given_key_file or env.get(ENV_PREFIX + "API_KEY_FILE") or sec.get("api_key_file")
    # What is given on the command line wins over the environment: `--api-key-file` over
    # DOCSPACE_API_KEY, `--journal FILE` over DOCSPACE_JOURNAL_URL (an operator who names a
    # local journal must not write into the team's shared one).
    if key_file and ("api_key" not in values or (given_key_file and sources["api_key"] != "explicit")):
        values["api_key"], sources["api_key"] = read_key_file(str(key_file)), f"key file {key_file}"
    if sources.get("journal_path") == "explicit":
        values.pop("journal_url", None)
        sources.pop("journal_url", None)
    if is_database_url(str(values.get("journal_path") or "")):  # --journal postgresql://…
        values["journal_url"], sources["journal_url"] = (
            values.pop("journal_path"),
            sources.pop("journal_path"),
        )
    if values.get("portal_url"):
        PortalAddress.parse(str(values["portal_url"]))  # refuse bad addresses early, with a clear message
    try:
        return Settings(**values, sources=sources)
    except ValidationError as exc:  # describe_validation never repeats the input (it may be the key)
        raise ConfigError(f"invalid settings: {describe_validation(exc)}") from None
