"""Fixtures for the tap-callrail tests: the sandbox starts here, not when a module is imported."""

from collections.abc import Iterator

import pytest
from callrail_harness import shared_sandbox

from sandbox.callrail import CallRailSandbox


@pytest.fixture(scope="session", autouse=True)
def running_sandbox() -> Iterator[CallRailSandbox]:
    """The session's sandbox, serving on the port the harness reserved, for every test
    (the standard tests name its URL in their settings)."""
    with shared_sandbox() as server:
        yield server


@pytest.fixture
def sandbox(running_sandbox: CallRailSandbox) -> Iterator[CallRailSandbox]:
    """The shared sandbox, with faults and the request log cleared around each test."""
    running_sandbox.clear_faults()
    running_sandbox.clear_log()
    yield running_sandbox
    running_sandbox.clear_faults()
