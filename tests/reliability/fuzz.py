"""Contract fuzzing: hypothesis strategies that mutate valid contracts, and the oracle.

Shared by tests/reliability/test_fuzz_contracts.py (a few hundred examples in CI) and
benchmarks/sweep.py (10,000+). The oracle is :func:`check_contract`: whatever the bytes,
loading ends as a ``Contract`` or a ``ContractError`` whose rendering is printable UTF-8 text.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from truthgate.contract import Contract, ContractError, load_contract

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo" / "product" / "truth.yaml"

MINIMAL = """\
version: 1
product:
  name: shop
entrypoint:
  path: main.py
env:
  required:
    - name: SECRET_KEY
      secret: true
invariants:
  - id: no-star
    kind: no_wildcard_imports
"""

MEDIUM = """\
version: 1
product: {name: shop-api, version: "2.3.0", owners: [payments-team], description: Checkout.}
entrypoint:
  path: app/main.py
  command: uvicorn app.main:app
  forbidden: [run_bot.py]
env:
  required:
    - {name: SECRET_KEY, secret: true, description: session signing key}
  optional:
    - {name: LOG_LEVEL}
  forbidden:
    - {name: USE_POLLING}
kb:
  files:
    - {path: kb/architecture.md, headings: [Blessed path]}
legacy:
  quarantine_dir: quarantine
  forbidden_modules: ["legacy.*"]
invariants:
  - {id: layering, kind: forbidden_imports, severity: error, paths: ["app/**/*.py"],
     rules: [{from: ["app.*"], forbid: ["legacy.*"]}]}
  - {id: size, kind: max_file_lines, limit: 300, severity: warning}
  - {id: todo, kind: pattern, regex: 'TODO', paths: ["**/*.py"]}
routes:
  - {method: GET, path: /health, budget_ms: 300, name: health}
  - {method: POST, path: /generate, name: generate, unsafe: true}
modes:
  - {name: ACTIVE, allows: [health, generate]}
  - {name: PASSIVE, allows: [health], refuses: [generate], refusal_status: 503}
smoke:
  base_url: "${APP_URL:-http://127.0.0.1:8000}"
  targets:
    prod: {base_url: "https://shop.example.com", production: true}
  scenarios:
    - {id: S0, kind: health, params: {path: /health, budget_ms: 500}}
    - id: A
      steps:
        - request: {path: /admin, auth: {bearer_env: SECRET_KEY}}
          expect: {status: 200}
observability:
  forbidden_log_patterns:
    - {name: traceback, regex: "Traceback", max: 0}
release:
  checklist:
    - {name: gate, run: verify}
  definition_of_done: {consecutive_green_cycles: 5}
"""

BASE_TEXTS: tuple[str, ...] = (MINIMAL, MEDIUM, DEMO.read_text(encoding="utf-8"))
BASES: tuple[Any, ...] = tuple(yaml.safe_load(t) for t in BASE_TEXTS)

# Characters that break naive code: controls, escapes, bidi overrides, astral plane, NEL,
# line/paragraph separators, BOM, combining marks, a right-to-left script.
NASTY_CHARS = ("\x00", "\x07", "\x1b[31m", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff",
               "\u202e", "\u0301", "\U0001f4a9", "\ud800", "\\", "'", '"', ":", "#", "&",
               "*", "!", "%", "@", "`", "{", "}", "[", "]", "|", ">", "${X}", "\t", "\r",
               "\n", "\u05d0\u05d1", "\uffff", "\U0010ffff")

HUGE_NUMBERS = (10**20, -(10**20), 10**299, 2**63, -(2**63) - 1, 1e308, -1e308, 1e-320,
                float("inf"), float("-inf"), float("nan"), 0, -1)

nasty_text = st.lists(
    st.one_of(st.sampled_from(NASTY_CHARS), st.text(max_size=8)), max_size=6).map("".join)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from(HUGE_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True), nasty_text,
    st.sampled_from(["yes", "no", "on", "off", "2024-01-01", "1.10", "0x1F", "0o17", "~",
                     "null", "true", ".inf", "../../etc/passwd", "/etc/passwd", "**",
                     "[", "(a+)+$", "${VAR}", "${VAR:-x}", "*"]),
)

values = st.recursive(
    scalars,
    lambda kids: st.one_of(st.lists(kids, max_size=4),
                           st.dictionaries(st.text(max_size=6), kids, max_size=4)),
    max_leaves=12,
)


def _slots(node: Any, out: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) under ``node``, depth first."""
    if isinstance(node, dict):
        for k in list(node):
            out.append((node, k))
            _slots(node[k], out)
    elif isinstance(node, list):
        for i in range(len(node)):
            out.append((node, i))
            _slots(node[i], out)
    return out


