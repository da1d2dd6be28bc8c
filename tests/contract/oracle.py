"""Contract oracle: the official docspace_api_sdk models, loaded fast and checked strictly.

Why: ``from_dict`` alone checks types, enums and formats but silently ignores unknown or
misspelt keys and accepts missing optional fields. :func:`check` adds a recursive key check
against each model's field aliases, so a response (or request) with a key the SDK does not
know fails with the JSON path of that key.

Fast loading: ``docspace_api_sdk/__init__`` imports all ~800 modules (about 5 s). Stub package
modules are put in ``sys.modules`` so only the model modules we name (and their imports) load.

Narrow, documented exceptions where the SDK models the wire format differently from the server:

* ``ApiDateTime`` — the SDK models an object ``{utcTime, timeZoneOffset}``; the server reads and
  writes strings like ``2026-03-01T10:15:30.0000000Z`` (docspace-api.md §13.12). Fields typed
  ``ApiDateTime`` must be such a string (or null) and are not passed to ``from_dict``.
* ``total`` in the envelope — the server adds it for paged lists (§1); the SDK wrappers lack it.
  Allowed only at the top level of a ``*Wrapper`` and must be an int.
* ``FileEntryBaseDto`` lists (``files``/``folders``, copy-as result) — the server sends full
  ``FolderDto``/``FileDto`` objects; each item is checked against the subclass picked by
  ``fileEntryType`` (1 folder, 2 file).
* ``FileShareDto.sharedTo`` is ``Any`` in the SDK — it must be an exact copy of ``sharedToUser``,
  ``sharedToGroup`` or ``sharedLink``, as the server duplicates it.
* Error bodies (``ErrorApiResponse``) and model-validation 400s (``ValidationProblemDetails`` in
  the success envelope) have no SDK model; local strict models below follow dossier §1.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import types
import typing
import warnings
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = [
    "ENDPOINTS",
    "ContractError",
    "Endpoint",
    "check",
    "check_error",
    "check_exchange",
    "check_validation_error",
    "endpoint_for",
    "model",
]

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$")


class ContractError(AssertionError):
    """A payload does not match the SDK model; ``problems`` holds one line per JSON path."""

    def __init__(self, what: str, problems: list[str]) -> None:
        super().__init__(f"{what}:\n  " + "\n  ".join(problems))
        self.problems = problems


# ---------------------------------------------------------------------- fast loader


def _install_stub_packages() -> None:
    if "docspace_api_sdk.models" in sys.modules:
        return
    spec = importlib.util.find_spec("docspace_api_sdk")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("docspace_api_sdk is not installed")
    root = next(iter(spec.submodule_search_locations))
    for name, path in (("docspace_api_sdk", root), ("docspace_api_sdk.models", f"{root}/models")):
        if name not in sys.modules:
            stub = types.ModuleType(name)
            stub.__path__ = [path]
            sys.modules[name] = stub


_CACHE: dict[str, type[BaseModel]] = {}


def _module_name(class_name: str) -> str:
    """``FolderContentIntegerWrapper`` → ``folder_content_integer_wrapper``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


def model(class_name: str) -> type[BaseModel]:
    """The SDK model class called ``class_name``, loading only its module tree."""
    if class_name in _CACHE:
        return _CACHE[class_name]
    _install_stub_packages()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message='Field name "copy"')
        module = importlib.import_module(f"docspace_api_sdk.models.{_module_name(class_name)}")
    cls = getattr(module, class_name)
    _CACHE[class_name] = cls
    return cls


# ---------------------------------------------------------------------- local models (no SDK equivalent)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Link(_Strict):
    href: str
    action: str


class _ErrorDetail(_Strict):
    message: str
    type: str | None
    stack: str | None
    hresult: int


class ErrorApiResponse(_Strict):
    """``{"error": {...}, "status": 1, "statusCode": N}``."""

    error: _ErrorDetail
    status: typing.Literal[1]
    statusCode: int


class _Problem(_Strict):
    type: str
    title: str
    status: int
    errors: dict[str, list[str]] | None = None
    traceId: str


class ValidationEnvelope(_Strict):
    """Model-validation failure: problem details under ``response`` of the success envelope."""

    response: _Problem
    count: int
    links: list[_Link]
    status: typing.Literal[1]
    statusCode: int


