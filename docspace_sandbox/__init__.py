"""A local stand-in for an ONLYOFFICE DocSpace portal (API 2.0), strict like the real server.

Standard library only; never imports ``onboarding``. Start one with :func:`start` or the
``docspace-sandbox`` command.
"""

from .faults import FaultPlan, FaultRule
from .limits import LimitSpec
from .server import Sandbox, start

__all__ = ["FaultPlan", "FaultRule", "LimitSpec", "Sandbox", "start"]
