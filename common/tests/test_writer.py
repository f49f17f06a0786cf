"""The tap's writer: the SDK's msgspec lines, written out at each message that is not a record."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import datetime, timezone
from decimal import Decimal

from singer_sdk.singerlib import RecordMessage, SchemaMessage, StateMessage
from singer_sdk.singerlib.encoding import SimpleSingerWriter

from common.tap import LineWriter

RECORDS = [
    {"id": 1, "name": "Zoë Ünal 日本", "value": 2.5, "cost": Decimal("10.10"), "tags": []},
    {"id": 2, "at": "2026-01-02T03:04:05+00:00", "none": None, "big": 2**63},
    {"id": 3, "nested": {"deep": [1, "two", {"three": True}]}, "quote": 'say "hi"\n'},
]


def messages() -> list:
    return [
        SchemaMessage("items", {"type": "object"}, ["id"]),
        *(RecordMessage("items", record, time_extracted=None) for record in RECORDS),
        StateMessage({"bookmarks": {"items": {"replication_key_value": 3}}}),
    ]


class Stdout(io.TextIOWrapper):
    """A stdout that keeps what is written to it, text or bytes (through `buffer`)."""

    def __init__(self) -> None:
        self.raw_bytes = io.BytesIO()
        super().__init__(self.raw_bytes, encoding="utf-8", write_through=True)

    def lines(self) -> list[str]:
        self.flush()
        return self.raw_bytes.getvalue().decode().splitlines()


def test_the_lines_say_what_the_sdks_plain_writer_says() -> None:
    plain, ours = Stdout(), Stdout()
    with redirect_stdout(plain):
        writer = SimpleSingerWriter()
        for message in messages():
            writer.write_message(message)
    with redirect_stdout(ours):
        line_writer = LineWriter()
        for message in messages():
            line_writer.write_message(message)
    assert len(ours.lines()) == len(plain.lines()) == 5

    def parsed(lines: list[str]) -> list[dict]:
        return [json.loads(line, parse_float=Decimal) for line in lines]

    assert parsed(ours.lines()) == parsed(plain.lines())


def test_a_date_time_is_written_as_the_same_instant_in_utc() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
    plain, ours = Stdout(), Stdout()
    with redirect_stdout(plain):
        SimpleSingerWriter().write_message(RecordMessage("items", {}, time_extracted=moment))
    with redirect_stdout(ours):
        writer = LineWriter()
        writer.write_message(RecordMessage("items", {}, time_extracted=moment))
        writer.flush()
    ((sdk_line,), (our_line,)) = plain.lines(), ours.lines()
    sdk_value = json.loads(sdk_line)["time_extracted"]
    our_value = json.loads(our_line)["time_extracted"]
    # msgspec writes UTC as "Z", the plain writer as "+00:00": the same RFC 3339 instant.
    assert datetime.fromisoformat(our_value) == datetime.fromisoformat(sdk_value) == moment


def test_records_reach_stdout_with_the_next_message_that_is_not_a_record() -> None:
    stdout = Stdout()
    with redirect_stdout(stdout):
        writer = LineWriter()
        writer.write_message(messages()[0])
        assert len(stdout.lines()) == 1
        for message in messages()[1:4]:
            writer.write_message(message)
        assert len(stdout.lines()) == 1
        writer.write_message(messages()[4])
    assert [json.loads(line)["type"] for line in stdout.lines()] == [
        "SCHEMA",
        *["RECORD"] * 3,
        "STATE",
    ]


def test_flush_writes_what_is_held_and_many_records_go_out_on_their_own() -> None:
    stdout = Stdout()
    with redirect_stdout(stdout):
        writer = LineWriter()
        writer.write_message(RecordMessage("items", RECORDS[0]))
        assert stdout.lines() == []
        writer.flush()
        assert len(stdout.lines()) == 1
        for _ in range(2000):
            writer.write_message(RecordMessage("items", RECORDS[2]))
    assert len(stdout.lines()) > 1000
    assert stdout.raw_bytes.getvalue().endswith(b"\n")  # whole lines only
