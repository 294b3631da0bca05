"""Poetry's dependency tables as located PEP 508 strings, for ``pinned_dependencies``.

``^``/``~``/bare versions become PEP 440 ranges the same bounded-range policy then judges
(``^1.2.3`` -> ``>=1.2.3,<2``; ``~1.2.3`` -> ``>=1.2.3,<1.3``; ``1.2.3`` -> ``==1.2.3``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Located:
    """One requirement as PEP 508 text, at its line."""

    text: str
    line: int
    col: int = 1


def table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def seq(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def poetry_requirements(poetry: dict[str, Any], text: str) -> list[Located]:
    """Poetry's dependency tables as PEP 508 strings ('^1.2' -> '>=1.2,<2.0'), located."""
    tables = [table(poetry.get("dependencies")), table(poetry.get("dev-dependencies"))]
    tables += [table(table(g).get("dependencies"))
               for g in table(poetry.get("group")).values()]
    out: list[Located] = []
    for entries in tables:
        for name, value in entries.items():
            if name.lower() == "python":
                continue
            pep508 = _poetry_requirement(name, value)
            if pep508 is None:
                continue
            key = re.compile(r"^[ \t]*[\"']?" + re.escape(name) + r"[\"']?[ \t]*=", re.M)
            hit = key.search(text)
            line = text.count("\n", 0, hit.start()) + 1 if hit else 1
            out.append(Located(pep508, line, 1))
    return out


def _poetry_requirement(name: str, value: object) -> str | None:
    """One Poetry dependency as PEP 508; None for a local path (the project itself)."""
    if isinstance(value, list):  # multiple constraints (per marker): the first stands for them
        got = [_poetry_requirement(name, v) for v in value]
        texts = [g for g in got if g]
        return texts[0] if texts else None
    if isinstance(value, dict):
        if "path" in value:
            return None
        if "git" in value:
            rev = str(value.get("rev", ""))
            return f"{name} @ git+{value['git']}@{rev}" if rev else f"{name} @ git+{value['git']}"
        if "url" in value:
            return f"{name} @ {value['url']}"
        value = value.get("version", "")
    spec = str(value).strip()
    if spec in ("", "*"):
        return name
    clauses = []
    for part in spec.split(","):
        part = part.strip()
        if part.startswith("^"):
            clauses.append(_caret(part[1:]))
        elif part.startswith("~") and not part.startswith("~="):
            clauses.append(_tilde(part[1:]))
        elif part[:1].isdigit():
            clauses.append("==" + part)  # a bare version is exact in Poetry
        else:
            clauses.append(part)
    return name + ",".join(clauses)


def _release(version: str) -> list[int]:
    out = []
    for piece in version.strip().split("."):
        if not piece.isdigit():
            break
        out.append(int(piece))
    return out or [0]


def _caret(version: str) -> str:
    """Poetry '^1.2.3' -> '>=1.2.3,<2.0.0'; '^0.2.3' -> '<0.3.0'; '^0.0.3' -> '<0.0.4'."""
    rel = _release(version)
    first = next((i for i, n in enumerate(rel) if n), len(rel) - 1)
    upper = rel[: first + 1]
    upper[-1] += 1
    return f">={version.strip()},<{'.'.join(map(str, upper))}"


def _tilde(version: str) -> str:
    """Poetry '~1.2.3' -> '>=1.2.3,<1.3'; '~1' -> '>=1,<2'."""
    rel = _release(version)
    upper = rel[:2] if len(rel) >= 2 else rel[:1]
    upper[-1] += 1
    return f">={version.strip()},<{'.'.join(map(str, upper))}"
