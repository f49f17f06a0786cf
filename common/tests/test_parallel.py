"""Reads ahead in worker threads, handed over in the order the SDK asks for them."""

from __future__ import annotations

import threading
import time
import typing as t

import pytest

from common import parallel
from common.parallel import CHUNK, CHUNKS_AHEAD, ReadAhead


class Partitions:
    """A stream's stand-in: `records` per partition, each read taking `pause` seconds."""

    name = "items"

    def __init__(self, records: int = 3, pause: float = 0.0, failing: int | None = None) -> None:
        self.records, self.pause, self.failing = records, pause, failing
        self.states: list[dict] = []
        self.reading = 0
        self.most_at_once = 0
        self.read_so_far: dict[int, int] = {}
        self.threads: dict[int, str] = {}
        self.workers: list[threading.Thread] = []
        self._lock = threading.Lock()

    def get_context_state(self, context: dict) -> dict:
        assert threading.current_thread() is threading.main_thread()
        self.states.append(context)
        return {}

    def read_records(self, context: dict) -> t.Iterator[dict]:
        number = context["n"]
        self.threads[number] = threading.current_thread().name
        self.workers.append(threading.current_thread())
        with self._lock:
            self.reading += 1
            self.most_at_once = max(self.most_at_once, self.reading)
        try:
            time.sleep(self.pause)
            for index in range(self.records):
                self.read_so_far[number] = index + 1
                yield {"n": number, "i": index}
            if number == self.failing:
                raise RuntimeError(f"partition {number} failed after its records")
        finally:
            with self._lock:
                self.reading -= 1


def take(reader: ReadAhead, stream: Partitions, n: int) -> t.Iterator[dict]:
    """What the SDK reads when it asks for partition `n`."""
    return reader.records(t.cast("t.Any", stream), {"n": n}, stream.read_records)


def read_all(reader: ReadAhead, stream: Partitions, count: int) -> list[dict]:
    return [record for n in range(count) for record in take(reader, stream, n)]


def plan(reader: ReadAhead, stream: t.Any, count: int) -> None:
    reader.plan((stream, {"n": n}) for n in range(count))


def test_records_come_in_the_order_a_sequential_read_gives() -> None:
    stream = Partitions(records=1200)
    reader = ReadAhead(max_parallel=4)
    plan(reader, stream, 10)
    records = read_all(reader, stream, 10)
    assert records == [{"n": n, "i": i} for n in range(10) for i in range(1200)]


def test_partitions_are_read_at_once_but_never_more_than_max_parallel() -> None:
    stream = Partitions(pause=0.2)
    reader = ReadAhead(max_parallel=4)
    plan(reader, stream, 12)
    read_all(reader, stream, 12)
    assert stream.most_at_once == 4


def test_state_is_made_in_the_main_thread_in_the_planned_order() -> None:
    stream = Partitions()
    reader = ReadAhead(max_parallel=3)
    plan(reader, stream, 5)
    assert stream.states == [{"n": n} for n in range(5)]
    read_all(reader, stream, 5)
    assert all(name.startswith("read-ahead") for name in stream.threads.values())


def test_a_read_not_planned_is_still_read_ahead_by_itself() -> None:
    stream = Partitions(pause=0.3)
    reader = ReadAhead(max_parallel=3)
    records = take(reader, stream, 7)
    time.sleep(0.1)
    assert 7 not in stream.threads  # nothing is read before the SDK asks for it
    assert list(records) == [{"n": 7, "i": i} for i in range(3)]
    assert stream.threads[7].startswith("read-ahead")


def test_a_failed_read_is_raised_when_its_partition_is_reached_after_its_records() -> None:
    stream = Partitions(failing=2)
    reader = ReadAhead(max_parallel=4)
    plan(reader, stream, 5)
    assert read_all(reader, stream, 2) == [{"n": n, "i": i} for n in (0, 1) for i in range(3)]
    handed_over: list[dict] = []
    with pytest.raises(RuntimeError, match="partition 2 failed"):
        handed_over.extend(take(reader, stream, 2))
    assert handed_over == [{"n": 2, "i": i} for i in range(3)]


def test_a_worker_reads_only_a_bounded_number_of_records_ahead() -> None:
    stream = Partitions(records=50 * CHUNK)
    reader = ReadAhead(max_parallel=2)
    plan(reader, stream, 2)
    next(take(reader, stream, 0))
    time.sleep(0.5)
    ahead = (CHUNKS_AHEAD + 2) * CHUNK
    assert stream.read_so_far[0] <= ahead
    assert stream.read_so_far[1] <= ahead


def test_a_read_the_sdk_went_past_stops_and_is_read_again_if_asked() -> None:
    stream = Partitions(records=50 * CHUNK)
    reader = ReadAhead(max_parallel=3)
    plan(reader, stream, 3)
    assert len(list(take(reader, stream, 1))) == 50 * CHUNK
    again = list(take(reader, stream, 0))
    assert again == [{"n": 0, "i": i} for i in range(50 * CHUNK)]


def test_one_read_ahead_per_tap() -> None:
    class Tap:
        pass

    tap = Tap()
    assert parallel.read_ahead(tap, 4) is parallel.read_ahead(tap, 4)
    assert parallel.read_ahead(Tap(), 4) is not parallel.read_ahead(tap, 4)


def test_a_long_read_does_not_hold_up_the_short_ones_after_it() -> None:
    class Uneven(Partitions):
        """Partition 0 goes on until every other one has been read in full."""

        others_read = threading.Event()

        def read_records(self, context: dict) -> t.Iterator[dict]:
            if context["n"] == 0:
                self.waited = self.others_read.wait(timeout=30)
            yield from super().read_records(context)
            if all(self.read_so_far.get(n) == 3 for n in range(1, 7)):
                self.others_read.set()

    stream = Uneven()
    reader = ReadAhead(max_parallel=2)
    plan(reader, stream, 7)
    assert len(list(take(reader, stream, 0))) == 3
    assert stream.waited  # the six short reads ended while the long one went on
    assert stream.most_at_once <= 2


def test_stop_ends_every_worker_and_no_read_goes_on() -> None:
    stream = Partitions(records=50 * CHUNK)
    reader = ReadAhead(max_parallel=3)
    plan(reader, stream, 6)
    next(take(reader, stream, 0))  # the run fails here, with reads under way
    assert len(stream.workers) == 3
    reader.stop()
    assert not any(worker.is_alive() for worker in stream.workers)
    read_then = dict(stream.read_so_far)
    time.sleep(0.3)
    assert stream.read_so_far == read_then
    assert all(count < 50 * CHUNK for count in read_then.values())


def test_a_tap_stopped_reads_ahead_afresh_next_time() -> None:
    class Tap:
        pass

    tap = Tap()
    first = parallel.read_ahead(tap, 4)
    stream = Partitions()
    plan(first, stream, 3)
    parallel.stop(tap)
    second = parallel.read_ahead(tap, 4)
    assert second is not first
    plan(second, stream, 3)
    assert read_all(second, stream, 3) == [{"n": n, "i": i} for n in range(3) for i in range(3)]
    parallel.stop(tap)
