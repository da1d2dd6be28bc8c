"""The ``GET /__sandbox__/state`` document: rooms with their folders, files, members and links."""

from __future__ import annotations

from typing import Any

from .. import rules as r
from .. import seed
from ..model import Folder
from .fileops import FileOpsMixin


class InspectionMixin(FileOpsMixin):
    """A test- and human-readable view of the portal (not an API DTO)."""

    def snapshot(self) -> dict[str, Any]:
        """The ``GET /__sandbox__/state`` document."""
        self.tick()
        rooms = [f for parent in (seed.FOLDER_ROOMS, seed.FOLDER_ARCHIVE) for f in self.children(parent)[0]]
        rooms.sort(key=lambda f: f.id)
        return {"rooms": [self._room_state(room) for room in rooms]}

    def _room_state(self, room: Folder) -> dict[str, Any]:
        folders, files = self.children(room.id)
        owner = self.state.users.get(room.created_by)
        members: list[dict[str, Any]] = []
        if owner is not None:
            members.append({"email": owner.email, "access": r.READ_WRITE, "owner": True})
        for uid, access in room.members.items():
            user = self.state.users.get(uid)
            if user is not None:
                members.append({"email": user.email, "access": access, "owner": uid == room.created_by})
            elif uid in self.state.groups:
                members.append(
                    {"email": None, "group": self.state.groups[uid], "access": access, "owner": False}
                )
        return {
            "id": room.id,
            "title": room.title,
            "roomType": room.room_type,
            "tags": list(room.tags),
            "archived": self.section(room) == "archive",
            "folders": [self._folder_state(f) for f in sorted(folders, key=lambda f: f.id)],
            "files": [f.title for f in sorted(files, key=lambda f: f.id)],
            "members": members,
            "links": [
                {
                    "id": link.id,
                    "linkType": 0 if link.subject == r.SUBJ_INVITATION else 1,
                    "primary": link.subject == r.SUBJ_PRIMARY,
                    "access": link.access,
                    "shareLink": self.share_link_url(link),
                    "title": link.title,
                    "expirationDate": link.expiration,
                    "maxUseCount": link.max_use_count,
                    "password": link.password,
                }
                for link in room.links
            ],
        }

    def _folder_state(self, folder: Folder) -> dict[str, Any]:
        folders, files = self.children(folder.id)
        return {
            "id": folder.id,
            "title": folder.title,
            "files": [f.title for f in sorted(files, key=lambda f: f.id)],
            "folders": [self._folder_state(f) for f in sorted(folders, key=lambda f: f.id)],
        }
