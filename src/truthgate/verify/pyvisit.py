"""The one AST pass over a Python file that fills every field of ``FileFacts``.

Names are resolved through the file's imports only after the whole tree is seen, so a call
above an import (or in a function defined before it) still resolves.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from truthgate.verify.astshape import CHILD_FIELDS, fields_of, is_main_guard, is_type_checking
from truthgate.verify.facts import (
    NOT_LITERAL,
    AssignFact,
    CallFact,
    EnvRead,
    ImportFact,
    MainGuard,
    SettingsField,
    StringFact,
)
from truthgate.verify.literals import dotted, ifexp_fallbacks, literal, or_fallbacks, value_fallback
from truthgate.verify.pyresolve import (
    PendingCall,
    PendingEnv,
    resolve_calls,
    resolve_env_reads,
    settings_fields,
)
from truthgate.verify.settings import SettingsClass, read_settings_class

_CREDENTIAL_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s/:@'\"]+:[^\s/@'\"]+@[^\s/'\"]")


@dataclass
class Collected:
    """Everything the pass produced, ready to go into ``FileFacts``."""

    imports: list[ImportFact] = field(default_factory=list)
    calls: list[CallFact] = field(default_factory=list)
    assigns: list[AssignFact] = field(default_factory=list)
    env_reads: list[EnvRead] = field(default_factory=list)
    settings_fields: list[SettingsField] = field(default_factory=list)
    main_guards: list[MainGuard] = field(default_factory=list)
    credential_urls: list[StringFact] = field(default_factory=list)


class FactVisitor:
    """Collects facts in one traversal; call ``run(tree)`` then read ``out``.

    Same order and semantics as an ``ast.NodeVisitor``, but dispatch is one dict lookup on
    the node's type (built once per class) instead of a method name built and looked up per
    node, and children are found from a per-type field list instead of ``iter_fields``: the
    pass costs about as much as the parse, so its per-node overhead is most of verify's CPU.
    """

    _dispatch: dict[type, Callable[[FactVisitor, Any], None]] = {}

    def visit(self, node: ast.AST) -> None:
        """Visit one node: its handler when the pass has one, else its children."""
        handler = self._dispatch.get(type(node))
        if handler is not None:
            handler(self, node)
        else:
            self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        """Visit every child node, in field order (as ``ast.NodeVisitor`` does).

        ``visit`` is inlined (one Python call per node instead of two), a Name outside call
        arguments (where its handler does nothing) costs no call at all, and a node with
        no child field and no handler (pass, break, an operator) is not entered.
        """
        dispatch = self._dispatch
        known = CHILD_FIELDS
        name_type = ast.Name
        for name in known.get(type(node)) or fields_of(type(node)):
            value = getattr(node, name, None)
            if value is None:
                continue
            for item in value if type(value) is list else (value,):
                cls = type(item)
                if cls is name_type:
                    if self._arg_names:
                        self._arg_names[-1].append(item.id)
                    continue
                handler = dispatch.get(cls)
                if handler is not None:
                    handler(self, item)
                elif isinstance(item, ast.AST):
                    fields = known.get(cls)
                    if fields is None:
                        fields = fields_of(cls)
                    if fields:
                        self.generic_visit(item)

    def __init__(self) -> None:
        self.out = Collected()
        self._bindings: dict[str, str] = {}
        self._calls: list[PendingCall] = []
        self._env: list[PendingEnv] = []
        self._classes: list[SettingsClass] = []
        self._func_depth = 0
        self._tc_depth = 0
        self._main_depth = 0
        self._class_stack: list[str] = []  # '' marks a function scope
        self._arg_names: list[list[str]] = []
        # Env-read candidates (by node id) of 'x or "literal"' and 'x if <K set> else "literal"',
        # and the literal they fall back to.
        self._fallbacks: dict[int, str] = {}

    # -- entry -----------------------------------------------------------------------------
    def run(self, tree: ast.AST) -> Collected:
        """Visit ``tree`` and resolve everything that depends on the file's imports."""
        self.visit(tree)
        self._finish()
        return self.out

    # -- imports ---------------------------------------------------------------------------
    def _import(
        self, node: ast.Import | ast.ImportFrom, module: str, names: tuple[str, ...], level: int,
        alias: str = "",
    ) -> ImportFact:
        return ImportFact(
            module=module,
            names=names,
            level=level,
            line=node.lineno,
            col=node.col_offset + 1,
            alias=alias,
            is_from=isinstance(node, ast.ImportFrom),
            type_checking=self._tc_depth > 0,
            in_function=self._func_depth > 0,
        )

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            self.out.imports.append(self._import(node, a.name, (), 0, a.asname or ""))
            if a.asname:
                self._bindings[a.asname] = a.name
            else:
                head = a.name.split(".", 1)[0]
                self._bindings[head] = head

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        names = tuple(a.name for a in node.names)
        self.out.imports.append(
            self._import(node, module, names, node.level)
        )
        base = "." * node.level + module
        for a in node.names:
            if a.name != "*":
                sep = "." if module else ""
                self._bindings[a.asname or a.name] = base + sep + a.name

    # -- scopes ----------------------------------------------------------------------------
    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for d in node.decorator_list:
            self.visit(d)
        self._keyword_defaults(node.args)
        self.visit(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        self._func_depth += 1
        self._class_stack.append("")
        for stmt in node.body:
            self.visit(stmt)
        self._class_stack.pop()
        self._func_depth -= 1

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit(node.args)
        self._func_depth += 1
        self.visit(node.body)
        self._func_depth -= 1

    def _keyword_defaults(self, args: ast.arguments) -> None:
        positional = [*args.posonlyargs, *args.args]
        with_default = positional[len(positional) - len(args.defaults) :]
        pairs = list(zip(with_default, args.defaults, strict=True))
        kw_pairs = zip(args.kwonlyargs, args.kw_defaults, strict=True)
        pairs += [(a, d) for a, d in kw_pairs if d is not None]
        for a, d in pairs:
            self._assign(a.arg, a.arg, d, d, in_function=True)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for d in node.decorator_list:
            self.visit(d)
        for b in node.bases:
            self.visit(b)
        for k in node.keywords:
            self.visit(k)
        self._classes.append(read_settings_class(node))
        self._class_stack.append(node.name)
        for stmt in node.body:
            self.visit(stmt)
        self._class_stack.pop()

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        tc, main = is_type_checking(node.test), is_main_guard(node.test)
        if main:
            self.out.main_guards.append(MainGuard(node.lineno, node.col_offset + 1))
        self._tc_depth += tc
        self._main_depth += main
        for stmt in node.body:
            self.visit(stmt)
        self._tc_depth -= tc
        self._main_depth -= main
        for stmt in node.orelse:
            self.visit(stmt)

    # -- assignments -----------------------------------------------------------------------
    def _assign(
        self, target: str, name: str, value: ast.AST | None, at: ast.AST, in_function: bool
    ) -> None:
        class_name = self._class_stack[-1] if self._class_stack else ""
        fallback, sources = value_fallback(value)
        self.out.assigns.append(
            AssignFact(
                target=target,
                name=name,
                value=literal(value) if value is not None else NOT_LITERAL,
                line=getattr(at, "lineno", 0),
                col=getattr(at, "col_offset", -1) + 1,
                class_name=class_name,
                in_function=in_function,
                fallback=fallback,
                fallback_sources=tuple((n.lineno, n.col_offset + 1) for n in sources),
            )
        )

    def _target(self, t: ast.expr, value: ast.expr | None) -> None:
        if isinstance(t, (ast.Tuple, ast.List)):
            values: list[ast.expr | None] = [None] * len(t.elts)
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(t.elts):
                values = list(value.elts)
            for elt, v in zip(t.elts, values, strict=False):
                self._target(elt, v)
            return
        if isinstance(t, ast.Subscript):
            base = dotted(t.value)
            key = t.slice
            if base and isinstance(key, ast.Constant) and isinstance(key.value, str):
                self._assign(f"{base}[{key.value}]", key.value, value, t, self._func_depth > 0)
            return
        name = dotted(t)
        if name and not name.startswith("?"):
            self._assign(name, name.rsplit(".", 1)[-1], value, t, self._func_depth > 0)

    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            self._target(t, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._target(node.target, node.value)
        self.generic_visit(node)

    # -- calls, names, literals ------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        name = dotted(node.func) or "?"
        self.visit(node.func)
        collector: list[str] = []
        self._arg_names.append(collector)
        for a in node.args:
            self.visit(a)
        for k in node.keywords:
            self.visit(k)
        self._arg_names.pop()
        if self._arg_names:
            # Names inside a nested call's arguments are also inside the outer call's.
            self._arg_names[-1].extend(collector)
        self._calls.append(
            PendingCall(name, node, collector, self._func_depth > 0, self._main_depth > 0)
        )
        tail = name.rsplit(".", 1)[-1]
        if tail in ("getenv", "get", "setdefault") and node.args:
            self._env_call(name, node)

    def _env_call(self, name: str, node: ast.Call) -> None:
        default_node: ast.expr | None = node.args[1] if len(node.args) > 1 else None
        for k in node.keywords:
            if k.arg in ("default", "value"):
                default_node = k.value
        has_default, default = default_node is not None, literal(default_node)
        fallback = self._fallbacks.get(id(node))
        if fallback is not None and default in (None, ""):
            # 'os.getenv("K") or "dev"' (also with a None/"" default) runs with "dev" when
            # K is unset, exactly like 'os.getenv("K", "dev")'.
            has_default, default = True, fallback
        self._env.append(
            PendingEnv(
                raw=name,
                subscript=False,
                key=literal(node.args[0]),
                line=node.lineno,
                col=node.col_offset + 1,
                has_default=has_default,
                default=default,
            )
        )

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        if isinstance(node.op, ast.Or):
            self._fallbacks.update(or_fallbacks(node))
        self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        # 'os.getenv("K") if os.getenv("K") else "dev"' defaults K like 'os.getenv("K", "dev")'.
        self._fallbacks.update(ifexp_fallbacks(node))
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Load):
            raw = dotted(node.value)
            if raw.endswith("environ"):
                key = literal(node.slice)
                # 'os.environ["K"] or "dev"' runs with "dev" when K is set but empty (as
                # compose sets '${K}' when the host lacks it): a hard-coded fallback too.
                fallback = self._fallbacks.get(id(node))
                self._env.append(
                    PendingEnv(raw, True, key, node.lineno, node.col_offset + 1,
                               fallback is not None, fallback)
                )
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if self._arg_names:
            self._arg_names[-1].append(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if self._arg_names:
            self._arg_names[-1].append(node.attr)
        self.visit(node.value)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        # The cheap membership tests spare the regex on nearly every string.
        if (
            isinstance(value, str)
            and "://" in value
            and "@" in value
            and _CREDENTIAL_URL.search(value)
        ):
            self.out.credential_urls.append(StringFact(value, node.lineno, node.col_offset + 1))

    def _finish(self) -> None:
        b = self._bindings
        self.out.calls = resolve_calls(self._calls, b)
        self.out.env_reads = resolve_env_reads(self._env, b)
        self.out.settings_fields = settings_fields(self._classes, b)


def _build_dispatch() -> None:
    # visit_<ClassName> methods, keyed by the ast class itself (including subclasses that the
    # running Python defines, such as ast.Num aliases, which share Constant's handler).
    for name in dir(FactVisitor):
        if name.startswith("visit_"):
            cls = getattr(ast, name[len("visit_") :], None)
            if isinstance(cls, type):
                FactVisitor._dispatch[cls] = getattr(FactVisitor, name)


_build_dispatch()
