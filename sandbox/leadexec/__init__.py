"""A local ClickPoint LeadExec legacy Data Interface that behaves as docs/api/clickpoint.md
says: XML by default and JSON on request, with their casing and value differences; naive
Pacific times; skip/take paging over a moving total; leads that show up late; sends attached
after the lead arrives; fields of their own per lead type.

- `server`: `LeadExecSandbox`, the endpoint, and the hooks tests change leads with.
- `world`, `lead_types`: the leads it holds and the fields of each lead type.
- `params`, `paging`, `formats`: how a request is read, paged and answered.
- `assumed`: every undocumented behaviour the simulator and the tap agree on.
"""

from sandbox.leadexec.assumed import SOURCE_ZONE
from sandbox.leadexec.lead_types import AUTO_INSURANCE, LEAD_TYPES, MORTGAGE, SOLAR, LeadType
from sandbox.leadexec.server import LeadExecSandbox, Query
from sandbox.leadexec.world import LATE_VISIBILITY_SECONDS

__all__ = [
    "AUTO_INSURANCE",
    "LATE_VISIBILITY_SECONDS",
    "LEAD_TYPES",
    "MORTGAGE",
    "SOLAR",
    "SOURCE_ZONE",
    "LeadExecSandbox",
    "LeadType",
    "Query",
]
