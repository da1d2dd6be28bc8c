"""In-memory portal state and the server's business rules; knows nothing about HTTP.

:class:`Backend` is composed of one mixin per resource (rooms, folders and files, sharing, links,
people, file operations, inspection, room templates), all sharing the state and lock of :class:`PortalCore`.
(:class:`InspectionMixin` extends :class:`FileOpsMixin` and :class:`SharingMixin` extends
:class:`PeopleMixin`, where one resource's rules need another's.)
"""

from __future__ import annotations

from .core import PortalCore, now_string
from .folders import FoldersMixin
from .inspection import InspectionMixin
from .links import LinkRequest, LinksMixin
from .rooms import RoomsMixin
from .sharing import Invitation, SharingMixin
from .templates import TemplatesMixin

__all__ = ["Backend", "Invitation", "LinkRequest", "PortalCore", "now_string"]


class Backend(TemplatesMixin, RoomsMixin, FoldersMixin, SharingMixin, LinksMixin, InspectionMixin):
    """The portal: seeded on creation, mutated by API calls, optionally persisted to a JSON file."""
