"""Safe YAML loading that remembers where every value came from.

PyYAML's ``safe_load`` forgets line numbers, accepts duplicate keys silently, expands
aliases without bound and applies YAML 1.1 coercions (``on`` -> True, ``2024-01-01`` -> date).
This loader composes the node graph with the safe loader (no Python tags can be built), then
converts nodes itself:

* scalars resolve with the YAML 1.2 core rules only: ``true``/``false``, ``null``/``~``, ints and
  floats; everything else (``yes``, ``on``, dates) stays a string;
* mapping keys must be scalars and become strings; a duplicate key is an error;
* alias expansion is counted and capped, so a "billion laughs" document fails fast;
* every converted value's location is recorded by its key path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

from truthgate.contract.problems import ContractProblem, KeyPath
from truthgate.contract.yamlparse import compose, flow_too_deep

MAX_BYTES = 1 << 20  # a contract is a page or two of YAML; 1 MiB is generous
MAX_NODES = 100_000  # nodes visited while converting, aliases included
MAX_DEPTH = 64  # nesting levels; a contract is a few levels deep, parsers are recursive
MAX_INT_DIGITS = 300  # int() refuses > 4300 digits with a ValueError; no field needs 300

_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)$")
_HEX_OCT = re.compile(r"0x[0-9a-fA-F]+$|0o[0-7]+$")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_COLLECTION_TAGS = ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")
_SPECIAL_FLOAT = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf")}
_SURROGATE = re.compile("[\ud800-\udfff]")


class Mark(NamedTuple):
    """A 1-based span in the source file (a tuple: one is made per node, cheaply)."""

    line: int
    col: int
    end_line: int
    end_col: int


@dataclass
class LoadedYaml:
    """The converted document plus where each key path lives in the source."""

    data: Any
    marks: dict[KeyPath, Mark] = field(default_factory=dict)
    key_marks: dict[KeyPath, Mark] = field(default_factory=dict)
    # Key paths of plain (unquoted) scalars with their source text, so a value the schema
    # wants as a string can be given back exactly as written ('1.10' stays '1.10').
    plain_text: dict[KeyPath, str] = field(default_factory=dict)


class YamlError(Exception):
    """The YAML could not be turned into data; carries located problems."""

    def __init__(self, problems: list[ContractProblem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _mark(node: yaml.Node) -> Mark:
    s, e = node.start_mark, node.end_mark
    return Mark(s.line + 1, s.column + 1, e.line + 1, e.column + 1)


def _resolve_plain(text: str) -> Any:
    """YAML 1.2 core-schema resolution of a plain scalar."""
    low = text.lower()
    if text in ("", "~") or low == "null":
        return None
    if low in ("true", "false"):
        return low == "true"
    if len(text) > MAX_INT_DIGITS and (_INT.match(text) or _HEX_OCT.match(text)):
        return text  # left a string: the schema reports it where a number is expected
    if _INT.match(text):
        return int(text.replace("_", ""))
    if _HEX_OCT.match(text):
        return int(text, 0)
    if low in _SPECIAL_FLOAT:
        return _SPECIAL_FLOAT[low]
    if low == ".nan":
        return float("nan")
    if _FLOAT.match(text) and any(c.isdigit() for c in text):
        return float(text.replace("_", ""))
    return text


class _Converter:
    def __init__(self, source: str) -> None:
        self.source = source
        self.result = LoadedYaml(data=None)
        self.visited = 0
        self.problems: list[ContractProblem] = []

    def problem(self, node: yaml.Node, path: KeyPath, message: str, help: str = "") -> None:
        m = _mark(node)
        self.problems.append(
            ContractProblem(
                message=message,
                path=path,
                line=m.line,
                col=m.col,
                end_line=m.end_line,
                end_col=m.end_col,
                help=help,
            )
        )

    def convert(self, node: yaml.Node, path: KeyPath) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise _TooBig()
        self.result.marks.setdefault(path, _mark(node))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if len(path) >= MAX_DEPTH:
            # Checked here, before recursing: the validator and the builder recurse too.
            self.problem(
                node,
                path,
                f"nested deeper than {MAX_DEPTH} levels",
                help="a contract is a few levels deep; flatten this value",
            )
            return None
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _COLLECTION_TAGS:
            self.problem(node, path, f"unsupported YAML tag {node.tag!r}", help="remove the tag")
            return None
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(child, (*path, i)) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        self.problem(node, path, "unsupported YAML node")
        return None

    def scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        if _SURROGATE.search(node.value):
            # A "\ud800" escape decodes to a lone surrogate: no UTF-8 output can hold it.
            self.problem(
                node,
                path,
                "string holds a lone UTF-16 surrogate (not valid Unicode)",
                help="remove the \\uD800-\\uDFFF escape",
            )
            return ""
        tag = node.tag
        # Plain style is None from PyYAML and '' from libyaml.
        if not node.style and tag != "tag:yaml.org,2002:str":
            self.result.plain_text[path] = node.value
            return _resolve_plain(node.value)
        if tag in ("tag:yaml.org,2002:str", "!") or node.style:
            return node.value
        # An explicit tag such as !!int or !!binary: honour the simple ones, refuse the rest.
        if tag == "tag:yaml.org,2002:int":
            try:
                return int(node.value, 0)
            except ValueError:
                pass
        self.problem(node, path, f"unsupported YAML tag {tag!r}", help="remove the tag")
        return node.value

    def mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(
                    key_node,
                    path,
                    "YAML merge keys ('<<') are not supported",
                    help="write the keys out; contracts are read by people",
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, path, "mapping keys must be plain strings")
                continue
            key = key_node.value
            if _SURROGATE.search(key):
                self.problem(
                    key_node,
                    path,
                    "key holds a lone UTF-16 surrogate (not valid Unicode)",
                    help="remove the \\uD800-\\uDFFF escape",
                )
                continue
            child = (*path, key)
            if key in out:
                first = self.result.key_marks.get(child)
                where = f" (first defined on line {first.line})" if first else ""
                self.problem(
                    key_node,
                    child,
                    f"duplicate key '{key}'{where}",
                    help="each key may appear once; merge the two entries",
                )
                continue
            self.result.key_marks[child] = _mark(key_node)
            out[key] = self.convert(value_node, child)
        return out


class _TooBig(Exception):
    pass


def load_yaml(source: str) -> LoadedYaml:
    """Parse ``source`` into data and marks; raise ``YamlError`` with located problems."""
    if len(source.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlError(
            [
                ContractProblem(
                    message=f"contract is larger than {MAX_BYTES // 1024} KiB",
                    line=1,
                    col=1,
                    help="a contract describes a product in a page or two; split out data files",
                )
            ]
        )
    if "\t" in source:
        for i, text in enumerate(source.splitlines(), start=1):
            stripped = text.lstrip(" ")
            if stripped.startswith("\t"):
                raise YamlError(
                    [
                        ContractProblem(
                            message="tab character used for indentation",
                            line=i,
                            col=len(text) - len(stripped) + 1,
                            end_line=i,
                            end_col=len(text) - len(stripped) + 2,
                            help="YAML indents with spaces only; replace the tab with spaces",
                        )
                    ]
                )
    deep = flow_too_deep(source, MAX_DEPTH)
    if deep is not None:
        raise YamlError([ContractProblem(
            message=f"brackets nested deeper than {MAX_DEPTH} levels", line=deep[0],
            col=deep[1], help="a contract is a few levels deep; flatten this value")])
    try:
        nodes = compose(source)
    except RecursionError:
        # PyYAML's composer recurses once per nesting level: '[[[[...' exhausts the stack.
        raise YamlError(
            [
                ContractProblem(
                    message=f"the contract is nested too deeply (more than {MAX_DEPTH} levels)",
                    line=1,
                    col=1,
                    help="a contract is a few levels deep",
                )
            ]
        ) from None
    except yaml.MarkedYAMLError as exc:
        # An unclosed quote or bracket is reported by PyYAML at the end of the file; the place
        # where the construct started (the context mark) is where a person has to look.
        mark = exc.context_mark or exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = f"{exc.context}: {exc.problem}" if exc.context else str(exc.problem)
        raise YamlError(
            [
                ContractProblem(
                    message=f"invalid YAML: {what}",
                    line=line,
                    col=col,
                    help=_yaml_help(str(exc.problem or "")),
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError([ContractProblem(message=f"invalid YAML: {exc}", line=1, col=1)]) from None
    if len(nodes) > 1:
        m = _mark(nodes[1])
        raise YamlError(
            [
                ContractProblem(
                    message="the contract holds more than one YAML document",
                    line=m.line,
                    col=m.col,
                    help="remove the '---' separator and keep one document",
                )
            ]
        )
    if not nodes or nodes[0] is None:
        raise YamlError(
            [
                ContractProblem(
                    message="the contract is empty",
                    line=1,
                    col=1,
                    help="run 'truthgate init' to scaffold one",
                )
            ]
        )
    conv = _Converter(source)
    try:
        conv.result.data = conv.convert(nodes[0], ())
    except _TooBig:
        raise YamlError(
            [
                ContractProblem(
                    message=f"the contract expands to more than {MAX_NODES} nodes (alias bomb?)",
                    line=1,
                    col=1,
                    help="YAML anchors and aliases must not multiply the document",
                )
            ]
        ) from None
    except RecursionError:
        raise YamlError(
            [ContractProblem(message="the contract is nested too deeply", line=1, col=1)]
        ) from None
    if conv.problems:
        raise YamlError(conv.problems)
    return conv.result


def _yaml_help(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted, or a key is indented wrongly"
    if "found character '\\t'" in problem:
        return "YAML indents with spaces only"
    if "could not find expected ':'" in problem:
        return "a key is missing its ':' or a quoted string is not closed"
    return ""
