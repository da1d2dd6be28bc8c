"""Creating the files that hold client details: private to the account that runs the tool.

The journal, exports, the blueprint and the data folder hold client names, e-mails and invitation
links (an invitation link lets anyone join a room), so they are created readable by their owner
only — folders 0700, files 0600 — whatever the process umask. Existing files keep the mode their
owner gave them, except that a file replaced atomically (the blueprint) takes the private mode.

Failures become :class:`~onboarding.errors.ConfigError` naming the path, so a door can print one
line instead of a traceback.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from onboarding.errors import ConfigError

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def _problem(what: str, path: Path, exc: OSError) -> ConfigError:
    reason = exc.strerror or type(exc).__name__
    return ConfigError(f"cannot write the {what} {path}: {reason}")


def private_folder(path: str | Path, *, what: str = "folder") -> Path:
    """Create ``path`` and its missing parents as 0700 folders (existing ones are left alone)."""
    folder = Path(path)
    missing: list[Path] = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    try:
        for created in reversed(missing):
            try:
                os.mkdir(created, FOLDER_MODE)
            except FileExistsError:  # another process made it in the meantime
                continue
        if not folder.is_dir():
            raise NotADirectoryError(20, "not a folder")
    except OSError as exc:
        raise _problem(what, folder, exc) from None
    return folder


def private_file(path: str | Path, *, what: str = "file") -> Path:
    """Make sure ``path`` exists (created 0600 in a private folder when missing) and is writable."""
    target = Path(path)
    private_folder(target.parent, what=what)
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    except OSError as exc:
        raise _problem(what, target, exc) from None
    return target


def check_writable(path: str | Path, *, what: str = "file") -> Path:
    """Refuse early a target that cannot be written (its folder is missing, not a folder, or read-only)."""
    target = Path(path)
    parent = target.parent
    if target.is_dir():
        raise ConfigError(f"cannot write the {what} {target}: it is a folder")
    if not parent.is_dir():
        raise ConfigError(f"cannot write the {what} {target}: the folder {parent} does not exist")
    if not os.access(target if target.exists() else parent, os.W_OK):
        raise ConfigError(f"cannot write the {what} {target}: permission denied")
    return target


def write_private(path: str | Path, data: bytes, *, what: str = "file") -> Path:
    """Write ``data`` to ``path`` in place (a new file is 0600); works for devices and pipes too."""
    target = Path(path)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except OSError as exc:
        raise _problem(what, target, exc) from None
    return target


def replace_private(path: str | Path, data: bytes, *, what: str = "file") -> Path:
    """Write ``data`` to a 0600 temporary file beside ``path`` and move it into place atomically."""
    target = Path(path)
    private_folder(target.parent, what=what)
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise _problem(what, target, exc) from None
    return target
