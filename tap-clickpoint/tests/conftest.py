"""Fixtures for the tap-clickpoint tests: the shared sandbox runs for the session, no longer."""

from collections.abc import Iterator

import pytest
from clickpoint_harness import discovered_catalog, shared_sandbox

from sandbox.core.server import SandboxServer
from sandbox.leadexec import LeadExecSandbox


@pytest.fixture(scope="session", autouse=True)
def shared() -> Iterator[LeadExecSandbox]:
    """The sandbox the tests share, started before the first test and stopped after the last."""
    with shared_sandbox() as running:
        yield running


@pytest.fixture
def sandbox(shared: LeadExecSandbox) -> Iterator[LeadExecSandbox]:
    """The shared sandbox, with faults, the request log and the format cleared around each test."""
    shared.clear_faults()
    shared.clear_log()
    shared.json_on_request = True
    yield shared
    shared.clear_faults()
    shared.json_on_request = True


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
