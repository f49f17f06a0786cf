# Copied from common/parallel.py by `python3 tasks.py copy-common`: edit the source, not this copy.
"""Partitions read in parallel, written in order: the SDK's output, sooner.

The SDK syncs a stream's partitions, and a parent's child contexts, one after another: it
asks `get_records(context)` for one, writes its records and state, then asks for the next.
Here, when it asks for one, worker threads are already reading the next ones (up to
`max_parallel` at once) into bounded queues; the main thread hands the SDK the records of
the one it asked for. So the SDK still writes every message itself, in the order and with
the state a sequential run writes, and a run killed at any moment resumes as one would.

What the SDK will ask for next is known in advance:
- a partitioned stream asks for each of its `partitions` in turn;
- a parent asks, after each of its records, for every selected child stream's context of
  that record. A parent's records are few (accounts, companies), so they are read in full
  first and the children's contexts planned from them.

A read the plan did not foresee is read by a worker of its own when the SDK asks for it, so
that its next pages are read while its records are written. Workers never write state: the
main thread creates each partition's state first. A failure in a worker is raised in the
main thread when the SDK reaches that partition (after the records read before it), so it
ends the run with the same one line as a sequential run.
"""

from __future__ import annotations

import contextlib
import copy
import queue
import threading
import time
import typing as t
import weakref

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from singer_sdk.helpers.types import Context

    from .stream import BaseStream

#: Records handed from a worker to the main thread at once: one queue operation per chunk.
CHUNK = 200
#: Chunks a worker reads ahead of the main thread: memory stays bounded per partition.
CHUNKS_AHEAD = 2
#: How far ahead of the SDK reads may start, in multiples of `max_parallel`: a long read
#: (a year of daily reports) does not hold up the short ones after it, and at most this many
#: finished reads wait, each holding at most CHUNK * CHUNKS_AHEAD records.
AHEAD = 4
#: Seconds a finished or failed sync waits for its workers to see they are cancelled: a
#: worker in the middle of a request ends with that request (each has its own timeout).
STOP_WAIT = 10.0

Read = t.Callable[[t.Any], t.Iterable[dict]]


class Cancelled(Exception):
    """The main thread no longer wants this read (the SDK went past it)."""


def context_key(stream_name: str, context: Context | None) -> tuple:
    """One read, as a hashable key: the stream and its context."""
    items = sorted((context or {}).items())
    return (stream_name, repr(items))


class PlannedRead:
    """One (stream, context) the SDK is expected to ask for, and its worker's queue."""

    def __init__(
        self, plan: Plan, index: int, read: Callable[[], t.Iterable[dict]], group: int
    ) -> None:
        self.plan = plan
        self.index = index
        self.read = read
        #: Reads of one group (the child streams of one account) run side by side: their
        #: rate budget is the account's, and max_parallel counts accounts.
        self.group = group
        self.chunks: queue.Queue[list[dict] | BaseException | None] = queue.Queue(CHUNKS_AHEAD)
        self.started = False
        self.finished = False
        self.cancelled = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.started = True
        name = f"read-ahead-{self.index}"
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _put(self, item: list[dict] | BaseException | None) -> None:
        while True:
            try:
                self.chunks.put(item, timeout=0.2)
            except queue.Full:
                if self.cancelled.is_set():
                    raise Cancelled from None
            else:
                return

    def _run(self) -> None:
        try:
            self._read()
        finally:
            self.finished = True
            self.plan.pump()  # a slot is free: the next read may start

    def _read(self) -> None:
        chunk: list[dict] = []
        try:
            for record in self.read():
                if self.cancelled.is_set():  # no further request once the run is past it
                    raise Cancelled
                chunk.append(record)
                if len(chunk) >= CHUNK:
                    self._put(chunk)
                    chunk = []
            self._put(chunk)
            self._put(None)
        except Cancelled:
            return
        except BaseException as error:  # raised again in the main thread
            # The records read before the failure are written first, as a sequential run would.
            with contextlib.suppress(Cancelled):
                self._put(chunk)
                self._put(error)

    def records(self) -> Iterator[dict]:
        """The records, in the order read; a worker's failure is raised here."""
        while True:
            chunk = self.chunks.get()
            if chunk is None:
                return
            if isinstance(chunk, BaseException):
                raise chunk
            yield from chunk


class Plan:
    """Reads in the order the SDK will ask for them, at most `max_parallel` running at once."""

    def __init__(self, max_parallel: int) -> None:
        self.max_parallel = max_parallel
        self.reads: list[PlannedRead] = []
        self.cursor = 0
        self.stopped = False
        self._lock = threading.Lock()

    def stop(self) -> list[threading.Thread]:
        """Cancel every read and start no more; the threads that may still run."""
        with self._lock:
            self.stopped = True
            for read in self.reads:
                read.cancelled.set()
            return [read.thread for read in self.reads if read.thread is not None]

    def add(self, read: Callable[[], t.Iterable[dict]], group: int | None = None) -> PlannedRead:
        index = len(self.reads)
        planned = PlannedRead(self, index, read, index if group is None else group)
        self.reads.append(planned)
        return planned

    def reached(self, planned: PlannedRead) -> None:
        """The SDK asks for `planned`: skipped reads stop, and it and the next ones start."""
        with self._lock:
            for earlier in self.reads[self.cursor : planned.index]:
                earlier.cancelled.set()
            self.cursor = planned.index
            if not planned.started:  # the one the SDK waits for always runs
                planned.start()
        self.pump()

    def pump(self) -> None:
        """Start reads in order while fewer than `max_parallel` groups run (a finished read,
        whose records wait in its queue, does not count), up to AHEAD * max_parallel groups
        ahead of the one the SDK reads."""
        with self._lock:
            if self.stopped:
                return
            first = self.reads[self.cursor].group if self.cursor < len(self.reads) else 0
            window = [
                r for r in self.reads[self.cursor :] if r.group < first + AHEAD * self.max_parallel
            ]
            running = {read.group for read in window if read.started and not read.finished}
            for read in window:
                if read.started:
                    continue
                if read.group not in running and len(running) >= self.max_parallel:
                    break
                read.start()
                running.add(read.group)


