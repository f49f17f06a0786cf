"""The hostile answers every simulator can give on demand, and the request log's record."""

import time
from collections.abc import Iterator

import pytest
import requests

from sandbox.core.http import Request, Response
from sandbox.core.server import SandboxServer


class Pages(SandboxServer):
    """A tiny API: `/items?page=N` answers the page number and two items."""

    def handle(self, request: Request) -> Response:
        page = request.int_param("page", 1)
        return Response(json={"page": page, "items": [{"id": page * 2}, {"id": page * 2 + 1}]})


@pytest.fixture
def pages() -> Iterator[Pages]:
    with Pages() as server:
        yield server


def test_a_redirect_names_its_target(pages: Pages) -> None:
    pages.inject(307, headers={"Location": "http://elsewhere.example/items"})
    answer = requests.get(f"{pages.url}/items", allow_redirects=False, timeout=5)
    assert answer.status_code == 307
    assert answer.headers["Location"] == "http://elsewhere.example/items"


def test_a_raw_body_goes_out_as_it_is(pages: Pages) -> None:
    pages.inject(200, raw=b"")
    pages.inject(500, raw="<html>Oops</html>")
    empty = requests.get(f"{pages.url}/items", timeout=5)
    html = requests.get(f"{pages.url}/items", timeout=5)
    assert (empty.status_code, empty.content) == (200, b"")
    assert html.status_code == 500
    assert html.headers["Content-Type"].startswith("text/html")
    assert html.text == "<html>Oops</html>"


def test_replace_changes_bytes_of_the_real_answer(pages: Pages) -> None:
    pages.inject(replace=[(b'"items"', b'"things"'), (b'"id": 2', b'"id": "\xff"')])
    answer = requests.get(f"{pages.url}/items", timeout=5)
    assert b'"things"' in answer.content
    assert b"\xff" in answer.content


def test_replay_repeats_the_first_answer(pages: Pages) -> None:
    pages.inject(replay=True, count=2, path_contains="/items")
    first = requests.get(f"{pages.url}/items?page=1", timeout=5).json()
    second = requests.get(f"{pages.url}/items?page=2", timeout=5).json()
    third = requests.get(f"{pages.url}/items?page=3", timeout=5).json()
    assert first == second
    assert third["page"] == 3


def test_trickle_sends_the_body_a_byte_at_a_time(pages: Pages) -> None:
    pages.inject(trickle=0.02)
    started = time.monotonic()
    answer = requests.get(f"{pages.url}/items", timeout=5)
    assert answer.json()["page"] == 1
    assert time.monotonic() - started >= 0.02 * (len(answer.content) - 1)


def test_the_log_keeps_request_bodies_and_finds_secrets_in_any_part(pages: Pages) -> None:
    requests.post(f"{pages.url}/items", data={"key": "s3cr3t-value"}, timeout=5)
    requests.get(f"{pages.url}/items", params={"api_key": "an other/secret"}, timeout=5)
    form, query = pages.requests
    assert form.body == b"key=s3cr3t-value"
    assert form.carries("s3cr3t-value")
    assert query.carries("an other/secret")
    assert not query.carries("s3cr3t-value")


def test_a_fault_needs_something_to_do(pages: Pages) -> None:
    with pytest.raises(ValueError, match="needs"):
        pages.inject(path_contains="/items")
