"""Issue 18, the threat model of an untrusted contract (kb/reliability.md section 7).

A pull request controls the contract and every file of the repository, the cache directory
included. It must not make verify run a program unless the run opted in, and a cache file it
commits must not turn a red verdict green. Each case goes through the CLI.
"""

from __future__ import annotations

import dataclasses
import io
import os
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgate.cli.main import app
from truthgate.model import InvariantResult, Outcome
from truthgate.verify import cachedir
from truthgate.verify.cache import CACHE_FILE
from truthgate.verify.cachedir import CACHE_DIR
from truthgate.verify.results_cache import RESULTS_FILE

from .hostile_server import Server, hostile

HEAD = """\
version: 1
product: {name: untrusted}
entrypoint: {path: app.py}
invariants:
"""
STAR = "  - {id: star, kind: no_wildcard_imports}\n"


def cli(*args: str, xdg: Path | None = None) -> tuple[int, str]:
    env = {"XDG_CACHE_HOME": str(xdg)} if xdg is not None else None
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def repo(tmp_path: Path, invariants: str, files: dict[str, str] | None = None) -> Path:
    root = tmp_path / "repo"
    (root / "product").mkdir(parents=True)
    (root / "product" / "truth.yaml").write_text(HEAD + invariants, encoding="utf-8")
    for name, text in {"app.py": "print('hi')\n", **(files or {})}.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def command(marker: str, code: int = 0) -> str:
    script = f"open({marker!r}, 'w').close(); raise SystemExit({code})"
    return f"  - {{id: cmd, kind: command, argv: [{sys.executable!r}, -c, {script!r}]}}\n"


# --- command invariants need an explicit opt-in ------------------------------------------


@pytest.mark.parametrize("code", [0, 1])
def test_command_invariant_does_not_run_without_allow_commands(tmp_path: Path,
                                                               code: int) -> None:
    root = repo(tmp_path, command("ran", code))
    contract = str(root / "product" / "truth.yaml")
    rc, out = cli("verify", "-c", contract, "--no-cache")
    assert not (root / "ran").exists(), "the contract's program ran without --allow-commands"
    # Not run is no evidence: red whatever the command would have said (never red -> green).
    assert rc == 1, out
    assert "not run: needs --allow-commands" in out
    rc, out = cli("verify", "-c", contract, "--no-cache", "--allow-commands")
    assert (root / "ran").exists()
    assert rc == code, out


def test_verify_all_passes_the_opt_in_through(tmp_path: Path) -> None:
    root = repo(tmp_path, command("ran"))
    rc, out = cli("verify", "--all", str(root), "--no-cache")
    assert rc == 1 and not (root / "ran").exists(), out
    rc, out = cli("verify", "--all", str(root), "--no-cache", "--allow-commands")
    assert rc == 0 and (root / "ran").exists(), out


# --- a committed cache cannot turn red into green -------------------------------------------


def _forge_results(raw: bytes) -> bytes:
    """A sealed results file with every result turned into a clean pass (mac stripped)."""
    data = raw[cachedir.MAC_BYTES:]
    magic = data[:7]
    size = int.from_bytes(data[7:15], "little")
    head, blob = data[15:15 + size], data[15 + size:]
    results, notes, skipped = pickle.loads(blob)
    green = [dataclasses.replace(r, outcome=Outcome.PASS, findings=()) for r in results]
    assert all(isinstance(r, InvariantResult) for r in green)
    return magic + data[7:15] + head + pickle.dumps((green, notes, skipped))


def _forge_facts(raw: bytes) -> bytes:
    data = pickle.load(io.BytesIO(raw[cachedir.MAC_BYTES:]))
    entries = data["entries"]
    for path, entry in list(entries.items()):
        entries[path] = dataclasses.replace(
            entry, facts=dataclasses.replace(entry.facts, imports=()))
    return pickle.dumps(data)


def _seal_with(xdg: Path, data: bytes) -> bytes:
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(xdg)
    try:
        sealed = cachedir.seal(data)
    finally:
        if old is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = old
    assert sealed is not None
    return sealed


def _aged(root: Path) -> None:
    for p in root.rglob("*"):
        if p.is_file() and CACHE_DIR not in p.parts:
            st = p.stat()
            os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns - 3600 * 10**9))


