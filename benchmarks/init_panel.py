"""Run `truthgate init` then `truthgate verify` on a panel of real repositories, and score both.

Usage:
    python benchmarks/init_panel.py PANEL_DIR [--data benchmarks/init_panel.json]
        [--only NAME ...] [--src PATH] [--show] [--json OUT]

PANEL_DIR holds one local copy per panel entry, named by the entry's ``name`` (a checkout of
the commit given in the data file; how to get one is in kb/benchmarks.md). The script says
which copies are missing and runs the rest. Each copy is copied into a temporary directory
(the copy itself is never touched), ``truthgate init`` writes its contract there, and
``truthgate verify --format json`` runs on it.

Scored against the hand-checked expectations in the data file:
- **init correct**: the contract's ``entrypoint.path`` is one of ``expected.entrypoint`` and
  the sets of required and of secret env var names are exactly ``expected.required`` and
  ``expected.secret``;
- **findings**: each finding of the first verify is matched against the entry's ``findings``
  rules (first match wins: invariant id, fnmatch glob on the path, optional regex on the
  message) and counted as TP, FP or debatable; a finding no rule matches is "unclassified"
  and listed, so a new finding is looked at by a person before it is counted.

``--src PATH`` runs another truthgate (its ``src`` directory put first on PYTHONPATH): how the
"before" figures were taken from the commit before the init work.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CLASSES = ("TP", "FP", "debatable", "unclassified")


def _run(args: list[str], cwd: Path, src: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TRUTHGATE_NO_CONTRACT_CACHE="1", CI="")
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "truthgate", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False,
    )


def _contract_facts(path: Path) -> dict[str, Any]:
    """Entrypoint and env of the written contract, read as plain YAML (any truthgate wrote it)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    env = data.get("env") or {}
    required = [v["name"] for v in env.get("required") or []]
    optional = [v["name"] for v in env.get("optional") or []]
    secret = [
        v["name"] for v in [*(env.get("required") or []), *(env.get("optional") or [])]
        if v.get("secret")
    ]
    entry = data.get("entrypoint") or {}
    return {
        "entrypoint": entry.get("path", ""),
        "forbidden": list(entry.get("forbidden") or []),
        "required": sorted(required),
        "optional": sorted(optional),
        "secret": sorted(secret),
        "todo": [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()
                 if "TODO(init)" in ln],
    }


def _classify(finding: dict[str, Any], rules: list[dict[str, Any]]) -> tuple[str, str]:
    path = finding["location"]["path"]
    for rule in rules:
        if rule["id"] != finding["invariant_id"]:
            continue
        if not fnmatch.fnmatchcase(path, rule.get("path", "*")):
            continue
        if "match" in rule and not re.search(rule["match"], finding["message"]):
            continue
        return rule["class"], rule.get("cause", "")
    return "unclassified", ""


