"""A local Mongoose Metrics: the REST API v2 and the SPC SOAP API of the ASSUMED contract.

Both APIs follow docs/api/mongoose.md, which is an assumption (Mongoose publishes neither),
so this simulator is the contract's reference, not the vendor's. One server answers both:

- REST v2 under `/api/v2`: `get_fulfilled` and `customer_report`, Basic or query-parameter
  auth, JSON or XML, page/per_page/total_pages, the 31-day limit, naive account-local times
  with the envelope's `timezone` (DST included), records ordered by date then key, 60
  requests a minute per username (429 with Retry-After), errors in the requested format.
- SPC SOAP 1.1 at `/spc/SpcService`, its WSDL at `/spc/SpcService.wsdl` (the one tap-mongoose
  ships, with `soap:address` pointing here): GetSessionNumber hands out numbers from each SPC
  campaign's pool until they expire; UpdateSessionData changes their keywords and custom fields.
  A call to a session number (`call_session_number`) is attributed to its live session.

Where things are:

- server.py: the HTTP wiring, the switches and the interface tests drive (`MongooseSandbox`)
- auth.py: credentials, the API access switch and the rate limit, for REST and SOAP
- reports.py, paging.py, render.py: the REST reports, their pages, JSON or XML
- spc.py, soap.py: the SPC operations and WSDL, SOAP envelopes in and out
- world.py, calls.py: accounts, campaigns, calls and sessions, and how a call is drawn
- faults.py: REST error codes and SPC faults
"""

from sandbox.mongoose.server import MongooseSandbox

__all__ = ["MongooseSandbox"]
