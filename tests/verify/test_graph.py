"""ImportGraph: module resolution, edges, cycles (SCC), reachability."""

from __future__ import annotations

import textwrap
from fnmatch import fnmatchcase

from hypothesis import given, settings
from hypothesis import strategies as st

from truthgate.verify.extract import extract_facts
from truthgate.verify.graph import ImportGraph, module_matches, modules_matcher, strongly_connected


def graph(files: dict[str, str]) -> ImportGraph:
    return ImportGraph(
        extract_facts(p, textwrap.dedent(src).encode()) for p, src in sorted(files.items())
    )


def edges(g: ImportGraph) -> list[tuple[str, str, int, bool]]:
    return [(e.importer, e.imported, e.line, e.external) for e in g.edges]


def test_src_layout_relative_imports_and_submodule_from_imports() -> None:
    g = graph(
        {
            "src/pkg/__init__.py": "from . import core\nfrom .util import helper\n",
            "src/pkg/core.py": "from .util import helper\nfrom ..outside import x\n",
            "src/pkg/util.py": "import pkg.core as c\nimport requests\n",
            "src/pkg/sub/__init__.py": "from .. import util, VERSION\nfrom pkg import sub\n",
        }
    )
    assert g.modules == {
        "pkg": "src/pkg/__init__.py",
        "pkg.core": "src/pkg/core.py",
        "pkg.sub": "src/pkg/sub/__init__.py",
        "pkg.util": "src/pkg/util.py",
    }
    assert edges(g) == [
        ("pkg", "pkg.core", 1, False),
        ("pkg", "pkg.util", 2, False),
        ("pkg.core", "pkg.util", 1, False),
        # '..outside' from pkg.core climbs above the top package: unresolvable, no edge
        ("pkg.sub", "pkg.util", 1, False),
        ("pkg.sub", "pkg", 1, False),  # VERSION is a name of the package, not a module
        # 'from pkg import sub' inside pkg.sub names itself: no self edge
        ("pkg.util", "pkg.core", 1, False),
        ("pkg.util", "requests", 2, True),
    ]


def test_plain_import_of_a_name_inside_a_module_points_at_the_module() -> None:
    g = graph(
        {"a/__init__.py": "", "a/b.py": "X = 1\n", "c.py": "import a.b.X\nfrom a.b import X\n"}
    )
    assert edges(g) == [("c", "a.b", 1, False), ("c", "a.b", 2, False)]


def test_cycle_reported_once_with_a_closed_chain() -> None:
    g = graph(
        {
            "app/__init__.py": "",
            "app/a.py": "from app import b\n",
            "app/b.py": "import os\nfrom . import c\n",
            "app/c.py": "from .a import thing\nfrom app import b\n",
            "app/d.py": "import app.a\n",
        }
    )
    (chain,) = g.cycles()
    assert [(e.importer, e.imported, e.path, e.line) for e in chain] == [
        ("app.a", "app.b", "app/a.py", 1),
        ("app.b", "app.c", "app/b.py", 2),
        ("app.c", "app.a", "app/c.py", 1),
    ]


def test_type_checking_and_function_level_imports_can_be_ignored() -> None:
    files = {
        "m1.py": "import m2\n",
        "m2.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import m1\n",
        "n1.py": "import n2\n",
        "n2.py": "def f():\n    import n1\n",
    }
    g = graph(files)
    assert g.cycles() == ()
    assert [c[0].importer for c in g.cycles(ignore_type_checking=False)] == ["m1"]
    assert [c[0].importer for c in g.cycles(ignore_function_level=False)] == ["n1"]
    both = g.cycles(ignore_type_checking=False, ignore_function_level=False)
    assert [c[0].importer for c in both] == ["m1", "n1"]
    assert g.cycles(ignore_type_checking=False, within={"m1"}) == ()


def test_tarjan_is_iterative_on_a_very_long_chain() -> None:
    n = 3_000  # well past the default recursion limit
    g = graph({f"m{i}.py": f"import m{(i + 1) % n}\n" for i in range(n)})
    (chain,) = g.cycles()
    assert len(chain) == n and chain[0].importer == "m0" and chain[-1].imported == "m0"


def test_strongly_connected_components_sorted() -> None:
    g = graph({"a.py": "import b\n", "b.py": "import a\n", "c.py": "import a\n"})
    assert strongly_connected(g.adjacency()) == [["a", "b"], ["c"]]


def test_reachable_gives_shortest_chains_including_external_modules() -> None:
    g = graph(
        {
            "main.py": "import svc\nimport util\n",
            "svc.py": "import legacy.db\n",
            "util.py": "import svc\n",
            "legacy/__init__.py": "",
            "legacy/db.py": "import psycopg2\n",
        }
    )
    reach = g.reachable("main")
    assert sorted(reach) == ["legacy.db", "psycopg2", "svc", "util"]
    assert [str(e) for e in reach["psycopg2"]] == [
        "main -> svc (main.py:1)",
        "svc -> legacy.db (svc.py:1)",
        "legacy.db -> psycopg2 (legacy/db.py:1)",
    ]


def test_module_globs_cover_submodules() -> None:
    assert module_matches("legacy.db.models", "legacy")
    assert module_matches("app.api.routes", "app.*")
    assert not module_matches("legacy_tools", "legacy")
    assert not module_matches("app", "app.*")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "app", "db", "", "x1"]), min_size=1, max_size=4)
       .map(".".join),
       st.lists(st.sampled_from(["a", "a.*", "*", "app.db*", "*.db", "a.b", "?", "[ab]", "[!a]*",
                                 "*db*", "a.b.*", ".", "a..b"]), max_size=3).map(tuple))
def test_the_compiled_matcher_agrees_with_fnmatch_on_every_parent(
        module: str, patterns: tuple[str, ...]) -> None:
    parts = module.split(".")
    prefixes = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    expected = any(fnmatchcase(m, p) for p in patterns for m in prefixes)
    assert modules_matcher(patterns)(module) is expected
    assert modules_matcher(patterns)(module) is expected  # memoised
