"""Request binding that fails the way ASP.NET does: JSON bodies (System.Text.Json with web
defaults: case-insensitive names, numbers readable from strings) and query strings.

Type errors stop at the first bad value (the deserializer throws); attribute checks such as
``[StringLength]`` and ``[Range]`` run afterwards and are all reported together.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from . import rules as r
from .errors import ValidationFailed

_JSON_TYPES = ("application/json", "text/json")


def _convert_error(dotnet_type: str, path: str) -> ValidationFailed:
    return ValidationFailed(
        {
            path: [
                f"The JSON value could not be converted to {dotnet_type}. Path: {path} | "
                "LineNumber: 0 | BytePositionInLine: 0."
            ]
        }
    )


class Body:
    """A JSON object body with the accessors the request DTOs need."""

    def __init__(self, data: dict[str, Any], dto: str) -> None:
        self._data = {k.casefold(): (k, v) for k, v in data.items()}
        self.dto = dto
        self.attribute_errors: dict[str, list[str]] = {}

    @classmethod
    def parse(cls, raw: bytes, content_type: str | None, dto: str) -> Body:
        """Parse a ``[FromBody]`` payload: 415 without a JSON content type, 400 when empty or broken."""
        media = (content_type or "").split(";", 1)[0].strip().lower()
        if media not in _JSON_TYPES and not media.endswith("+json"):
            raise ValidationFailed({}, status=415, title="Unsupported Media Type", rfc_section="15.5.16")
        if not raw.strip():
            raise ValidationFailed({"": ["A non-empty request body is required."]})
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValidationFailed(
                {
                    "$": [
                        f"'{exc}' is an invalid JSON literal. Path: $ | LineNumber: 0 | BytePositionInLine: 0."
                    ]
                }
            ) from exc
        if not isinstance(data, dict):
            raise _convert_error(dto, "$")
        return cls(data, dto)

    def require(self, *names: str) -> None:
        """C# ``required`` members: missing ones make the deserializer throw."""
        missing = [n for n in names if n.casefold() not in self._data]
        if missing:
            listed = ", ".join(f"'{n}'" for n in missing)
            raise ValidationFailed(
                {
                    "$": [
                        f"JSON deserialization for type '{self.dto}' was missing required properties including: {listed}."
                    ]
                }
            )

    def has(self, name: str) -> bool:
        """Whether the key was sent (any casing)."""
        return name.casefold() in self._data

    def raw(self, name: str) -> Any:
        """The value as sent, or None."""
        item = self._data.get(name.casefold())
        return item[1] if item else None

    def string(self, name: str, *, max_len: int | None = None) -> str | None:
        """A string (or null); ``max_len`` counts UTF-16 units like ``[StringLength]``."""
        value = self.raw(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise _convert_error("System.String", f"$.{name}")
        if max_len is not None and r.utf16_len(value) > max_len:
            prop = name[0].upper() + name[1:]
            self.attribute_errors.setdefault(prop, []).append(
                f"The field {prop} must be a string with a maximum length of {max_len}."
            )
        return value

    def integer(self, name: str) -> int | None:
        """An int; numeric strings are accepted (``AllowReadingFromString``)."""
        value = self.raw(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _convert_error("System.Int32", f"$.{name}")
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise _convert_error("System.Int32", f"$.{name}") from None
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        """A JSON ``true``/``false`` (strings are not read as booleans)."""
        value = self.raw(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise _convert_error("System.Boolean", f"$.{name}")
        return value

    def guid(self, name: str) -> str | None:
        """A GUID string; the empty GUID reads as absent."""
        value = self.raw(name)
        if value is None:
            return None
        return parse_guid(value, f"$.{name}")

    def strings(self, name: str) -> list[str] | None:
        """A JSON array of strings (or null)."""
        value = self.raw(name)
        if value is None:
            return None
        if not isinstance(value, list):
            raise _convert_error("System.Collections.Generic.IEnumerable`1[System.String]", f"$.{name}")
        for i, item in enumerate(value):
            if item is not None and not isinstance(item, str):
                raise _convert_error("System.String", f"$.{name}[{i}]")
        return [str(item) if item is not None else "" for item in value]

    def date(self, name: str) -> datetime | None:
        """An ``ApiDateTime`` string; null or absent means "no date"."""
        value = self.raw(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise _convert_error("ASC.Api.Core.ApiDateTime", f"$.{name}")
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _convert_error("ASC.Api.Core.ApiDateTime", f"$.{name}") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def check_range(self, name: str, value: int | None, low: int, high: int) -> None:
        """``[Range(low, high)]``."""
        if value is not None and not low <= value <= high:
            prop = name[0].upper() + name[1:]
            self.attribute_errors.setdefault(prop, []).append(
                f"The field {prop} must be between {low} and {high}."
            )

    def validate(self) -> None:
        """Raise the collected attribute errors, if any."""
        if self.attribute_errors:
            raise ValidationFailed(self.attribute_errors)


def parse_guid(value: Any, path: str) -> str | None:
    """``System.Guid`` from JSON: a string in one of the .NET formats."""
    if not isinstance(value, str):
        raise _convert_error("System.Guid", path)
    try:
        parsed = uuid.UUID(value.strip().strip("{}()"))
    except ValueError:
        raise _convert_error("System.Guid", path) from None
    return None if parsed.int == 0 else str(parsed)


def file_share(value: Any) -> int:
    """``FileShareConverter``: integers as-is, known names (or numeric strings), else 0 = None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value in r.FILE_SHARE_NAMES:
            return r.FILE_SHARE_NAMES[value]
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
    return r.NONE


def room_type(value: Any) -> int:
    """``JsonStringEnumConverter<RoomType>``: an integer or a (case-insensitive) name."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
        for name, number in r.ROOM_TYPES.items():
            if name.casefold() == text.casefold():
                return number
    raise _convert_error("ASC.Files.Core.ApiModels.RequestDto.RoomType", "$.roomType")


class Query:
    """Query-string binding: case-insensitive names, repeatable values, ASP.NET error texts."""

    def __init__(self, params: dict[str, list[str]]) -> None:
        self._params: dict[str, list[str]] = {}
        for key, values in params.items():
            self._params.setdefault(key.casefold(), []).extend(values)
        self.errors: dict[str, list[str]] = {}

    def all(self, name: str) -> list[str]:
        """Every value given for ``name``."""
        return self._params.get(name.casefold(), [])

    def text(self, name: str) -> str | None:
        """First value, or None when absent or empty."""
        values = self.all(name)
        return values[0] if values and values[0] != "" else None

    def integer(self, name: str, default: int, *, low: int | None = None, high: int | None = None) -> int:
        """An int with an optional ``[Range]``."""
        raw = self.text(name)
        if raw is None:
            return default
        prop = name[0].upper() + name[1:]
        try:
            value = int(raw.strip())
        except ValueError:
            self.errors.setdefault(name, []).append(f"The value '{raw}' is not valid for {prop}.")
            return default
        if low is not None and high is not None and not low <= value <= high:
            self.errors.setdefault(name, []).append(f"The field {prop} must be between {low} and {high}.")
        return value

    def enum(self, name: str, names: dict[str, int]) -> int | None:
        """One enum value by number or (case-insensitive) name; undefined values are invalid."""
        raw = self.text(name)
        return None if raw is None else self._enum_value(name, raw, names)

    def enums(self, name: str, names: dict[str, int]) -> list[int]:
        """A repeatable enum parameter."""
        out: list[int] = []
        for raw in self.all(name):
            if raw == "":
                continue
            value = self._enum_value(name, raw, names)
            if value is not None:
                out.append(value)
        return out

    def _enum_value(self, name: str, raw: str, names: dict[str, int]) -> int | None:
        text = raw.strip()
        if text.lstrip("-").isdigit() and int(text) in names.values():
            return int(text)
        for key, number in names.items():
            if key.casefold() == text.casefold():
                return number
        self.errors.setdefault(name, []).append(
            f"The value '{raw}' is not valid for {name[0].upper() + name[1:]}."
        )
        return None

    def validate(self) -> None:
        """Raise collected binding/validation errors as a 400."""
        if self.errors:
            raise ValidationFailed(self.errors)


SEARCH_AREAS = {"Active": 0, "Archive": 1, "Any": 2, "RecentByLinks": 3, "Templates": 4}
EMPLOYEE_TYPES = {"All": 0, "RoomAdmin": 1, "Guest": 2, "DocSpaceAdmin": 3, "User": 4}
LINK_TYPES = {"Invitation": 0, "External": 1}
