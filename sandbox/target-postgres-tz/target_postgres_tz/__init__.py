"""MeltanoLabs' target-postgres, with date-times loaded as `timestamp with time zone`.

The taps emit every date-time in UTC with its offset. target-postgres 0.8.1 maps JSON Schema's
`format: date-time` to `timestamp without time zone`, which drops the offset and leaves a reader
to guess the zone; this target changes that one mapping and nothing else.
"""

from __future__ import annotations

import typing as t
from functools import cached_property

from sqlalchemy.dialects.postgresql import TIMESTAMP
from target_postgres.connector import PostgresConnector
from target_postgres.sinks import PostgresSink
from target_postgres.target import TargetPostgres


class TimestampTzConnector(PostgresConnector):
    @cached_property
    def jsonschema_to_sql(self) -> t.Any:
        to_sql = super().jsonschema_to_sql
        to_sql.register_format_handler("date-time", lambda _schema: TIMESTAMP(timezone=True))
        return to_sql


class TimestampTzSink(PostgresSink):
    connector_class = TimestampTzConnector


class TargetPostgresTz(TargetPostgres):
    name = "target-postgres-tz"
    default_sink_class = TimestampTzSink
