"""Fixtures for the tap-incontact tests."""

from collections.abc import Iterator

import pytest
from incontact_harness import SANDBOX

from sandbox.incontact import InContactSandbox


@pytest.fixture
def sandbox() -> Iterator[InContactSandbox]:
    """The shared sandbox, with faults and the request log cleared around each test."""
    SANDBOX.clear_faults()
    SANDBOX.clear_log()
    yield SANDBOX
    SANDBOX.clear_faults()
