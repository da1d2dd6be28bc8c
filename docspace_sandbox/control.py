"""What the sandbox serves besides the API: the ``/__sandbox__/`` control plane and the read-only
web pages for room and link addresses (:mod:`.pages`). Both answer loopback clients only.
"""

from __future__ import annotations

import contextlib
import json
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from . import pages
from .wire import is_loopback, reply_json, send

if TYPE_CHECKING:
    from .server import Sandbox

CONTROL_PREFIX = "/__sandbox__/"


def serve_control(sandbox: Sandbox, h: BaseHTTPRequestHandler, name: str, body: bytes) -> None:
    """Answer one control request: 200 with the result, 400 for bad input, 404 for no endpoint."""
    if not is_loopback(h.client_address[0]):
        reply_json(h, 403, {"error": "control endpoints answer loopback clients only"})
        return
    method = h.command
    try:
        result = _action(sandbox, method, name, json.loads(body) if body.strip() else {})
    except (ValueError, TypeError, KeyError, json.JSONDecodeError) as exc:
        reply_json(h, 400, {"error": str(exc)})
        return
    if result is None:
        reply_json(h, 404, {"error": f"no control endpoint {method} {CONTROL_PREFIX}{name}"})
        return
    reply_json(h, 200, result)


def _action(sandbox: Sandbox, method: str, name: str, data: Any) -> Any:
    if (method, name) == ("GET", "health"):
        return {"ok": True, "url": sandbox.url}
    if (method, name) == ("GET", "state"):
        return sandbox.state()
    if (method, name) == ("POST", "reset"):
        sandbox.reset()
        return {"ok": True}
    if (method, name) == ("GET", "faults"):
        return sandbox.faults.plan.to_dict()
    if (method, name) == ("POST", "faults"):
        sandbox.set_faults(data)
        return sandbox.faults.plan.to_dict()
    if (method, name) == ("GET", "limits"):
        return sandbox.limiter.spec.to_dict()
    if (method, name) == ("POST", "limits"):
        sandbox.set_limits(str(data.get("spec", "off")))
        return sandbox.limiter.spec.to_dict()
    if (method, name) == ("GET", "settings"):
        return sandbox.settings()
    if (method, name) == ("POST", "settings"):
        return sandbox.update_settings(data)
    if (method, name) == ("POST", "pause"):
        sandbox.pause()  # API requests wait (not rejected) until resume: deterministic "in flight"
        return {"ok": True, "paused": True}
    if (method, name) == ("POST", "resume"):
        sandbox.resume()
        return {"ok": True, "paused": False}
    if (method, name) == ("POST", "users/activate"):
        return sandbox.activate_user(str(data["email"]))
    if (method, name) == ("POST", "users/disable"):
        return sandbox.disable_user(str(data["email"]))
    if (method, name) == ("POST", "groups"):
        return sandbox.create_group(str(data["name"]))
    if (method, name) == ("POST", "rooms/form-role"):
        return sandbox.assign_form_role(int(data["room_id"]), str(data["email"]))
    if (method, name) == ("POST", "operations/cancel"):
        return {"ok": True, "canceled": sandbox.cancel_operations(data.get("id"))}
    if (method, name) == ("POST", "templates/crash"):
        with sandbox.backend.lock:  # the template worker dies half way (backend/templates.py)
            return sandbox.backend.crash_template_job()
    if (method, name) == ("GET", "requests"):
        return sandbox.request_log()
    if (method, name) == ("DELETE", "requests"):
        sandbox.clear_log()
        return {"ok": True}
    return None


def serve_page(sandbox: Sandbox, h: BaseHTTPRequestHandler, path: str, query: str) -> bool:
    """Serve a read-only HTML page for a room or link address; False if the path is no page
    address (the caller then answers it as an API path)."""
    with sandbox.backend.lock:
        page = pages.render(sandbox.backend, path, query)
    if page is None:
        return False
    if not is_loopback(h.client_address[0]):
        reply_json(h, 403, {"error": "sandbox pages answer loopback clients only"})
        return True
    if h.command not in ("GET", "HEAD"):
        send(h, 405, b"", {"Allow": "GET, HEAD"})
        return True
    status, text = page
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": pages.CSP,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    with contextlib.suppress(OSError):
        send(h, status, text.encode("utf-8"), headers)
    return True