@pytest.mark.parametrize("which", ["results", "facts"])
def test_a_poisoned_cache_from_another_machine_cannot_turn_red_green(tmp_path: Path,
                                                                     which: str) -> None:
    root = repo(tmp_path, STAR, {"app.py": "from os import *\n"})
    _aged(root)
    contract = str(root / "product" / "truth.yaml")
    attacker, victim = tmp_path / "attacker-home", tmp_path / "victim-home"
    rc, out = cli("verify", "-c", contract, xdg=attacker)  # the attacker's own cache
    assert rc == 1, out
    cache = root / CACHE_DIR / (RESULTS_FILE if which == "results" else CACHE_FILE)
    forged = (_forge_results if which == "results" else _forge_facts)(cache.read_bytes())
    if which == "facts":
        (root / CACHE_DIR / RESULTS_FILE).unlink()  # only the facts are poisoned
    # Committed in the pull request, sealed with the attacker's key: ignored by the victim.
    cache.write_bytes(_seal_with(attacker, forged))
    planted = cache.read_bytes()
    rc, out = cli("verify", "-c", contract, xdg=victim)
    assert rc == 1, out
    assert "import *" in out or "star" in out
    # Positive control: the same forgery under the victim's own key would have worked, so
    # the HMAC is what stops it (the key lives outside the repository: a PR cannot sign).
    cache.write_bytes(_seal_with(victim, forged))
    if which == "facts":
        (root / CACHE_DIR / RESULTS_FILE).unlink(missing_ok=True)
    rc, _ = cli("verify", "-c", contract, xdg=victim)
    assert rc == 0
    # And unsealed (the pre-HMAC format), it is ignored as well.
    cache.write_bytes(planted[cachedir.MAC_BYTES:])
    if which == "facts":
        (root / CACHE_DIR / RESULTS_FILE).unlink(missing_ok=True)
    rc, out = cli("verify", "-c", contract, xdg=victim)
    assert rc == 1, out


def test_the_cache_key_lives_outside_the_repository_and_is_private(tmp_path: Path) -> None:
    root = repo(tmp_path, STAR)
    home = tmp_path / "home"
    rc, _ = cli("verify", "-c", str(root / "product" / "truth.yaml"), xdg=home)
    assert rc == 0
    key = home / "truthgate" / "cache-key"
    assert key.is_file() and len(key.read_bytes()) == 32
    assert key.stat().st_mode & 0o077 == 0
    assert not [p for p in root.rglob("*key*")]


def test_without_a_usable_key_nothing_is_cached(tmp_path: Path) -> None:
    root = repo(tmp_path, STAR)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    rc, _ = cli("verify", "-c", str(root / "product" / "truth.yaml"), xdg=blocker)
    assert rc == 0
    assert not (root / CACHE_DIR / RESULTS_FILE).exists()


# --- smoke reaches only the hosts the run declares ----------------------------------------


def _non_loopback_address() -> str | None:
    """An IPv4 address of this machine that is not loopback (no packet is sent)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
            address = str(s.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


SMOKE = """\
version: 1
product: {name: untrusted}
entrypoint: {path: app.py}
invariants: []
smoke:
  base_url: BASE
  defaults: {timeout_s: 3}
  scenarios:
"""


def smoke_run(tmp_path: Path, base: str, scenarios: str, *args: str) -> tuple[int, str]:
    (tmp_path / "product").mkdir(exist_ok=True)
    path = tmp_path / "product" / "truth.yaml"
    path.write_text(SMOKE.replace("BASE", base) + scenarios, encoding="utf-8")
    return cli("smoke", "-c", str(path), "-f", "json", *args)


@pytest.fixture
def internal(tmp_path: Path) -> Iterator[Server]:
    """A server on a non-loopback address of this machine: what the contract must not reach."""
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    with hostile("ok", tmp_path, host=address) as srv:
        yield srv


def test_a_step_url_to_an_undeclared_host_is_refused(tmp_path: Path, internal: Server) -> None:
    steps = f"    - id: M\n      steps:\n        - request: {{url: '{internal.url}/meta'}}\n"
    with hostile("ok", tmp_path) as local:
        rc, out = smoke_run(tmp_path, local.url, steps)
        assert internal.requests() == [], "an undeclared host received a request"
        assert rc == 1 and "undeclared-host" in out, out
        # Positive control: named on the command line, the same host is reached.
        rc, out = smoke_run(tmp_path, local.url, steps, "-u", internal.url)
        assert [r["path"] for r in internal.requests()] == ["/meta"], out


def test_a_redirect_to_an_undeclared_host_is_not_followed(tmp_path: Path,
                                                          internal: Server) -> None:
    steps = "    - id: R\n      steps:\n        - request: {path: /go}\n"
    with hostile("redirect-code", tmp_path, arg=f"302 {internal.url}/meta") as local:
        rc, out = smoke_run(tmp_path, local.url, steps)
        assert [r["path"] for r in local.requests()] == ["/go"]
    assert internal.requests() == [], "a redirect carried the run to an undeclared host"
    assert rc == 1 and "undeclared-host" in out, out


def test_a_host_the_contract_declares_is_reached(tmp_path: Path, internal: Server) -> None:
    steps = "    - id: H\n      steps:\n        - request: {path: /health}\n"
    rc, out = smoke_run(tmp_path, internal.url, steps)
    assert rc == 0, out
    assert [r["path"] for r in internal.requests()] == ["/health"]
