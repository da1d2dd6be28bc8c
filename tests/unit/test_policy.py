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


def _onboarding_imports(path: Path) -> list[tuple[str, str]]:
    """``(module, name)`` for every import of the product in one file (``name`` empty for ``import x``)."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, "") for a in node.names if a.name.split(".")[0] == "onboarding"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "onboarding":
            found += [(str(node.module), a.name) for a in node.names]
    return found


def test_pages_and_ui_use_only_the_packages_public_names() -> None:
    """Pages and ui/ import ``from onboarding import <public name>``, never a submodule's internals."""
    import onboarding

    public = set(onboarding.__all__)
    files = [*(ROOT / "pages").rglob("*.py"), *(ROOT / "ui").rglob("*.py"), ROOT / "streamlit_app.py"]
    offenders = [
        f"{path.relative_to(ROOT)}: {module} {name}".strip()
        for path in files
        for module, name in _onboarding_imports(path)
        if module != "onboarding" or name not in public
    ]
    assert offenders == []


def test_the_policy_sees_an_internal_import() -> None:
    """The import check above would catch ``from onboarding.workflow.journal import Journal``."""
    probe = ROOT / "tests" / "unit" / "_policy_probe.py"
    try:
        probe.write_text("from onboarding.workflow.journal import Journal\nimport onboarding.docspace\n")
        assert _onboarding_imports(probe) == [
            ("onboarding.workflow.journal", "Journal"),
            ("onboarding.docspace", ""),
        ]
    finally:
        probe.unlink()


def test_public_names_are_sorted_and_all_resolve() -> None:
    """``onboarding.__all__`` is sorted (ruff's order) and each name loads from its module."""
    import onboarding

    names = onboarding.__all__
    assert len(set(names)) == len(names)

    def kind(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)

    assert names == sorted(names, key=kind)
    for name in names:
        assert getattr(onboarding, name) is not None, name


def test_private_modules_are_imported_only_inside_their_package() -> None:
    """``onboarding.docspace._transport`` and the like are reached only from their own package."""
    offenders = []
    for path in (ROOT / "onboarding").rglob("*.py"):
        package = ".".join(path.relative_to(ROOT).parts[:-1])
        for module, _name in _onboarding_imports(path):
            parts = module.split(".")
            private = next((i for i, p in enumerate(parts) if p.startswith("_")), None)
            if private is not None and ".".join(parts[:private]) != package:
                offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert offenders == []


def test_test_module_names_are_unique() -> None:
    """pytest imports test modules by basename (no packages under tests/): two equal names break collection."""
    seen: dict[str, list[str]] = {}
    for path in (ROOT / "tests").rglob("test_*.py"):
        seen.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    assert {name: paths for name, paths in seen.items() if len(paths) > 1} == {}
