"""Fixtures for the tap-clickpoint tests."""

from collections.abc import Iterator

import pytest
from clickpoint_harness import SANDBOX

from sandbox.leadexec import LeadExecSandbox


@pytest.fixture
def sandbox() -> Iterator[LeadExecSandbox]:
    """The shared sandbox, with faults, the request log and the format cleared around each test."""
    SANDBOX.clear_faults()
    SANDBOX.clear_log()
    SANDBOX.json_on_request = True
    yield SANDBOX
    SANDBOX.clear_faults()
    SANDBOX.json_on_request = True
