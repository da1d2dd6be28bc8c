"""Pydantic models of the DocSpace responses, holding only the fields the product reads.

camelCase on the wire, snake_case in Python; unknown fields are ignored so that a newer server
never breaks parsing. Dates stay strings: the server writes them as ``yyyy-MM-ddTHH:mm:ss.fffffffZ``
or with an offset, and nothing here computes with them.
"""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """Base for response models: camelCase aliases, unknown keys tolerated, frozen values."""

    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="ignore", frozen=True
    )


class User(WireModel):
    """A portal account (EmployeeFullDto)."""

    id: str
    display_name: str = ""
    email: str = ""
    is_owner: bool = False
    is_admin: bool = False
    is_room_admin: bool = False
    is_collaborator: bool = False
    is_visitor: bool = False
    activation_status: int | None = None
    status: int | None = None

    @property
    def can_manage_rooms(self) -> bool:
        """True when the server lets this person hold RoomManager (9): owner, admins, room admins."""
        return self.is_owner or self.is_admin or self.is_room_admin

    @property
    def user_type(self) -> str:
        """The DocSpace account type, as the web UI names it."""
        if self.is_owner:
            return "Owner"
        if self.is_admin:
            return "DocSpace admin"
        if self.is_room_admin:
            return "Room admin"
        if self.is_visitor:
            return "Guest"
        return "User"


class InvitationSettings(WireModel):
    """Whether the portal lets its members invite new members and guests (TenantUserInvitationSettingsDto)."""

    allow_inviting_members: bool = True
    allow_inviting_guests: bool = True


class PasswordPolicy(WireModel):
    """The portal's password strength settings (PasswordSettingsDto), which the server applies
    to an external link's password too (``FileSharing`` -> ``PasswordSettingsManager.CheckPassword``,
    a 400 with the requirements when it fails). The regex parts come from the server, so the
    check below is the server's own pattern."""

    min_length: int = 8
    upper_case: bool = False
    digits: bool = False
    spec_symbols: bool = False
    allowed_characters_regex_str: str = r"[\x21-\x7E]"
    digits_regex_str: str = r"(?=.*\d)"
    upper_case_regex_str: str = r"(?=.*[A-Z])"
    spec_symbols_regex_str: str = r"(?=.*[\x21-\x2F\x3A-\x40\x5B-\x60\x7B-\x7E])"

    MAX_LENGTH: ClassVar[int] = 30
    """``PasswordSettingsManager.MaxLength``; the length must also be 8 or more whatever the policy."""

    def accepts(self, password: str) -> bool:
        """``CheckPassword``: the policy's pattern and a length of 8 to 30."""
        pattern = "^"
        pattern += self.digits_regex_str if self.digits else ""
        pattern += self.upper_case_regex_str if self.upper_case else ""
        pattern += self.spec_symbols_regex_str if self.spec_symbols else ""
        pattern += f"{self.allowed_characters_regex_str}{{{self.min_length},{self.MAX_LENGTH}}}$"
        try:
            matches = re.match(pattern, password) is not None
        except re.error:  # a pattern this client cannot read: the portal decides
            return True
        return matches and 8 <= len(password) <= self.MAX_LENGTH

    def requirements(self) -> str:
        """``from 12 to 30 characters, capital letters, digits``: what a password needs here."""
        parts = [
            f"from {max(8, self.min_length)} to {self.MAX_LENGTH} characters (latin letters, digits, symbols; no spaces)"
        ]
        parts += [
            words
            for on, words in (
                (self.upper_case, "a capital letter"),
                (self.digits, "a digit"),
                (self.spec_symbols, "a special character"),
            )
            if on
        ]
        return ", ".join(parts)


class Folder(WireModel):
    """A folder or a room (rooms are folders; the room id is the parent id for its content)."""

    id: int
    title: str
    parent_id: int | None = None
    room_type: int | None = None
    root_folder_type: int | None = None
    tags: list[str] = Field(default_factory=list)
    files_count: int = 0
    folders_count: int = 0
    created: str | None = None
    security: dict[str, bool] = Field(default_factory=dict)
    """What the API key's account may do with it (``FileSecurity.SetSecurity``); empty when not sent."""

    @property
    def archived(self) -> bool:
        return self.root_folder_type == 20

    def lacks(self, *rights: str) -> list[str]:
        """The rights among ``rights`` the portal says the key's account does not have here."""
        if not self.security:
            return []
        return [r for r in rights if not self.security.get(r, False)]


