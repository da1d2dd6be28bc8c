"""Who may use the dashboard, and whether it may write to the portal.

Pure decisions, no Streamlit: the dashboard reads its secrets and environment, asks
:func:`decide` for the :class:`Policy`, and :func:`resolve` turns the policy plus the session's
sign-in state into an :class:`Access` (may it write, who is acting, and why not).

Modes:

* ``oidc`` — an ``[auth]`` section is configured: sign in with Streamlit's OpenID Connect login.
* ``password`` — otherwise, a shared dashboard password stored only as a scrypt hash
  (``dashboard_password_hash``); create it with ``python -m onboarding.access hash-password``.
* ``open`` — no sign-in: the sandbox (nothing leaves this machine), or a real portal when
  ``allow_unauthenticated = true`` was set on purpose (then with a visible warning).
* ``read-only`` — a real portal with no sign-in configured (secure by default), or a sign-in
  configuration that cannot be used: anyone can look, nobody can write.

Run ``python -m onboarding.access hash-password`` to print a hash; the password is read from a
prompt (or the first line of standard input), never from the command line.
"""

from __future__ import annotations

import getpass
import hashlib
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from onboarding.errors import DocSpaceError, Forbidden, OnboardingError, Unauthorized
from onboarding.passwords import (
    BACKOFF_MAX,
    EVERYONE,
    MIN_PASSWORD_LENGTH,
    SIGN_IN_THROTTLE,
    SignInThrottle,
    backoff_seconds,
    hash_password,
    parse_hash,
    throttle_keys,
    verify_password,
)

__all__ = [
    "ANONYMOUS_ALLOWED",
    "ANONYMOUS_SANDBOX",
    "BACKOFF_MAX",
    "EVERYONE",
    "PASSWORD_USER",
    "SIGN_IN_THROTTLE",
    "Access",
    "AccessConfig",
    "AccessDenied",
    "Policy",
    "SignInThrottle",
    "backoff_seconds",
    "decide",
    "hash_password",
    "load_access_config",
    "parse_hash",
    "resolve",
    "throttle_keys",
    "verify_password",
]

Mode = Literal["oidc", "password", "open", "read-only"]

ANONYMOUS_SANDBOX = "anonymous (sandbox)"
ANONYMOUS_ALLOWED = "anonymous (allow_unauthenticated)"
ANONYMOUS_READ_ONLY = "anonymous (read-only)"
PASSWORD_USER = "password user"
OIDC_USER = "signed-in user"

ALLOW_ENV = "DOCSPACE_ALLOW_UNAUTHENTICATED"
PASSWORD_HASH_ENV = "DOCSPACE_DASHBOARD_PASSWORD_HASH"

WRITES = "onboard, retry, archive, save the blueprint or re-send to the CRM"

# -- configuration -----------------------------------------------------------------------------

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE_WORDS


@dataclass(frozen=True)
class AccessConfig:
    """What the secrets and the environment say about signing in."""

    oidc: bool = False
    """An ``[auth]`` section exists (sign-in is meant to be OIDC)."""
    providers: tuple[str | None, ...] = ()
    """OIDC providers to offer: ``None`` is the default provider (credentials directly in ``[auth]``)."""
    oidc_problem: str = ""
    password_hash: str | None = None
    password_problem: str = ""
    allow_unauthenticated: bool = False
    allow_source: str = ""


OIDC_FIELDS = ("client_id", "client_secret", "server_metadata_url")


def _oidc(auth: Mapping[str, Any]) -> tuple[tuple[str | None, ...], str]:
    missing = [k for k in ("redirect_uri", "cookie_secret") if not auth.get(k)]
    if missing:
        return (), f"[auth] is missing {' and '.join(missing)}"
    providers: list[str | None] = []
    if all(auth.get(k) for k in OIDC_FIELDS):
        providers.append(None)
    for name, section in auth.items():
        if not isinstance(section, Mapping):
            continue
        lacking = [k for k in OIDC_FIELDS if not section.get(k)]
        if lacking:
            return (), f"[auth.{name}] is missing {', '.join(lacking)}"
        if "_" in name:
            return (), f"the provider name {name!r} contains an underscore, which Streamlit does not allow"
        providers.append(str(name))
    if not providers:
        return (), "[auth] names no provider (client_id, client_secret and server_metadata_url)"
    return tuple(providers), ""


