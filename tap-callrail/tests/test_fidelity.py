"""Nothing CallRail sends is dropped: every emitted record holds every field of its answer."""

from __future__ import annotations

import pytest
import requests
from callrail_harness import API_KEY, API_URL, sync, tap_config
from tap_callrail.streams import STREAMS
from tap_callrail.tap import TapCallRail

from sandbox.callrail import CallRailSandbox
from sandbox.core.requests_log import LoggedRequest

#: stream -> the answer's list key, for the streams whose records are the answer's items.
LISTED = {s.name: s.records_key for s in STREAMS if hasattr(s, "records_key")}


def answers(logged: list[LoggedRequest], path_end: str, key: str) -> list[dict]:
    """The items of every answer the tap was given for `path_end`, asked again directly."""
    items = []
    for request in logged:
        if request.path.endswith("/" + path_end) and request.status == 200:
            query = [(name, value) for name, values in request.query.items() for value in values]
            answer = requests.get(
                API_URL.removesuffix("/v3") + request.path,
                params=query,
                headers={"Authorization": f'Token token="{API_KEY}"'},
                timeout=30,
            )
            answer.raise_for_status()
            found = answer.json()[key]
            items += found if isinstance(found, list) else [found]
    return items


@pytest.fixture(scope="module")
def synced(running_sandbox: CallRailSandbox):
    running_sandbox.clear_log()
    output = sync(tap_config(start_date="today-20"))
    return output, list(running_sandbox.requests)


def test_every_answer_field_reaches_the_record(synced) -> None:
    output, logged = synced
    streams = TapCallRail(config=tap_config()).streams
    for stream in STREAMS:
        if stream.name not in LISTED:
            continue
        path_end = stream.path.split("?")[0].rsplit("/", 1)[-1]
        sent = answers(logged, path_end, LISTED[stream.name])
        assert sent, stream.name
        emitted = {str(r["id"]): r for r in output.records(stream.name)}
        declared = streams[stream.name].schema["properties"]
        undeclared = 0
        for item in sent:
            record = emitted[str(item["id"])]
            for name, value in item.items():
                assert name in record, (stream.name, name)
                if name not in declared:
                    undeclared += 1
                    assert record[name] == value, (stream.name, name)
        assert undeclared, f"{stream.name}: the sandbox sends no undeclared field"


def test_every_report_figure_reaches_a_row(synced) -> None:
    output, logged = synced
    for stream, path_end, items in (
        ("calls_summary", "summary.json", ("total_results", "grouped_results")),
        ("calls_timeseries", "timeseries.json", ("data",)),
    ):
        sent = [figures for key in items for figures in answers(logged, path_end, key)]
        emitted = output.records(stream)
        assert sent, stream
        assert all("voicemail_calls" in figures for figures in sent), stream  # undeclared
        for figures in sent:
            metrics = {k: v for k, v in figures.items() if k not in ("key", "date")}
            assert any(metrics.items() <= row.items() for row in emitted), (stream, figures)
