"""OriginBoundSession through requests' own entry points, as clients such as zeep call it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from common.transport import OriginBoundSession, OriginError
from sandbox.core.server import SandboxServer


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer() as running:
        yield running


def test_get_and_post_read_the_whole_answer(server) -> None:
    session = OriginBoundSession(server.url)
    assert session.get(f"{server.url}/x", timeout=5).json() == {"error": "Not Found"}
    assert session.post(f"{server.url}/x", data=b"key", timeout=5).status_code == 404
    assert [(r.method, r.body) for r in server.requests] == [("GET", b""), ("POST", b"key")]


def test_a_post_redirected_elsewhere_is_not_sent_there(server) -> None:
    with SandboxServer() as elsewhere:
        server.inject(307, headers={"Location": f"{elsewhere.url}/x"})
        with pytest.raises(OriginError, match="307"):
            OriginBoundSession(server.url).post(f"{server.url}/x", data=b"key", timeout=5)
        assert elsewhere.requests == []
