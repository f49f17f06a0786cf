"""A local inContact / NICE CXone API as docs/api/incontact.md describes it, traps included.

Two sign-ins (the Central password grant and a CXone back-end application) hand out tokens
that the API under `/inContactAPI/services/v{NN}.0/` checks. Performance, skill summaries
and report files are computed from the same contacts as the contact list, so every view
agrees. Where things are:

- server.py: the HTTP wiring, the settings and the interface tests drive (`InContactSandbox`)
- auth.py: both sign-ins, the discovery documents and the bearer check
- admin.py, contacts.py, performance.py, reports.py: the endpoint families
- world.py, business_unit.py, contact_data.py, report_files.py: the data behind them
- dates.py, paging.py, faults.py: how inContact writes times, pages lists and refuses

Besides the generic faults of sandbox.core, one opt-in hostile answer the generic ones cannot
make: `InContactSandbox.report_files_elsewhere()` names report files on another host, which
serves them without sign-in and logs whether a bearer token reached it. (A token answer or a
discovery document naming another host is a `replace` fault on the real answer.)
"""

from sandbox.incontact.server import InContactSandbox

__all__ = ["InContactSandbox"]
