# Copied from common/answers.py by `python3 tasks.py copy-common`: edit the source, not this copy.
"""Reading an API's answer once, and refusing answers that cannot be right.

An answer that is empty, unparseable, or lacks the list a stream reads is never taken as
"no data": the run stops, with one line naming the stream and the path, so that the window
it belonged to is read again next time. Answers an API documents as empty (a 204, say) are
the streams' own business.
"""

from __future__ import annotations

import typing as t

import msgspec
from singer_sdk.exceptions import FatalAPIError

if t.TYPE_CHECKING:
    import requests

T = t.TypeVar("T")


class AnswerProblem(ValueError):
    """What is wrong with an answer, in words that follow "the answer ..."."""


class MalformedAnswerError(FatalAPIError):
    """An answer that cannot be right; the run stops rather than lose data."""


class PaginationLoopError(FatalAPIError):
    """The API sent the same page, or the same next-page token, again."""


def cached_answer(response: requests.Response, read: t.Callable[[requests.Response], T]) -> T:
    """What `read` makes of `response`, read once and then kept on it.

    The parser and the paginator both look at each answer; it is decoded only once.
    """
    cache: dict[t.Any, t.Any] = response.__dict__.setdefault("_read_answers", {})
    if read not in cache:
        cache[read] = read(response)
    return t.cast("T", cache[read])


def repaired_utf8(response: requests.Response) -> bytes:
    """The body as valid UTF-8: a byte that is not becomes U+FFFD, and the answer is marked.

    One bad byte in a vendor's text must not fail a sync; `had_bad_bytes` tells the stream,
    which counts the records affected.
    """
    content = response.content
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        response.__dict__["_bad_bytes"] = True
        return content.decode("utf-8", errors="replace").encode("utf-8")
    return content


def repaired_text(raw: bytes, response: requests.Response) -> str:
    """Text an answer carries inside it (a Base64 file, say) as UTF-8, repaired and marked
    on `response` as `repaired_utf8` does, so that the records affected are counted too."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        response.__dict__["_bad_bytes"] = True
        return raw.decode("utf-8", errors="replace")


def had_bad_bytes(response: requests.Response) -> bool:
    return bool(response.__dict__.get("_bad_bytes"))


def json_answer(response: requests.Response) -> t.Any:
    """The decoded JSON body; AnswerProblem when it is empty or not JSON."""
    if not response.content.strip():
        raise AnswerProblem("is empty")
    try:
        return msgspec.json.decode(response.content)
    except UnicodeDecodeError:
        pass
    except msgspec.DecodeError:
        raise AnswerProblem("is not JSON") from None
    try:
        return msgspec.json.decode(repaired_utf8(response))
    except msgspec.DecodeError:
        raise AnswerProblem("is not JSON") from None


def json_object(response: requests.Response) -> dict[str, t.Any]:
    """The decoded JSON body, which must be an object."""
    body = cached_answer(response, json_answer)
    if not isinstance(body, dict):
        raise AnswerProblem("is not a JSON object")
    return body


def required_list(body: t.Mapping[str, t.Any], key: str) -> list[t.Any]:
    """`body[key]`, which must be a list of objects."""
    value = body.get(key)
    if not isinstance(value, list):
        raise AnswerProblem(f"has no '{key}' list")
    if not all(isinstance(item, dict) for item in value):
        raise AnswerProblem(f"has items in '{key}' that are not objects")
    return value
