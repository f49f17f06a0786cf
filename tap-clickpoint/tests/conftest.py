"""Fixtures for the tap-clickpoint tests."""

from collections.abc import Iterator

import pytest
from clickpoint_harness import SANDBOX, discovered_catalog

from sandbox.core.server import SandboxServer
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


@pytest.fixture
def catalog(sandbox: LeadExecSandbox) -> dict:
    """The discovered catalog: a run given it sends no sampling request, so its first
    request reads leads (and meets the first fault a test injected)."""
    found = discovered_catalog()
    sandbox.clear_log()
    return found


@pytest.fixture
def elsewhere() -> Iterator[SandboxServer]:
    """Another host, which answers 404 to everything and logs what reached it."""
    with SandboxServer() as other:
        yield other
