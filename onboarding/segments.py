"""Per-segment blueprints: a column of the client list chooses, row by row, the blueprint a client gets.

The blueprint file's top level is the *default* blueprint. Its ``[segments]`` table names the column
and holds one table per segment, each overriding fields of the default: tables (``link``) merge key
by key, everything else (``folders``, ``templates``) replaces. For example::

    [segments]
    column = "Segment"

    [segments.Enterprise]
    room_type = "virtual_data"
    link = { expires_in_days = 30 }

    [segments.SMB]            # no overrides: the default, named so that the column may say it

A row whose cell is empty gets the default; a value that names no segment is that row's error (the
other rows go on). Each segment is checked against the portal's rules like any blueprint, so a
segment the server would refuse cannot be saved; and no segment may change the tag pattern, because
the tag is how a client's room is found again whatever blueprint made it.

This module never imports :mod:`onboarding.blueprint` at run time (the blueprint imports it): it
builds a segment's blueprint with the default's own class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

if TYPE_CHECKING:
    from onboarding.blueprint import Blueprint

DEFAULT = "default"
"""How the default blueprint is named on the plan (and what a cell may say to ask for it)."""

_FORBIDDEN = {"segments": "a segment cannot have segments of its own"}
_EXCLUSIVE = {"room_template": ("folders", "templates")}
"""Settings that exclude each other: the one a segment sets replaces what it inherits of the other."""


class UnknownSegment(ValueError):
    """A row's segment cell names no segment of the blueprint."""


class SegmentRules(BaseModel):
    """``[segments]``: the column that chooses, and each segment's overrides (its other keys)."""

    model_config = ConfigDict(extra="allow")

    column: str

    @field_validator("column")
    @classmethod
    def _column_named(cls, v: str) -> str:
        if not v.strip():
            raise ValueError(
                "segments.column names no column: give the header that holds each client's segment"
            )
        return v.strip()

    @model_validator(mode="after")
    def _tables(self) -> SegmentRules:
        seen: dict[str, str] = {}
        for name, table in (self.model_extra or {}).items():
            if not isinstance(table, dict):
                raise ValueError(
                    f"segment {name!r} must be a table of blueprint settings ([segments.{name}]), not a value"
                )
            key = name.strip().casefold()
            if not key or key == DEFAULT:
                raise ValueError(
                    f"{name!r} cannot name a segment: rows with an empty cell (or {DEFAULT!r}) get the default"
                )
            if key in seen:
                raise ValueError(f"segments {seen[key]!r} and {name!r} differ only in letter case")
            seen[key] = name
        return self

    @property
    def tables(self) -> dict[str, dict[str, Any]]:
        """Segment name -> its overrides of the default blueprint, as written."""
        return {name: dict(table) for name, table in (self.model_extra or {}).items()}

    @property
    def names(self) -> list[str]:
        return list(self.model_extra or {})

    def cell(self, extra: Mapping[str, str] | None) -> str | None:
        """The row's segment cell (header matched ignoring case and spaces); None without the column."""
        if not extra:
            return None
        if self.column in extra:
            return str(extra[self.column]).strip()
        wanted = _header_key(self.column)
        for header, value in extra.items():
            if _header_key(header) == wanted:
                return str(value).strip()
        return None

    def header_in(self, headers: list[str]) -> str | None:
        """The file's header for the segment column (matched ignoring case and spaces), if it has one."""
        if self.column in headers:
            return self.column
        wanted = _header_key(self.column)
        return next((h for h in headers if _header_key(h) == wanted), None)

    def name_for(self, value: str, *, column: str | None = None) -> str:
        """The segment a cell names (letter case ignored); ``""`` for the default; raises UnknownSegment.

        ``column`` is the header the cell is under when the file names the column otherwise.
        """
        key = value.strip().casefold()
        if not key or key == DEFAULT:
            return ""
        for name in self.names:
            if name.strip().casefold() == key:
                return name
        known = ", ".join(repr(n) for n in self.names) or "none"
        raise UnknownSegment(
            f"segment {value.strip()!r} in column {column or self.column!r} is not one of the blueprint's segments "
            f"({known}); correct the cell, add the segment in Settings, or leave the cell empty for the default"
        )


def _header_key(header: str) -> str:
    return "".join(header.split()).casefold()


def _merged(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``: tables merge key by key, any other value replaces."""
    out = dict(base)
    for key, value in over.items():
        current = out.get(key)
        out[key] = _merged(current, value) if isinstance(value, dict) and isinstance(current, dict) else value
    return out


def _inherited(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """The default's settings a segment inherits: all but those excluded by what the segment sets."""
    out = dict(base)
    for one, others in _EXCLUSIVE.items():
        if one in over:
            out.update({k: [] for k in others if k not in over and k in out})
        elif any(k in over for k in others) and one in out:
            out[one] = None
    return out


def build_segments(default: Blueprint) -> dict[str, Blueprint]:
    """Each segment's full blueprint (the default with its overrides), checked like any blueprint.

    Raises ValueError naming the segment and what is wrong (a role its room type does not allow,
    a link rule, a misspelt setting), so the blueprint as a whole is refused with that message.
    """
    from onboarding.blueprint import describe_validation

    rules = default.segments
    if rules is None:
        return {}
    base = default.model_dump(mode="json", exclude={"segments"})
    out: dict[str, Blueprint] = {}
    for name, over in rules.tables.items():
        for key, why in _FORBIDDEN.items():
            if key in over:
                raise ValueError(f"segment {name!r}: {why}")
        try:
            bp = type(default).model_validate(_merged(_inherited(base, over), over))
        except ValidationError as exc:
            raise ValueError(f"segment {name!r}: {describe_validation(exc)}") from None
        if bp.tag_pattern != default.tag_pattern:
            raise ValueError(
                f"segment {name!r} may not change the tag pattern: the tag is how a client's room is "
                "found again, whatever its segment"
            )
        out[name] = bp
    return out


def label(name: str) -> str:
    """A segment's name as the plan shows it (the default is named ``default``)."""
    return name or DEFAULT
