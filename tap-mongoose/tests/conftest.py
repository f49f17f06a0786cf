"""Fixtures for the tap-mongoose tests."""

from collections.abc import Iterator

import pytest
from mongoose_harness import SANDBOX

from sandbox.mongoose import MongooseSandbox


@pytest.fixture
def sandbox() -> Iterator[MongooseSandbox]:
    """The shared sandbox, with faults and the request log cleared around each test."""
    SANDBOX.clear_faults()
    SANDBOX.clear_log()
    yield SANDBOX
    SANDBOX.clear_faults()
