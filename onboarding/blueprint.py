"""The blueprint: what "onboarding a client" means, as data that the UI edits and TOML stores.

It is checked against the portal's rules (roles per room type, link types per room type) when it
is built, so a blueprint that the server would refuse — or silently ignore, like the vendor
example's ``entries`` body with access 4 and 1 or its empty link call — cannot even be expressed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from onboarding import files
from onboarding.docspace.enums import (
    ADDITIONAL_EXTERNAL_LINKS,
    EXTERNAL_LINK_ROLES,
    GUEST_REFUSED_ROLES,
    INVITATION_LINK_ROLES,
    USER_ROLES,
    FileShare,
    LinkType,
    RoomType,
)
from onboarding.errors import ConfigError
from onboarding.ingest.models import IngestSettings
from onboarding.segments import SegmentRules, build_segments
from onboarding.titles import (
    MAX_ITEM_TITLE_LENGTH,
    MAX_TITLE_LENGTH,
    PatternError,
    pattern_fields,
    render_pattern,
)

MY_DOCUMENTS = "@my"
PLACEHOLDERS = ("client_id", "name", "email", "manager_email")


class _Strict(BaseModel):
    """Unknown keys are errors: a misspelt key must not be silently ignored (as the server does)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class TemplateFile(_Strict):
    """A welcome file copied into every client room.

    ``source`` is a file id (``"12345"``) or a path from "My documents" such as
    ``@my/Welcome to your client room.pdf``; ``folder`` is one of the blueprint's folders ("" for
    the room root); ``title`` defaults to the source's own title and must keep its extension (a
    different extension makes the server convert the file and rename duplicates).
    """

    source: str
    folder: str = "Deliverables"
    title: str | None = None

    @field_validator("source")
    @classmethod
    def _source_form(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("a template file needs a source: a file id or a path like '@my/File.pdf'")
        if not (v.isdigit() or v.startswith(MY_DOCUMENTS + "/")):
            raise ValueError(f"source {v!r} is neither a file id nor a path starting with '@my/'")
        return v

    @property
    def by_id(self) -> int | None:
        return int(self.source) if self.source.isdigit() else None

    @property
    def path_parts(self) -> list[str]:
        """For ``@my/A/B.pdf``: ``["A", "B.pdf"]``."""
        return [p for p in self.source[len(MY_DOCUMENTS) + 1 :].split("/") if p]


class ClientLink(_Strict):
    """The link sent to the client.

    Collaboration and virtual-data rooms can only have an *invitation* link (one per room);
    custom, public and form-filling rooms get an *external* link, which may carry a password.
    """

    enabled: bool = True
    title: str = "Invitation for {name}"
    access: FileShare = FileShare.READ
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)
    max_use_count: int | None = Field(default=None, ge=1, le=1000)
    password: str | None = Field(default=None, min_length=1, max_length=255)
    deny_download: bool = False
    require_public: bool = False
    """Fail the client when the portal makes its external link internal (login required) instead
    of handing out a link that only signed-in portal users can open."""

    @field_validator("password")
    @classmethod
    def _password_policy(cls, v: str | None) -> str | None:
        # The portal checks link passwords against its password policy (default: 8 to 30
        # printable ASCII characters, no spaces); refuse what the default policy would refuse.
        if v is not None and not (8 <= len(v) <= 30 and all(33 <= ord(ch) < 127 for ch in v)):
            raise ValueError(
                "a link password needs 8 to 30 characters: latin letters, digits or symbols, no spaces"
            )
        return v

    @field_validator("title")
    @classmethod
    def _title_pattern(cls, v: str) -> str:
        try:
            pattern_fields(v)
        except PatternError as exc:
            raise ValueError(str(exc)) from None
        return v.strip()


_DOMAIN = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}")
"""A domain of two labels or more, each of letters, digits and inner hyphens; no trailing dot."""
_NOT_IN_ADDRESSES = set('*?"(),:;<>[]\\')
"""Characters no address in ``known_members`` holds (``*`` would look like a wildcard)."""


