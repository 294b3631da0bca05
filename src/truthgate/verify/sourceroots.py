"""Source roots: the directories a service's imports are resolved from, as it runs.

A service in ``services/api`` started with ``WORKDIR /srv/services/api`` (or
``PYTHONPATH=services/api``, or ``cd services/api && gunicorn app.main:app``) imports
``from app import db``: its modules are named from that directory, not from the repository
root. Declared in the contract (``verify.source_roots``), else detected from pyproject.toml
(setuptools ``package-dir``/``packages.find.where``, Poetry ``packages.from``), setup.cfg
(``package_dir``, ``packages.find where``), the working directory of every deploy launch
(Dockerfile WORKDIR mapped back through its COPY, ``cd x &&``, ``--chdir``) and relative
``PYTHONPATH`` entries in deploy files. The import graph names a file under a root from the
deepest root holding it; files outside every root keep their names from the repository root.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Callable, Iterable, Sequence

from truthgate.verify.extract import module_name
from truthgate.verify.facts import FileFacts

_SETUPTOOLS_WHERE = re.compile(r"^\s*where\s*=\s*\[\s*[\"']([^\"']+)[\"']", re.M)
_PACKAGE_DIR = re.compile(r"""package-dir\s*=\s*\{[^}]*["']{2}\s*=\s*["']([^"']+)["']""")
_POETRY_FROM = re.compile(r"""\bfrom\s*=\s*["']([^"']+)["']""")
_CFG_PACKAGE_DIR = re.compile(r"^\s*package_dir\s*=\s*\n?\s*=\s*(\S+)", re.M)
_CFG_WHERE = re.compile(r"^\s*where\s*=\s*(\S+)", re.M)
_PYTHONPATH = re.compile(r"PYTHONPATH[\"']?\s*[=:]\s*[\"']?([^\s\"'$]+)")


def _clean(base: str, path: str) -> str:
    got = posixpath.normpath(posixpath.join(base, path.strip().strip("/")))
    return "" if got in (".", "") else got


def detect_source_roots(
    declared: Sequence[str], read: Callable[[str], str | None], paths: Iterable[str]
) -> tuple[str, ...]:
    """The repository's source roots ('' never: the root is always the fallback)."""
    all_paths = list(paths)
    dirs = {posixpath.dirname(p) for p in all_paths}
    known = set(dirs)
    for d in dirs:  # every ancestor is a directory too
        while d:
            d = posixpath.dirname(d)
            known.add(d)
    found: list[str] = [_clean("", d) for d in declared]
    if not declared:
        found += _packaging_roots(read)
        found += _deploy_roots(read, all_paths)
    out: list[str] = []
    for root in found:
        if root and root in known and root not in out:
            out.append(root)
    return tuple(out)


def _packaging_roots(read: Callable[[str], str | None]) -> list[str]:
    out: list[str] = []
    pyproject = read("pyproject.toml") or ""
    for regex in (_SETUPTOOLS_WHERE, _PACKAGE_DIR, _POETRY_FROM):
        out += [_clean("", m) for m in regex.findall(pyproject)]
    cfg = read("setup.cfg") or ""
    out += [_clean("", m) for m in _CFG_PACKAGE_DIR.findall(cfg)]
    if "[options.packages.find]" in cfg:
        section = cfg.split("[options.packages.find]", 1)[1].split("\n[", 1)[0]
        out += [_clean("", m) for m in _CFG_WHERE.findall(section)]
    return out


def _deploy_roots(read: Callable[[str], str | None], paths: Sequence[str]) -> list[str]:
    from truthgate.verify.kinds._deploy import deploy_kind, read_launches

    out: list[str] = []
    for path in paths:
        kind = deploy_kind(path)
        if not kind or kind == "pyproject" or "/." in "/" + path:
            continue
        text = read(path)
        if not text:
            continue
        base = posixpath.dirname(path)
        out += [launch.workdir for launch in read_launches(path, text)
                if launch.workdir not in ("", ".", "/")]
        for value in _PYTHONPATH.findall(text):
            out += [_clean(base, v) for v in value.split(":") if v and not v.startswith("/")]
    return out


def with_source_roots(files: Sequence[FileFacts], roots: Sequence[str]) -> tuple[FileFacts, ...]:
    """``files`` with every Python module named from the deepest source root holding it."""
    if not roots:
        return tuple(files)
    ordered = sorted(roots, key=len, reverse=True)
    out: list[FileFacts] = []
    for f in files:
        root = next((r for r in ordered if f.path.startswith(r + "/")), None)
        if f.is_python and root is not None:
            module, _ = module_name(f.path[len(root) + 1:])
            f = dataclasses.replace(f, module=module)
        out.append(f)
    return tuple(out)
