"""Kept for the simulators not yet moved into packages; the code lives in `sandbox.core.fake`."""

from sandbox.core.fake import (
    CITIES,
    FIRST_NAMES,
    LAST_NAMES,
    US_AREAS,
    full_name,
    masked_id,
    phone,
    pretty_phone,
)

__all__ = [
    "CITIES",
    "FIRST_NAMES",
    "LAST_NAMES",
    "US_AREAS",
    "full_name",
    "masked_id",
    "phone",
    "pretty_phone",
]
