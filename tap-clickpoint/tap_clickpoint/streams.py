"""LeadExec streams: one, the leads of every configured lead type."""

from __future__ import annotations

from functools import cached_property

from tap_clickpoint.client import DatedStream
from tap_clickpoint.fields import lead_schema


class LeadsStream(DatedStream):
    """Leads, one partition (and bookmark) per lead type, each lead with its type's fields."""

    name = "leads"
    primary_keys = ("lead_type_id", "UID")
    replication_key = "DateAdded"

    @property
    def partitions(self) -> list[dict]:
        return [{"lead_type_id": lead_type_id} for lead_type_id in self.tap.lead_type_ids]

    @cached_property
    def schema(self) -> dict:
        """The catalog's schema when one is given, else one learnt from each lead type."""
        entry = self.tap.input_catalog.get_stream(self.name) if self.tap.input_catalog else None
        if entry is not None:
            return entry.schema.to_dict()
        samples = {lid: self.sample_leads(lid) for lid in self.tap.lead_type_ids}
        return lead_schema(samples, self.logger)


STREAMS: tuple[type[DatedStream], ...] = (LeadsStream,)
