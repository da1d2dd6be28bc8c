"""The portal under test in the behaviour tests, and its clean-up."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from docspace_sandbox.server import start
from onboarding.docspace import DocSpaceClient, Folder, RoomType
from onboarding.errors import DocSpaceError


@dataclass
class Portal:
    """A client for the portal under test plus what to clean up."""

    kind: str
    api: DocSpaceClient
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    rooms: list[int] = field(default_factory=list)

    def room(
        self, title: str = "Onboarding test room", room_type: RoomType = RoomType.COLLABORATION
    ) -> Folder:
        """A room tagged uniquely for this test run (cleaned up afterwards)."""
        made = self.api.create_room(title, room_type, tags=[f"onboarding-test:{self.run}"])
        self.rooms.append(made.id)
        return made

    def cleanup(self) -> None:
        for room_id in self.rooms:
            try:
                room = self.api.get_room(room_id)
                if not room.archived:
                    self.api.wait_operation(self.api.archive_room(room_id), timeout=120)
                self.api.wait_operation(self.api.delete_room(room_id), timeout=120)
            except DocSpaceError:
                pass


def live_portal(config: pytest.Config, mode_env: tuple[str, str] | None = None) -> Iterator[Portal]:
    """The real portal of ``DOCSPACE_URL``/``DOCSPACE_API_KEY`` (cleaned up afterwards), or a skip:
    only with ``-m live``, never in CI, and (``mode_env``) only when that variable has that value."""
    url, key = os.environ.get("DOCSPACE_URL"), os.environ.get("DOCSPACE_API_KEY")
    if os.environ.get("CI") or "live" not in (config.option.markexpr or ""):
        pytest.skip("real-portal tests run only with -m live (and never in CI)")
    if not (url and key):
        pytest.skip("set DOCSPACE_URL and DOCSPACE_API_KEY to run the real-portal tests")
    if mode_env is not None and os.environ.get(mode_env[0]) != mode_env[1]:
        pytest.skip(f"set {mode_env[0]}={mode_env[1]} when the portal is in that mode")
    portal = Portal("live", DocSpaceClient(url, key, timeout=(10.0, 60.0)))
    try:
        yield portal
    finally:
        portal.cleanup()
        portal.api.close()


def sandbox_portal(**mode: Any) -> Iterator[Portal]:
    """A fresh sandbox (``mode``: its portal-kind settings), stopped afterwards."""
    sandbox = start(port=0, **mode)
    portal = Portal("sandbox", DocSpaceClient(sandbox.url, sandbox.api_key))
    try:
        yield portal
    finally:
        portal.api.close()
        sandbox.stop()
