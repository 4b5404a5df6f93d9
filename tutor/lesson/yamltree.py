"""Lesson text -> a YAML node tree that cannot do anything but describe a tree.

A lesson file is untrusted text.  It is *composed* (never constructed) by a
:class:`yaml.SafeLoader` subclass into nodes that remember where they were
written (line and column marks):

- anchors and aliases are refused outright (no billion laughs), and so is
  every tag that is not plain YAML (``!!python/...``, ``!foo``, merge keys);
- nesting is bounded (:data:`MAX_DEPTH`), checked without recursion;
- a YAML syntax error becomes one :class:`Diagnostic` at its mark.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tutor.i18n import _
from tutor.lesson.ccompose import compose as compose_with_libyaml
from tutor.lesson.model import Diagnostic, Where
from tutor.lesson.yamlwords import advise

MAX_DEPTH = 64

YAML_TAG = "tag:yaml.org,2002:"
SCALAR_TAGS = {YAML_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
STR, INT, FLOAT, BOOL, NULL = (YAML_TAG + t for t in ("str", "int", "float", "bool", "null"))


class _Refused(yaml.MarkedYAMLError):
    """Raised while composing: a construct lessons do not allow."""


class _LessonLoader(yaml.SafeLoader):
    """A SafeLoader that refuses anchors and aliases before they are composed.

    Only :meth:`compose` is ever used: nothing is constructed, so no tag can
    run code, and without aliases no document can expand beyond its size.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(problem="anchors and aliases are not allowed in lessons", problem_mark=event.start_mark)
        return super().compose_node(parent, index)


def depth_exceeded(root: Node) -> Node | None:
    """The first node nested deeper than MAX_DEPTH (iteratively: deep input must not recurse)."""
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        if isinstance(node, SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
    return None


def all_nodes(root: Node) -> Iterator[Node]:
    """Every node, depth first in file order, without recursion."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                stack.extend((value, key))


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(YAML_TAG) :] if tag.startswith(YAML_TAG) else tag


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def compose(text: str) -> Node | None:
    """The node tree of ``text`` (None when empty); raises yaml.YAMLError, or _Refused for aliases.

    libyaml composes it where it gives the same nodes and marks (:mod:`tutor.lesson.ccompose`), else PyYAML.
    """
    return compose_with_libyaml(text) or yaml.compose(text, Loader=_LessonLoader)


def yaml_error(path: str, text: str, err: yaml.YAMLError) -> Diagnostic:
    """One line from PyYAML's error, at its mark."""
    if isinstance(err, yaml.MarkedYAMLError) and err.problem_mark is not None:
        mark = err.problem_mark
        message = err.problem or "invalid YAML"
        advice = None if isinstance(err, _Refused) else advise(text, err)
        if "\t" in message or "'\\t'" in message:
            message = "a tab cannot indent YAML; use spaces"
        elif advice is not None:
            return Diagnostic(
                Where(path, advice.line + 1, advice.column + 1),
                "error",
                _("YAML syntax: {message}").format(message=advice.message),
            )
        elif err.context:
            context = err.context
            if err.context_mark is not None and (err.context_mark.line, err.context_mark.column) != (
                mark.line,
                mark.column,
            ):
                context += f" (which began at line {err.context_mark.line + 1}, column {err.context_mark.column + 1})"
            message = f"{message} {context}"
        if isinstance(err, _Refused):
            return Diagnostic(Where(path, mark.line + 1, mark.column + 1), "error", message)
        return Diagnostic(
            Where(path, mark.line + 1, mark.column + 1), "error", _("YAML syntax: {message}").format(message=message)
        )
    position = getattr(err, "position", None)
    if isinstance(position, int):
        line, column = line_column(text, position)
        reason = getattr(err, "reason", None) or "invalid character"
        character = getattr(err, "character", None)
        code = ord(character) if isinstance(character, str) and len(character) == 1 else character
        shown = f" (#x{code:04x})" if isinstance(code, int) else ""
        return Diagnostic(
            Where(path, line, column), "error", _("YAML syntax: {reason}{shown}").format(reason=reason, shown=shown)
        )
    return Diagnostic(Where(path, 1, 1), "error", _("YAML syntax: {short}").format(short=_short(str(err), 120)))


def _short(text: str, limit: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tag_problems(root: Node) -> Iterator[tuple[Node, str, list[Node]]]:
    """Each node whose tag is not plain YAML (``!!python/...``, ``!foo``, ``!!set``, ``<<``):
    (the node, what is wrong, the nodes that must not be read because of it)."""
    for node in all_nodes(root):
        allowed = (
            SCALAR_TAGS
            if isinstance(node, ScalarNode)
            else {YAML_TAG + "seq"}
            if isinstance(node, SequenceNode)
            else {YAML_TAG + "map"}
        )
        if node.tag == YAML_TAG + "merge":
            yield node, "merge keys (<<) are not allowed in lessons: write the keys out", [node]
        elif node.tag not in allowed:
            shown = _short(_show_tag(node.tag), 60)
            message = f"unknown tag '{shown}': lessons are plain YAML (strings, numbers, lists, mappings)"
            yield node, message, list(all_nodes(node))
