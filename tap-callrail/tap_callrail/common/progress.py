# Copied from common/progress.py by `python3 tasks.py copy-common`: edit the source, not this copy.
"""What a run says while it reads, and when it is done; and what it leaves unsaid.

- Every `PROGRESS_SECONDS` of a sync, one INFO line names the stream being read, its
  partition, the records and requests so far and the bookmark reached:
  `Reading calls (account_id=ACC01): 12000 records, 48 requests so far; reached start_time …`
- At the end, one INFO line per selected stream: `Read calls: 36000 records, 144 requests, 52.1 s`.
- The SDK's METRIC lines are logged at the level of the `metrics_log_level` setting: WARNING
  by default, which keeps them out of a run at the default log level; INFO shows them again.
- SDK lines said once per partition, child stream or skipped stream (`CHATTER`) are shown
  only when the log level is DEBUG.
"""

from __future__ import annotations

import logging
import threading
import time
import typing as t
from dataclasses import dataclass

from singer_sdk import metrics
from singer_sdk import typing as th

#: Seconds between two progress lines.
PROGRESS_SECONDS = 30.0
#: Where the SDK's METRIC lines go unless the settings say otherwise.
METRICS_LOG_LEVEL = "WARNING"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
#: Settings every tap has: BaseTap adds them to each tap's config_jsonschema.
SETTINGS = th.PropertiesList(
    th.Property(
        "metrics_log_level",
        th.StringType,
        default=METRICS_LOG_LEVEL,
        description="Log level of the SDK's METRIC lines (logger singer_sdk.metrics): INFO shows "
        "them at the default log level; the default, WARNING, leaves them out",
    ),
).to_dict()
#: How the SDK's INFO lines that repeat per partition, child stream or skipped stream begin.
CHATTER = (
    "Beginning sync of '%s' in %s mode with context keys",
    "Starting incremental sync of '%s' with bookmark value",
    "Added '%s' as child stream to '%s'",
    "Skipping parse of env var settings",
    "Skipping deselected stream '%s'",
)


class Chatter(logging.Filter):
    """Leaves out the SDK's `CHATTER` lines unless their logger is set to DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not str(record.msg).startswith(CHATTER):
            return True
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def metrics_log_level(value: t.Any) -> str:
    """The level the `metrics_log_level` setting names, in any case; ValueError if none."""
    level = str(value or METRICS_LOG_LEVEL).strip().upper()
    if level not in LOG_LEVELS:
        msg = f"setting 'metrics_log_level' is not a log level: use one of {', '.join(LOG_LEVELS)}"
        raise ValueError(msg)
    return level


def quieten(logger: logging.Logger) -> None:
    """Put the `Chatter` filter on `logger`, once."""
    if not any(isinstance(existing, Chatter) for existing in logger.filters):
        logger.addFilter(Chatter())


def describe_context(context: t.Mapping[str, t.Any] | None) -> str:
    """`account_id=ACC01, company_id=COM02`, or '' for a stream without partitions."""
    return ", ".join(f"{key}={value}" for key, value in (context or {}).items())


@dataclass
class Tally:
    """One stream's counts in this run."""

    records: int = 0
    requests: int = 0
    began: float | None = None
    ended: float | None = None
    context: str = ""
    reached: str = ""

    @property
    def seconds(self) -> float:
        if self.began is None:
            return 0.0
        return (self.ended or self.began) - self.began


class Progress:
    """Counts per stream, a progress line every `interval` seconds, and a summary per stream.

    `clock` is injectable so that tests can pass time without waiting for it.
    """

    def __init__(
        self,
        logger: logging.Logger,
        *,
        interval: float = PROGRESS_SECONDS,
        clock: t.Callable[[], float] = time.monotonic,
        redact: t.Callable[[str], str] = str,
    ) -> None:
        self.logger = logger
        self.interval = interval
        self.clock = clock
        self.redact = redact
        self.tallies: dict[str, Tally] = {}
        self._lock = threading.Lock()
        self._last_line = clock()

    def tally(self, stream: str) -> Tally:
        with self._lock:
            return self.tallies.setdefault(stream, Tally())

    # What the streams report

    def reading(self, stream: str, context: t.Mapping[str, t.Any] | None) -> None:
        """`stream` starts reading a partition (or the whole stream)."""
        tally = self.tally(stream)
        tally.context = describe_context(context)
        if tally.began is None:
            tally.began = self.clock()

    def read(self, stream: str, records: int) -> None:
        self.tally(stream).records += records
        self._say_progress(stream)

    def requested(self, stream: str) -> None:
        self.tally(stream).requests += 1
        self._say_progress(stream)

    def reached(self, stream: str, replication_key: str, value: t.Any) -> None:
        """The bookmark `stream` has reached in its current partition."""
        self.tally(stream).reached = f"{replication_key} {value}"

    def stopped(self, stream: str) -> None:
        self.tally(stream).ended = self.clock()

    # What the run says

    def _say_progress(self, stream: str) -> None:
        now = self.clock()
        with self._lock:
            if now - self._last_line < self.interval:
                return
            self._last_line = now
        self.logger.info("%s", self.redact(self.progress_line(stream)))

    def progress_line(self, stream: str) -> str:
        tally = self.tally(stream)
        where = f"{stream} ({tally.context})" if tally.context else stream
        line = f"Reading {where}: {tally.records} records, {tally.requests} requests so far"
        return f"{line}; reached {tally.reached}" if tally.reached else line

    def summary_line(self, stream: str) -> str:
        tally = self.tally(stream)
        counts = f"{tally.records} records, {tally.requests} requests, {tally.seconds:.1f} s"
        return f"Read {stream}: {counts}"

    def say_summary(self, stream: str) -> None:
        self.logger.info("%s", self.redact(self.summary_line(stream)))

    # The SDK's meters, counted here too

    def record_counter(self, stream: str, counter: metrics.Counter) -> metrics.Counter:
        return _Counter(
            counter,
            partition=lambda context: self.reading(stream, context),
            count=lambda records: self.read(stream, records),
        )

    def sync_timer(self, stream: str, timer: metrics.Timer) -> metrics.Timer:
        return _Timer(timer, stopped=lambda: self.stopped(stream))


class _Counter(metrics.Counter):
    """The SDK's record counter, telling `Progress` of each partition and record too."""

    def __init__(
        self,
        counter: metrics.Counter,
        *,
        partition: t.Callable[[t.Any], None],
        count: t.Callable[[int], None],
    ) -> None:
        super().__init__(counter.metric, counter.tags, log_interval=counter.log_interval)
        self._partition = partition
        self._count = count

    def with_context(self, value: t.Any) -> None:
        super().with_context(value)
        self._partition(value)

    def increment(self, value: int = 1) -> None:
        super().increment(value)
        self._count(value)


class _Timer(metrics.Timer):
    """The SDK's sync timer, telling `Progress` when each sync of the stream ends."""

    def __init__(self, timer: metrics.Timer, *, stopped: t.Callable[[], None]) -> None:
        super().__init__(timer.metric, timer.tags)
        self._stopped = stopped

    def __exit__(self, *exc_info: t.Any) -> None:
        super().__exit__(*exc_info)
        self._stopped()
