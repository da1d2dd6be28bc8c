"""Conventions that are tests: import boundaries between the product, the sandbox and the UI."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_onboarding_never_imports_the_sandbox() -> None:
    """The product reaches the sandbox portal only over HTTP, like any other portal."""
    offenders = [p for p, names in _imports("onboarding").items() if "docspace_sandbox" in names]
    assert offenders == []


def test_onboarding_never_imports_streamlit() -> None:
    """All logic is UI-free, so the CLI and the dashboard share it."""
    offenders = [p for p, names in _imports("onboarding").items() if "streamlit" in names]
    assert offenders == []


def test_sandbox_never_imports_the_product() -> None:
    """The sandbox is an independent stand-in for DocSpace, not a mirror of our models."""
    offenders = [p for p, names in _imports("docspace_sandbox").items() if "onboarding" in names]
    assert offenders == []
