"""A plan that fails sends nothing more: its queued manager look-ups are dropped, not left running."""

from __future__ import annotations

import threading
from typing import Any, cast

import pytest
from support.engine import Client

from onboarding.blueprint import Blueprint
from onboarding.docspace import DocSpaceClient, User
from onboarding.errors import ConfigError
from onboarding.workflow.context import PEOPLE_AT_ONCE, build_context


class _Portal:
    """Answers the plan's reads; "My documents" fails; people look-ups block until released."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.looked_up: list[str] = []
        self._lock = threading.Lock()

    def find_rooms_by_tags(self, tags: Any) -> list[Any]:
        return []

    def me(self) -> User:
        return User(id="owner", email="owner@sandbox.example")

    def invitation_settings(self) -> Any:
        raise ConfigError("not read in this test")

    def my_documents(self) -> Any:
        raise ConfigError("template folder '@my' cannot be read")

    def find_user_by_email(self, email: str) -> User:
        with self._lock:
            self.looked_up.append(email)
        self.gate.wait(10)
        return User(id=email, email=email)


def test_a_failed_plan_drops_the_manager_look_ups_it_has_not_sent() -> None:
    """30 managers, the templates' read fails: only the look-ups already running were sent."""
    portal = _Portal()
    clients = [Client(f"C-{i}", f"Co {i}", f"c{i}@c{i}.example", f"m{i}@example.com") for i in range(30)]
    bp = Blueprint.from_dict({"invite_client": False})
    with pytest.raises(ConfigError, match="cannot be read"):
        build_context(cast(DocSpaceClient, portal), bp, clients, portal_key="k")
    portal.gate.set()
    for t in [t for t in threading.enumerate() if t.name.startswith("plan-reads")]:
        t.join(10)
    assert 0 < len(portal.looked_up) <= 3 + PEOPLE_AT_ONCE  # the pool's threads, no more