class ReadAhead:
    """The planned reads of one tap, by the stream and context the SDK will ask for."""

    def __init__(self, max_parallel: int) -> None:
        self.max_parallel = max_parallel
        self._planned: dict[tuple, PlannedRead] = {}
        self._plans: list[Plan] = []
        self._lock = threading.Lock()

    def stop(self, wait: float = STOP_WAIT) -> None:
        """Cancel every read and wait (at most `wait` seconds) for the workers to end, so
        that no request of this run is made after it."""
        with self._lock:
            plans, self._plans = self._plans, []
            self._planned.clear()
        threads = [thread for plan in plans for thread in plan.stop()]
        deadline = time.monotonic() + wait
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _keep(self, plan: Plan) -> None:
        """Hold `plan` for `stop`; plans whose reads have all ended are let go."""
        self._plans = [kept for kept in self._plans if not all(r.finished for r in kept.reads)]
        self._plans.append(plan)

    def plan(self, reads: Iterable[tuple[t.Any, ...]]) -> None:
        """Expect these reads, (stream, context) or (stream, context, group), in this order;
        read ahead once the first is asked for."""
        plan = Plan(self.max_parallel)
        with self._lock:
            self._keep(plan)
            for stream, context, *group in reads:
                key = context_key(stream.name, context)
                if key in self._planned:  # asked for twice: the second is read as it comes
                    continue
                # Workers only read state: each partition's entry is made here, in order.
                stream.get_context_state(context)
                self._planned[key] = plan.add(_reader(stream, context), *group)

    def records(self, stream: BaseStream, context: Context | None, read: Read) -> Iterator[dict]:
        """The records of `stream` for `context`: read ahead if planned, else read here."""
        with self._lock:
            planned = self._planned.pop(context_key(stream.name, context), None)
        if planned is None or planned.cancelled.is_set():
            # Not foreseen: its next pages are still read while these records are written.
            stream.get_context_state(context)
            plan = Plan(1)
            with self._lock:
                self._keep(plan)
            planned = plan.add(lambda: read(context))
        planned.plan.reached(planned)
        yield from planned.records()


def _reader(stream: BaseStream, context: Context | None) -> Callable[[], t.Iterable[dict]]:
    return lambda: stream.read_records(context)


_READERS: weakref.WeakKeyDictionary[t.Any, ReadAhead] = weakref.WeakKeyDictionary()
_READERS_LOCK = threading.Lock()


def read_ahead(tap: t.Any, max_parallel: int) -> ReadAhead:
    """The one ReadAhead of `tap`, shared by its streams."""
    with _READERS_LOCK:
        if tap not in _READERS:
            _READERS[tap] = ReadAhead(max_parallel)
        return _READERS[tap]


def stop(tap: t.Any) -> None:
    """The sync of `tap` is over (done or failed): its workers end, and a next sync of the
    same tap reads ahead afresh."""
    with _READERS_LOCK:
        reader = _READERS.pop(tap, None)
    if reader is not None:
        reader.stop()


def child_reads(
    parent: BaseStream, records: list[dict], context: Context | None
) -> Iterator[tuple[t.Any, Context | None, int]]:
    """The child reads the SDK makes after each of `records`, in its order.

    This follows the SDK's `_process_record` and `_sync_children`: each record, as
    `post_process` leaves it, gives its child contexts; every selected child stream (or
    one with selected children) is synced with each. A foreseen read that does not come is
    only wasted work; one that was not foreseen is read when it comes. A record that fails
    here (one without its key) ends the plan: the SDK raises its error when it gets there,
    after writing the records before it.
    """
    try:
        yield from _child_reads(parent, records, context)
    except Exception:  # the SDK meets it again, in order
        return


def _child_reads(
    parent: BaseStream, records: list[dict], context: Context | None
) -> Iterator[tuple[t.Any, Context | None, int]]:
    children = [
        child for child in parent.child_streams if child.selected or child.has_selected_descendents
    ]
    for group, raw in enumerate(records):
        record = parent.post_process(copy.deepcopy(raw), context)
        if record is None:
            continue
        for key, value in (context or {}).items():
            record.setdefault(key, value)
        for child_context in parent.generate_child_contexts(record, context):
            if child_context is None or not parent.stream_maps[0].get_filter_result(record):
                continue
            for child in children:
                yield child, child.preprocess_context(copy.copy(child_context)), group
