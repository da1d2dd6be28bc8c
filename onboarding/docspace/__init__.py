"""A typed client for the ONLYOFFICE DocSpace REST API (api/2.0), limited to what onboarding uses."""

from onboarding.docspace._transport import DEFAULT_TIMEOUT, PortalAddress
from onboarding.docspace.bodies import Invitation, LinkRequest, RoomFromTemplate
from onboarding.docspace.client import DocSpaceClient
from onboarding.docspace.enums import FileShare, FolderType, LinkType, RoomType, SearchArea
from onboarding.docspace.models import (
    File,
    FileOperation,
    Folder,
    FolderContent,
    Link,
    Member,
    ShareResult,
    TemplateJob,
    User,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "DocSpaceClient",
    "File",
    "FileOperation",
    "FileShare",
    "Folder",
    "FolderContent",
    "FolderType",
    "Invitation",
    "Link",
    "LinkRequest",
    "LinkType",
    "Member",
    "PortalAddress",
    "RoomFromTemplate",
    "RoomType",
    "SearchArea",
    "ShareResult",
    "TemplateJob",
    "User",
]
