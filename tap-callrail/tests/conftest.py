"""Fixtures for the tap-callrail tests."""

from collections.abc import Iterator

import pytest
from callrail_harness import SANDBOX

from sandbox.callrail import CallRailSandbox


@pytest.fixture
def sandbox() -> Iterator[CallRailSandbox]:
    """The shared sandbox, with faults and the request log cleared around each test."""
    SANDBOX.clear_faults()
    SANDBOX.clear_log()
    yield SANDBOX
    SANDBOX.clear_faults()