class File(WireModel):
    """A file (FileDto)."""

    id: int
    title: str
    folder_id: int | None = None
    file_exst: str = ""
    web_url: str = ""
    pure_content_length: int | None = None
    is_form: bool = False
    """An ONLYOFFICE PDF form: the only kind of file a Form filling room takes."""


class FolderContent(WireModel):
    """One page of a folder listing (FolderContentDto)."""

    files: list[File] = Field(default_factory=list)
    folders: list[Folder] = Field(default_factory=list)
    current: Folder | None = None
    start_index: int = 0
    count: int = 0
    total: int = 0


class LinkInfo(WireModel):
    """The ``sharedLink`` part of a link entry."""

    id: str
    title: str = ""
    share_link: str = ""
    expiration_date: str | None = None
    link_type: int = 0
    password: str | None = None
    deny_download: bool = False
    is_expired: bool = False
    primary: bool = False
    internal: bool = False
    max_use_count: int | None = None
    current_use_count: int | None = None


class Member(WireModel):
    """One entry of a room's share list: a user, a group, or a link (FileShareDto)."""

    access: int
    shared_to_user: User | None = None
    shared_to_group: dict[str, object] | None = None
    shared_link: LinkInfo | None = None
    is_owner: bool = False
    is_locked: bool = False
    subject_type: int | None = None

    @property
    def user(self) -> User | None:
        return self.shared_to_user

    @property
    def group_id(self) -> str:
        """The group's id when this is a group's share (``""`` otherwise)."""
        return str((self.shared_to_group or {}).get("id") or "")

    @property
    def subject_id(self) -> str:
        """Whose share this is: the user's id, or the group's (a group goes by its id in ``share``)."""
        return self.user.id if self.user is not None else self.group_id

    @property
    def group_label(self) -> str:
        """``group NAME`` (its id when it has no name), as audits and offboarding name a group."""
        group = self.shared_to_group or {}
        return f"group {group.get('name') or group.get('id') or '?'}"


class Link(WireModel):
    """A room link entry (FileShareDto with ``sharedLink``)."""

    access: int
    shared_link: LinkInfo
    subject_type: int | None = None

    @property
    def url(self) -> str:
        return self.shared_link.share_link

    @property
    def link_type(self) -> int:
        return self.shared_link.link_type


class ShareResult(WireModel):
    """What ``PUT files/rooms/{id}/share`` answers (RoomSecurityDto).

    ``warning`` and ``error`` arrive inside an HTTP 200: a failed guest creation is reported only
    here, so callers must look at them rather than trust the status.
    """

    members: list[Member] = Field(default_factory=list)
    warning: str | None = None
    error: int | None = None

    @property
    def blocked_by_form_roles(self) -> bool:
        """``error`` 1 (``RoomSecurityError.FormRoleBlockingDeletion``): a removal named someone
        holding form roles in a Virtual data room, so the portal changed nothing in the request
        (``VirtualRoomsController.SetRoomSecurity`` returns before applying any invitation)."""
        return self.error == 1


class FileOperation(WireModel):
    """A long-running file operation (archive, delete). Note the capital ``Operation`` key."""

    id: str
    operation: int | None = Field(default=None, validation_alias=AliasChoices("Operation", "operation"))
    progress: int = 0
    error: str | None = None
    finished: bool = False
    status: int | None = None


class TemplateJob(WireModel):
    """The tenant's room-template job (``RoomFromTemplateStatusDto`` / ``RoomTemplateStatusDto``).

    ``result_id`` is the new room's (``roomId``) or template's (``templateId``) id, -1 until it is
    saved. There is no job id: the status is the tenant's one job, whoever started it
    (``RoomTemplatesWorker.GetStatusRoomCreatingAsync``). ``progress`` is only 100 at a successful
    end; ``error`` is "" when none.
    """

    result_id: int = Field(default=-1, validation_alias=AliasChoices("roomId", "templateId"))
    progress: float = 0
    error: str | None = None
    is_completed: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.error)
