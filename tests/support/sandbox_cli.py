"""The ``docspace-sandbox`` command as a child process, for the tests of its command line."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_BANNER = re.compile(r"DocSpace sandbox portal at (http://127\.0\.0\.1:\d+) — API key (sk-\S+)\n")


@contextmanager
def running_sandbox(*options: str) -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    """Start ``python -m docspace_sandbox --port 0 <options>``; yield (process, url, key) once its
    one-line banner is read; kill it afterwards if the test did not stop it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "docspace_sandbox", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = _BANNER.fullmatch(line)
        assert found, line
        yield proc, found.group(1), found.group(2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
