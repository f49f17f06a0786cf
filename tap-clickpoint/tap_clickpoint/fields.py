"""The fields of a lead: those every lead type has, those each lead type adds, and their types.

A lead type's own fields are known only from its leads (the legacy interface has no field
metadata), so the schema is discovered from a sample of each lead type. A field is typed
integer, number, boolean or date-time only when every sampled value agrees; otherwise it
is a string. The schema also allows properties it does not name, so a field the sample
missed still reaches the target, as text.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import typing as t
from datetime import timezone
from decimal import Decimal, InvalidOperation

from singer_sdk import typing as th

from tap_clickpoint import assumed
from tap_clickpoint.common.dates import to_utc_iso
from tap_clickpoint.formats import Canonical, CanonicalObject, parse_naive_timestamp

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from zoneinfo import ZoneInfo

#: Types one value: (the value, the lead's values that fit no type, by path) -> typed value.
Converter = t.Callable[[t.Any, dict[str, str]], t.Any]

SEND = th.ObjectType(
    th.Property("SendUID", th.IntegerType),
    th.Property("ClientUID", th.IntegerType),
    th.Property("ClientName", th.StringType),
    th.Property("DateSent", th.DateTimeType),
    th.Property("Price", th.DecimalType),
    th.Property("Status", th.StringType),
    additional_properties=True,
)
#: What every lead has, whatever its lead type.
#: Where a value that does not fit its learned type is kept, as the text LeadExec sent.
UNTYPED = "untyped_values"
LEAD_PROPERTIES = th.PropertiesList(
    th.Property("lead_type_id", th.IntegerType, required=True,
                description="The lead type (LID) the lead belongs to"),
    th.Property("UID", th.IntegerType, required=True, description="Lead id"),
    th.Property("LeadSource", th.StringType),
    th.Property("DateAdded", th.DateTimeType, required=True, description="UTC"),
    th.Property("LastUpdated", th.DateTimeType, description="UTC"),
    th.Property("FileUID", th.IntegerType),
    th.Property("Campaign", th.StringType),
    th.Property("IsValid", th.BooleanType),
    th.Property("MaxSell", th.IntegerType),
    th.Property("Price", th.DecimalType),
    th.Property(assumed.SENDS_KEY, th.ArrayType(SEND), description="Deliveries to buyers"),
    th.Property(UNTYPED, th.ObjectType(additional_properties=True),
                description="The original text of values that did not fit their field's type"),
).to_dict()  # fmt: skip

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
#: What a sampled value must look like for its field to be typed: integers and numbers
#: without leading zeros (ZIP codes such as 02134 stay strings).
_LOOKS_INTEGER = re.compile(r"^-?(0|[1-9]\d{0,17})$")
_LOOKS_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?$")
_BOOLEANS = {"true": True, "false": False}


def _nullable(*types: str, **extra: t.Any) -> dict[str, t.Any]:
    return {"type": [*types, "null"], **extra}


def infer_property(values: Iterable[Canonical]) -> dict[str, t.Any]:
    """The schema of a field whose sampled values are `values`."""
    present = [value for value in values if value is not None]
    if not all(isinstance(value, str) for value in present):
        for kind, schema in (("array", {"items": {"type": "object"}}), ("object", {})):
            if all(isinstance(value, list if kind == "array" else dict) for value in present):
                return _nullable(kind, **schema)
        return {}
    texts = t.cast("list[str]", present)
    for looks_like, schema in _TYPED_TEXT:
        if texts and all(looks_like(text) for text in texts):
            return copy.deepcopy(schema)
    return _nullable("string")


#: Text types a field can have, in the order they are tried; the first all values fit wins.
_TYPED_TEXT: tuple[tuple[t.Callable[[str], t.Any], dict[str, t.Any]], ...] = (
    (lambda text: text.lower() in _BOOLEANS, _nullable("boolean")),
    (_LOOKS_INTEGER.match, _nullable("integer")),
    (_LOOKS_NUMBER.match, _nullable("number")),
    (parse_naive_timestamp, _nullable("string", format="date-time")),
)


def lead_schema(samples: Mapping[int, list[CanonicalObject]], logger: logging.Logger) -> dict:
    """The leads stream's schema: the fixed properties, then each sampled lead type's own."""
    values: dict[str, list[Canonical]] = {}
    fixed = LEAD_PROPERTIES["properties"]
    for lead_type_id, leads in samples.items():
        own = list(dict.fromkeys(name for lead in leads for name in lead if name not in fixed))
        if not leads:
            logger.warning(
                "No leads of lead type %s to learn its fields from; they are kept as text",
                lead_type_id,
            )
        else:
            logger.info(
                "Lead type %s: %d fields of its own, from %d sampled leads",
                lead_type_id,
                len(own),
                len(leads),
            )
        for lead in leads:
            for name in own:
                values.setdefault(name, []).append(lead.get(name))
    schema = copy.deepcopy(LEAD_PROPERTIES)
    schema["properties"].update((name, infer_property(found)) for name, found in values.items())
    return {**schema, "additionalProperties": True}


class LeadTyper:
    """Gives each value of a canonical lead the type its schema declares.

    A value that does not fit its declared type (a sample can miss the odd "N/A") is
    emitted as null in its field and kept, as sent, in `untyped_values`: nothing is lost and
    the record still matches its schema. One warning per field says so: `warned` holds the
    fields already warned about.

    Converters take the value and the lead's `unfit` values, which they add to: each lead
    gets its own, so nothing of one lead outlives the call that types it.
    """

    def __init__(self, schema: dict, zone: ZoneInfo, logger: logging.Logger) -> None:
        self.zone = zone
        self.logger = logger
        self.warned: set[str] = set()
        self._convert = self._object_converter(schema, "")

    def __call__(self, lead: CanonicalObject) -> dict[str, t.Any]:
        unfit: dict[str, str] = {}
        record = t.cast("dict[str, t.Any]", self._convert(lead, unfit))
        if unfit:
            record[UNTYPED] = unfit
        return record

    def _object_converter(self, schema: dict, path: str) -> Converter:
        converters = {
            name: self._converter(sub_schema, f"{path}{name}")
            for name, sub_schema in schema.get("properties", {}).items()
        }

        def convert(value: t.Any, unfit: dict[str, str]) -> t.Any:
            if not isinstance(value, dict):
                return value
            return {
                name: converters[name](item, unfit) if name in converters else item
                for name, item in value.items()
            }

        return convert

    def _converter(self, schema: dict, path: str) -> Converter:
        types = schema.get("type", [])
        types = [types] if isinstance(types, str) else [k for k in types if k != "null"]
        if "object" in types:
            return self._object_converter(schema, f"{path}.")
        if "array" in types:
            item = self._converter(schema.get("items", {}), f"{path}[]")
            return lambda value, unfit: (
                [item(v, unfit) for v in value] if isinstance(value, list) else value
            )
        attempts = [self._scalar(kind, schema.get("format")) for kind in types] or [_any]

        def convert(value: t.Any, unfit: dict[str, str]) -> t.Any:
            if value is None:
                return None
            for attempt in attempts:
                try:
                    return attempt(value)
                except (ValueError, TypeError, InvalidOperation):
                    continue
            self._warn(path, types)
            unfit[path] = _string(value)
            return None

        return convert

    def _scalar(self, kind: str, text_format: str | None) -> t.Callable[[t.Any], t.Any]:
        if kind == "string" and text_format == "date-time":
            return self._timestamp
        return {
            "integer": _integer,
            "number": _number,
            "boolean": _boolean,
            "string": _string,
        }.get(kind, _any)

    def _timestamp(self, value: t.Any) -> str:
        """A wall-clock time of the source zone, or an offset-aware timestamp, in UTC."""
        naive = parse_naive_timestamp(str(value))
        if naive is None:
            return to_utc_iso(str(value))
        return assumed.from_source_time(naive, self.zone).astimezone(timezone.utc).isoformat()

    def _warn(self, path: str, types: list[str]) -> None:
        if path not in self.warned:
            self.warned.add(path)
            self.logger.warning(
                "Field %s has a value that is not %s, unlike the sampled leads; such values "
                "are emitted as null, with the text LeadExec sent kept in untyped_values",
                path,
                " or ".join(types),
            )


def _integer(value: t.Any) -> int:
    text = str(value)
    if _INTEGER.match(text):
        return int(text)
    number = Decimal(text)
    if number != number.to_integral_value():
        raise ValueError(text)
    return int(number)


def _number(value: t.Any) -> Decimal:
    if not _NUMBER.match(str(value)):
        raise ValueError(value)
    return Decimal(str(value))


def _boolean(value: t.Any) -> bool:
    text = str(value).lower()
    if text not in _BOOLEANS:
        raise ValueError(value)
    return _BOOLEANS[text]


def _string(value: t.Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _any(value: t.Any) -> t.Any:
    return value