# ---------------------------------------------------------------------- strict walk

_POLYMORPHIC = {"FileEntryBaseDto": {1: "FolderDtoInteger", 2: "FileDtoInteger"}}


def _unwrap(annotation: Any) -> Any:
    """Strip ``Optional``/``Annotated``; keep list/dict/union structure."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _is_model(annotation: Any) -> bool:
    return (
        isinstance(annotation, type)
        and issubclass(annotation, BaseModel)
        and "actual_instance" not in annotation.model_fields
    )


class _Walker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def value(self, annotation: Any, data: Any, path: str) -> Any:
        """Check ``data`` against ``annotation``; return a copy safe to give ``from_dict``."""
        if data is None:
            return None
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and annotation.__name__ == "ApiDateTime":
            if not isinstance(data, str) or not DATE_RE.match(data):
                self.problems.append(f"{path}: expected an ApiDateTime string, got {data!r}")
            return None
        origin = typing.get_origin(annotation)
        if origin in (list, typing.List):  # noqa: UP006 - SDK uses typing.List
            if not isinstance(data, list):
                return data  # from_dict reports the type error
            (item_type,) = typing.get_args(annotation) or (Any,)
            return [self.value(item_type, item, f"{path}[{i}]") for i, item in enumerate(data)]
        if origin in (dict, typing.Dict):  # noqa: UP006
            if not isinstance(data, dict):
                return data
            value_type = typing.get_args(annotation)[1] if typing.get_args(annotation) else Any
            return {k: self.value(value_type, v, f"{path}.{k}") for k, v in data.items()}
        if _is_model(annotation):
            return self.model(annotation, data, path)
        return data

    def model(self, cls: type[BaseModel], data: Any, path: str) -> Any:
        if not isinstance(data, dict):
            return data
        poly = _POLYMORPHIC.get(cls.__name__)
        if poly is not None:
            sub_name = poly.get(data.get("fileEntryType"))  # type: ignore[arg-type]
            if sub_name is None:
                self.problems.append(f"{path}.fileEntryType: expected 1 (folder) or 2 (file)")
                return data
            sub = model(sub_name)
            adapted = self.model(sub, data, path)
            self._validate(sub, adapted, path)
            base_keys = {f.alias or n for n, f in cls.model_fields.items()}
            return {k: v for k, v in adapted.items() if k in base_keys}
        fields = {(f.alias or name): f for name, f in cls.model_fields.items()}
        out: dict[str, Any] = {}
        for key, item in data.items():
            field = fields.get(key)
            if field is None:
                if key == "total" and path == "$" and cls.__name__.endswith("Wrapper"):
                    if not isinstance(item, int) or isinstance(item, bool):
                        self.problems.append(f"$.total: expected an int, got {item!r}")
                    continue
                near = [name for name in fields if name.lower() == key.lower()]
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                self.problems.append(f"{path}.{key}: unknown key for {cls.__name__}{hint}")
                continue
            out[key] = self.value(field.annotation, item, f"{path}.{key}")
        if cls.__name__ == "FileShareDto" and "sharedTo" in data:
            twins = [
                data.get(k)
                for k in ("sharedToUser", "sharedToGroup", "sharedLink")
                if data.get(k) is not None
            ]
            if data["sharedTo"] not in twins:
                self.problems.append(f"{path}.sharedTo: must duplicate sharedToUser/sharedToGroup/sharedLink")
        return out

    def _validate(self, cls: type[BaseModel], data: Any, path: str) -> None:
        try:
            cls.from_dict(data)  # type: ignore[attr-defined]
        except ValidationError as exc:
            self.problems.extend(_pydantic_problems(exc, path))


def _pydantic_problems(exc: ValidationError, path: str) -> list[str]:
    problems = []
    for err in exc.errors():
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        problems.append(f"{path}{loc}: {err['msg']} (got {err.get('input')!r})")
    return problems


def check(model_cls: type[BaseModel] | str, data: Any) -> BaseModel:
    """Parse ``data`` with the SDK model and verify every key is a known alias, recursively.

    Returns the parsed model; raises :class:`ContractError` listing each bad path.
    """
    cls = model(model_cls) if isinstance(model_cls, str) else model_cls
    walker = _Walker()
    adapted = walker.model(cls, data, "$") if isinstance(data, dict) else data
    parsed: BaseModel | None = None
    try:
        parsed = cls.from_dict(adapted)  # type: ignore[attr-defined]
    except ValidationError as exc:
        walker.problems.extend(_pydantic_problems(exc, "$"))
    except (TypeError, ValueError) as exc:  # oneOf helpers raise ValueError
        walker.problems.append(f"$: {exc}")
    if walker.problems:
        raise ContractError(f"{cls.__name__} contract violated", walker.problems)
    assert parsed is not None
    return parsed


def check_error(data: Any) -> ErrorApiResponse:
    """An ``ErrorApiResponse`` body (``error`` object, ``status`` 1)."""
    try:
        return ErrorApiResponse.model_validate(data)
    except ValidationError as exc:
        raise ContractError("ErrorApiResponse contract violated", _pydantic_problems(exc, "$")) from None


def check_validation_error(data: Any) -> ValidationEnvelope:
    """A model-validation 400 (or 415) body."""
    try:
        return ValidationEnvelope.model_validate(data)
    except ValidationError as exc:
        raise ContractError("validation envelope contract violated", _pydantic_problems(exc, "$")) from None


# ---------------------------------------------------------------------- endpoint table


@dataclass(frozen=True)
class Endpoint:
    """SDK model names for one endpoint: request body (None = no body) and response wrapper."""

    request: str | None
    response: str


ENDPOINTS: dict[tuple[str, str], Endpoint] = {
    ("GET", "/api/2.0/people/@self"): Endpoint(None, "EmployeeFullWrapper"),
    ("GET", "/api/2.0/people/email"): Endpoint(None, "EmployeeFullWrapper"),
    ("GET", "/api/2.0/people/filter"): Endpoint(None, "EmployeeFullArrayWrapper"),
    ("GET", "/api/2.0/settings/invitationsettings"): Endpoint(None, "TenantUserInvitationSettingsWrapper"),
    ("GET", "/api/2.0/settings/security/password"): Endpoint(None, "PasswordSettingsWrapper"),
    ("POST", "/api/2.0/files/rooms"): Endpoint("CreateRoomRequestDto", "FolderIntegerWrapper"),
    ("GET", "/api/2.0/files/rooms"): Endpoint(None, "FolderContentIntegerWrapper"),
    ("GET", "/api/2.0/files/rooms/{id}"): Endpoint(None, "FolderIntegerWrapper"),
    ("DELETE", "/api/2.0/files/rooms/{id}"): Endpoint("DeleteRoomRequest", "FileOperationWrapper"),
    ("PUT", "/api/2.0/files/rooms/{id}/archive"): Endpoint("ArchiveRoomRequest", "FileOperationWrapper"),
    ("PUT", "/api/2.0/files/rooms/{id}/unarchive"): Endpoint("ArchiveRoomRequest", "FileOperationWrapper"),
    ("PUT", "/api/2.0/files/rooms/{id}/share"): Endpoint("RoomInvitationRequest", "RoomSecurityWrapper"),
    ("GET", "/api/2.0/files/rooms/{id}/share"): Endpoint(None, "FileShareArrayWrapper"),
    ("PUT", "/api/2.0/files/rooms/{id}/links"): Endpoint("RoomLinkRequest", "FileShareWrapper"),
    ("GET", "/api/2.0/files/rooms/{id}/links"): Endpoint(None, "FileShareArrayWrapper"),
    ("GET", "/api/2.0/files/rooms/{id}/link"): Endpoint(None, "FileShareWrapper"),
    ("PUT", "/api/2.0/files/rooms/{id}/tags"): Endpoint("BatchTagsRequestDto", "FolderIntegerWrapper"),
    ("GET", "/api/2.0/files/fileops"): Endpoint(None, "FileOperationArrayWrapper"),
    ("GET", "/api/2.0/files/@my"): Endpoint(None, "FolderContentIntegerWrapper"),
    ("POST", "/api/2.0/files/folder/{folderId}"): Endpoint("CreateFolder", "FolderIntegerWrapper"),
    ("POST", "/api/2.0/files/file/{fileId}/copyas"): Endpoint("CopyAsJsonElement", "FileEntryBaseWrapper"),
    ("GET", "/api/2.0/files/file/{fileId}"): Endpoint(None, "FileIntegerWrapper"),
    ("GET", "/api/2.0/files/{folderId}"): Endpoint(None, "FolderContentIntegerWrapper"),
    ("PUT", "/api/2.0/files/rooms/{id}"): Endpoint("UpdateRoomRequest", "FolderIntegerWrapper"),
    ("GET", "/api/2.0/files/folder/{folderId}"): Endpoint(None, "FolderIntegerWrapper"),
    ("PUT", "/api/2.0/files/folder/{folderId}"): Endpoint("CreateFolder", "FolderIntegerWrapper"),
    ("DELETE", "/api/2.0/files/folder/{folderId}"): Endpoint("DeleteFolder", "FileOperationArrayWrapper"),
    ("DELETE", "/api/2.0/files/file/{fileId}"): Endpoint("Delete", "FileOperationArrayWrapper"),
    ("PUT", "/api/2.0/files/fileops/copy"): Endpoint("BatchRequestDto", "FileOperationArrayWrapper"),
    ("PUT", "/api/2.0/files/fileops/move"): Endpoint("BatchRequestDto", "FileOperationArrayWrapper"),
    ("PUT", "/api/2.0/files/fileops/terminate"): Endpoint(None, "FileOperationArrayWrapper"),
    ("PUT", "/api/2.0/files/fileops/terminate/{id}"): Endpoint(None, "FileOperationArrayWrapper"),
    ("POST", "/api/2.0/files/rooms/fromTemplate"): Endpoint(
        "CreateRoomFromTemplateDto", "RoomFromTemplateStatusWrapper"
    ),
    ("GET", "/api/2.0/files/rooms/fromTemplate/status"): Endpoint(None, "RoomFromTemplateStatusWrapper"),
    ("POST", "/api/2.0/files/roomtemplate"): Endpoint("RoomTemplateDto", "RoomTemplateStatusWrapper"),
    ("GET", "/api/2.0/files/roomtemplate/status"): Endpoint(None, "RoomTemplateStatusWrapper"),
}

_COMPILED = [
    (method, re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(pattern)) + "$"), ep)
    for (method, pattern), ep in ENDPOINTS.items()
]


def endpoint_for(method: str, path: str) -> Endpoint:
    """The table entry for a concrete request path (query string ignored; literal routes win)."""
    bare = path.split("?", 1)[0]
    if "://" in bare:
        bare = "/" + bare.split("://", 1)[1].split("/", 1)[1]
    for m, regex, ep in _COMPILED:
        if m == method.upper() and regex.match(bare):
            return ep
    raise KeyError(f"no contract for {method} {bare}")


def check_exchange(
    method: str, path: str, request_body: Any, response_body: Any, status: int | None = None
) -> None:
    """Check one request/response pair against the table: the request body with the request
    model, the response with the wrapper (or the error/validation shapes when it failed).

    ``response_body`` None means an empty body, which is only legal for 401/402/403/404/405/429
    short-circuits (pass ``status`` to have that checked too).
    """
    ep = endpoint_for(method, path)
    if request_body is not None:
        if ep.request is None:
            raise ContractError(f"{method} {path}", ["$: this endpoint takes no request body"])
        check(ep.request, request_body)
    if response_body is None:
        if status is not None and status not in (401, 402, 403, 404, 405, 429):
            raise ContractError(f"{method} {path}", [f"$: empty body with status {status}"])
        return
    if not isinstance(response_body, dict):
        raise ContractError(
            f"{method} {path}", [f"$: expected a JSON object, got {type(response_body).__name__}"]
        )
    if "error" in response_body and "response" not in response_body:
        check_error(response_body)
        return
    if response_body.get("status") == 1:
        check_validation_error(response_body)
        return
    if response_body.get("status") != 0 or response_body.get("statusCode") != 200:
        raise ContractError(f"{method} {path}", ["$.status/$.statusCode: success must be 0/200"])
    check(ep.response, response_body)
