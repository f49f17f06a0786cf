"""The latency every answer of a simulator can take, as over the internet."""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sandbox.core.http import Request, Response
from sandbox.core.server import SandboxServer


class Echo(SandboxServer):
    def handle(self, request: Request) -> Response:
        return Response(json={"path": request.path})


@pytest.fixture
def echo() -> Iterator[Echo]:
    with Echo() as server:
        yield server


def timed_get(url: str) -> float:
    started = time.perf_counter()
    requests.get(url, timeout=5).raise_for_status()
    return time.perf_counter() - started


def test_every_answer_takes_the_latency_set_over_http(echo: Echo) -> None:
    answer = requests.post(f"{echo.url}/_sandbox/latency", json={"seconds": 0.3}, timeout=5)
    assert answer.status_code == 200
    assert timed_get(f"{echo.url}/slow") >= 0.3


def test_answers_wait_side_by_side_not_one_after_another(echo: Echo) -> None:
    echo.latency = 0.5
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(timed_get, [f"{echo.url}/{n}" for n in range(8)]))
    assert echo.most_in_flight == 8


def test_requests_one_after_another_are_never_in_flight_together(echo: Echo) -> None:
    for n in range(3):
        timed_get(f"{echo.url}/{n}")
    assert echo.most_in_flight == 1
    echo.clear_log()
    assert echo.most_in_flight == 0


def test_a_latency_that_is_not_a_number_is_refused(echo: Echo) -> None:
    answer = requests.post(f"{echo.url}/_sandbox/latency", json={"seconds": "slow"}, timeout=5)
    assert answer.status_code == 400
    assert echo.latency == 0.0


def test_many_connections_at_once_are_all_accepted_at_once(echo: Echo) -> None:
    # A connection the listen backlog drops is tried again a second later, after the first
    # answers (which take a second) have gone: then they were never all in flight together.
    echo.latency = 1.0
    with ThreadPoolExecutor(40) as pool:
        list(pool.map(timed_get, [f"{echo.url}/{n}" for n in range(40)]))
    assert echo.most_in_flight == 40
