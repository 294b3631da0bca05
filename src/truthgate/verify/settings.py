"""pydantic ``BaseSettings`` classes: each annotated field is an env var read by name.

Whether a class really is a settings class depends on the file's imports, which the visitor
only knows at the end, so this module reads every class body into a ``SettingsClass`` and the
visitor keeps the ones whose bases resolve to ``BaseSettings``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from truthgate.verify.facts import NOT_LITERAL, SettingsField
from truthgate.verify.literals import dotted, literal


@dataclass(frozen=True)
class SettingsClass:
    name: str
    bases: tuple[str, ...]  # dotted, as written
    fields: tuple[SettingsField, ...]


def _config_from_keywords(keywords: list[ast.keyword], cfg: dict[str, object]) -> None:
    for k in keywords:
        if k.arg in ("env_prefix", "case_sensitive"):
            cfg[k.arg] = literal(k.value)


def _read_config(body: list[ast.stmt]) -> dict[str, object]:
    """env_prefix / case_sensitive from ``model_config = ...`` or an inner ``class Config``."""
    cfg: dict[str, object] = {}
    for stmt in body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            for inner in stmt.body:
                if isinstance(inner, ast.Assign):
                    for t in inner.targets:
                        if isinstance(t, ast.Name) and t.id in ("env_prefix", "case_sensitive"):
                            cfg[t.id] = literal(inner.value)
            continue
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "model_config" for t in stmt.targets
        ) or (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == "model_config"
        ):
            value = stmt.value
        if isinstance(value, ast.Call):
            _config_from_keywords(value.keywords, cfg)
        elif isinstance(value, ast.Dict):
            found = literal(value)
            if isinstance(found, dict):
                cfg.update({k: v for k, v in found.items() if isinstance(k, str)})
    return cfg


def _is_classvar(annotation: ast.expr) -> bool:
    node = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return dotted(node).rsplit(".", 1)[-1] == "ClassVar"


def _field_default(value: ast.expr | None) -> tuple[bool, object, str]:
    """(has_default, default, alias) of a field's right-hand side."""
    if value is None:
        return False, None, ""
    if not (isinstance(value, ast.Call) and dotted(value.func).rsplit(".", 1)[-1] == "Field"):
        return True, literal(value), ""
    has, default, alias = False, None, ""
    if value.args:
        first = value.args[0]
        is_required = isinstance(first, ast.Constant) and first.value is Ellipsis
        has, default = not is_required, (None if is_required else literal(first))
    for k in value.keywords:
        if k.arg == "default":
            is_required = isinstance(k.value, ast.Constant) and k.value.value is Ellipsis
            has, default = not is_required, (None if is_required else literal(k.value))
        elif k.arg == "default_factory":
            has, default = True, NOT_LITERAL
        elif k.arg in ("alias", "validation_alias"):
            found = literal(k.value)
            if isinstance(found, str):
                alias = found
    return has, default, alias


def read_settings_class(node: ast.ClassDef) -> SettingsClass:
    """The would-be env fields of a class, in case its bases turn out to be settings."""
    cfg = _read_config(node.body)
    prefix = cfg.get("env_prefix")
    prefix = prefix if isinstance(prefix, str) else ""
    case_sensitive = cfg.get("case_sensitive") is True
    fields: list[SettingsField] = []
    for stmt in node.body:
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
            continue
        name = stmt.target.id
        if name.startswith("_") or name == "model_config" or _is_classvar(stmt.annotation):
            continue
        has, default, alias = _field_default(stmt.value)
        env = alias or prefix + name
        fields.append(
            SettingsField(
                class_name=node.name,
                field=name,
                env_name=env if case_sensitive else env.upper(),
                line=stmt.lineno,
                col=stmt.col_offset + 1,
                has_default=has,
                default=default,
            )
        )
    bases = tuple(d for d in (dotted(b) for b in node.bases) if d)
    return SettingsClass(node.name, bases, tuple(fields))
