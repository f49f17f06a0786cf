"""What every vendor simulator shares, one room each.

- `server`: `SandboxServer`, the base a vendor subclasses; life cycle, dispatch, `/_sandbox/`,
  and an optional latency on every answer.
- `http`: the wire; `Request`, `Response`, `ApiError` and the threaded HTTP server.
- `faults`: injected 429s, 5xx answers, delays and dropped connections.
- `requests_log`: the record of every request, for tests to assert on.
- `ratelimit`: a sliding-window request limit, as vendors enforce per account or key.
- `router`: path patterns such as `/v3/a/{account_id}/calls.json`.
- `fake`: invented but plausible people, places and phone numbers.
"""
