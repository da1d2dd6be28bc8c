"""The client link: what to ask the portal for, which existing link is ours, and when it is stale.

Pure functions of the blueprint and the portal's answers, kept apart from the step runner so that
the rules — one invitation link per room; external links found by title; expired or differing
links renewed rather than handed out — are read in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from onboarding.blueprint import Blueprint
from onboarding.docspace import FileShare, Link, LinkRequest, LinkType

API_DATE = "%Y-%m-%dT%H:%M:%S.0000000Z"

INTERNAL_LINK = (
    "the portal made the link internal: it only works for people signed in to the portal "
    "(its sharing settings restrict external links)"
)
"""What a client's link flagged ``internal`` means, said in the journal, the plan and the results.

``FileStorageService.SetExternalLinkAsync`` → ``ResolveRequiredAuthAsync``: with the portal's
"default share link internal" setting (or external sharing restricted for rooms) a new external
link is made internal whatever the request asks."""


def link_request(bp: Blueprint, title: str, link_id: str | None = None) -> LinkRequest:
    """The ``PUT links`` body for the blueprint's link (``link_id`` set: update that link)."""
    cfg = bp.link
    expires = None
    if cfg.expires_in_days:
        expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=cfg.expires_in_days)).strftime(API_DATE)
    external = bp.link_type == LinkType.EXTERNAL
    return LinkRequest(
        link_type=bp.link_type,
        access=cfg.access,
        title=title or None,
        link_id=link_id,
        expiration_date=expires,
        max_use_count=None if external else cfg.max_use_count,
        password=cfg.password if external else None,
        deny_download=cfg.deny_download if external else None,
    )


def find_link(bp: Blueprint, links: Sequence[Link], title: str | None) -> Link | None:
    """Our link among a room's links: the (only) invitation link, or the external link by title."""
    if bp.link_type == LinkType.INVITATION:
        mine = [lk for lk in links if lk.link_type == LinkType.INVITATION]
    elif bp.uses_primary_link:
        mine = [lk for lk in links if lk.link_type == LinkType.EXTERNAL and lk.shared_link.primary]
    else:
        mine = [lk for lk in links if lk.link_type == LinkType.EXTERNAL and lk.shared_link.title == title]
    return mine[0] if mine else None


def link_outdated(bp: Blueprint, link: Link, title: str = "") -> str:
    """Why an existing link cannot be handed to the client as it is ("" when it can)."""
    cfg = bp.link
    info = link.shared_link
    if link.access != int(cfg.access):
        return f"its access is {FileShare(link.access).label}"
    if info.is_expired or date_passed(info.expiration_date):
        return "it has expired"
    if cfg.expires_in_days and not info.expiration_date:
        return "it never expires but the blueprint wants an expiry"
    if bp.link_type == LinkType.INVITATION and (cfg.max_use_count or None) != (info.max_use_count or None):
        return "its maximum number of uses differs"
    if bp.uses_primary_link and title and info.title != title:
        return "its title differs"  # the room's primary link is ours: it carries the client's name
    return ""


def date_passed(value: str | None) -> bool:
    """True when an API date string (``2026-03-01T10:15:30.0000000Z`` or with an offset) is past."""
    if not value:
        return False
    text = value.strip().replace("Z", "+00:00")
    head, zone = text[:19], text[19:]
    offset = ""
    if "+" in zone or "-" in zone:
        offset = zone[zone.find("+") if "+" in zone else zone.find("-") :]
    try:
        when = dt.datetime.fromisoformat(head + (offset or "+00:00"))
    except ValueError:
        return False
    return when < dt.datetime.now(dt.UTC)
