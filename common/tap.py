"""The Tap every tap builds on: settings checked up front, and failures as one clear line.

Whatever goes wrong (a setting, a config or state file that is not JSON, an API that refuses
or misbehaves, a host that cannot be reached) ends the run with one error line that names what
is wrong, exit code 1 and no traceback; secrets never appear in it.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
import typing as t
import weakref
from datetime import timezone, tzinfo
from functools import cached_property

import click
import jsonschema
from singer_sdk import Tap
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.singerlib import RecordMessage

from . import parallel
from .dates import MissingStartDate, SettingError
from .failures import CLEAR_FAILURES, RunFailed
from .progress import SETTINGS, Progress, metrics_log_level, quieten
from .redact import LogMasking, Redactor
from .stream import BaseStream
from .transport import url_problem


def _describe(error: jsonschema.ValidationError) -> str:
    """A schema error in words that name the setting and never repeat its value."""
    kind, limit = error.validator, error.validator_value
    if kind == "required":
        name = str(error.message).split("'")[1] if "'" in error.message else "?"
        return f"setting '{name}' is required"
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.path)
    name = path.lstrip(".") or "config"
    if kind == "type":
        kinds = [k for k in (limit if isinstance(limit, list) else [limit]) if k != "null"]
        words = f"must be of type {' or '.join(kinds)}"
    elif kind == "enum":
        words = f"must be one of: {', '.join(str(v) for v in limit if v is not None)}"
    else:
        words = {
            "minimum": f"must be at least {limit}",
            "maximum": f"must be at most {limit}",
            "exclusiveMinimum": f"must be more than {limit}",
            "minItems": f"needs at least {limit} items",
            "minLength": "must not be empty",
        }.get(str(kind), "is not valid")
    return f"setting '{name}' {words}"


def config_problems(schema: dict, config: t.Mapping[str, t.Any]) -> list[str]:
    """Every way `config` breaks `schema`, one line each, values left out (they may be secret)."""
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(dict(config)), key=lambda e: list(map(str, e.path)))
    return list(dict.fromkeys(_describe(error) for error in errors))


def read_json_input(stream: t.IO[str] | None, what: str) -> t.IO[str] | None:
    """The text of a --state or --catalog file, after checking it is a JSON object."""
    if stream is None:
        return None
    text = stream.read()
    name = getattr(stream, "name", what)
    try:
        value = json.loads(text)
    except ValueError as error:
        raise RunFailed(f"the {what} file {name} is not JSON ({error})") from None
    if not isinstance(value, dict):
        raise RunFailed(f"the {what} file {name} is not a JSON object")
    if what == "state" and not isinstance(value.get("bookmarks", {}), dict):
        raise RunFailed(f"the state file {name} has 'bookmarks' that are not an object")
    return io.StringIO(text)


class LineWriter(MsgSpecWriter):
    """The SDK's msgspec writer, whose lines reach stdout with the next message that is not a
    RECORD (or every 64 KB), instead of one write to stdout per record.

    The lines and their order are the same; records are never written after the STATE that
    follows them, so a run killed at any moment has written whole lines of records up to a
    STATE, and resumes from it without losing one. Costs one system call per 64 KB.
    """

    FLUSH_AT = 64 * 1024
    #: The writer of the tap that runs last, so that a failing run writes what it read before.
    latest: t.ClassVar[weakref.ref[LineWriter] | None] = None

    def __init__(self) -> None:
        super().__init__()
        self._pending = bytearray()
        LineWriter.latest = weakref.ref(self)

    def write_message(self, message: t.Any) -> None:
        self._pending += self.format_message(message)
        if len(self._pending) >= self.FLUSH_AT or not isinstance(message, RecordMessage):
            self.flush()

    def flush(self) -> None:
        sys.stdout.buffer.write(self._pending)
        sys.stdout.flush()
        self._pending.clear()

    @classmethod
    def flush_latest(cls) -> None:
        if cls.latest is not None and (writer := cls.latest()) is not None:
            writer.flush()


class BaseTap(Tap):
    """Shared by every tap of this repository."""

    message_writer_class = LineWriter
    #: Settings that hold a URL the tap sends credentials to.
    url_settings: t.ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: t.Any, validate_config: bool = True, **kwargs: t.Any) -> None:
        quieten(self.logger)
        try:
            super().__init__(*args, validate_config=validate_config, **kwargs)
        except ConfigValidationError:
            # The SDK's messages may repeat a value, and a value may be a secret.
            problems = config_problems(self.config_jsonschema, self.config)
            raise ConfigValidationError(problems[0], errors=problems) from None
        self.redactor = Redactor(self.secret_values())
        if validate_config:
            try:
                self.check_settings()
            except MissingStartDate:
                pass  # only dated streams need it: `check_selected_streams` says so
            except SettingError as error:
                raise ConfigValidationError(str(error), errors=[str(error)]) from None
        self.metrics_logger.setLevel(self.metrics_log_level)

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        """Every tap's settings end with those all taps of this repository have."""
        super().__init_subclass__(**kwargs)
        if "config_jsonschema" in cls.__dict__:  # a tap's own schema, not one it inherits
            properties = cls.config_jsonschema.setdefault("properties", {})
            for name, setting in SETTINGS["properties"].items():
                properties.setdefault(name, setting)

    def secret_values(self) -> list[str]:
        """The values of the settings marked secret."""
        properties = self.config_jsonschema.get("properties", {})
        return [
            str(self.config[name])
            for name, schema in properties.items()
            if schema.get("secret") and self.config.get(name) not in (None, "")
        ]

    @property
    def metrics_log_level(self) -> str:
        """The level of the SDK's METRIC lines: WARNING, unless the setting says otherwise."""
        try:
            return metrics_log_level(self.config.get("metrics_log_level"))
        except ValueError as error:
            raise SettingError(str(error)) from None

    def check_settings(self) -> None:
        """Check settings the schema cannot; raise SettingError naming the setting.

        Taps check their date settings last: without `start_date` they raise
        `MissingStartDate`, which is no error until a dated stream is selected.
        """
        _ = self.metrics_log_level
        for name in self.url_settings:
            if self.config.get(name) and (problem := url_problem(str(self.config[name]))):
                raise SettingError(f"setting '{name}' {problem}")

    @property
    def zone(self) -> tzinfo:
        """The time zone whose days the date settings and day buckets name."""
        return timezone.utc

    # Running

    def sync_all(self) -> None:  # type: ignore[misc]  # the SDK marks it final
        """The SDK's sync; after it, done or failed, no worker reading ahead goes on."""
        try:
            super().sync_all()
        finally:
            parallel.stop(self)

    def flush_messages(self) -> None:
        """Write out the messages the writer still holds (see `LineWriter`)."""
        if isinstance(self.message_writer, LineWriter):
            self.message_writer.flush()

    @cached_property
    def progress(self) -> Progress:
        """The run's counts per stream, its progress lines and its summary."""
        return Progress(self.logger, redact=self.redactor)

    def check_selected_streams(self) -> None:
        """Before the first request of a sync: a selected dated stream needs `start_date`."""
        if self.config.get("start_date") not in (None, ""):
            return
        dated = [
            stream.name
            for stream in self.streams.values()
            if stream.selected and isinstance(stream, BaseStream) and stream.dated
        ]
        if dated:
            msg = (
                f"setting 'start_date' is required to read {', '.join(dated)}: "
                "set it, or select only streams without dates"
            )
            raise SettingError(msg)

    @cached_property
    def log_masking(self) -> LogMasking:
        """The redactor on this tap's loggers, and on urllib3's lines that show request URLs.

        Built when the first records are read, when the streams exist.
        """
        loggers = [self.logger, *(stream.logger for stream in self.streams.values())]
        return LogMasking(self.redactor, [*loggers, logging.getLogger("urllib3.connectionpool")])

    @classmethod
    def cb_config(cls, ctx: t.Any, param: t.Any, value: tuple[str, ...]) -> t.Any:
        """Read the --config files; one that is missing or not JSON is one line, exit 1."""
        for path in value:
            if path == "ENV":
                continue
            try:
                with open(path, encoding="utf-8") as config_file:
                    settings = json.load(config_file)
            except (OSError, ValueError) as error:
                problem = "cannot be read" if isinstance(error, OSError) else "is not JSON"
                cls.logger.error("Invalid configuration: the config file %s %s", path, problem)
                ctx.exit(1)
            if not isinstance(settings, dict):
                cls.logger.error("Invalid configuration: the config file %s is not an object", path)
                ctx.exit(1)
        return super().cb_config(ctx, param, value)

    @classmethod
    def cb_discover(cls, ctx: t.Any, param: t.Any, value: bool) -> None:
        """Discovery reads the API when the catalog is dynamic: a failure is one line, exit 1."""
        with cls.failing_in_one_line(ctx):
            super().cb_discover(ctx, param, value)

    @classmethod
    def cb_test(cls, ctx: t.Any, param: t.Any, value: str) -> None:
        """`--test` reads the API: a failure is one line and exit 1, as in a sync."""
        with cls.failing_in_one_line(ctx):
            super().cb_test(ctx, param, value)

    @classmethod
    @contextlib.contextmanager
    def failing_in_one_line(cls, ctx: t.Any) -> t.Iterator[None]:
        """Inside a command-line callback: a failure becomes one error line and exit code 1."""
        try:
            yield
        except ConfigValidationError as error:
            LineWriter.flush_latest()
            cls.logger.error("Invalid configuration: %s", "; ".join(error.errors or [str(error)]))
            ctx.exit(1)
        except (RunFailed, *CLEAR_FAILURES) as error:
            LineWriter.flush_latest()  # the records read before the failure, then its one line
            cls.logger.error("%s", " ".join(str(error).split()))
            ctx.exit(1)

    @classmethod
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:
        """Run the command; a failure is one line on stderr and exit code 1."""
        with cls.failing_in_one_line(click.get_current_context()):
            for what in ("state", "catalog"):
                kwargs[what] = read_json_input(kwargs.get(what), what)
            super().invoke(*args, **kwargs)
