"""Fixtures for the tap-incontact tests."""

from collections.abc import Iterator

import pytest
from incontact_harness import SANDBOX

from sandbox.core.server import SandboxServer
from sandbox.incontact import InContactSandbox


@pytest.fixture(scope="session", autouse=True)
def shared_sandbox() -> Iterator[InContactSandbox]:
    """The session's sandbox, listening on the port the harness chose, for every test."""
    with SANDBOX:
        yield SANDBOX


@pytest.fixture
def sandbox(shared_sandbox: InContactSandbox) -> Iterator[InContactSandbox]:
    """The shared sandbox, with faults and the request log cleared around each test."""
    SANDBOX.clear_faults()
    SANDBOX.clear_log()
    yield SANDBOX
    SANDBOX.clear_faults()


@pytest.fixture
def elsewhere() -> Iterator[SandboxServer]:
    """Another host, which answers 404 to everything and logs what reached it."""
    with SandboxServer() as other:
        yield other
