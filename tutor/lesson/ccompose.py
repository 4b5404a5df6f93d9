"""Compose lesson YAML with libyaml (PyYAML's C composer) when it gives the same tree.

Why: PyYAML's pure-Python composer is most of the time it takes to load a
lesson (about 26x slower than libyaml on the bundled lessons).  libyaml gives
the same nodes with the same line, column and index marks (checked over every
bundled and test lesson), so every message the loader writes is unchanged.

It is only a fast path.  :func:`compose` returns None, and the loader composes
the text with its own pure-Python loader instead, whenever the two could
differ: libyaml is missing, the text does not parse (the Python loader's
error messages are the ones the loader reports), there is an anchor, an alias
or a tag in front of a node (the Python loader refuses those with its own
message, and an alias must never be walked), or the nesting could be deep.
"""

from __future__ import annotations

import re

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Nesting this deep might be possible (bounded from the text): leave it to the Python loader's checks.
_DEEPEST = 2000


#: Characters PyYAML's reader refuses (its Reader.NON_PRINTABLE; libyaml's list differs), tabs (PyYAML refuses
#: some that libyaml takes), and the characters the two count differently in columns (a byte-order mark inside
#: the text) or lines (CR, NEL, LS, PS): a text with any of these goes to PyYAML.
_NOT_PLAIN = re.compile("[^\x0a\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


#: A block scalar header run into a comment (``|#``): libyaml takes it, PyYAML refuses it.
_HEADER_COMMENT = re.compile(r"[|>][-+0-9]*#")


def _maybe_deep(text: str) -> bool:
    """An upper bound of the nesting depth: two block levels per column of the longest line, plus the brackets."""
    longest = max((len(line) for line in text.splitlines()), default=0)
    return 2 * longest + text.count("[") + text.count("{") > _DEEPEST


def compose(text: str) -> Node | None:
    """The composed root node as the pure-Python SafeLoader would build it, or None to leave it to that loader."""
    loader_class = getattr(yaml, "CSafeLoader", None)
    # at the end of a text without a final newline libyaml's end marks say (next line, column 0)
    if loader_class is None or not text.strip() or not text.endswith("\n"):
        return None
    if _NOT_PLAIN.search(text) or _HEADER_COMMENT.search(text) or _maybe_deep(text):
        return None
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
    except Exception:  # the Python loader finds the same problem and says it in its own words
        return None
    finally:
        loader.dispose()
    if root is None:
        return None
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias: the same node twice
            return None
        seen.add(id(node))
        if text[node.start_mark.index : node.start_mark.index + 1] in ("&", "!", "*"):  # anchor, tag, alias
            return None
        if isinstance(node, ScalarNode):
            if node.style == "":  # libyaml's plain style is '', PyYAML's None
                node.style = None
            continue
        if node.flow_style:  # inside [...] and {...}: PyYAML refuses some '?' keys that libyaml takes,
            children = node.value if isinstance(node, SequenceNode) else [n for pair in node.value for n in pair]
            if "?" in text[node.start_mark.index : node.end_mark.index] or any(
                isinstance(n, ScalarNode) and n.value == "" and not n.style for n in children
            ):  # and the two mark an empty value at different columns
                return None
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return root
