"""A throwaway PostgreSQL server for tests and benchmarks: ``initdb`` + ``pg_ctl`` in a temp folder.

No system service and no root-only paths: the cluster lives in a fresh temporary folder, listens
on a free loopback port only (no Unix socket), uses password authentication (so the tests see a
real password in the address, which must never leak), and is stopped and deleted afterwards.
``initdb`` refuses to run as root, so under root (as in CI) the cluster is run as the ``postgres``
user, which owns the folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path(os.environ.get("DOCSPACE_PG_BIN", "/usr/lib/postgresql/15/bin"))
USER = "onboard"
PASSWORD = "pg-test-" + uuid.uuid4().hex[:12]


def missing() -> str | None:
    """Why a server cannot be started here (None when it can)."""
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL is not installed ({PG_BIN}/initdb missing; apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a 'postgres' user to run the server as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    """One running cluster; :meth:`database` makes a fresh empty database for one test."""

    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """A new empty database's address."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        _as_owner(
            [str(PG_BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", "-s"], check=False
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _as_owner(cmd: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)


def start(*, fsync: bool = False) -> PostgresServer:
    """Create and start a cluster (``fsync`` off for tests; benchmarks keep it on)."""
    root = Path(tempfile.mkdtemp(prefix="docspace-pg-"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        os.chown(pwfile, entry.pw_uid, entry.pw_gid)
    try:
        _as_owner(
            [str(PG_BIN / "initdb"), "-D", str(root / "data"), "-U", USER, "-A", "scram-sha-256",
             f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
        )  # fmt: skip
        for _ in range(5):
            server = PostgresServer(root, _free_port())
            options = (
                f"-p {server.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
                f" -c max_connections=300 -c fsync={'on' if fsync else 'off'}"
                f" -c synchronous_commit={'on' if fsync else 'off'} -c full_page_writes=off"
            )
            started = _as_owner(
                [str(PG_BIN / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(server.data),
                 "-l", str(root / "log"), "-o", options],
                check=False,
            )  # fmt: skip
            if started.returncode == 0:
                return server
        raise RuntimeError(f"PostgreSQL did not start: {(root / 'log').read_text(errors='replace')[-2000:]}")
    except BaseException:
        _as_owner([str(PG_BIN / "pg_ctl"), "stop", "-D", str(root / "data"), "-m", "immediate"], check=False)
        shutil.rmtree(root, ignore_errors=True)
        raise
