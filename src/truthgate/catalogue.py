"""The kb/ catalogues generated from the registries, so docs and code cannot drift apart.

``python -m truthgate.catalogue`` rewrites kb/invariants.md; a test fails when it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

_HEADER = """# Invariant kinds

Generated from the kind registry (`src/truthgate/verify/kinds/__init__.py`) by
`python -m truthgate.catalogue`; do not edit by hand — edit the kind's module and regenerate.
Every invariant also takes the common keys `id`, `kind`, `severity`, `message`, `paths`,
`exclude` (see [contract.md](contract.md#invariants)).
"""


def _param_rows(schema: dict[str, Any]) -> list[str]:
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    rows = []
    for name, spec in props.items():
        typ = spec.get("type", "")
        if isinstance(typ, list):
            typ = " or ".join(typ)
        req = " (required)" if name in required else ""
        desc = str(spec.get("description", "")).replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{name}`{req} | {typ} | {desc} |")
    return rows


def invariants_markdown() -> str:
    """kb/invariants.md as it should be for the kinds registered now."""
    from truthgate.verify.kinds import available_kinds

    parts = [_HEADER]
    for kind in available_kinds():
        parts.append(f"## `{kind.name}`\n")
        parts.append(f"{kind.summary}\n")
        parts.append(f"**Why it matters.** {kind.why}\n")
        parts.append(f"**How to fix.** {kind.hint}\n")
        paths = ", ".join(f"`{p}`" for p in kind.default_paths) or "none (reads named files)"
        parts.append(
            f"Default paths: {paths}."
            + (
                " Default exclude: " + ", ".join(f"`{p}`" for p in kind.default_exclude) + "."
                if kind.default_exclude
                else ""
            )
        )
        parts.append("")
        rows = _param_rows(dict(kind.params_schema))
        if rows:
            parts.append("| parameter | type | meaning |\n| --- | --- | --- |")
            parts.extend(rows)
            parts.append("")
        if kind.example:
            parts.append("```yaml\n" + kind.example.rstrip("\n") + "\n```\n")
    return "\n".join(parts).rstrip("\n") + "\n"


_SCENARIO_HEADER = """# Scenario kinds and the `smoke` section

Generated from the smoke registry (`src/truthgate/smoke/kinds/__init__.py`) and the section's
schema by `python -m truthgate.catalogue`; do not edit by hand.

Outcomes: **pass**; **fail** when the service broke an expectation; **error** when no usable
answer came back (refused, DNS, TLS, timeout, reset, invalid HTTP, body too large, deadline),
classified in words (an unrequested `Content-Encoding` such as `br` is named: `encoding`; a
`path:` that renders to an absolute URL is a contract error: `contract`); **skipped** for a
mode, tag or unsafe scenario not run (an unsafe scenario runs only with `--allow-unsafe`, and
never against a target marked `production: true`); **not run** (`not_run`) when the
scenario's precondition was not met (a `modes` probe that found the service unhealthy or
reporting no mode: "precondition health: ..."), so it does not fail for another scenario's
reason; not red unless `defaults.unmet_precondition: fail`.
"""


def _schema_table(title: str, schema: dict[str, Any]) -> list[str]:
    rows = _param_rows(schema)
    return (
        [f"### {title}\n", "| key | type | meaning |\n| --- | --- | --- |", *rows, ""]
        if rows
        else []
    )


def scenarios_markdown() -> str:
    """kb/scenarios.md as it should be for the scenario kinds registered now."""
    import importlib
    import inspect

    from truthgate.smoke import spec
    from truthgate.smoke.kinds import KINDS
    from truthgate.smoke.schema import STEP

    parts = [
        _SCENARIO_HEADER,
        "## The section\n",
        "```text\n" + inspect.cleandoc(spec.__doc__ or "").strip() + "\n```\n",
    ]
    parts += _schema_table("`smoke` keys", dict(spec.smoke_schema()))
    for key in ("request", "expect"):
        sub = STEP.get("properties", {}).get(key)
        if isinstance(sub, dict):
            parts += _schema_table(f"`{key}` keys of a step", sub)
    parts += _schema_table(
        "Other keys of a step",
        {
            "properties": {
                k: v
                for k, v in STEP.get("properties", {}).items()
                if k not in ("request", "expect")
            }
        },
    )
    parts.append("## Kinds\n")
    for kind in KINDS.values():
        module = importlib.import_module(f"truthgate.smoke.kinds.{kind.name}")
        parts.append(f"### `{kind.name}`\n")
        parts.append(f"{kind.summary}\n")
        doc = inspect.cleandoc(module.__doc__ or "")
        if doc:
            parts.append("```text\n" + doc + "\n```\n")
        rows = _param_rows(dict(kind.params_schema))
        if rows:
            parts.append("| param | type | meaning |\n| --- | --- | --- |")
            parts.extend(rows)
            parts.append("")
        if kind.example:
            parts.append("```yaml\n" + kind.example.rstrip("\n") + "\n```\n")
    return "\n".join(parts).rstrip("\n") + "\n"


CATALOGUES = {"invariants.md": invariants_markdown, "scenarios.md": scenarios_markdown}


def main() -> None:
    """Rewrite the generated kb/ catalogues under the given repository root (default: cwd)."""
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    for name, make in CATALOGUES.items():
        target = root / "kb" / name
        target.write_text(make(), encoding="utf-8")
        sys.stdout.write(f"wrote {target}\n")


if __name__ == "__main__":
    main()
