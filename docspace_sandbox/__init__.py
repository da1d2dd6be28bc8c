"""A local stand-in for an ONLYOFFICE DocSpace portal (API 2.0), strict like the real server.

Standard library only; never imports ``onboarding``. Start one with :func:`start` or the
``docspace-sandbox`` command; :class:`PortalSettings` (``start(key_user=…, room_quota=…)``) makes it
a particular kind of portal (docs/portals.md).
"""

from .faults import FaultPlan, FaultRule
from .limits import LimitSpec
from .portal_settings import PortalSettings
from .server import Sandbox, start

__all__ = ["FaultPlan", "FaultRule", "LimitSpec", "PortalSettings", "Sandbox", "start"]
