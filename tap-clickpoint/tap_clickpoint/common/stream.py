# Copied from common/stream.py by `python3 tasks.py copy-common`: edit the source, not this copy.
"""The REST stream every tap's base stream builds on: what the SDK leaves to each tap.

- Requests go through an `OriginBoundSession`: credentials stay on the configured host, and
  `request_timeout` bounds each whole request.
- Paging stops with one line when the API sends the same page, or the same next-page token,
  twice: it would otherwise never end, and every page after it would be a duplicate.
- An answer that cannot be right stops the run with one line naming the stream and path.
- Retries follow the tap's `RetryWaits`, within `max_retries` and `max_retry_seconds`.
- A bookmark never passes the moment the run started: a record dated later is emitted, but
  the next run still reads everything after that moment.
- Every message a stream builds goes through the tap's redactor.
- With `max_parallel` above 1, the next partitions are read while the SDK writes the current
  one (see `parallel.py`); what is written, and in what order, does not change.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import traceback
import typing as t
from datetime import date, datetime, timezone
from urllib.parse import urlsplit

import requests
from singer_sdk import RESTStream
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError
from singer_sdk.pagination import SinglePagePaginator
from singer_sdk.streams.rest import PageContext

from . import parallel, retries
from .answers import AnswerProblem, MalformedAnswerError, PaginationLoopError, had_bad_bytes
from .dates import bookmark_instant, midnight, parse_timestamp
from .failures import CLEAR_FAILURES, RunFailed, describe_failure
from .progress import quieten
from .transport import OriginBoundSession

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context, Record

    from .tap import BaseTap


class MissingKeyError(FatalAPIError):
    """A record without its primary key."""


#: What the state of an unsorted stream says while it is read (the SDK: "not resumable").
UNSORTED_NOTE = (
    "Unsorted: the bookmark moves when this stream or partition is finished; a run stopped "
    "before then starts again from the previous bookmark, and loses nothing."
)


class CappedStateManager:
    """The SDK's state manager for one stream, with every bookmark capped at `cap`.

    The SDK caps bookmarks at the run's start only for unsorted streams; a sorted stream
    takes each record's value as it goes, so one record dated next year would move the
    bookmark past every record still to come.
    """

    def __init__(
        self,
        manager: t.Any,
        cap: t.Callable[[t.Any], t.Any],
        reached: t.Callable[[str, t.Any], None] = lambda key, value: None,
        unsorted_note: str | None = None,
    ) -> None:
        object.__setattr__(self, "_manager", manager)
        object.__setattr__(self, "_cap", cap)
        object.__setattr__(self, "_reached", reached)
        object.__setattr__(self, "_unsorted_note", unsorted_note)

    def increment_state(
        self, latest_record: dict, *, replication_key: str, **kwargs: t.Any
    ) -> None:
        value = latest_record.get(replication_key)
        capped = self._cap(value)
        if capped != value:
            latest_record = {**latest_record, replication_key: capped}
        if self._unsorted_note:
            # What an interrupted run of an unsorted stream does, said truthfully where the
            # SDK would otherwise write (and warn) that its progress "is not resumable".
            state = self._manager.get_context_state(kwargs.get("context"))
            state.setdefault("progress_markers", {"Note": self._unsorted_note})
        self._manager.increment_state(latest_record, replication_key=replication_key, **kwargs)
        self._reached(replication_key, capped)

    def __getattr__(self, name: str) -> t.Any:
        return getattr(self._manager, name)

    def __setattr__(self, name: str, value: t.Any) -> None:
        setattr(self._manager, name, value)


class BaseStream(RESTStream[t.Any]):
    """Shared by the base stream of every tap."""

    #: The vendor's name, as messages say it: "CallRail answered HTTP 500 for calls".
    vendor: t.ClassVar[str] = "The API"
    retry_waits: t.ClassVar[retries.RetryWaits] = retries.RetryWaits()

    def __init__(self, tap: BaseTap, **kwargs: t.Any) -> None:
        super().__init__(tap=tap, **kwargs)
        self.tap = tap
        self._sessions = threading.local()
        self._bad_byte_records = 0
        self._counts_lock = threading.Lock()
        quieten(self.logger)
        # The SDK asks `self.get_records(context)` for each partition in turn, from its private
        # `_sync_records`, and has no public hook around that call. The read ahead must run the
        # most-derived `get_records` (a tap's windows, its skips) in its workers, so that one is
        # kept as `read_records`, and the instance's `get_records` hands over what it read.
        self.read_records = self.get_records
        self.__dict__["get_records"] = self.records_in_order
        self._partitions_planned = False

    @property
    def dated(self) -> bool:
        """Whether this stream reads by date, from `start_date` on: it keeps a bookmark."""
        return self.replication_key is not None

    @property
    def timeout(self) -> int:
        return int(self.config["request_timeout"])

    def redact(self, text: t.Any) -> str:
        return self.tap.redactor(text)

    def log(self, message: str, *args: t.Any, level: int = logging.INFO, **kwargs: t.Any) -> None:
        # The SDK logs "An unhandled error occurred while syncing" as an ERROR for every stream
        # a failure passes through; the tap's one error line says what went wrong.
        if level >= logging.ERROR and message.startswith("An unhandled error occurred"):
            level = logging.DEBUG
        super().log(message, *args, level=level, **kwargs)

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """The records, read with secrets masked in every log line; a failure that is not
        one of the tap's own becomes one line, with secrets masked."""
        self.tap.check_selected_streams()  # before the first request of the run
        with self.tap.log_masking:
            try:
                yield from super().get_records(context)
            except (*CLEAR_FAILURES, RunFailed):
                raise
            except Exception as error:
                if not isinstance(error, requests.RequestException):
                    self.logger.debug("%s", self.redact(traceback.format_exc()))  # a bug
                raise RunFailed(self.redact(describe_failure(error))) from None

    # Partitions in parallel

    @property
    def max_parallel(self) -> int:
        """Partitions read at once; taps without the setting read one at a time."""
        return int(self.config.get("max_parallel") or 1)

    def records_in_order(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """What `read_records(context)` returns, read ahead when `max_parallel` allows."""
        if self.max_parallel <= 1:
            return self.read_records(context)
        return self._read_ahead(context)

    def _read_ahead(self, context: Context | None) -> t.Iterator[dict[str, t.Any]]:
        reader = parallel.read_ahead(self.tap, self.max_parallel)
        if context is not None and self.parent_stream_type is None and not self._partitions_planned:
            self._partitions_planned = True
            reader.plan((self, partition) for partition in self.partitions or ())
        records = reader.records(self, context, self.read_records)
        if not any(
            child.selected or child.has_selected_descendents for child in self.child_streams
        ):
            yield from records
            return
        parents = list(records)  # a parent's records are few: its children are planned
        reader.plan(parallel.child_reads(self, parents, context))
        yield from parents

    # Requests

    @property
    def requests_session(self) -> requests.Session:
        """A session per thread, bound to the origin of `url_base`."""
        session = getattr(self._sessions, "session", None)
        if session is None:
            session = OriginBoundSession(self.url_base, describe=f"{self.vendor} ({self.name})")
            self._sessions.session = session
        return t.cast("requests.Session", session)

    def send_request(
        self, prepared_request: requests.PreparedRequest, context: Context | None
    ) -> requests.Response:
        """Send one request, signed anew (a token may have been renewed since), and judge it."""
        signed = self.authenticator(prepared_request)
        response = self.requests_session.send(signed, timeout=self.timeout)
        self.tap.progress.requested(self.name)
        self.validate_response(response)
        return response

    def prepared_request(self, context: Context | None, token: t.Any) -> requests.PreparedRequest:
        request = self.get_http_request(page=PageContext(context, token))
        body: dict[str, t.Any] = (
            {"json": request.data} if self.payload_as_json else {"data": request.data}
        )
        return self.build_prepared_request(
            method=request.method,
            url=request.url,
            params=request.encode_params(),
            headers=request.headers,
            **body,
        )

    def request_records(self, context: Context | None) -> t.Iterable[dict]:
        """Every page of one listing, refusing a page or a token that comes again."""
        paginator = self.get_new_paginator() or SinglePagePaginator()
        send = self.request_decorator(self.send_request)
        tokens_seen: set[str] = set()
        previous_page = b""
        with self.get_http_request_counter() as counter:
            counter.with_context(context)
            while not paginator.finished:
                token = paginator.current_value
                if token is not None and repr(token) in tokens_seen:
                    raise self.loop_error("the same next-page token came twice")
                tokens_seen.add(repr(token))
                response = send(self.prepared_request(context, token), context)
                counter.increment()
                page = hashlib.blake2b(response.content, digest_size=16).digest()
                if page == previous_page:
                    raise self.loop_error("the same page came twice")
                previous_page = page
                yield from self.parse_checked(response)
                try:
                    paginator.advance(response)
                except AnswerProblem as problem:
                    raise self.answer_error(response, str(problem)) from None
                except RuntimeError:  # the SDK's own loop check: the same token twice
                    raise self.loop_error("the same next-page token came twice") from None

    def parse_checked(self, response: requests.Response) -> t.Iterator[dict]:
        """`parse_response`, with answers that cannot be right turned into one clear line."""
        try:
            records = list(self.parse_response(response))
        except AnswerProblem as problem:
            raise self.answer_error(response, str(problem)) from None
        if had_bad_bytes(response):
            affected = sum("\ufffd" in str(record) for record in records)
            with self._counts_lock:
                self._bad_byte_records += affected
        yield from records

    def answer_error(self, response: requests.Response, problem: str) -> MalformedAnswerError:
        path = urlsplit(str(response.request.url if response.request else response.url)).path
        msg = (
            f"{self.vendor} answered HTTP {response.status_code} for {self.name} ({path}), but "
            f"the answer {problem}; stopping so that nothing is lost (the next run reads it again)"
        )
        return MalformedAnswerError(self.redact(msg))

    def loop_error(self, problem: str) -> PaginationLoopError:
        msg = f"{self.vendor} paged {self.name} in a circle ({problem}); stopping, no duplicates"
        return PaginationLoopError(self.redact(msg))

    # Errors and retries

    def error_detail(self, response: requests.Response) -> str:
        """The API's own words about a failure; taps read their error bodies here."""
        return " ".join(response.text.split())[:200]

    def response_error_message(self, response: requests.Response) -> str:
        detail = self.error_detail(response)
        message = f"{self.vendor} answered HTTP {response.status_code} for {self.name}: {detail}"
        return self.redact(message)

    def validate_response(self, response: requests.Response) -> None:
        if response.status_code == 429 or response.status_code >= 500:
            raise RetriableAPIError(self.response_error_message(response), response)
        if response.status_code >= 400:
            raise FatalAPIError(self.response_error_message(response))

    def request_decorator(self, func: t.Callable) -> t.Callable:
        return retries.retrying(self, func)

    def backoff_wait_generator(self) -> t.Generator[float, t.Any, None]:
        return retries.waits(self.retry_waits)

    def backoff_handler(self, details: t.Any) -> None:
        retries.log_retry(self, details, describe=self.redact)

    # State

    @property
    def state_manager(self) -> t.Any:
        """The SDK's state manager, with bookmarks capped at the moment the run started."""
        if "_capped_state_manager" not in self.__dict__:
            sorted_ = self.is_sorted and self.state_partitioning_keys is None
            self.__dict__["_capped_state_manager"] = CappedStateManager(
                super().state_manager,
                self.capped_bookmark,
                reached=lambda key, value: self.tap.progress.reached(self.name, key, value),
                unsorted_note=None if sorted_ else UNSORTED_NOTE,
            )
        return self.__dict__["_capped_state_manager"]

    @property
    def run_started_at(self) -> datetime:
        return datetime.fromtimestamp(self.tap.initialized_at / 1000, tz=timezone.utc)

    def capped_bookmark(self, value: t.Any) -> t.Any:
        """`value`, or the run's start when `value` is later: a date, or a date-time in UTC."""
        if not isinstance(value, str):
            return value
        started = self.run_started_at
        if len(value) == 10:  # a day
            today = started.astimezone(self.tap.zone).date().isoformat()
            return min(value, today)
        try:
            later = parse_timestamp(value) > started
        except ValueError:
            return value
        return started.isoformat() if later else value

    def bookmark(self, context: Context | None) -> datetime | None:
        """The instant this stream's (or partition's) bookmark names, checked.

        A bookmark later than the run's start (left by a tap that did not cap them) is
        taken as the run's start, so that what came after it is read after all.
        """
        state = self.get_context_state(context)
        value = bookmark_instant(state, self.replication_key, self.name)
        if value is None:
            return None
        text = str(state["replication_key_value"])
        if len(text) == 10:  # a day of the account's zone
            value = midnight(date.fromisoformat(text), self.tap.zone)
        if value > self.run_started_at:
            self.logger.warning(
                "%s: the state's bookmark %s is in the future; reading from now instead",
                self.name,
                text,
            )
            return self.run_started_at
        return value

    # Records

    def record_key(self, record: Record) -> tuple:
        """The record's primary key, as a tuple of its values."""
        return tuple(record.get(key) for key in self.primary_keys or ())

    def each_once(self, records: t.Iterable[Record]) -> t.Iterator[Record]:
        """`records` with repeats of a primary key left out: while a window is read, a record
        pushed onto the next page by one that arrived comes twice, and is kept once."""
        seen: set[tuple] = set()
        for record in records:
            key = self.record_key(record)
            if key not in seen:
                seen.add(key)
                yield record

    def generate_child_contexts(
        self, record: Record, context: Context | None
    ) -> t.Iterable[Context | None]:
        """Every record passes here once it is complete: one without its key stops the run.

        A target merges records by their key, so records without one would become one.
        """
        missing = [key for key in self.primary_keys or () if record.get(key) is None]
        if missing:
            msg = (
                f"{self.vendor} sent a {self.name} record without {', '.join(missing)}; "
                "stopping, as records without their key would be merged into one"
            )
            raise MissingKeyError(msg)
        yield from super().generate_child_contexts(record, context)

    # Progress

    def get_record_counter(self, **kwargs: t.Any) -> t.Any:
        return self.tap.progress.record_counter(self.name, super().get_record_counter(**kwargs))

    def get_sync_timer(self) -> t.Any:
        return self.tap.progress.sync_timer(self.name, super().get_sync_timer())

    def log_sync_costs(self) -> None:
        """At the end of the run: one line of records, requests and seconds for a selected
        stream, and one warning counting records that held bytes not UTF-8.

        The SDK calls this for every stream once all are synced, its only public hook at the
        end of a run: the tap's writer writes out the records it still holds here.
        """
        self.tap.flush_messages()
        super().log_sync_costs()
        if self.selected:
            self.tap.progress.say_summary(self.name)
        if self._bad_byte_records:
            self.logger.warning(
                "%s: %d records held bytes that are not UTF-8; each was replaced by U+FFFD",
                self.name,
                self._bad_byte_records,
            )
