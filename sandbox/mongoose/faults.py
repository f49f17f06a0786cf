"""The two ways the Mongoose contract refuses: REST error codes and SPC SOAP faults.

REST: an HTTP status with a contract code (INVALID_DATE, DATE_RANGE_TOO_LARGE,
INVALID_PARAMETER, AUTH_FAILED, API_ACCESS_DISABLED, NOT_FOUND, RATE_LIMITED), rendered in
the format asked for (render.py). SOAP: a soap:Fault with an SpcFault detail, always HTTP
500, whose faultcode is soap:Server for the transient codes and soap:Client otherwise
(soap.py). Both contracts are assumed (docs/api/mongoose.md), not published by the vendor.
"""

from __future__ import annotations

#: SPC codes answered with faultcode soap:Server: retrying later may work.
SERVER_FAULTS = frozenset({"NO_NUMBER_AVAILABLE", "RATE_LIMITED", "INTERNAL_ERROR"})
SPC_ERRORS = frozenset({
    "AUTH_FAILED", "API_ACCESS_DISABLED", "INVALID_CAMPAIGN", "SESSION_NOT_FOUND",
    "SESSION_EXPIRED", "INVALID_FIELD", *SERVER_FAULTS,
})  # fmt: skip


class Refusal(Exception):
    """A REST error answer: HTTP status, contract error code and message."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


class Fault(Exception):
    """A SOAP fault with an SpcFault detail (or none, for envelopes that are not SOAP)."""

    def __init__(self, code: str | None, message: str, *, server: bool = False) -> None:
        super().__init__(message)
        self.code, self.message = code, message
        self.server = server or code in SERVER_FAULTS
