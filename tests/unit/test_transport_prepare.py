"""The transport's requests on the wire are the ones a ``requests.Session`` would send."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from onboarding.docspace._transport import PortalAddress, build_channel, request_head

BASE = "http://127.0.0.1:8080"
KEY = "sk-test-key"
OWN = {"accept-encoding", "connection", "host"}
"""Headers set on purpose differently (identity, not gzip) or added below ``requests`` (Host)."""


def parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("ascii").split("\r\n")
    assert lines[-2:] == ["", ""], "the head ends with an empty line"
    method, target, version = lines[0].split(" ")
    assert version == "HTTP/1.1"
    headers = dict(line.split(": ", 1) for line in lines[1:-2])
    return method, target, headers


def session() -> requests.Session:
    s = requests.Session()
    s.headers.update({"Authorization": f"Bearer {KEY}", "Accept": "application/json"})
    s.headers["User-Agent"] = "docspace-onboarding"
    return s


@pytest.mark.parametrize(
    ("method", "path", "params", "body"),
    [
        ("GET", "files/rooms/5", None, None),
        (
            "GET",
            "files/rooms",
            {
                "tags": json.dumps(["client:é 1", 'client:"x"&y=z'], ensure_ascii=False),
                "searchArea": 3,
                "startIndex": 0,
                "count": 100,
            },
            None,
        ),
        ("GET", "people/filter", {"filterValue": "a b+c/d?", "skip": None, "ids": ["1", "2"]}, None),
        ("POST", "files/folder/7", None, {"title": "Rechnungen ü"}),
        ("PUT", "files/rooms/5/archive", None, None),
        ("DELETE", "files/file/9", None, {"deleteAfter": False, "immediately": True}),
    ],
)
def test_request_like_a_session_would_send(
    method: str, path: str, params: dict[str, Any] | None, body: Any
) -> None:
    """Method, request target (query encoding included), headers and body match ``requests``'."""
    channel = build_channel(PortalAddress.parse(BASE), KEY)
    data = None if body is None else json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    ours = parse_head(request_head(channel, method, f"/api/2.0/{path}", params, data))
    headers = {"Content-Type": "application/json"} if data is not None else None
    theirs = session().prepare_request(
        requests.Request(method, f"{BASE}/api/2.0/{path}", params=params, data=data, headers=headers)
    )
    assert ours[:2] == (theirs.method, theirs.path_url)
    mine = {k.lower(): v for k, v in ours[2].items() if k.lower() not in OWN}
    assert mine == {k.lower(): v for k, v in theirs.headers.items() if k.lower() not in OWN}
    assert ours[2]["Host"] == "127.0.0.1:8080"
    assert ours[2]["Accept-Encoding"] == "identity"


def test_internationalised_host_travels_as_idna() -> None:
    """A non-ASCII host is sent as IDNA in the Host header, a portal path kept as its prefix."""
    channel = build_channel(PortalAddress.parse("https://пример.example/docspace"), KEY)
    _, target, headers = parse_head(request_head(channel, "GET", "/api/2.0/files/rooms", {"count": 1}, None))
    assert headers["Host"] == "xn--e1afmkfd.example"
    assert target == "/docspace/api/2.0/files/rooms?count=1"
    assert channel.connections.host == "xn--e1afmkfd.example" and channel.connections.port == 443
