"""JSON: every field of the run, schema-versioned, keys sorted, stable across runs.

The document is the machine-readable record of a run (the cycle ledger stores it), so it
round-trips: :func:`load` turns it back into the same ``RunReport``. Lists keep the order
the engines produced (contract order is meaningful); only object keys are sorted.
Enums are written as their values; pairs (headers, metrics) as two-element lists because
header names repeat and their order matters.

A scenario's ``failures`` is the flat list of everything that made it fail
(``ScenarioResult.all_failures()``: each counted step failure as ``"<step>: <failure>"``,
then the scenario's own), as it always was; ``own_failures`` (added later) is the
scenario's own part alone, which is what ``ScenarioResult.failures`` holds. A record
without ``own_failures`` was written before the split and is read as such
(:func:`_scenario_fields`). Likewise ``error_step`` (added later still) names the step
whose error ended an errored scenario; a record without it gets it back from the one
shape the older writer gave such a scenario (:func:`_error_step`). A record without
``line`` (the scenario's line in the contract) reads as 0, unknown.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import types
import typing
from typing import Any

from truthgate.model import Finding, RunReport, ScenarioResult
from truthgate.reports.common import TOOL_NAME, tool_version

SCHEMA_VERSION = 1


def to_data(report: RunReport) -> dict[str, Any]:
    """The JSON-ready document for ``report`` (plain dicts, lists, strings, numbers)."""
    body = _plain(report)
    assert isinstance(body, dict)
    body["schema_version"] = SCHEMA_VERSION
    body["tool"] = {"name": TOOL_NAME, "version": tool_version(report)}
    # Derived figures, so a consumer (a dashboard, jq in CI) need not re-implement them.
    body["summary"] = {
        "passed": report.passed,
        "exit_code": report.exit_code,
        "counts": report.counts(),
        "findings": len(report.findings),
    }
    return body


def render(report: RunReport) -> str:
    """The report as indented JSON with sorted keys and a trailing newline."""
    text = json.dumps(to_data(report), indent=2, sort_keys=True, ensure_ascii=False,
                      allow_nan=False)
    return text + "\n"


_FIELDS: dict[type, tuple[str, ...]] = {}  # dataclass -> its field names, looked up once


def _plain(value: Any) -> Any:
    """Dataclasses -> dicts, enums -> values, tuples -> lists, non-finite floats -> None."""
    names = _FIELDS.get(type(value))
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        out = {name: _plain(getattr(value, name)) for name in names}
        if isinstance(value, ScenarioResult):
            # "failures" keeps its meaning for readers of older records: all of them.
            out["own_failures"] = out["failures"]
            out["failures"] = list(value.all_failures())
        elif isinstance(value, Finding) and not value.related:
            del out["related"]  # records stay as they were for findings without any
        return out
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        # JSON has no NaN/Infinity; null says "no meaningful figure".
        return None
    return value


class ReportFormatError(ValueError):
    """The JSON is not a truthgate report this version can read."""


def load(text: str) -> RunReport:
    """Parse a document written by :func:`render` back into a ``RunReport``.

    Unknown keys are ignored (a newer minor writer may add some); a different
    ``schema_version`` is refused rather than misread.
    """
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ReportFormatError("a truthgate report is a JSON object")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ReportFormatError(
            f"unsupported schema_version {data.get('schema_version')!r} "
            f"(this truthgate reads {SCHEMA_VERSION})")
    report = _build(RunReport, data)
    assert isinstance(report, RunReport)
    return report


def _build(tp: Any, value: Any) -> Any:
    """Rebuild a value of type ``tp`` from its plain JSON form (inverse of :func:`_plain`)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _build(inner[0], value)
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(value, list):
            raise ReportFormatError(f"expected a list, got {value!r}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], v) for v in value)
        return tuple(_build(a, v) for a, v in zip(args, value, strict=True))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ReportFormatError(f"expected an object for {tp.__name__}, got {value!r}")
        if tp is ScenarioResult:
            value = _scenario_fields(value)
        hints = typing.get_type_hints(tp)
        kwargs = {f.name: _build(hints[f.name], value[f.name])
                  for f in dataclasses.fields(tp) if f.name in value}
        return tp(**kwargs)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if tp is float:
        # None stood for a non-finite float; ints are valid JSON for floats.
        return math.nan if value is None else float(value)
    return value


def _scenario_fields(value: dict[str, Any]) -> dict[str, Any]:
    """A scenario record's fields as ``ScenarioResult`` takes them (own failures only).

    A record with ``own_failures`` carries the split. An older one has only the flat
    ``failures``, which that writer built as the copies of every step failure
    (``"<step>: <failure>"``, step order) followed by the scenario's own, or as the own
    alone when the step failures did not count (cold_start, an errored or skipped
    scenario). The copies are recognised as that exact leading run of the list, never by
    looking for each string anywhere in it.
    """
    value = _error_step(value)
    if "own_failures" in value:
        return {**value, "failures": value["own_failures"]}
    flat = value.get("failures", [])
    steps = value.get("steps", [])
    if not isinstance(flat, list) or not isinstance(steps, list) or not all(
            isinstance(st, dict) and isinstance(st.get("failures", []), list)
            for st in steps):
        return value  # malformed: let the generic reader say what is wrong
    copies = [f"{st.get('name')}: {f}" for st in steps for f in st.get("failures", [])]
    if copies and flat[:len(copies)] == copies:
        return {**value, "failures": flat[len(copies):], "counts_step_failures": True}
    return {**value, "counts_step_failures": not copies}


def _error_step(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` with ``error_step`` restored for a record written before the field.

    The older engine ended a scenario at the first step error it did not tolerate, so
    that step was the last one, and it wrote the scenario's error as exactly
    ``"<step>: <step's error>"`` with the step's class. Only that whole shape is taken as
    a step's error; anything else (a crashed kind or check, class ``internal``) keeps
    ``error_step`` empty and its error at scenario level, where it was always shown.
    """
    if "error_step" in value or value.get("outcome") != "error":
        return value
    steps = value.get("steps")
    last = steps[-1] if isinstance(steps, list) and steps else None
    if not isinstance(last, dict):
        return value
    name, error = last.get("name"), last.get("error")
    if (isinstance(name, str) and isinstance(error, str) and error
            and value.get("error") == f"{name}: {error}"
            and value.get("error_class") == last.get("error_class")):
        return {**value, "error_step": name}
    return value
