"""Bounds for number inputs, read from the product's pydantic field constraints (never copied)."""

from __future__ import annotations

import annotated_types
from pydantic import BaseModel


def field_bounds(model: type[BaseModel], name: str) -> tuple[int | None, int | None]:
    """``(low, high)`` of an integer field from its ``ge``/``gt``/``le``/``lt`` (None: unbounded)."""
    low: int | None = None
    high: int | None = None
    for rule in model.model_fields[name].metadata:
        if isinstance(rule, annotated_types.Ge):
            low = int(rule.ge)  # type: ignore[call-overload]
        elif isinstance(rule, annotated_types.Gt):
            low = int(rule.gt) + 1  # type: ignore[call-overload]
        elif isinstance(rule, annotated_types.Le):
            high = int(rule.le)  # type: ignore[call-overload]
        elif isinstance(rule, annotated_types.Lt):
            high = int(rule.lt) - 1  # type: ignore[call-overload]
    return low, high
