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
        parts.append(f"Default paths: {paths}." + (
            " Default exclude: " + ", ".join(f"`{p}`" for p in kind.default_exclude) + "."
            if kind.default_exclude else ""))
        parts.append("")
        rows = _param_rows(dict(kind.params_schema))
        if rows:
            parts.append("| parameter | type | meaning |\n| --- | --- | --- |")
            parts.extend(rows)
            parts.append("")
        if kind.example:
            parts.append("```yaml\n" + kind.example.rstrip("\n") + "\n```\n")
    return "\n".join(parts).rstrip("\n") + "\n"


def main() -> None:
    """Rewrite kb/invariants.md under the given repository root (default: cwd)."""
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    target = root / "kb" / "invariants.md"
    target.write_text(invariants_markdown(), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")


if __name__ == "__main__":
    main()
