"""The two primitives the client's endpoint mixins build on (``templates.py``, ``operations.py``)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from onboarding.docspace import _envelope

M = TypeVar("M", bound=BaseModel)


class CallsBase:
    """Declared for the type checker; :class:`~onboarding.docspace.client.DocSpaceClient` provides them."""

    def call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None
    ) -> _envelope.Envelope:
        raise NotImplementedError

    def _parse(self, model: type[M], data: Any, method: str, path: str) -> M:
        raise NotImplementedError
