"""The registry, the schema and kb/ describe the same set of invariant kinds."""

from __future__ import annotations

from pathlib import Path

from truthgate.catalogue import CATALOGUES, invariants_markdown
from truthgate.contract.schema import contract_schema
from truthgate.verify.kinds import KIND_MODULES, available_kinds, get_kind

ROOT = Path(__file__).resolve().parent.parent


def test_every_registered_kind_has_a_module() -> None:
    assert [k.name for k in available_kinds()] == list(KIND_MODULES)


def test_schema_has_a_fragment_for_every_kind() -> None:
    branches = contract_schema()["$defs"]["invariant"]["allOf"]
    consts = [b["if"]["properties"]["kind"]["const"] for b in branches]
    assert consts == list(KIND_MODULES)


def test_every_kind_documents_why_and_how() -> None:
    for name in KIND_MODULES:
        kind = get_kind(name)
        assert kind.summary and kind.why and kind.hint and kind.example, name


def test_kb_catalogue_is_up_to_date() -> None:
    on_disk = (ROOT / "kb" / "invariants.md").read_text(encoding="utf-8")
    assert on_disk == invariants_markdown(), "run: python -m truthgate.catalogue"


def test_kb_scenario_catalogue_is_up_to_date() -> None:
    on_disk = (ROOT / "kb" / "scenarios.md").read_text(encoding="utf-8")
    assert on_disk == CATALOGUES["scenarios.md"](), "run: python -m truthgate.catalogue"


def test_every_scenario_kind_is_documented() -> None:
    from truthgate.smoke.kinds import KINDS

    text = (ROOT / "kb" / "scenarios.md").read_text(encoding="utf-8")
    for name, kind in KINDS.items():
        assert f"### `{name}`" in text
        assert kind.summary
