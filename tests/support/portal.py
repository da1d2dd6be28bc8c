"""The portal under test in the behaviour tests, and its clean-up."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

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
