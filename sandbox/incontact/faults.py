"""inContact's error answers, for refusals and injected faults alike.

An error is `{"error": code, "errorDescription": text}` (OAuth's `error_description` on the
token endpoints), and its text is repeated in an `icStatusDescription` header, as inContact
does. A 204 never carries a body, even when a fault injects one. A 429 without a body of
its own gets the assumed `{"error": "Too Many Requests"}` (inContact documents none).
"""

from __future__ import annotations

from http import HTTPStatus

from sandbox.core.http import ApiError, Response


class Refusal(ApiError):
    """An error answer: inContact's `errorDescription` shape, or OAuth's on the token endpoints."""

    def __init__(self, status: int, text: str, code: str = "", *, oauth: bool = False) -> None:
        super().__init__(status, text)
        self.code = code or HTTPStatus(status).phrase
        self.oauth = oauth


def injected_body(status: int | None, body: dict | None) -> dict | None:
    """What an injected fault answers: its own body, or the assumed one of a 429."""
    if status == 429 and body is None:
        return {"error": "Too Many Requests"}
    return body


def error_answer(error: ApiError) -> Response:
    code = getattr(error, "code", HTTPStatus(error.status).phrase)
    key = "error_description" if getattr(error, "oauth", False) else "errorDescription"
    body = {"error": code, key: error.message}
    return Response(error.status, body, headers={"icStatusDescription": error.message})


def as_incontact_answers(response: Response | None) -> Response | None:
    """Any answer, faults included: a 204 loses its body, an error gains icStatusDescription."""
    if response is not None and response.status == 204:
        response.json, response.body = None, b""
    elif response is not None and response.status >= 400 and isinstance(response.json, dict):
        body = response.json
        text = body.get("errorDescription") or body.get("error_description") or body.get("error")
        response.headers.setdefault("icStatusDescription", str(text))
    return response
