"""Fixtures of the verify tests: a tmp repository written file by file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from verify_support import Write


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """write('a/b.py', 'text') or write('x.bin', b'bytes'): creates parents, dedents text."""

    def _write(rel: str, content: str | bytes = "") -> Path:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
        return path

    return _write
