"""Pause cyclic garbage collection while a sheet is read or checked."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block.

    Reading or checking 100,000 rows allocates a few hundred thousand containers, none in a cycle;
    each of the collections they trigger walks every object alive (the sheet's cells among them),
    which took more time than the work itself. Collection resumes (if it was on) afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
