"""The package's public surface stays small and explicit."""

from __future__ import annotations

import onboarding.ingest as ingest


def test_all_names_exist() -> None:
    """Every name in __all__ is importable."""
    assert all(hasattr(ingest, name) for name in ingest.__all__)


def test_all_is_sorted_and_unique() -> None:
    """__all__ has no duplicates."""
    assert len(set(ingest.__all__)) == len(ingest.__all__)


def test_errors_share_one_base() -> None:
    """Every exported error derives from IngestError and has its own code."""
    errors = [getattr(ingest, n) for n in ingest.__all__ if n.endswith("Error") and n != "IngestError"]
    assert all(issubclass(e, ingest.IngestError) for e in errors)
    assert len({e.code for e in errors}) == len(errors)


def test_public_functions_are_functions_whatever_was_imported_first() -> None:
    """``onboarding.ingest.validate``/``read_table``/``load_clients`` are the functions even after every submodule loaded."""
    import importlib
    import inspect

    import onboarding.ingest as ingest

    for module in ("validation", "reader", "models", "cells", "workbook"):
        importlib.import_module(f"onboarding.ingest.{module}")
    for name in ("validate", "read_table", "load_clients", "auto_map"):
        assert inspect.isfunction(getattr(ingest, name)), name
