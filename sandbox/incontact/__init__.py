"""A local inContact / NICE CXone API as shared/api/incontact.md describes it, traps included."""

from sandbox.incontact.server import InContactSandbox

__all__ = ["InContactSandbox"]
