"""Package names loaded on first use (PEP 562), so importing one submodule stays cheap.

A package lists where each public name lives and sets ``__getattr__ = lazy_names(...)``; type
checkers read the same names from an ``if TYPE_CHECKING:`` import block beside it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any


def lazy_names(
    package: str,
    where: Mapping[str, str],
    namespace: MutableMapping[str, Any],
    renamed: Mapping[str, str] | None = None,
) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``where[name]`` and caches the value in ``namespace``.

    ``renamed`` maps a public name to the name it has in its module; a name whose module is
    ``<package>.<name>`` is that submodule itself.
    """

    def load(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        loaded = importlib.import_module(module)
        value = loaded if module == f"{package}.{name}" else getattr(loaded, (renamed or {}).get(name, name))
        namespace[name] = value
        return value

    return load
