"""Kept for the simulators not yet moved into packages; the code lives in `sandbox.core`."""

from sandbox.core.faults import Fault
from sandbox.core.http import ApiError, Request, Response
from sandbox.core.ratelimit import RateLimiter
from sandbox.core.requests_log import LoggedRequest
from sandbox.core.router import Router
from sandbox.core.server import CONTROL_PREFIX, SandboxServer

__all__ = [
    "CONTROL_PREFIX",
    "ApiError",
    "Fault",
    "LoggedRequest",
    "RateLimiter",
    "Request",
    "Response",
    "Router",
    "SandboxServer",
]
