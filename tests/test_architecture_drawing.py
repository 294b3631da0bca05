"""kb/architecture.md's drawing and the contract's `layering` invariant are one list."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def drawn_layers() -> list[str | list[str]]:
    text = (ROOT / "kb" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1]
    block = section.split("```", 2)[1]
    out: list[str | list[str]] = []
    for line in block.splitlines():
        if not line.strip() or line.strip() == "▼":
            continue
        spec = re.split(r"\s{2,}", line.strip())[0]
        if spec.startswith("["):
            out.append([m.strip() for m in spec.strip("[]").split(",")])
        else:
            out.append(spec)
    return out


def contract_layers() -> list[str | list[str]]:
    data = yaml.safe_load((ROOT / "product" / "truth.yaml").read_text(encoding="utf-8"))
    (layering,) = [inv for inv in data["invariants"] if inv["id"] == "layering"]
    assert layering["kind"] == "layers"
    assert layering["container"] == "truthgate"
    return list(layering["layers"])


def test_the_drawing_is_the_contract() -> None:
    drawn = drawn_layers()
    assert len(drawn) >= 8
    assert drawn == contract_layers()
