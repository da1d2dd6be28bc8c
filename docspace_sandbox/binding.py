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
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


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

    def long(self, name: str) -> int | None:
        """A ``long?``: an integral JSON number (or numeric string) in Int64 range."""
        value = self.raw(name)
        if value is None:
            return None
        dotnet = "System.Nullable`1[System.Int64]"
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise _convert_error(dotnet, f"$.{name}") from None
        if isinstance(value, bool) or not isinstance(value, int) or not INT64_MIN <= value <= INT64_MAX:
            raise _convert_error(dotnet, f"$.{name}")
        return value

    def nullable_boolean(self, name: str) -> bool | None:
        """A ``bool?`` (JSON ``true``/``false``/null only)."""
        value = self.raw(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise _convert_error("System.Nullable`1[System.Boolean]", f"$.{name}")
        return value

    def obj(self, name: str, dotnet_type: str) -> dict[str, Any] | None:
        """A nested DTO: a JSON object (or null); any other kind fails deserialisation."""
        value = self.raw(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _convert_error(dotnet_type, f"$.{name}")
        return value

    def array(self, name: str, dotnet_type: str) -> list[Any] | None:
        """A JSON array (or null); any other kind fails deserialisation."""
        value = self.raw(name)
        if value is None:
            return None
        if not isinstance(value, list):
            raise _convert_error(dotnet_type, f"$.{name}")
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
        """An ``ApiDateTime`` string; null, absent or unparsable means "no date" (non-strings: 400)."""
        value = self.raw(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise _convert_error("ASC.Api.Core.ApiDateTime", f"$.{name}")
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            # ApiDateTimeConverter.Read (common/ASC.Api.Core/Core/ApiDateTime.cs): every TryParse
            # fails -> new ApiDateTime(), i.e. DateTime.MinValue, which the link code reads as "no expiry".
            return None
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


def email_address_errors(value: str | None, prop: str = "Email", max_len: int = 255) -> list[str]:
    """``[EmailAddress]`` then ``[MaxLength(max_len)]`` on a string property (null passes both).

    ``EmailAddressAttribute``: no CR/LF, exactly one '@', neither first nor last character.
    """
    if value is None:
        return []
    errors: list[str] = []
    at = value.find("@")
    if "\r" in value or "\n" in value or at <= 0 or at == len(value) - 1 or at != value.rfind("@"):
        errors.append(f"The {prop} field is not a valid e-mail address.")
    if r.utf16_len(value) > max_len:
        errors.append(
            f"The field {prop} must be a string or array type with a maximum length of '{max_len}'."
        )
    return errors


def parse_guid(value: Any, path: str) -> str | None:
    """``System.Guid`` from JSON: a string in one of the .NET formats."""
    if not isinstance(value, str):
        raise _convert_error("System.Guid", path)
    try:
        parsed = uuid.UUID(value.strip().strip("{}()"))
    except ValueError:
        raise _convert_error("System.Guid", path) from None
    return None if parsed.int == 0 else str(parsed)


def file_share(value: Any, path: str = "$.access") -> int:
    """``FileShareConverter``: Int32 numbers as-is, known names (or numeric strings), else 0 = None.

    The converter returns without consuming an object or array token, so System.Text.Json throws
    ("read too much or not enough") and the request fails model binding with a 400.
    """
    if isinstance(value, dict | list):
        raise ValidationFailed(
            {
                path: [
                    "The converter 'ASC.Files.Core.Security.FileShareConverter' read too much or not enough. "
                    f"Path: {path} | LineNumber: 0 | BytePositionInLine: 0."
                ]
            }
        )
    if isinstance(value, int) and not isinstance(value, bool):
        return value if INT32_MIN <= value <= INT32_MAX else r.NONE
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

    def flags(self, name: str, names: dict[str, int]) -> int | None:
        """A ``[Flags]`` enum: a number whose bits are all named members (0 only if a member is 0),
        or comma-separated names. ASP.NET rejects values ``Enum.ToString()`` renders as a number."""
        raw = self.text(name)
        if raw is None:
            return None
        text = raw.strip()
        bits = 0
        for number in names.values():
            bits |= number
        if text.lstrip("-").isdigit():
            value = int(text)
            if value >= 0 and value & ~bits == 0 and (value != 0 or 0 in names.values()):
                return value
        else:
            total = 0
            for part in text.split(","):
                found = next((v for k, v in names.items() if k.casefold() == part.strip().casefold()), None)
                if found is None:
                    break
                total |= found
            else:
                return total
        self.errors.setdefault(name, []).append(
            f"The value '{raw}' is not valid for {name[0].upper() + name[1:]}."
        )
        return None

    def boolean(self, name: str) -> bool | None:
        """A ``bool?`` (``true``/``false``, any casing); anything else is a binding error."""
        raw = self.text(name)
        if raw is None:
            return None
        text = raw.strip().casefold()
        if text in ("true", "false"):
            return text == "true"
        self.errors.setdefault(name, []).append(
            f"The value '{raw}' is not valid for {name[0].upper() + name[1:]}."
        )
        return None

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
AREAS = {"All": 0, "People": 1, "Guests": 2}
# [Flags] enums (Active | Pending = Default, all three = All; EmployeeActivationStatus has a 0 member).
EMPLOYEE_STATUSES = {"Active": 1, "Terminated": 2, "Pending": 4, "All": 7, "Default": 5}
ACTIVATION_STATUSES = {"NotActivated": 0, "Activated": 1, "Pending": 2, "AutoGenerated": 4}
SHARE_FILTER_TYPES = {
    "UserOrGroup": 0,
    "InvitationLink": 1,
    "ExternalLink": 2,
    "AdditionalExternalLink": 4,
    "PrimaryExternalLink": 8,
    "Link": 15,
    "User": 16,
    "Group": 32,
}