def load_access_config(secrets: Mapping[str, Any], environ: Mapping[str, str]) -> AccessConfig:
    """Read the sign-in options: ``[auth]``, and in ``[docspace]`` (or at top level)
    ``dashboard_password_hash`` and ``allow_unauthenticated``; the environment wins for the latter two.
    """
    table = secrets.get("docspace")
    sec: Mapping[str, Any] = table if isinstance(table, Mapping) else secrets
    auth = secrets.get("auth")
    oidc = isinstance(auth, Mapping) and bool(auth)
    providers: tuple[str | None, ...] = ()
    oidc_problem = ""
    if oidc:
        assert isinstance(auth, Mapping)
        providers, oidc_problem = _oidc(auth)

    raw_hash = environ.get(PASSWORD_HASH_ENV) or sec.get("dashboard_password_hash") or None
    password_hash = str(raw_hash).strip() if raw_hash else None
    password_problem = ""
    if password_hash:
        try:
            parse_hash(password_hash)
        except ValueError as exc:
            password_problem = f"dashboard_password_hash is not usable: {exc}"

    if environ.get(ALLOW_ENV):
        allow, source = _truthy(environ[ALLOW_ENV]), f"environment ({ALLOW_ENV})"
    elif sec.get("allow_unauthenticated") not in (None, ""):
        allow, source = _truthy(sec["allow_unauthenticated"]), "secrets.toml"
    else:
        allow, source = False, ""
    return AccessConfig(
        oidc=oidc,
        providers=providers,
        oidc_problem=oidc_problem,
        password_hash=password_hash,
        password_problem=password_problem,
        allow_unauthenticated=allow,
        allow_source=source if allow else "",
    )


# -- decisions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """How this dashboard is protected, for the portal in use."""

    mode: Mode
    reason: str = ""
    """Read-only: why, and what to configure. Otherwise empty."""
    warning: str = ""
    """Shown on every page while the mode is open on a real portal."""
    sandbox: bool = True
    providers: tuple[str | None, ...] = ()
    password_hash: str | None = field(default=None, repr=False)

    @property
    def needs_sign_in(self) -> bool:
        return self.mode in ("oidc", "password")


HOW_TO_PROTECT = (
    "Configure sign-in — an `[auth]` section for OpenID Connect, or `dashboard_password_hash` in the "
    "`[docspace]` table of `.streamlit/secrets.toml` (make one with `.venv/bin/python -m onboarding.access "
    "hash-password`) — or set `allow_unauthenticated = true` there (or `DOCSPACE_ALLOW_UNAUTHENTICATED=true`) "
    "to accept that anyone who can reach this dashboard may write. A change to `secrets.toml` is read when "
    "the page is reloaded; an environment variable needs a restart of the dashboard."
)


def decide(config: AccessConfig, *, sandbox: bool) -> Policy:
    """The policy for a portal: sign-in when configured; else open on the sandbox; else read-only
    unless unauthenticated use was allowed explicitly. A sign-in configuration that cannot be used
    makes the dashboard read-only (never open).
    """
    if config.oidc:
        if config.oidc_problem:
            return Policy(
                "read-only",
                f"Sign-in is configured but cannot be used ({config.oidc_problem}), so nobody can {WRITES}. "
                "Fix the `[auth]` section of `.streamlit/secrets.toml`.",
                sandbox=sandbox,
            )
        return Policy("oidc", sandbox=sandbox, providers=config.providers)
    if config.password_hash:
        if config.password_problem:
            return Policy(
                "read-only",
                f"The dashboard password cannot be used ({config.password_problem}), so nobody can "
                f"{WRITES}. Make a new hash with `.venv/bin/python -m onboarding.access hash-password`.",
                sandbox=sandbox,
            )
        return Policy("password", sandbox=sandbox, password_hash=config.password_hash)
    if sandbox:
        return Policy("open", sandbox=True)
    if config.allow_unauthenticated:
        return Policy(
            "open",
            warning=(
                "**No sign-in:** anyone who can reach this dashboard can onboard clients on this portal "
                f"(`allow_unauthenticated` is set in {config.allow_source}). Configure sign-in to stop this."
            ),
            sandbox=False,
        )
    return Policy(
        "read-only",
        f"This dashboard is connected to a real portal and no sign-in is configured, so it is read-only: "
        f"nobody can {WRITES} from here. {HOW_TO_PROTECT}",
        sandbox=False,
    )


