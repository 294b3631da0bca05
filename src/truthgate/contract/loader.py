"""product/truth.yaml -> validated, typed ``Contract`` (or every problem at once, located)."""

from __future__ import annotations

import errno
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from truthgate.contract.build import build_contract
from truthgate.contract.model import Contract
from truthgate.contract.problems import ContractError, ContractProblem, KeyPath, display_path
from truthgate.contract.schema import contract_schema
from truthgate.contract.validcache import known_valid, remember_valid
from truthgate.contract.yamlload import MAX_BYTES, LoadedYaml, YamlError, load_yaml
from truthgate.safeio import read_regular

_INTERPOLATION = re.compile(r"\$\{")


def default_root(contract_path: Path) -> Path:
    """The repository root of a contract: the parent of ``product/``, else its own folder."""
    parent = contract_path.resolve().parent
    return parent.parent if parent.name == "product" else parent


def read_contract_text(path: Path, filename: str) -> str:
    """The contract's text, or a ContractError saying plainly why it cannot be read."""

    def fail(msg: str, help: str = "") -> ContractError:
        return ContractError(filename, [ContractProblem(message=msg, help=help)])

    try:
        if path.is_dir():
            raise fail(
                "is a directory, not a contract file", help="pass the file, e.g. product/truth.yaml"
            )
        # A regular file of at most MAX_BYTES, read without blocking: a FIFO or a link to
        # /dev/zero in its place is refused, not waited on or read until memory runs out.
        data = read_regular(path, MAX_BYTES)
    except FileNotFoundError:
        raise fail("no such file", help="run 'truthgate init' to scaffold a contract") from None
    except PermissionError:
        raise fail("permission denied while reading the contract") from None
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            size = path.stat().st_size
            raise fail(
                f"contract is larger than {MAX_BYTES // 1024} KiB ({size} bytes)",
                help="a contract describes a product in a page or two",
            ) from None
        raise fail(f"cannot read the contract: {exc.strerror or exc}") from None
    if b"\x00" in data:
        raise fail("the contract is a binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContractError(
            filename,
            [
                ContractProblem(
                    message=f"the contract is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                    line=line,
                    col=exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1,
                    help="save the file as UTF-8",
                )
            ],
        ) from None


def load_contract(path: Path | str, root: Path | None = None) -> Contract:
    """Load, validate and type the contract at ``path``; raise ContractError on any problem."""
    path = Path(path)
    filename = display_path(path)
    text = read_contract_text(path, filename)
    return load_contract_text(
        text, filename=filename, source=path, root=root if root is not None else default_root(path)
    )


def load_contract_text(
    text: str,
    *,
    filename: str = "product/truth.yaml",
    source: Path | None = None,
    root: Path | None = None,
) -> Contract:
    """Like ``load_contract`` for text already in memory (tests, stdin, init)."""
    try:
        loaded = load_yaml(text)
    except YamlError as exc:
        raise ContractError(filename, exc.problems, text) from None
    if not isinstance(loaded.data, dict):
        got = type(loaded.data).__name__ if loaded.data is not None else "nothing"
        raise ContractError(
            filename,
            [
                ContractProblem(
                    message=f"the contract must be a mapping of sections, got {got}",
                    line=1,
                    col=1,
                    help="start with 'version: 1' and 'product:'",
                )
            ],
            text,
        )
    sha256 = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    fresh = not known_valid(sha256)
    problems: list[ContractProblem] = []
    if fresh:
        # Imported here: jsonschema is only needed for a text not validated before.
        from truthgate.contract.validate import validate_document

        problems = validate_document(loaded, contract_schema())
    problems += _interpolation_problems(loaded)
    if problems:
        raise ContractError(filename, problems, text)
    root = (root or Path.cwd()).resolve()
    contract, build_problems = build_contract(
        loaded,
        root=root,
        source=source or Path(filename),
        sha256=sha256,
        known_valid=not fresh,
    )
    if fresh and contract is not None and not build_problems:
        remember_valid(sha256)
    if build_problems or contract is None:
        raise ContractError(filename, build_problems, text)
    return contract


def _strings(data: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _strings(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _strings(v, (*path, i))


def _interpolation_problems(loaded: LoadedYaml) -> list[ContractProblem]:
    # ${VAR} is resolved at run time by the smoke runner only: anywhere else it would be a
    # literal that merely looks dynamic, which is exactly the kind of lie a gate must refuse.
    # Called with the top-level mapping (checked by the caller); the smoke section, most of
    # a large contract, is not walked at all.
    sections = loaded.data.items() if isinstance(loaded.data, dict) else ()
    out = []
    for path, value in (
        found for key, section in sections if key != "smoke"
        for found in _strings(section, (key,))
    ):
        if _INTERPOLATION.search(value):
            m = loaded.marks.get(path)
            out.append(
                ContractProblem(
                    message="${...} interpolation is only allowed in the smoke section",
                    path=path,
                    line=m.line if m else 0,
                    col=m.col if m else 0,
                    end_line=m.end_line if m else 0,
                    end_col=m.end_col if m else 0,
                    help="write the value literally; environment values belong to smoke targets",
                )
            )
    return out
