"""LeadExec streams: one, the leads of every configured lead type."""

from __future__ import annotations

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

    @property
    def schema(self) -> dict:
        """The catalog's schema when one is given, else one learnt from each lead type."""
        if self._input_schema is not None:
            return self._input_schema
        if self._schema is None:
            samples = {lid: self.sample_leads(lid) for lid in self.tap.lead_type_ids}
            self._schema = lead_schema(samples, self.logger)
        return self._schema


STREAMS: tuple[type[DatedStream], ...] = (LeadsStream,)
