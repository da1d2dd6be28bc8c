"""The running sandbox: lifecycle, the API request path (faults, rate limits, routing, the
request log) and its public controls. Business rules live in :mod:`.backend`, routes in
:mod:`.routes`, the wire details in :mod:`.wire`, the control plane and pages in :mod:`.control`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import sys
import threading
import time
import traceback
from collections import deque
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import errors as e
from . import routes
from .backend import Backend
from .binding import Query
from .control import CONTROL_PREFIX, serve_control, serve_page
from .faults import Decision, FaultInjector, FaultPlan
from .limits import LimitSpec, RateLimiter, Rejection
from .portal_settings import PortalSettings
from .wire import Handler, Server, envelope, parse_json, read_body, send

_LOG_LIMIT = 20_000
_HTML_5XX = {
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
}


class Sandbox:
    """A running sandbox portal. Use :func:`start` to create one; also a context manager."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        api_key: str | None,
        latency_ms: int,
        limits: str | LimitSpec,
        faults: str | FaultPlan | dict[str, Any] | None,
        state_file: str | os.PathLike[str] | None,
        op_delay_s: float = 0.1,
        settings: PortalSettings | None = None,
        keep_port: bool = False,
    ) -> None:
        self.api_key = api_key or "sk-" + secrets.token_hex(24)
        self.latency_ms = latency_ms
        self.backend = Backend(state_file=state_file, op_delay_s=op_delay_s)
        self.backend.settings = settings or PortalSettings()
        self.faults = FaultInjector(_as_plan(faults))
        self.limiter = RateLimiter(limits if isinstance(limits, LimitSpec) else LimitSpec.parse(limits))
        self._log: deque[dict[str, Any]] = deque(maxlen=_LOG_LIMIT)
        self._log_lock = threading.Lock()
        self._seq = 0
        self._stopping = threading.Event()
        self._gate = threading.Event()
        self._gate.set()
        self._flight_lock = threading.Lock()
        self._flying: dict[int, tuple[str, str]] = {}  # id of the request's log entry -> method, path
        self._connections: set[socket.socket] = set()
        self._httpd = self._bind(host, port, keep_port)
        self._httpd.sandbox = self
        bound_host, bound_port = self._httpd.server_address[:2]
        host_text = bound_host.decode() if isinstance(bound_host, bytes) else str(bound_host)
        shown = host_text if ":" not in host_text else f"[{host_text}]"
        self.url = f"http://{shown}:{bound_port}"
        self.port = int(bound_port)
        self.backend.base_url = self.url
        if keep_port and self.backend.state.port != self.port:
            self.backend.state.port = self.port
            self.backend.dirty = True
        self.backend.persist()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="docspace-sandbox",
            daemon=True,
        )
        self._thread.start()

    def _bind(self, host: str, port: int, keep_port: bool) -> Server:
        """Listen on ``port``; with ``keep_port`` and port 0, first on the port the state file
        remembers (so links stored elsewhere keep working across restarts), else on a free one."""
        remembered = self.backend.state.port
        if keep_port and port == 0 and remembered:
            try:
                return Server((host, remembered), Handler)
            except OSError:  # taken by someone else meanwhile: any free port will do
                pass
        return Server((host, port), Handler)

    # ------------------------------------------------------------------ public API

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving, cut open connections and release held replies."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._gate.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        for conn in list(self._connections):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)
        self.backend.persist()

    def reset(self) -> None:
        """Back to the seeded portal; the request log and fault counters are kept."""
        self.backend.reset()

    def state(self) -> dict[str, Any]:
        """Same document as ``GET /__sandbox__/state``."""
        with self.backend.lock:
            return self.backend.snapshot()

    def activate_user(self, email: str) -> dict[str, Any]:
        """Mark a pending invited user active, as if they accepted the invitation (KeyError if unknown)."""
        with self.backend.lock:
            user = self.backend.activate(email)
            self.backend.persist_soon()
            return {"ok": True, "id": user.id, "email": user.email, "status": user.status}

    def assign_form_role(self, room_id: int, email: str) -> dict[str, Any]:
        """Give the user with ``email`` a role in a form of the Virtual data room ``room_id`` (as
        when a form's roles are mapped to room members); KeyError if either is unknown, ValueError
        for a room of another type. The server then refuses to remove them without ``force``."""
        with self.backend.lock:
            user_id = self.backend.assign_form_role(room_id, email)
            self.backend.persist_soon()
            return {"ok": True, "room_id": room_id, "user_id": user_id}

    def disable_user(self, email: str) -> dict[str, Any]:
        """Disable an account (status Terminated), as a portal admin does (KeyError if unknown)."""
        with self.backend.lock:
            user = self.backend.disable_user(email)
            self.backend.persist_soon()
            return {"ok": True, "id": user.id, "email": user.email, "status": user.status}

    def create_group(self, name: str) -> dict[str, Any]:
        """A portal group that can be shared to rooms (its members are not modelled)."""
        with self.backend.lock:
            gid = self.backend.create_group(name)
            self.backend.persist_soon()
            return {"ok": True, "id": gid, "name": name.strip()}

    def cancel_operations(self, op_id: str | None = None) -> int:
        """End running file operations as Canceled (all, or the one with ``op_id``); returns how many."""
        with self.backend.lock:
            count = self.backend.cancel_running(op_id)
            self.backend.persist_soon()
            return count

    def set_faults(self, spec: str | FaultPlan | dict[str, Any] | None) -> None:
        """Replace the fault plan (spec string, ``FaultPlan`` or ``{"spec", "rules"}`` dict)."""
        self.faults.set_plan(_as_plan(spec))

    def set_limits(self, spec: str | LimitSpec) -> None:
        """Replace the rate limits (``off``, ``default`` or a spec string)."""
        self.limiter.set_spec(spec if isinstance(spec, LimitSpec) else LimitSpec.parse(spec))

    def settings(self) -> dict[str, Any]:
        """Same document as ``GET /__sandbox__/settings``."""
        with self.backend.lock:
            return self.backend.settings.to_dict()

    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change some portal settings (``POST /__sandbox__/settings``); all or nothing."""
        with self.backend.lock:
            self.backend.settings.update(changes)
            return self.backend.settings.to_dict()

    def request_log(self) -> list[dict[str, Any]]:
        """API requests seen so far, oldest first (control calls are not logged)."""
        with self._log_lock:
            return [dict(entry) for entry in self._log]

    def clear_log(self) -> None:
        """Forget the request log."""
        with self._log_lock:
            self._log.clear()

    def pause(self) -> None:
        """Hold API requests after they pass the rate limiter (to build up concurrency in tests)."""
        self._gate.clear()

    def resume(self) -> None:
        """Let held requests continue."""
        self._gate.set()

    def in_flight(self, method: str | None = None, path: str | None = None) -> int:
        """API requests currently past the limiter and not yet answered; with ``method`` and/or
        ``path`` (a regular expression searched in the path), only those (a test waiting for room
        creations to be held must not count the reads that happen to be in flight)."""
        with self._flight_lock:
            if method is None and path is None:
                return len(self._flying)
            return sum(
                1
                for m, p in self._flying.values()
                if (method is None or m == method) and (path is None or re.search(path, p))
            )

    # ------------------------------------------------------------------ plumbing

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._flight_lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _handle(self, h: Handler) -> None:
        split = urlsplit(h.path)
        body = read_body(h)
        if split.path.startswith(CONTROL_PREFIX):
            serve_control(self, h, split.path[len(CONTROL_PREFIX) :].strip("/"), body)
            return
        if not split.path.startswith("/api/") and serve_page(self, h, split.path, split.query):
            return
        try:
            self._api(h, split.path, split.query, body)
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True

    def _api(self, h: Handler, path: str, raw_query: str, body: bytes) -> None:
        method = h.command
        decision = self.faults.decide(method, path)
        actor = self._authenticate(h.headers.get("Authorization"))
        entry: dict[str, Any] = {
            "method": method,
            "path": path,
            "query": parse_qs(raw_query, keep_blank_values=True),
            "body": parse_json(body),
            "fault": decision.kind,
        }
        if decision.kind in ("error500", "error502", "error503", "error429"):
            self._sleep(decision.latency_ms + self.latency_ms)
            self._send_injected(h, decision, entry)
            return
        lease = self.limiter.acquire(actor.id if actor else h.client_address[0], method)
        if isinstance(lease, Rejection):
            entry["fault"] = "ratelimit"
            self._record(entry, 429, None)
            send(h, 429, b"", lease.headers())
            return
        with self._flight_lock:
            self._flying[id(entry)] = (method, path)
        try:
            self._gate.wait()
            self._sleep(self.latency_ms + decision.latency_ms)
            status, payload = self._execute(h, method, path, raw_query, body, actor)
            data = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self._record(entry, status, payload)
            if decision.kind == "drop":
                h.close_connection = True
                with contextlib.suppress(OSError):
                    h.connection.shutdown(socket.SHUT_RDWR)
                return
            if decision.kind == "timeout":
                self._stopping.wait(self.faults.plan.hang_ms / 1000)
                h.close_connection = True
            with contextlib.suppress(OSError):
                send(h, status, data, {"Content-Type": "application/json; charset=utf-8"} if data else {})
        finally:
            with self._flight_lock:
                del self._flying[id(entry)]
            lease.release()

    def _authenticate(self, header: str | None) -> Any:
        """Only ``Authorization: Bearer sk-…`` with this sandbox's key authenticates, as the account
        ``key_user`` names (the owner by default)."""
        if header is None or not header.startswith("Bearer "):
            return None
        token = header[len("Bearer ") :].strip()
        if not token.startswith("sk-") or not secrets.compare_digest(token, self.api_key):
            return None
        with self.backend.lock:
            return self.backend.key_holder()

    def _execute(
        self, h: Handler, method: str, path: str, raw_query: str, body: bytes, actor: Any
    ) -> tuple[int, dict[str, Any] | None]:
        route, params, known = routes.match(method, path)
        if route is None:
            return (405 if known else 404), None
        if actor is None and not route.anonymous:
            return 401, None
        href = f"http://{h.headers.get('Host') or self.url.split('://', 1)[1]}{h.path}"
        links = [{"href": href, "action": method}]
        request = routes.Request(
            method=method,
            path=path,
            params=params,
            query=Query(parse_qs(raw_query, keep_blank_values=True)),
            body=body,
            content_type=h.headers.get("Content-Type"),
            actor=actor,
        )
        with self.backend.lock:
            self.backend.tick()
            try:
                self.backend.viewer = actor  # whose rights the DTOs' security flags show
                reply = route.handler(self.backend, request)
                result = envelope(reply, links)
                status = 200
            except e.ValidationFailed as exc:
                status = exc.status
                result = {
                    "response": exc.problem(f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00"),
                    "count": 1,
                    "links": links,
                    "status": 1,
                    "statusCode": exc.status,
                }
            except e.ApiError as exc:
                status, result = exc.status, exc.body()
            except Exception as exc:  # the server reports unhandled exceptions as 500
                traceback.print_exc(file=sys.stderr)
                failure = e.ServerError(str(exc) or type(exc).__name__)
                status, result = failure.status, failure.body()
            self.backend.viewer = None
            self.backend.persist_soon()
        return status, result

    def _send_injected(self, h: Handler, decision: Decision, entry: dict[str, Any]) -> None:
        if decision.kind == "error429":
            self._record(entry, 429, None)
            send(h, 429, b"", {"Retry-After": "1"})
            return
        code = int(str(decision.kind)[-3:])
        if code in _HTML_5XX:
            text = _HTML_5XX[code]
            html = (
                f"<html>\r\n<head><title>{text}</title></head>\r\n<body>\r\n"
                f"<center><h1>{text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
            )
            self._record(entry, code, None)
            send(h, code, html.encode(), {"Content-Type": "text/html"})
            return
        payload = e.ServerError("An unexpected error occurred (injected by the sandbox)").body()
        self._record(entry, 500, payload)
        send(h, 500, json.dumps(payload).encode(), {"Content-Type": "application/json; charset=utf-8"})

    def _record(self, entry: dict[str, Any], status: int, response: dict[str, Any] | None) -> None:
        with self._log_lock:
            self._seq += 1
            self._log.append(
                {**entry, "seq": self._seq, "time": time.time(), "status": status, "response": response}
            )

    def _sleep(self, ms: int) -> None:
        if ms > 0:
            self._stopping.wait(ms / 1000)


def _as_plan(spec: str | FaultPlan | dict[str, Any] | None) -> FaultPlan:
    if isinstance(spec, FaultPlan):
        return spec
    if isinstance(spec, dict):
        return FaultPlan.from_json(spec)
    return FaultPlan.parse(spec)


def start(
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    api_key: str | None = None,
    latency_ms: int = 0,
    limits: str | LimitSpec = "off",
    faults: str | FaultPlan | dict[str, Any] | None = None,
    state_file: str | os.PathLike[str] | None = None,
    key_user: str = "owner",
    invitation_limit: int | None = None,
    room_quota: int | None = None,
    guest_invites: bool = True,
    external_links: str = "public",
    keep_port: bool = False,
) -> Sandbox:
    """Start a sandbox portal in background threads and return it (``port=0`` picks a free port;
    with ``keep_port`` and a ``state_file`` it first tries the port the file remembers).

    ``key_user`` … ``external_links`` make it a particular kind of portal (see
    :mod:`.portal_settings`); a bad value raises ``ValueError`` before anything listens.
    """
    settings = PortalSettings(
        key_user=key_user,
        invitation_limit=invitation_limit,
        room_quota=room_quota,
        guest_invites=guest_invites,
        external_links=external_links,
    )
    return Sandbox(
        host=host,
        port=port,
        api_key=api_key,
        latency_ms=latency_ms,
        limits=limits,
        faults=faults,
        state_file=state_file,
        settings=settings,
        keep_port=keep_port,
    )
