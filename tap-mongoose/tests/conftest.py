"""Fixtures for the tap-mongoose tests: the shared sandbox runs for the session, no longer."""

from collections.abc import Iterator

import pytest
from mongoose_harness import shared_sandbox

from sandbox.mongoose import MongooseSandbox


@pytest.fixture(scope="session", autouse=True)
def shared() -> Iterator[MongooseSandbox]:
    """The sandbox the tests share, started before the first test and stopped after the last."""
    with shared_sandbox() as running:
        yield running


@pytest.fixture
def sandbox(shared: MongooseSandbox) -> Iterator[MongooseSandbox]:
    """The shared sandbox, with faults and the request log cleared around each test."""
    shared.clear_faults()
    shared.clear_log()
    yield shared
    shared.clear_faults()
