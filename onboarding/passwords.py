"""The shared dashboard password: scrypt hashes, and slowing down whoever guesses it.

Only a hash is ever stored (``scrypt$<n>$<r>$<p>$<salt>$<hash>``), compared in constant time;
a hash that asks for an excessive cost is refused rather than computed.

Guessing is slowed down in two layers. Each browser session waits 1, 2, 4 … 30 s after each of its
own wrong passwords (:func:`backoff_seconds`). That alone is defeated by opening fresh sessions, so
:class:`SignInThrottle` keeps failures server-side, for the whole dashboard process and per client
address where Streamlit knows it: five failures in 15 minutes are free, then every further attempt
waits 1, 2, 4 … up to 60 s after the previous one. A guess is counted as a failure when it is let
through (so concurrent sessions cannot all slip past the check) and taken back when it was right.
The price of the shared count is that someone guessing slows down the rightful users too — never
by more than a minute per attempt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

SCHEME = "scrypt"
DEFAULT_N = 2**14
DEFAULT_R = 8
DEFAULT_P = 1
SALT_BYTES = 16
DIGEST_BYTES = 32
MAX_N = 2**20
MAX_R = 32
MAX_P = 16
MIN_PASSWORD_LENGTH = 8


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    maxmem = 128 * r * (n + p + 2) + 1024 * 1024
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem)


def hash_password(
    password: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P, salt: bytes | None = None
) -> str:
    """``scrypt$<n>$<r>$<p>$<salt_b64>$<hash_b64>`` for ``password`` (a fresh random salt)."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    _check_parameters(n, r, p)
    digest = _scrypt(password, salt, n, r, p, DIGEST_BYTES)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def _check_parameters(n: int, r: int, p: int) -> None:
    if n < 2 or n > MAX_N or n & (n - 1):
        raise ValueError(f"n must be a power of two between 2 and {MAX_N}")
    if not 1 <= r <= MAX_R or not 1 <= p <= MAX_P:
        raise ValueError(f"r must be 1..{MAX_R} and p 1..{MAX_P}")


@dataclass(frozen=True)
class PasswordHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes


def parse_hash(encoded: str) -> PasswordHash:
    """The parts of a stored hash; ``ValueError`` (without echoing the value) when malformed."""
    parts = encoded.strip().split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise ValueError('expected "scrypt$<n>$<r>$<p>$<salt_b64>$<hash_b64>"')
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        raise ValueError("the numbers or the base64 parts of the hash cannot be read") from None
    _check_parameters(n, r, p)
    if len(salt) < 8 or len(digest) < 16:
        raise ValueError("the salt or the hash is too short")
    return PasswordHash(n, r, p, salt, digest)


def verify_password(password: str, encoded: str) -> bool:
    """True when ``password`` matches the stored hash (compared in constant time)."""
    try:
        h = parse_hash(encoded)
    except ValueError:
        return False
    candidate = _scrypt(password, h.salt, h.n, h.r, h.p, len(h.digest))
    return hmac.compare_digest(candidate, h.digest)


BACKOFF_BASE = 1.0
BACKOFF_MAX = 30.0


def backoff_seconds(failures: int) -> float:
    """How long a session waits before its next attempt after ``failures`` wrong passwords in a row."""
    if failures <= 0:
        return 0.0
    return min(BACKOFF_BASE * 2 ** (failures - 1), BACKOFF_MAX)


EVERYONE = "*"
"""The throttle key that every attempt counts against, whichever session or address makes it."""


class SignInThrottle:
    """Failed sign-ins per key (everyone, an address) in a sliding window; thread-safe, in memory."""

    MAX_KEYS = 10_000
    """Addresses remembered at most (the oldest are dropped first); the shared key is always kept."""

    def __init__(
        self,
        *,
        free: int = 5,
        window: float = 15 * 60.0,
        base: float = 1.0,
        cap: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.window, self.base, self.cap = free, window, base, cap
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key) or deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def _wait(self, key: str, now: float) -> float:
        times = self._recent(key, now)
        if len(times) < self.free:
            return 0.0
        delay = min(self.base * 2 ** (len(times) - self.free), self.cap)
        return max(0.0, times[-1] + delay - now)

    def admit(self, keys: Iterable[str]) -> float:
        """0.0 when an attempt may be checked now (it counts as a failure until :meth:`succeeded`),
        else the seconds to wait (nothing is counted)."""
        keys = list(dict.fromkeys(keys))
        with self._lock:
            now = self._clock()
            wait = max((self._wait(key, now) for key in keys), default=0.0)
            if wait > 0:
                return wait
            for key in keys:
                times = self._recent(key, now)
                times.append(now)
                self._failures.pop(key, None)
                self._failures[key] = times  # re-inserted: the dict stays ordered by last attempt
            while len(self._failures) > self.MAX_KEYS:
                oldest = next(k for k in self._failures if k != EVERYONE)
                del self._failures[oldest]
            return 0.0

    def succeeded(self, keys: Iterable[str]) -> None:
        """The attempt admitted for ``keys`` had the right password: it is not a failure."""
        with self._lock:
            for key in dict.fromkeys(keys):
                times = self._failures.get(key)
                if times:
                    times.pop()

    def failures(self, key: str) -> int:
        """Failures counted for ``key`` within the window."""
        with self._lock:
            return len(self._recent(key, self._clock()))

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()


def throttle_keys(address: str | None) -> list[str]:
    """The keys one attempt counts against: everyone, and the client's address when known."""
    return [EVERYONE, f"address:{address}"] if address else [EVERYONE]


SIGN_IN_THROTTLE = SignInThrottle()
"""The dashboard process's throttle: every browser session's sign-in goes through it."""
