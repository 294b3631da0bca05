"""layers: the drawing as data; every import points down it (true positives and look-alikes)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from truthgate.cli.main import app

BASE = {
    "shop/__init__.py": "",
    "shop/web/__init__.py": "",
    "shop/web/views.py": "from shop.services import orders\n",
    "shop/services/__init__.py": "",
    "shop/services/orders.py": "from shop.domain import Order\n",
    "shop/billing.py": "from shop.domain import Order\n",
    "shop/shipping.py": "from shop.domain import Order\n",
    "shop/domain.py": "class Order: ...\n",
}
LAYERS = """\
container: shop
layers:
  - shop.web
  - shop.services
  - shop.billing | shop.shipping
  - shop.domain
"""


def verify(tmp_path: Path, files: dict[str, str], extra: str = LAYERS) -> tuple[int, list[str]]:
    for rel, text in {**BASE, **files}.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    (tmp_path / "product").mkdir(exist_ok=True)
    (tmp_path / "product" / "truth.yaml").write_text(
        "version: 1\nproduct: {name: shop}\nentrypoint: {path: shop/web/views.py}\n"
        "invariants:\n  - id: layering\n    kind: layers\n" + textwrap.indent(extra, "    "),
        encoding="utf-8")
    result = CliRunner().invoke(app, ["verify", "--no-cache", "-f", "json", "-c",
                                      str(tmp_path / "product" / "truth.yaml")])
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        return 2, [result.stderr]
    report = json.loads(result.stdout)
    inv = report["invariants"][0]
    if inv["outcome"] == "error":
        return 2, [inv["error"]]
    return result.exit_code, [f"{f['location']['path']}:{f['location']['line']} {f['message']}"
                              for f in inv["findings"]]


def test_a_drawing_the_code_follows_is_green(tmp_path: Path) -> None:
    assert verify(tmp_path, {}) == (0, [])


def test_an_upward_import_is_found_at_its_line(tmp_path: Path) -> None:
    code, found = verify(tmp_path, {"shop/domain.py": "import os\nfrom shop.web import views\n"})
    assert code == 1
    assert found == ["shop/domain.py:2 shop.domain (layer 4: shop.domain) imports shop.web.views,"
                     " a higher layer (1: shop.web)"]


def test_an_upward_import_hidden_in_a_function_counts(tmp_path: Path) -> None:
    code, found = verify(tmp_path, {"shop/domain.py": """\
        def render():
            from shop.services.orders import Order
            return Order
        """})
    assert code == 1 and len(found) == 1
    assert "imports shop.services.orders inside a function, a higher layer" in found[0]


def test_function_level_imports_can_be_ignored_when_asked(tmp_path: Path) -> None:
    files = {"shop/domain.py": "def f():\n    import shop.web.views\n"}
    assert verify(tmp_path, files, LAYERS + "ignore_function_level: true\n") == (0, [])


def test_type_checking_imports_never_run_and_do_not_count(tmp_path: Path) -> None:
    assert verify(tmp_path, {"shop/domain.py": """\
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from shop.web.views import Page
        """}) == (0, [])


def test_independent_siblings_must_not_import_each_other(tmp_path: Path) -> None:
    code, found = verify(tmp_path, {"shop/billing.py": "from shop.shipping import label\n"})
    assert code == 1
    assert "an independent sibling in its layer (shop.billing | shop.shipping)" in found[0]


def test_listed_siblings_may_import_each_other(tmp_path: Path) -> None:
    layers = LAYERS.replace("- shop.billing | shop.shipping", "- [shop.billing, shop.shipping]")
    assert verify(tmp_path, {"shop/billing.py": "from shop.shipping import label\n"},
                  layers) == (0, [])


def test_the_most_specific_name_places_a_module(tmp_path: Path) -> None:
    # shop.services.orders is drawn below shop.domain: its import of shop.domain is upward.
    layers = LAYERS + "  - shop.services.orders\n"
    code, found = verify(tmp_path, {}, layers)
    assert code == 1
    assert found == ["shop/services/orders.py:1 shop.services.orders (layer 5: "
                     "shop.services.orders) imports shop.domain, a higher layer (4: shop.domain)"]


def test_a_module_the_drawing_forgot_is_a_finding(tmp_path: Path) -> None:
    code, found = verify(tmp_path, {"shop/util.py": "X = 1\n"})
    assert code == 1 and found == ["shop/util.py:1 shop.util belongs to no layer of the drawing"]


def test_look_alikes_are_not_findings(tmp_path: Path) -> None:
    assert verify(tmp_path, {
        # a name that merely starts like a higher layer is not in it
        "shop/webhooks.py": "X = 1\n",
        "shop/domain.py": "import shop.webhooks\nweb = 'shop.web'  # a string, not an import\n",
        # third-party modules are not drawn
        "shop/services/orders.py": "import json\nfrom shop.domain import Order\n",
    }, LAYERS.replace("- shop.domain", "- shop.domain\n  - shop.webhooks")) == (0, [])


def test_a_layer_that_names_no_module_is_an_error_not_a_pass(tmp_path: Path) -> None:
    code, found = verify(tmp_path, {}, LAYERS + "  - shop.nowhere\n")
    assert code == 2 and "shop.nowhere" in found[0] and "would check nothing" in found[0]


def test_the_container_drawn_as_a_layer_places_only_itself(tmp_path: Path) -> None:
    # Drawing the package itself (its __init__) must not place every module under it.
    code, found = verify(tmp_path, {"shop/util.py": "X = 1\n"}, LAYERS + "  - shop\n")
    assert code == 1 and found == ["shop/util.py:1 shop.util belongs to no layer of the drawing"]