@dataclass(frozen=True)
class Access:
    """What this session may do, and who it is."""

    can_write: bool
    actor: str
    needs_sign_in: bool = False
    """Sign-in is configured and this session has not signed in (the dashboard shows only the form)."""
    signed_in: bool = False
    reason: str = ""
    """Why writing is refused (empty when allowed)."""


def oidc_actor(user: Mapping[str, Any]) -> str:
    """The journal's name for an OIDC user: the e-mail, else the name, else the subject."""
    for key in ("email", "name", "sub"):
        value = user.get(key)
        if value:
            return str(value)
    return OIDC_USER


def resolve(
    policy: Policy, *, oidc_user: Mapping[str, Any] | None = None, password_ok: bool = False
) -> Access:
    """The session's access under ``policy``, given its OIDC user (``st.user``) or password sign-in."""
    if policy.mode == "read-only":
        return Access(False, ANONYMOUS_READ_ONLY, reason=policy.reason)
    if policy.mode == "open":
        return Access(True, ANONYMOUS_SANDBOX if policy.sandbox else ANONYMOUS_ALLOWED)
    if policy.mode == "oidc":
        if oidc_user is not None and oidc_user.get("is_logged_in") is True:
            return Access(True, oidc_actor(oidc_user), signed_in=True)
        return Access(False, ANONYMOUS_READ_ONLY, needs_sign_in=True, reason="Sign in to make changes.")
    if password_ok:
        return Access(True, PASSWORD_USER, signed_in=True)
    return Access(False, ANONYMOUS_READ_ONLY, needs_sign_in=True, reason="Sign in to make changes.")


def hash_fingerprint(encoded: str | None) -> str:
    """Identifies the configured hash (a session signed in with an old password is signed out)."""
    return hashlib.sha256((encoded or "").encode()).hexdigest()[:16]


class AccessDenied(OnboardingError):
    """A write was asked for by a session that may not write (the message says why)."""


# -- trying another portal or key ---------------------------------------------------------------


def trial_refusal(acc: Access) -> str:
    """Why this session may not try a portal address or API key ("" when it may).

    Trying one makes this server connect wherever the address points — any port on this machine,
    any host it can reach — and report how it went, so it is a write-level action: signed-in
    users, the sandbox, or a dashboard open on purpose.
    """
    if acc.can_write:
        return ""
    return (
        "Trying a portal address or an API key is a write-level action (this server connects "
        f"wherever the address points), so this dashboard may not do it for you. {acc.reason}"
    )


UNREACHABLE = (
    "No DocSpace portal answered at this address.",
    "Check the address (for example https://yourcompany.onlyoffice.com) and that this server can reach it.",
)


def trial_failure(exc: BaseException) -> tuple[str, str] | None:
    """One message for every way an address can fail to be a portal, or None for other errors.

    Refused, dropped, timed out, not HTTP, not DocSpace, 404, 5xx: told apart, they would say which
    ports are open on this server or its network. A refused key (401/403) is the portal's answer.
    """
    if isinstance(exc, DocSpaceError) and not isinstance(exc, Unauthorized | Forbidden):
        return UNREACHABLE
    return None


# -- command line ------------------------------------------------------------------------------

USAGE = "usage: python -m onboarding.access hash-password   (the password is read from a prompt or stdin)"


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Dashboard password: ")
        if getpass.getpass("Repeat it: ") != first:
            raise SystemExit("The two passwords differ; nothing was printed.")
        return first
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["hash-password"]:
        print(USAGE, file=sys.stderr)
        if len(args) > 1 and args[0] == "hash-password":
            print("Do not pass the password as an argument: it would land in shell history.", file=sys.stderr)
        return 2
    password = _read_password()
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"Use at least {MIN_PASSWORD_LENGTH} characters; nothing was printed.", file=sys.stderr)
        return 1
    print(hash_password(password))
    print(
        'Put it in .streamlit/secrets.toml:  [docspace]  dashboard_password_hash = "<the line above>"',
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess in the tests
    raise SystemExit(main())
