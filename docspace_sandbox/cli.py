"""``docspace-sandbox``: run the sandbox portal in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .portal_settings import EXTERNAL_LINK_MODES, KEY_USERS
from .server import start


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docspace-sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=8765, help="TCP port (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--api-key", default=None, help="API key to accept (default: a new sk-… key)")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay added to every API request")
    parser.add_argument(
        "--limits", default="off", help="off | default | rpm=N,writes=N,reads=N,daily=N,window=S"
    )
    parser.add_argument(
        "--faults", default=None, help="error5xx=P,error429=P,drop=P,timeout=P,latency_ms=N,seed=N"
    )
    parser.add_argument(
        "--state", default=None, metavar="FILE", help="persist the portal state in this JSON file"
    )
    _portal_options(parser)
    return parser


def _portal_options(parser: argparse.ArgumentParser) -> None:
    """What kind of portal to be (see ``docspace_sandbox.portal_settings`` and docs/portals.md)."""
    group = parser.add_argument_group("portal kind (also POST /__sandbox__/settings at runtime)")
    group.add_argument(
        "--key-user",
        choices=KEY_USERS,
        default="owner",
        help="whose API key the printed key is: the owner, a DocSpace admin or a room admin",
    )
    group.add_argument(
        "--invitation-limit",
        type=_count,
        default=None,
        metavar="N",
        help="remaining e-mail invitation budget (web:invitation-limit; default unlimited)",
    )
    group.add_argument(
        "--room-quota",
        type=_count,
        default=None,
        metavar="N",
        help="rooms the tariff allows (room N+1 is 402)",
    )
    group.add_argument(
        "--no-guest-invites",
        dest="guest_invites",
        action="store_false",
        help="the portal forbids inviting guests (e-mail invitations answer 403)",
    )
    group.add_argument(
        "--external-links",
        choices=EXTERNAL_LINK_MODES,
        default="public",
        help="public; internal = new links need sign-in by default; restricted = external sharing off for rooms",
    )


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    """Start, print one line with the URL and key, serve until a signal, exit 0."""
    args = _parser().parse_args(argv)
    try:
        sandbox = start(
            port=args.port,
            host=args.host,
            api_key=args.api_key,
            latency_ms=args.latency_ms,
            limits=args.limits,
            faults=args.faults,
            state_file=args.state,
            key_user=args.key_user,
            invitation_limit=args.invitation_limit,
            room_quota=args.room_quota,
            guest_invites=args.guest_invites,
            external_links=args.external_links,
        )
    except (OSError, ValueError) as exc:
        print(f"docspace-sandbox: {exc}", file=sys.stderr)
        return 2
    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(f"DocSpace sandbox portal at {sandbox.url} — API key {sandbox.api_key}", flush=True)
        while not done.wait(0.5):
            pass
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
