"""A kind's parameters declared once: the schema, the defaults and the parser agree."""

from __future__ import annotations

from dataclasses import dataclass

import jsonschema
import pytest

from truthgate.verify.kinds.params import param, params_schema, parse_params


@dataclass(frozen=True)
class Rule:
    sources: tuple[str, ...] = param("Module globs.", key="from")
    weight: int = param("How much it counts.", default=1, minimum=1, maximum=9)


@dataclass(frozen=True)
class Params:
    name: str = param("A name.")
    strict: bool = param("Be strict.", default=False)
    ratio: float = param("A ratio.", default=0.5, minimum=0)
    kinds: tuple[str, ...] = param("Kinds.", default=("a",), items={"enum": ["a", "b"]})
    rules: tuple[Rule, ...] = param("Rules.", default=())


SCHEMA = {"type": "object", **params_schema(Params), "additionalProperties": False}


def test_the_schema_is_derived_from_the_fields() -> None:
    props = params_schema(Params)["properties"]
    assert params_schema(Params)["required"] == ["name"]
    assert props["strict"] == {"type": "boolean", "description": "Be strict.", "default": False}
    assert props["kinds"] == {"type": "array", "items": {"enum": ["a", "b"]},
                              "description": "Kinds.", "default": ["a"]}
    rule = props["rules"]["items"]
    assert rule["required"] == ["from"] and rule["additionalProperties"] is False
    assert rule["properties"]["weight"]["maximum"] == 9


def test_what_the_schema_accepts_the_parser_builds_with_the_same_defaults() -> None:
    raw = {"name": "x", "ratio": 2, "rules": [{"from": ["app.*"]}]}
    jsonschema.validate(raw, SCHEMA)
    got = parse_params(Params, raw)
    assert got == Params(name="x", strict=False, ratio=2.0, kinds=("a",),
                         rules=(Rule(sources=("app.*",), weight=1),))
    assert isinstance(got.ratio, float)


@pytest.mark.parametrize("raw", [
    {},  # name is required
    {"name": 3},
    {"name": "x", "strict": "yes"},
    {"name": "x", "ratio": -1},
    {"name": "x", "rules": [{"from": "a", "weight": 10}]},
    {"name": "x", "rules": [{"from": "a", "weight": True}]},
    {"name": "x", "rules": ["a"]},
    {"name": "x", "rules": [{"weight": 2}]},
])
def test_what_the_schema_refuses_the_parser_refuses_too(raw: dict[str, object]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(raw, SCHEMA)
    with pytest.raises(ValueError):
        parse_params(Params, raw)


def test_a_single_string_is_a_list_of_one() -> None:
    assert parse_params(Rule, {"from": "app"}).sources == ("app",)


def test_a_mutable_default_is_refused_at_declaration() -> None:
    with pytest.raises(TypeError):
        param("A list.", default=[])