class Blueprint(_Strict):
    """Everything configurable about onboarding one client; defaults follow the product brief."""

    room_type: RoomType = RoomType.COLLABORATION
    title_pattern: str = "Client - {name}"
    tag_pattern: str = "client:{client_id}"
    folders: list[str] = Field(default_factory=lambda: ["Invoices", "Contracts", "Deliverables"])
    templates: list[TemplateFile] = Field(
        default_factory=lambda: [
            TemplateFile(source="@my/Welcome to your client room.pdf"),
            TemplateFile(source="@my/How to use the client portal.pdf"),
        ]
    )
    room_template: str | None = None
    """A DocSpace room template (its id, or its title in the Templates section) each client's room
    is made from, instead of ``folders`` and ``templates``: one write (``POST
    files/rooms/fromTemplate``) copies the template's folders and files. The two are exclusive."""
    default_manager_email: str | None = None
    manager_role: FileShare = FileShare.ROOM_MANAGER
    manager_fallback: Literal["role", "skip", "block"] = "role"
    manager_fallback_role: FileShare = FileShare.CONTENT_CREATOR
    invite_client: bool = True
    client_role: FileShare = FileShare.READ
    notify: bool = False
    link: ClientLink = Field(default_factory=ClientLink)
    known_members: list[str] = Field(default_factory=list, max_length=500)
    """People who may be in any client's room without the audit reporting them (colleagues a
    team adds on purpose): e-mail addresses, or ``@domain`` for everyone at that domain (not its
    subdomains: ``@example.com`` does not cover ``@eu.example.com``). Anyone
    else the blueprint does not invite (not the manager, the client, or the key's account) is an
    extra member, reported as drift."""
    segments: SegmentRules | None = None
    """Per-segment blueprints chosen by a column of the client list (see :mod:`onboarding.segments`)."""
    _segment_blueprints: dict[str, Blueprint] = PrivateAttr(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _drop_invitation_message(cls, data: Any) -> Any:
        # Earlier blueprints had a ``message`` for the invitation mail. The server ignores the
        # share call's message for room invitations (VirtualRoomsController.SetRoomSecurity →
        # FileSharingAceHelper.SetAceObjectAsync → StudioNotifyService.SendEmailRoomInviteAsync,
        # which takes none), so the option is gone; a saved one is dropped, not refused.
        if isinstance(data, dict) and "message" in data:
            data = {k: v for k, v in data.items() if k != "message"}
        return data

    @model_validator(mode="before")
    @classmethod
    def _template_or_contents(cls, data: Any) -> Any:
        # A room made from a template gets its folders and files from it (the server copies
        # them); listing them as well would be ignored or duplicated, so it is refused, by name.
        if not isinstance(data, dict) or not str(data.get("room_template") or "").strip():
            return data
        for key, what in (("folders", "folders"), ("templates", "welcome files")):
            if data.get(key):
                raise ValueError(
                    f"room_template and {key} exclude each other: a room made from the template "
                    f"{str(data['room_template']).strip()!r} gets its {what} from it; remove {key} "
                    "(or the template)"
                )
        return {**data, "folders": [], "templates": []}

    @field_validator("room_template")
    @classmethod
    def _template_name(cls, v: str | None) -> str | None:
        v = (v or "").strip()
        if len(v) > MAX_TITLE_LENGTH:
            raise ValueError(f"room template {v[:30]!r}... is longer than {MAX_TITLE_LENGTH} characters")
        return v or None

    @property
    def template_id(self) -> int | None:
        """The room template's id when the blueprint names it by id (else it is a title)."""
        return int(self.room_template) if self.room_template and self.room_template.isdigit() else None

    @field_validator("room_type", mode="before")
    @classmethod
    def _room_type_known(cls, v: Any) -> Any:
        if isinstance(v, str) and not v.isdigit():
            try:
                return RoomType[v.strip().upper().replace(" ", "_").removesuffix("_ROOM")]
            except KeyError:
                raise ValueError(f"unknown room type {v!r}") from None
        return v

    @field_validator("title_pattern", "tag_pattern")
    @classmethod
    def _pattern_ok(cls, v: str) -> str:
        v = v.strip()
        try:
            names = pattern_fields(v)
        except PatternError as exc:
            raise ValueError(str(exc)) from None
        if not names and not v:
            raise ValueError("the pattern is empty")
        return v

    @field_validator("tag_pattern")
    @classmethod
    def _tag_unique(cls, v: str) -> str:
        if "{client_id}" not in v:
            raise ValueError(
                "the tag pattern must contain {client_id}: the tag is how a client's room is found again"
            )
        return v

    @field_validator("default_manager_email")
    @classmethod
    def _manager_email(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        from email_validator import EmailNotValidError, validate_email  # ~30 ms: only when one is set

        try:
            return validate_email(v.strip(), check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise ValueError(f"default manager e-mail {v!r} is not valid: {exc}") from None

    @field_validator("known_members")
    @classmethod
    def _known_members_ok(cls, v: list[str]) -> list[str]:
        out: list[str] = []
        bad: list[str] = []
        for entry in v:
            e = entry.strip().casefold()
            if not e:
                continue
            local, at, domain = e.rpartition("@")
            odd = not e.isprintable() or any(ch.isspace() or ch in _NOT_IN_ADDRESSES for ch in e)
            if not at or "@" in local or odd or not _DOMAIN.fullmatch(domain) or len(e) > 254:
                bad.append(repr(entry.strip()))
            out.append(e)
        if bad:  # every one named at once: a pasted list is fixed in one go
            raise ValueError(
                f"known member{'s' if len(bad) > 1 else ''} {', '.join(bad)} "
                f"{'are' if len(bad) > 1 else 'is'} neither an e-mail address nor @domain "
                "(e.g. anna@example.com or @example.com)"
            )
        return list(dict.fromkeys(out))

    def is_known_member(self, email: str) -> bool:
        """True when ``known_members`` names this address or its domain."""
        e = email.strip().casefold()
        return bool(e) and (e in self.known_members or "@" + e.rpartition("@")[2] in self.known_members)

    @field_validator("folders")
    @classmethod
    def _folders_ok(cls, v: list[str]) -> list[str]:
        cleaned = [f.strip() for f in v if f.strip()]
        if len({f.casefold() for f in cleaned}) != len(cleaned):
            raise ValueError("folder names must be different from each other")
        for f in cleaned:
            if len(f) > MAX_ITEM_TITLE_LENGTH:
                raise ValueError(
                    f"folder name {f[:30]!r}... is longer than {MAX_ITEM_TITLE_LENGTH} characters"
                )
        return cleaned

    @model_validator(mode="after")
    def _portal_rules(self) -> Blueprint:
        rt = self.room_type
        allowed = self.member_roles(rt)
        guests = self.guest_roles(rt)
        if self.manager_role not in allowed:
            raise ValueError(
                f"manager role {self.manager_role.label} ({int(self.manager_role)}) is not available in a "
                f"{rt.label}; choose one of {_labels(allowed)}"
            )
        if self.manager_fallback == "role" and self.manager_fallback_role not in guests:
            raise ValueError(
                f"fallback role {self.manager_fallback_role.label} is not available to a plain user in a "
                f"{rt.label}; choose one of {_labels(guests)}"
            )
        clients = self.client_roles(rt)
        if self.invite_client and self.client_role not in clients:
            raise ValueError(
                f"client role {self.client_role.label} ({int(self.client_role)}) is not available to a guest in a "
                f"{rt.label}; choose one of {_labels(clients)}"
            )
        if self.link.enabled:
            roles = self.link_roles
            if self.link.access not in roles:
                raise ValueError(
                    f"link access {self.link.access.label} ({int(self.link.access)}) is not available for the "
                    f"{self.link_kind} link of a {rt.label}; choose one of {_labels(roles)}"
                )
            if self.link_kind == "invitation" and self.link.password:
                raise ValueError("an invitation link cannot have a password (only external links can)")
            if self.uses_primary_link and self.link.expires_in_days:
                raise ValueError(
                    f"the client link of a {rt.label} is the room's primary link, whose expiry the portal "
                    "ignores; leave the expiry empty"
                )
            if self.link_kind == "external" and self.link.max_use_count:
                raise ValueError("external links have no maximum number of uses (only invitation links do)")
        known = {f.casefold(): f for f in self.folders}
        for t in self.templates:
            if t.folder and t.folder.casefold() not in known:
                raise ValueError(
                    f"template {t.source!r} goes to folder {t.folder!r}, which is not in the folder list"
                )
            if t.folder and t.folder != known[t.folder.casefold()]:
                # the folder list's spelling is what the room gets; look copies up under it
                t.folder = known[t.folder.casefold()]
        return self

    @model_validator(mode="after")
    def _segments_valid(self) -> Blueprint:
        self._segment_blueprints = build_segments(self)
        return self

    def for_segment(self, name: str) -> Blueprint:
        """The blueprint of a segment (``""``: this, the default one)."""
        return self._segment_blueprints[name] if name else self

    def choose(self, extra: dict[str, str] | None) -> tuple[str, Blueprint]:
        """(segment name, its blueprint) for a row's columns; raises UnknownSegment for a bad cell."""
        if self.segments is None:
            return "", self
        name = self.segments.name_for(self.segments.cell(extra) or "")
        return name, self.for_segment(name)

    # The portal's rules per room type, asked by the validator above and by the editor (which
    # offers only what these allow), so no screen keeps a copy of them.

    @staticmethod
    def member_roles(room_type: RoomType) -> frozenset[FileShare]:
        """Roles a portal user may hold in a room of this type (the account manager's choices)."""
        return USER_ROLES[room_type]

    @staticmethod
    def guest_roles(room_type: RoomType) -> frozenset[FileShare]:
        """Roles for anyone who is not a room admin (the client, the manager's fallback)."""
        return USER_ROLES[room_type] - {FileShare.ROOM_MANAGER}

    @staticmethod
    def client_roles(room_type: RoomType) -> frozenset[FileShare]:
        """Roles the client (invited by e-mail, so a guest unless already a user) may get here."""
        return Blueprint.guest_roles(room_type) - GUEST_REFUSED_ROLES.get(room_type, frozenset())

    @staticmethod
    def link_type_for(room_type: RoomType) -> LinkType:
        """Invitation link where external links are impossible, external link elsewhere."""
        return LinkType.EXTERNAL if room_type in EXTERNAL_LINK_ROLES else LinkType.INVITATION

    @staticmethod
    def link_kind_for(room_type: RoomType) -> str:
        return "external" if Blueprint.link_type_for(room_type) == LinkType.EXTERNAL else "invitation"

    @staticmethod
    def link_roles_for(room_type: RoomType) -> frozenset[FileShare]:
        external = Blueprint.link_type_for(room_type) == LinkType.EXTERNAL
        return (EXTERNAL_LINK_ROLES if external else INVITATION_LINK_ROLES)[room_type]

    @staticmethod
    def primary_link_only(room_type: RoomType) -> bool:
        """True where the room may hold no external link but its primary one (Form filling rooms):
        the client's link is then the primary link, updated to the blueprint's settings."""
        external = Blueprint.link_type_for(room_type) == LinkType.EXTERNAL
        return external and ADDITIONAL_EXTERNAL_LINKS.get(room_type, 0) == 0

    @property
    def uses_primary_link(self) -> bool:
        return self.primary_link_only(self.room_type)

    @property
    def link_type(self) -> LinkType:
        return self.link_type_for(self.room_type)

    @property
    def link_kind(self) -> str:
        return self.link_kind_for(self.room_type)

    @property
    def link_roles(self) -> frozenset[FileShare]:
        return self.link_roles_for(self.room_type)

    def ingest_settings(self) -> IngestSettings:
        """Upload validation that follows the blueprint: its patterns, and whether e-mail is needed."""
        return IngestSettings(
            title_pattern=self.title_pattern, tag_pattern=self.tag_pattern, email_required=self.invite_client
        )

    def unknown_placeholders(self, columns: Collection[str] = ()) -> list[str]:
        """Placeholders of the title and tag patterns that are neither client fields nor among
        ``columns`` (the headers of the file at hand): every row of a file without such a column
        is refused, so an editor says so when ``{nme}`` is typed, not when every row fails."""
        known = {*PLACEHOLDERS, *columns}
        names = [*pattern_fields(self.title_pattern), *pattern_fields(self.tag_pattern)]
        return [name for name in dict.fromkeys(names) if name not in known]

    def render(self, pattern: str, fields: dict[str, str]) -> str:
        """Fill a pattern with a client's fields; raises PatternError for a field the row lacks."""
        return render_pattern(pattern, fields).strip()

    # -- TOML -------------------------------------------------------------------------------------

    def to_toml(self) -> str:
        data = self.model_dump(mode="json", exclude_none=True)
        return tomli_w.dumps(data)

    @classmethod
    def from_toml(cls, text: str, *, source: str = "blueprint") -> Blueprint:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: not valid TOML ({exc})") from None
        except RecursionError:  # tomllib recurses once per nesting level
            raise ConfigError(f"{source}: arrays or tables are nested too deeply to be a blueprint") from None
        return cls.from_dict(data, source=source)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "blueprint") -> Blueprint:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(f"{source}: {describe_validation(exc)}") from None

    @classmethod
    def load(cls, path: str | Path) -> Blueprint:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read blueprint {p}: {exc.strerror}") from None
        return cls.from_toml(text, source=str(p))

    def save(self, path: str | Path) -> None:
        files.replace_private(path, self.to_toml().encode("utf-8"), what="blueprint")


def describe_validation(exc: ValidationError) -> str:
    """A short, human message for a pydantic error: field path and reason, one per line."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = "unknown setting (misspelt?)"
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def _labels(roles: frozenset[FileShare]) -> str:
    return ", ".join(f"{r.label} ({int(r)})" for r in sorted(roles))
