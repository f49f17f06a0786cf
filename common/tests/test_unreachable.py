"""A wrong address fails fast: a name that does not resolve, or a port that refuses.

Every tap's streams send their requests through `BaseStream`, so these runs of a small tap
on it stand for all four. No test here reaches the internet: the one name that does not
resolve is refused by this process's resolver, before any DNS query leaves the machine.
"""

from __future__ import annotations

import logging
import re
import socket
import typing as t

import pytest

from common.tests.test_base import TapExample, error_lines, run

NO_SUCH_HOST = "no-such-host.invalid"
#: What the issue promises: at most three retries, within half a minute.
MOST_RETRIES = 3
MOST_SECONDS = 30.0


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every lookup of NO_SUCH_HOST, answered as a resolver answers a name that does not exist."""
    asked: list[str] = []
    resolve = socket.getaddrinfo

    def getaddrinfo(host: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
        if host == NO_SUCH_HOST:
            asked.append(host)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.fixture
def closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on: connections to it are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def announced_waits(caplog: pytest.LogCaptureFixture) -> list[float]:
    """The seconds each retry line said it would wait."""
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    return [float(m.group(1)) for line in lines if (m := re.search(r" in ([\d.]+) s ", line))]


def test_a_name_that_does_not_resolve_fails_in_one_line_naming_the_host(
    lookups, tmp_path, caplog
) -> None:
    # Generous retry settings: a wrong address must not be retried like an outage.
    config = {"api_key": "k-123456789", "api_url": f"http://{NO_SUCH_HOST}/", "max_retries": 12}
    config["max_retry_seconds"] = 3600
    assert run(TapExample, config, tmp_path=tmp_path) == 1
    assert error_lines(caplog) == [
        f"cannot reach {NO_SUCH_HOST}: the name does not resolve (check the URL settings)"
    ]
    assert len(lookups) == MOST_RETRIES + 1
    waits = announced_waits(caplog)
    assert len(waits) == MOST_RETRIES
    assert sum(waits) <= MOST_SECONDS


def test_a_port_that_refuses_fails_in_one_line_naming_the_host(
    closed_port, tmp_path, caplog
) -> None:
    api_url = f"http://127.0.0.1:{closed_port}/"
    config = {"api_key": "k-123456789", "api_url": api_url, "max_retries": 12}
    config["max_retry_seconds"] = 3600
    assert run(TapExample, config, tmp_path=tmp_path) == 1
    assert error_lines(caplog) == [
        "cannot reach 127.0.0.1: the connection was refused (check the URL settings)"
    ]
    waits = announced_waits(caplog)
    assert len(waits) == MOST_RETRIES
    assert sum(waits) <= MOST_SECONDS
