"""Helpers shared by the AppTest (headless Streamlit) tests: clicks, login, what a page sends."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest


def click(at: AppTest, label: str) -> AppTest:
    """Click the first button with this label and run the page."""
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def login(at: AppTest, name: str, password: str) -> AppTest:
    """Fill in and submit the trainer login form."""
    at.text_input(key="train_login_name").input(name)
    at.text_input(key="train_login_password").input(password)
    return click(at, "登录")


def proto_strings(message: Message) -> Iterator[str]:
    """Every string (and bytes, decoded) field of a protobuf message, recursively."""
    for fd, value in message.ListFields():
        values = value if fd.is_repeated else [value]
        if fd.type == fd.TYPE_STRING:
            yield from values
        elif fd.type == fd.TYPE_BYTES:
            yield from (v.decode("utf-8", "replace") for v in values)
        elif fd.type == fd.TYPE_MESSAGE and not isinstance(value, Mapping):
            for item in values:
                yield from proto_strings(item)