@st.composite
def mutated_data(draw: st.DrawFn) -> Any:
    """A valid base contract (as data) with 0-4 structural mutations applied."""
    doc = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(0, 4))):
        slots = _slots(doc, [])
        if not slots:
            break
        parent, key = slots[draw(st.integers(0, len(slots) - 1))]
        op = draw(st.sampled_from(["rename", "retype", "drop", "nasty", "huge", "nest",
                                   "dup-item", "empty"]))
        if op == "rename" and isinstance(parent, dict):
            new = draw(st.one_of(nasty_text, st.sampled_from(
                [str(key).upper(), str(key) + "s", str(key)[:-1], "<<", "? x", ""])))
            parent[new] = parent.pop(key)
        elif op == "retype":
            parent[key] = draw(values)
        elif op == "drop":
            del parent[key]
        elif op == "nasty":
            parent[key] = str(parent[key]) + draw(nasty_text)
        elif op == "huge":
            parent[key] = draw(st.sampled_from(HUGE_NUMBERS))
        elif op == "nest":
            inner = parent[key]
            for _ in range(draw(st.integers(1, 120))):
                inner = [inner] if draw(st.booleans()) else {"k": inner}
            parent[key] = inner
        elif op == "dup-item" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif op == "empty":
            parent[key] = type(parent[key])() if isinstance(parent[key], (dict, list)) else ""
    return doc


def dump(doc: Any, unicode: bool) -> str:
    try:
        return yaml.safe_dump(doc, allow_unicode=unicode, sort_keys=False, width=10_000)
    except (yaml.YAMLError, RecursionError, UnicodeEncodeError):
        return str(doc)


@st.composite
def mutated_text(draw: st.DrawFn) -> str:
    """A contract's text: a dumped mutation, or a base text edited line by line."""
    if draw(st.booleans()):
        text = dump(draw(mutated_data()), draw(st.booleans()))
    else:
        text = draw(st.sampled_from(BASE_TEXTS))
    lines = text.splitlines(keepends=True) or [""]
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        op = draw(st.sampled_from(["dup-line", "del-line", "dup-section", "anchor", "alias",
                                   "bomb", "insert", "tab", "truncate", "merge", "tag",
                                   "flow-nest", "doc"]))
        if op == "dup-line":
            lines.insert(i, lines[i])
        elif op == "del-line" and len(lines) > 1:
            del lines[i]
        elif op == "dup-section":
            section = [ln for ln in lines if re.match(r"[a-z]", ln)]
            if section:
                lines.append(draw(st.sampled_from(section)))
        elif op == "anchor":
            lines[i] = re.sub(r": ", ": &a ", lines[i], count=1)
        elif op == "alias":
            lines[i] = re.sub(r": .*", ": *a", lines[i], count=1)
        elif op == "bomb":
            width = draw(st.integers(2, 12))
            depth = draw(st.integers(2, 7))
            bomb = ["a0: &a0 [x]\n"] + [
                f"a{d}: &a{d} [{', '.join([f'*a{d - 1}'] * width)}]\n" for d in range(1, depth)]
            lines = lines + bomb
        elif op == "insert":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(nasty_text) + lines[i][pos:]
        elif op == "tab":
            lines[i] = "\t" + lines[i]
        elif op == "truncate":
            cut = draw(st.integers(0, len(text)))
            lines = ["".join(lines)[:cut]]
        elif op == "merge":
            lines.append("extra: {<<: {a: 1}}\n")
        elif op == "tag":
            lines[i] = re.sub(r": ", draw(st.sampled_from(
                [": !!python/object:os.system ", ": !!binary ", ": !!int ", ": !custom ",
                 ": !!set ", ": !!timestamp ", ": !!float "])), lines[i], count=1)
        elif op == "flow-nest":
            n = draw(st.integers(50, 3000))
            lines.append("deep: " + "[" * n + "]" * n + "\n")
        elif op == "doc":
            lines.append("---\nversion: 1\n")
    return "".join(lines)


@st.composite
def contract_bytes(draw: st.DrawFn) -> bytes:
    """Bytes of a contract file: mostly mutated text, sometimes hostile encodings or noise."""
    kind = draw(st.sampled_from(["text"] * 6 + ["binary", "bom", "utf16", "latin1", "splice"]))
    if kind == "binary":
        return draw(st.binary(max_size=2048))
    text = draw(mutated_text())
    if kind == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    if kind == "utf16":
        return text.encode("utf-16", "surrogatepass")
    if kind == "latin1":
        return text.encode("latin-1", "replace")
    raw = text.encode("utf-8", "surrogatepass")
    if kind == "splice":
        pos = draw(st.integers(0, len(raw)))
        return raw[:pos] + draw(st.binary(min_size=1, max_size=16)) + raw[pos:]
    return raw


_RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]")


def check_contract(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` and load it: 'ok' or 'error'; any other outcome raises.

    The oracle: a Contract, or a ContractError whose rendering is located, names the file,
    encodes as UTF-8 and carries no raw terminal control characters.
    """
    path.write_bytes(data)
    try:
        contract = load_contract(path, root=path.parent.parent)
    except ContractError as exc:
        text = exc.render()
        text.encode("utf-8")  # a lone surrogate here would crash the CLI's print
        assert exc.problems, "a ContractError without a problem"
        assert path.name in text
        bad = _RAW_CONTROL.search(text)
        assert bad is None, f"raw control character {bad.group()!r} in:\n{text}"
        return "error"
    assert isinstance(contract, Contract)
    # Everything the CLI prints about a loaded contract must be encodable.
    contract.product.name.encode("utf-8")
    str(contract).encode("utf-8")
    return "ok"
