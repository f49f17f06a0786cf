"""The base tap and stream: a failure, in a sync or in discovery, is one error line."""

from __future__ import annotations

import json
import logging
import typing as t
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from singer_sdk import typing as th
from singer_sdk.exceptions import FatalAPIError

from common.answers import json_object, required_list
from common.stream import BaseStream
from common.tap import BaseTap
from sandbox.core.server import SandboxServer

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.streams import Stream


class Items(BaseStream):
    name = "items"
    path = "/items"
    primary_keys = ("id",)
    vendor = "Example"
    schema = th.PropertiesList(th.Property("id", th.IntegerType)).to_dict()

    @property
    def url_base(self) -> str:
        return str(self.config["api_url"])

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        yield from required_list(json_object(response), "items")


class TapExample(BaseTap):
    name = "tap-example"
    config_jsonschema = th.PropertiesList(
        th.Property("api_key", th.StringType, required=True, secret=True),
        th.Property("api_url", th.StringType, required=True),
        th.Property("request_timeout", th.IntegerType, default=5),
        th.Property("max_retries", th.IntegerType, default=0),
        th.Property("max_retry_seconds", th.IntegerType, default=5),
    ).to_dict()

    def discover_streams(self) -> list[Stream]:
        return [Items(tap=self)]


class TapDiscovering(TapExample):
    """A tap whose catalog is read from the API, which refuses."""

    name = "tap-discovering"
    dynamic_catalog = True

    def discover_streams(self) -> list[Stream]:
        raise FatalAPIError("Example answered HTTP 403 for the catalog")


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer() as running:
        yield running


def run(tap: type[BaseTap], config: dict, *args: str, tmp_path: Path) -> int:
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    result = CliRunner().invoke(tap.cli, ["--config", str(config_file), *args])
    return result.exit_code


def error_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("args", [(), ("--test",)])
def test_a_failed_sync_is_one_error_line(server, tmp_path, caplog, args) -> None:
    server.inject(500, count=5)
    config = {"api_key": "k-123456789", "api_url": server.url}
    assert run(TapExample, config, *args, tmp_path=tmp_path) == 1
    [line] = error_lines(caplog)
    assert line.startswith("Example answered HTTP 500 for items")


def test_a_failed_discovery_is_one_error_line(tmp_path, caplog) -> None:
    config = {"api_key": "k-123456789", "api_url": "http://127.0.0.1:9"}
    assert run(TapDiscovering, config, "--discover", tmp_path=tmp_path) == 1
    assert error_lines(caplog) == ["Example answered HTTP 403 for the catalog"]


def test_each_once_keeps_the_first_record_of_each_key(tmp_path) -> None:
    tap = TapExample(config={"api_key": "k", "api_url": "http://127.0.0.1:1"})
    stream = t.cast("BaseStream", tap.streams["items"])
    records: list[dict] = [{"id": 1, "v": "a"}, {"id": 2}, {"id": 1, "v": "b"}, {"id": 3}]
    assert list(stream.each_once(records)) == [{"id": 1, "v": "a"}, {"id": 2}, {"id": 3}]
    assert stream.record_key({"id": 7, "x": 1}) == (7,)
