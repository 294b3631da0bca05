"""A kind's parameters, declared once: a frozen dataclass whose fields carry their schema.

Each field is declared with :func:`param` (a description, limits, examples, the YAML key if
it is not the field's name); :func:`params_schema` derives the JSON Schema fragment the
contract schema merges in, and :func:`parse_params` turns the validated mapping into the
dataclass, with the same defaults. So a default or a limit cannot drift between a parser, a
schema and a dataclass, and adding a kind is one file: its ``Params`` and its ``check``.

Types are read from the annotations: ``str``, ``int``, ``float``, ``bool``,
``tuple[str, ...]`` (a list, or one string), ``tuple[Nested, ...]`` (a list of mappings, each
parsed as the dataclass ``Nested``, which declares its own fields the same way). Values a
field computes from others (a compiled glob) come from the dataclass's ``__post_init__``.
Standard library only, and nothing runs at import: a smoke run never pays for it.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

P = TypeVar("P")

_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def param(description: str, *, default: Any = dataclasses.MISSING, key: str = "",
          **schema: Any) -> Any:
    """A dataclass field with its JSON Schema: ``description``, limits (``minimum=1``), ...

    ``key`` is the contract's name for it when that is not the field's (``from``).
    """
    meta = {"description": description, "schema": schema, "key": key}
    if isinstance(default, (list, dict, set)):
        raise TypeError("use a tuple (or a default_factory) for a mutable default")
    return dataclasses.field(default=default, metadata=meta)


def _key(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get("key") or f.name)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _declared(cls: type) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if "description" in f.metadata]


def _type_schema(tp: Any) -> dict[str, Any]:
    if tp in _SCALARS:
        return {"type": _SCALARS[tp]}
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item: Any = args[0]
        if item is str:
            return {"type": "array", "items": {"type": "string"}}
        if isinstance(item, type) and dataclasses.is_dataclass(item):
            return {"type": "array", "items": object_schema(item)}
    raise TypeError(f"no schema for the parameter type {tp!r}")


def _field_schema(cls: type, f: dataclasses.Field[Any]) -> dict[str, Any]:
    out = _type_schema(_hints(cls)[f.name])
    out["description"] = f.metadata["description"]
    out.update(f.metadata["schema"])
    if f.default is not dataclasses.MISSING and not dataclasses.is_dataclass(f.default):
        default = f.default
        out["default"] = list(default) if isinstance(default, tuple) else default
    return out


@functools.cache
def object_schema(cls: type) -> dict[str, Any]:
    """The JSON Schema of a mapping parsed as ``cls`` (a nested parameter's items)."""
    fields = _declared(cls)
    required = [_key(f) for f in fields if f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING]
    out: dict[str, Any] = {
        "type": "object",
        "properties": {_key(f): _field_schema(cls, f) for f in fields},
        "additionalProperties": False,
    }
    if required:
        out["required"] = required
    return out


def params_schema(cls: type) -> dict[str, Any]:
    """The kind's schema fragment: its properties (and required keys), flat in an invariant."""
    whole = object_schema(cls)
    out: dict[str, Any] = {"properties": whole["properties"]}
    if "required" in whole:
        out["required"] = whole["required"]
    return out


def _value(f: dataclasses.Field[Any], tp: Any, raw: Any) -> Any:
    """``raw`` as the field's type; ValueError when it is not one (the schema refuses it
    too, but a parser must not trust that every caller validated first)."""
    if typing.get_origin(tp) is tuple:
        item: Any = typing.get_args(tp)[0]
        items: list[Any] = [raw] if isinstance(raw, str) else list(raw or ())
        if isinstance(item, type) and dataclasses.is_dataclass(item):
            if not all(isinstance(entry, Mapping) for entry in items):
                raise ValueError(f"{_key(f)}: every entry must be a mapping, not {raw!r}")
            return tuple(parse_params(item, entry) for entry in items)
        return tuple(str(v) for v in items)
    if tp is float and isinstance(raw, int) and not isinstance(raw, bool):
        raw = float(raw)
    if tp in _SCALARS and (not isinstance(raw, tp) or (tp is not bool and isinstance(raw, bool))):
        raise ValueError(f"{_key(f)} must be a{'n' if tp is int else ''} {_SCALARS[tp]}, "
                         f"not {raw!r}")
    limits = f.metadata["schema"]
    if "minimum" in limits and raw < limits["minimum"]:
        raise ValueError(f"{_key(f)} must be at least {limits['minimum']}, not {raw!r}")
    if "maximum" in limits and raw > limits["maximum"]:
        raise ValueError(f"{_key(f)} must be at most {limits['maximum']}, not {raw!r}")
    return raw


def parse_params(cls: Callable[..., P], raw: Mapping[str, Any]) -> P:
    """``cls`` built from the validated mapping ``raw``; absent keys take their defaults.

    ValueError names the key when a value is not of its declared type or limits, or a
    required key is missing.
    """
    assert isinstance(cls, type)
    hints = _hints(cls)
    fields = _declared(cls)
    missing = [_key(f) for f in fields if _key(f) not in raw
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ValueError(f"missing {', '.join(missing)} in {dict(raw)!r}")
    values = {f.name: _value(f, hints[f.name], raw[_key(f)]) for f in fields if _key(f) in raw}
    built: P = cls(**values)
    return built
