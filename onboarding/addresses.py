"""Addresses the tool must never send data to: link-local networks and cloud metadata services.

A webhook URL is configuration, but it makes the server POST client data wherever it points. On a
cloud machine ``169.254.169.254`` (or ``fd00:ec2::254``) answers with instance credentials, and
link-local addresses reach nothing a CRM would live on. So the host is checked as written and,
before each delivery, every address it resolves to (a name can point anywhere, and change).
"""

from __future__ import annotations

import ipaddress
import socket

from onboarding.errors import ConfigError

FORBIDDEN_NETWORKS = (
    ipaddress.ip_network("169.254.0.0/16"),  # IPv4 link-local, home of 169.254.169.254
    ipaddress.ip_network("fe80::/10"),  # IPv6 link-local
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS metadata over IPv6
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def forbidden(address: str) -> bool:
    """True for a link-local or metadata address (also written as an IPv4-mapped IPv6 address)."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in FORBIDDEN_NETWORKS)


def _resolved(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):  # unknown name: the connection itself will fail and say so
        return []
    return [str(info[4][0]) for info in infos]


def refuse_internal(host: str, *, what: str, resolve: bool = True) -> None:
    """Raise :class:`ConfigError` when ``host`` is, or (``resolve``) resolves to, a forbidden address."""
    bare = host.strip("[]")
    candidates = [bare, *(_resolved(bare) if resolve else [])]
    for address in candidates:
        if forbidden(address):
            raise ConfigError(
                f"the {what} points at {address}, a link-local or cloud-metadata address; "
                "nothing is sent there"
            )
