"""Reading answers: bytes that are not UTF-8 are repaired and counted, wherever they travel."""

import base64

import requests

from common.answers import had_bad_bytes, repaired_text


def answer(body: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response._content = body
    return response


def test_text_inside_an_answer_is_repaired_and_the_answer_marked() -> None:
    carried = answer(b'{"file": "' + base64.b64encode(b"name\r\nJos\xe9\r\n") + b'"}')
    assert not had_bad_bytes(carried)
    assert repaired_text(b"name\r\nJos\xe9\r\n", carried) == "name\r\nJos\ufffd\r\n"
    assert had_bad_bytes(carried)


def test_valid_text_leaves_the_answer_unmarked() -> None:
    clean = answer(b"{}")
    assert repaired_text("José".encode(), clean) == "José"
    assert not had_bad_bytes(clean)
