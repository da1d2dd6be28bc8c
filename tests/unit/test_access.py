"""Access decisions: modes, reasons, actors, password hashes, backoff and the hash-password command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from onboarding import access
from onboarding.access import AccessConfig, decide, load_access_config, resolve
from onboarding.errors import (
    ConfigError,
    NotFound,
    RequestTimeout,
    ServerError,
    TransportError,
    Unauthorized,
    UnexpectedResponse,
)

ROOT = Path(__file__).resolve().parents[2]
FAST = {"n": 2**10, "r": 8, "p": 1}  # keeps the suite fast; the default is 2**14
OIDC = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-cookie-secret",
    "client_id": "dashboard",
    "client_secret": "oidc-client-secret",
    "server_metadata_url": "https://id.example.com/.well-known/openid-configuration",
}


def test_hash_round_trip_and_format() -> None:
    """A hash has the documented six parts and verifies only the right password."""
    encoded = access.hash_password("correct horse battery", **FAST)
    scheme, n, r, p, salt, digest = encoded.split("$")
    assert (scheme, n, r, p) == ("scrypt", "1024", "8", "1")
    assert salt and digest
    assert access.verify_password("correct horse battery", encoded)
    assert not access.verify_password("correct horse batterY", encoded)
    assert not access.verify_password("", encoded)


def test_same_password_gets_a_fresh_salt() -> None:
    """Two hashes of one password differ (random salt) and both verify."""
    a, b = access.hash_password("s3cret-pass", **FAST), access.hash_password("s3cret-pass", **FAST)
    assert a != b
    assert access.verify_password("s3cret-pass", a) and access.verify_password("s3cret-pass", b)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "plain-text-password",
        "scrypt$1024$8$1$!!$!!",
        "bcrypt$1$2$3$AAAA$BBBB",
        "scrypt$1000$8$1$AAAAAAAAAAA=$AAAA",
    ],
)
def test_malformed_hashes_never_verify(encoded: str) -> None:
    """A malformed or foreign hash verifies nothing (and is reported as unusable)."""
    assert not access.verify_password("anything", encoded)
    with pytest.raises(ValueError) as info:
        access.parse_hash(encoded)
    assert "anything" not in str(info.value)


def test_excessive_cost_parameters_are_refused() -> None:
    """A hash asking for absurd memory or time is refused instead of computed."""
    with pytest.raises(ValueError):
        access.parse_hash("scrypt$4194304$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44)


def test_backoff_doubles_and_is_capped() -> None:
    """Wrong passwords in a row wait 0, 1, 2, 4 … seconds, never more than the cap."""
    assert access.backoff_seconds(0) == 0
    assert [access.backoff_seconds(k) for k in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert access.backoff_seconds(50) == access.BACKOFF_MAX


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_counts_failures_across_sessions_and_grows() -> None:
    """Five free guesses in 15 minutes, whoever makes them; then each waits longer, up to the cap."""
    clock = FakeClock()
    throttle = access.SignInThrottle(clock=clock)
    for _ in range(5):  # five fresh sessions, one guess each
        assert throttle.admit([access.EVERYONE]) == 0.0
    waits = []
    for _ in range(8):
        wait = throttle.admit([access.EVERYONE])
        assert wait > 0, "a sixth guess right away is refused"
        waits.append(wait)
        clock.now += wait
        assert throttle.admit([access.EVERYONE]) == 0.0
    assert waits[:4] == [1.0, 2.0, 4.0, 8.0] and max(waits) == throttle.cap
    clock.now += throttle.window + throttle.cap
    assert throttle.admit([access.EVERYONE]) == 0.0, "failures older than the window are forgotten"


def test_throttle_per_address_and_success_takes_the_attempt_back() -> None:
    """An address is throttled on its own count too; a right password does not count as a failure."""
    clock = FakeClock()
    throttle = access.SignInThrottle(clock=clock, free=2, cap=10.0)
    attacker, user = ["*", "ip:198.51.100.7"], ["*", "ip:203.0.113.5"]
    assert throttle.admit(attacker) == 0.0 and throttle.admit(attacker) == 0.0
    assert throttle.admit(user) > 0, "the shared count applies to every address"
    clock.now += 100
    assert throttle.admit(user) == 0.0
    throttle.succeeded(user)
    assert throttle.failures("ip:203.0.113.5") == 0 and throttle.failures("*") == 2
    throttle.reset()
    assert throttle.failures("*") == 0


def test_the_dashboard_has_one_throttle_per_process() -> None:
    """ui/auth uses the process-wide throttle, so a fresh browser session does not start from zero."""
    assert isinstance(access.SIGN_IN_THROTTLE, access.SignInThrottle)
    assert access.SIGN_IN_THROTTLE.free == 5 and access.SIGN_IN_THROTTLE.window == 15 * 60


def test_trying_a_portal_is_a_write_level_action() -> None:
    """Only a session that may write may make the server connect to an address it names."""
    config = AccessConfig()
    read_only = resolve(decide(config, sandbox=False))
    assert "write-level" in access.trial_refusal(read_only) and read_only.reason in access.trial_refusal(
        read_only
    )
    assert access.trial_refusal(resolve(decide(config, sandbox=True))) == ""
    waiting = resolve(decide(AccessConfig(password_hash="x"), sandbox=True))
    assert access.trial_refusal(waiting), "a session that has not signed in may not try portals"


def test_trial_failures_read_the_same_whatever_the_port_state() -> None:
    """Refused, dropped, timed out, not DocSpace, 404 and 5xx give one message; a refused key its own."""
    failures = [
        TransportError("connection failed (ConnectionError)", method="GET", path="/x"),
        RequestTimeout("no answer within 30 s", method="GET", path="/x"),
        UnexpectedResponse("not an envelope", method="GET", path="/x", status=200),
        NotFound("not found", method="GET", path="/x", status=404),
        ServerError("internal error", method="GET", path="/x", status=502),
    ]
    assert {access.trial_failure(exc) for exc in failures} == {access.UNREACHABLE}
    assert access.trial_failure(Unauthorized("refused", status=401)) is None
    assert access.trial_failure(ConfigError("not a portal address")) is None


def test_sandbox_without_sign_in_is_open_and_anonymous() -> None:
    """The sandbox with nothing configured writes, as "anonymous (sandbox)", with no warning."""
    policy = decide(AccessConfig(), sandbox=True)
    assert (policy.mode, policy.warning) == ("open", "")
    acc = resolve(policy)
    assert acc.can_write and acc.actor == access.ANONYMOUS_SANDBOX


def test_real_portal_without_sign_in_is_read_only_with_a_reason() -> None:
    """A real portal with no sign-in is read-only and says what to configure."""
    policy = decide(AccessConfig(), sandbox=False)
    acc = resolve(policy)
    assert policy.mode == "read-only" and not acc.can_write and not acc.needs_sign_in
    for word in ("read-only", "[auth]", "dashboard_password_hash", "allow_unauthenticated"):
        assert word in acc.reason


def test_allow_unauthenticated_opens_a_real_portal_with_a_warning() -> None:
    """allow_unauthenticated makes a real portal writable, with a warning naming where it was set."""
    config = load_access_config({"docspace": {"allow_unauthenticated": True}}, {})
    policy = decide(config, sandbox=False)
    assert policy.mode == "open" and "secrets.toml" in policy.warning
    assert resolve(policy).actor == access.ANONYMOUS_ALLOWED


@pytest.mark.parametrize(("value", "allowed"), [("true", True), ("1", True), ("false", False), ("no", False)])
def test_environment_switch_wins_over_secrets(value: str, allowed: bool) -> None:
    """DOCSPACE_ALLOW_UNAUTHENTICATED overrides the secrets file, either way."""
    config = load_access_config(
        {"docspace": {"allow_unauthenticated": not allowed}}, {access.ALLOW_ENV: value}
    )
    assert config.allow_unauthenticated is allowed


def test_password_mode_needs_sign_in_then_acts_as_password_user() -> None:
    """With a password hash, a session must sign in; then it writes as "password user", also in the sandbox."""
    encoded = access.hash_password("open sesame!", **FAST)
    for sandbox in (True, False):
        policy = decide(
            load_access_config({"docspace": {"dashboard_password_hash": encoded}}, {}), sandbox=sandbox
        )
        assert policy.mode == "password"
        before = resolve(policy)
        assert before.needs_sign_in and not before.can_write
        after = resolve(policy, password_ok=True)
        assert after.can_write and after.actor == access.PASSWORD_USER


def test_oidc_wins_over_password_and_records_the_email() -> None:
    """With [auth] configured sign-in is OIDC (even if a password is set); the actor is the e-mail."""
    secrets = {"auth": OIDC, "docspace": {"dashboard_password_hash": access.hash_password("x" * 10, **FAST)}}
    policy = decide(load_access_config(secrets, {}), sandbox=False)
    assert policy.mode == "oidc" and policy.providers == (None,)
    assert resolve(policy, oidc_user={"email": "test@example.com"}).needs_sign_in  # not logged in
    acc = resolve(policy, oidc_user={"is_logged_in": True, "email": "ops@example.com", "name": "Ops"})
    assert acc.can_write and acc.actor == "ops@example.com"
    assert resolve(policy, oidc_user={"is_logged_in": True, "name": "Ops"}).actor == "Ops"


def test_named_providers_are_offered() -> None:
    """[auth.<name>] sections become one sign-in button each."""
    auth = {k: OIDC[k] for k in ("redirect_uri", "cookie_secret")}
    auth["microsoft"] = {k: OIDC[k] for k in access.OIDC_FIELDS}
    assert load_access_config({"auth": auth}, {}).providers == ("microsoft",)


@pytest.mark.parametrize(
    ("secrets", "needle"),
    [
        ({"auth": {"client_id": "x"}}, "redirect_uri"),
        ({"auth": {"redirect_uri": "u", "cookie_secret": "c"}}, "no provider"),
        ({"docspace": {"dashboard_password_hash": "hunter2"}}, "not usable"),
    ],
)
def test_broken_sign_in_configuration_fails_closed(secrets: dict, needle: str) -> None:
    """A sign-in configuration that cannot be used makes even the sandbox read-only, saying why."""
    policy = decide(load_access_config(secrets, {}), sandbox=True)
    assert policy.mode == "read-only" and needle in policy.reason
    assert "hunter2" not in policy.reason
    assert not resolve(policy).can_write


def test_hash_fingerprint_changes_with_the_hash() -> None:
    """A session signed in under an old hash does not count as signed in under a new one."""
    assert access.hash_fingerprint("scrypt$a") != access.hash_fingerprint("scrypt$b")


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onboarding.access", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_hash_password_command_reads_stdin_and_prints_a_verifiable_hash() -> None:
    """`python -m onboarding.access hash-password` hashes the first stdin line; the hash verifies."""
    done = run_cli("hash-password", stdin="a shared dashboard password\n")
    assert done.returncode == 0, done.stderr
    encoded = done.stdout.strip()
    assert access.verify_password("a shared dashboard password", encoded)
    assert "a shared dashboard password" not in done.stdout + done.stderr


def test_hash_password_command_refuses_the_password_as_an_argument() -> None:
    """A password on the command line is refused (it would land in shell history)."""
    done = run_cli("hash-password", "hunter2-hunter2")
    assert done.returncode == 2
    assert "hunter2" not in done.stdout and "argument" in done.stderr


def test_hash_password_command_refuses_short_passwords() -> None:
    """Fewer than 8 characters prints no hash."""
    done = run_cli("hash-password", stdin="short\n")
    assert done.returncode == 1 and done.stdout == ""
