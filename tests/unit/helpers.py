"""Parsing a post from a string, for the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine.errors import SampleError
from engine.parse import parse_post

SOURCE = Path("/site/content/posts/demo/index.md")


def parse(text: str):
    return parse_post(SOURCE, text, "index.md")


def error_of(text: str) -> str:
    with pytest.raises(SampleError) as caught:
        parse(text)
    return str(caught.value)
