"""Injected faults: random ones from a seeded spec, and scripted rules for tests.

Spec syntax (comma-separated ``key=value``; ``off`` or empty = none)::

    error5xx=0.10,error429=0.05,drop=0.03,timeout=0.01,latency_ms=50,hang_ms=30000,seed=7

Probabilities are per API request. ``drop`` is the *lost response*: the request is executed and
committed, then the connection closes without a reply. ``timeout`` commits too, then holds the
reply for ``hang_ms``. ``error5xx`` answers 500/502/503 without executing; ``error429`` answers 429
with ``Retry-After: 1``. Scripted rules (``FaultRule``) are checked first, in order.

Determinism: one ``random.Random(seed)`` under a lock, drawn exactly twice per API request
whatever the outcome, so the same request sequence always meets the same faults.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = ("drop", "timeout", "error500", "error502", "error503", "error429", "latency")


@dataclass
class FaultRule:
    """The next matching request(s) get ``fault``: after ``skip`` matches, for ``times`` matches
    (None = for ever). ``path`` is a regex searched in the path without the query string."""

    fault: str
    path: str = ".*"
    method: str | None = None
    times: int | None = 1
    skip: int = 0
    latency_ms: int = 0
    seen: int = 0
    applied: int = 0

    def __post_init__(self) -> None:
        if self.fault == "error5xx":
            self.fault = "error500"
        if self.fault not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.fault!r}; expected one of {', '.join(FAULT_KINDS)}")
        re.compile(self.path)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        """Build from the JSON accepted by ``POST /__sandbox__/faults``."""
        known = {"fault", "path", "method", "times", "skip", "latency_ms"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown rule keys: {', '.join(sorted(unknown))}")
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        """JSON view, including how often the rule has matched and fired."""
        return {
            "fault": self.fault,
            "path": self.path,
            "method": self.method,
            "times": self.times,
            "skip": self.skip,
            "latency_ms": self.latency_ms,
            "seen": self.seen,
            "applied": self.applied,
        }


@dataclass
class FaultPlan:
    """Random fault probabilities plus scripted rules."""

    error5xx: float = 0.0
    error429: float = 0.0
    drop: float = 0.0
    timeout: float = 0.0
    latency_ms: int = 0
    hang_ms: int = 30_000
    seed: int = 0
    rules: list[FaultRule] = field(default_factory=list)

    @classmethod
    def parse(cls, spec: str | None) -> FaultPlan:
        """Parse the spec string (see module docstring)."""
        plan = cls()
        text = (spec or "").strip()
        if text in ("", "off", "none"):
            return plan
        for part in text.split(","):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            key = key.strip()
            if not sep:
                raise ValueError(f"fault spec item {part!r} is not key=value")
            if key in ("error5xx", "error429", "drop", "timeout"):
                prob = float(value)
                if not 0.0 <= prob <= 1.0:
                    raise ValueError(f"{key} must be a probability between 0 and 1")
                setattr(plan, key, prob)
            elif key in ("latency_ms", "hang_ms", "seed"):
                setattr(plan, key, int(value))
            else:
                raise ValueError(f"unknown fault spec key {key!r}")
        if plan.error5xx + plan.error429 + plan.drop + plan.timeout > 1.0:
            raise ValueError("fault probabilities add up to more than 1")
        return plan

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultPlan:
        """``{"spec": "...", "rules": [...]}`` (either part optional)."""
        plan = cls.parse(data.get("spec"))
        plan.rules = [FaultRule.from_dict(rule) for rule in data.get("rules", [])]
        return plan

    def to_dict(self) -> dict[str, Any]:
        """JSON view for ``GET /__sandbox__/faults``."""
        return {
            "error5xx": self.error5xx,
            "error429": self.error429,
            "drop": self.drop,
            "timeout": self.timeout,
            "latency_ms": self.latency_ms,
            "hang_ms": self.hang_ms,
            "seed": self.seed,
            "rules": [rule.to_dict() for rule in self.rules],
        }


@dataclass(frozen=True)
class Decision:
    """What to do with one request: ``kind`` None means no fault; ``latency_ms`` always applies."""

    kind: str | None
    latency_ms: int = 0


class FaultInjector:
    """Thread-safe decisions from a plan; the RNG is re-seeded whenever the plan changes."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self._lock = threading.Lock()
        self._plan = plan or FaultPlan()
        self._rng = random.Random(self._plan.seed)

    @property
    def plan(self) -> FaultPlan:
        """The plan in force."""
        return self._plan

    def set_plan(self, plan: FaultPlan) -> None:
        """Replace the plan and restart the random sequence from its seed."""
        with self._lock:
            self._plan = plan
            self._rng = random.Random(plan.seed)

    def decide(self, method: str, path: str) -> Decision:
        """Pick the fault for one API request."""
        with self._lock:
            plan = self._plan
            draw, pick = self._rng.random(), self._rng.random()
            for rule in plan.rules:
                if rule.method and rule.method.upper() != method:
                    continue
                if not re.search(rule.path, path):
                    continue
                rule.seen += 1
                if rule.seen <= rule.skip or (rule.times is not None and rule.applied >= rule.times):
                    continue
                rule.applied += 1
                if rule.fault == "latency":
                    return Decision(None, plan.latency_ms + rule.latency_ms)
                return Decision(rule.fault, plan.latency_ms + rule.latency_ms)
            edge = 0.0
            for kind, prob in (
                ("error5xx", plan.error5xx),
                ("error429", plan.error429),
                ("drop", plan.drop),
                ("timeout", plan.timeout),
            ):
                edge += prob
                if draw < edge:
                    if kind == "error5xx":
                        kind = ("error500", "error502", "error503")[min(int(pick * 3), 2)]
                    return Decision(kind, plan.latency_ms)
            return Decision(None, plan.latency_ms)