def run_one(entry: dict[str, Any], copy: Path, src: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"panel-{entry['name']}-") as tmp:
        work = Path(tmp) / entry["name"]
        shutil.copytree(copy, work, symlinks=True)
        init = _run(["init", str(work)], work, src)
        contract = work / "product" / "truth.yaml"
        if init.returncode != 0 or not contract.is_file():
            return {"name": entry["name"], "error": f"init exit {init.returncode}: {init.stderr}"}
        facts = _contract_facts(contract)
        verify = _run(["verify", "--format", "json", "--no-cache", "--no-record"], work, src)
        try:
            report = json.loads(verify.stdout)
        except ValueError:
            return {"name": entry["name"], "error": f"verify exit {verify.returncode}: "
                    f"{verify.stderr[-2000:]}", "contract": facts}
    expected = entry["expected"]
    entry_ok = facts["entrypoint"] in expected["entrypoint"]
    required_ok = set(facts["required"]) == set(expected["required"])
    secret_ok = set(facts["secret"]) == set(expected["secret"])
    findings = []
    for inv in report["invariants"]:
        for f in inv["findings"]:
            klass, cause = _classify(f, entry.get("findings", []))
            findings.append({
                "id": f["invariant_id"], "path": f["location"]["path"],
                "line": f["location"]["line"], "message": f["message"],
                "class": klass, "cause": cause,
            })
        if inv["outcome"] == "error":
            findings.append({"id": inv["id"], "path": "", "line": 0,
                             "message": "invariant error: " + inv.get("error", ""),
                             "class": "unclassified", "cause": ""})
    return {
        "name": entry["name"],
        "contract": facts,
        "init_stdout": init.stdout,
        "entrypoint_ok": entry_ok,
        "required_ok": required_ok,
        "secret_ok": secret_ok,
        "init_ok": entry_ok and required_ok and secret_ok,
        "verify_exit": verify.returncode,
        "findings": findings,
        "counts": dict(Counter(f["class"] for f in findings)),
        "fp_causes": dict(Counter(f["cause"] or "?" for f in findings if f["class"] == "FP")),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("panel_dir", type=Path)
    parser.add_argument("--data", type=Path, default=HERE / "init_panel.json")
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--src", default=None, help="truthgate src dir to run instead")
    parser.add_argument("--show", action="store_true", help="list every finding")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    args = parser.parse_args(argv)
    data = json.loads(args.data.read_text(encoding="utf-8"))
    entries = [e for e in data["repositories"] if not args.only or e["name"] in args.only]
    missing = [e for e in entries if not (args.panel_dir / e["name"]).is_dir()]
    for e in missing:
        print(f"missing: {e['name']} ({e['url']} @ {e['commit'][:12]}) "
              f"expected at {args.panel_dir / e['name']}")
    results = []
    for e in entries:
        if e in missing:
            continue
        res = run_one(e, args.panel_dir / e["name"], args.src)
        results.append(res)
        if "error" in res:
            print(f"{e['name']}: ERROR {res['error']}")
            continue
        c = res["contract"]
        print(f"{e['name']}: init {'ok' if res['init_ok'] else 'WRONG'} "
              f"(entrypoint {c['entrypoint'] or '-'} {'ok' if res['entrypoint_ok'] else 'WRONG'}, "
              f"required {'ok' if res['required_ok'] else 'WRONG'}, "
              f"secret {'ok' if res['secret_ok'] else 'WRONG'}); findings "
              + ", ".join(f"{k} {res['counts'].get(k, 0)}" for k in CLASSES))
        if not res["required_ok"]:
            exp = set(e["expected"]["required"])
            print(f"    required: extra {sorted(set(c['required']) - exp)}, "
                  f"missing {sorted(exp - set(c['required']))}")
        if not res["secret_ok"]:
            exp = set(e["expected"]["secret"])
            print(f"    secret: extra {sorted(set(c['secret']) - exp)}, "
                  f"missing {sorted(exp - set(c['secret']))}")
        for f in res["findings"]:
            if args.show or f["class"] == "unclassified":
                print(f"    [{f['class']}] {f['id']} {f['path']}:{f['line']} {f['message'][:160]}")
    ok = [r for r in results if "error" not in r]
    totals = Counter[str]()
    causes = Counter[str]()
    for r in ok:
        totals.update(r["counts"])
        causes.update(r["fp_causes"])
    print(f"\ninit correct {sum(r['init_ok'] for r in ok)}/{len(ok)} "
          f"(entrypoint {sum(r['entrypoint_ok'] for r in ok)}, "
          f"required {sum(r['required_ok'] for r in ok)}, "
          f"secret {sum(r['secret_ok'] for r in ok)}); "
          f"findings {sum(totals.values())}: "
          + ", ".join(f"{k} {totals.get(k, 0)}" for k in CLASSES)
          + (f"; FP by cause: {dict(causes)}" if causes else "")
          + (f"; {len(missing)} missing" if missing else ""))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 1 if [r for r in results if "error" in r] else 0


if __name__ == "__main__":
    sys.exit(main())
