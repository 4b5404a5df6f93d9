"""The libyaml fast path composes exactly what PyYAML's pure-Python composer does, or steps aside."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from yaml.nodes import MappingNode, SequenceNode

from tutor.lesson.ccompose import compose

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    p.read_text(encoding="utf-8") for p in sorted([*ROOT.glob("lessons/*.yaml"), *ROOT.glob("tests/lessons/**/*.yaml")])
]
#: YAML's indicators and the characters where libyaml and PyYAML are known to differ.
CHARACTERS = [
    *":-?[]{},#\"'|>%@` \n\t\r\\!&*~.0x+",
    "\u00a0",
    "\u2028",
    "\ufeff",
    "\x85",
    "é",
    "中",
    "\x00",
    "---",
    ": ",
]


def nodes(node, out):
    """Every node with everything the loader reads of it: kind, tag, marks, style, value."""
    out.append(
        (
            type(node).__name__,
            node.tag,
            (node.start_mark.line, node.start_mark.column, node.start_mark.index),
            (node.end_mark.line, node.end_mark.column, node.end_mark.index),
            getattr(node, "style", None),
            bool(getattr(node, "flow_style", None)),
            node.value if isinstance(node.value, str) else None,
        )
    )
    children = node.value if isinstance(node, SequenceNode) else []
    if isinstance(node, MappingNode):
        children = [n for pair in node.value for n in pair]
    for child in children:
        nodes(child, out)
    return out


def python_compose(text):
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return "refused"


pytestmark = pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML built without libyaml")


def test_every_bundled_and_test_lesson_composes_the_same():
    fast = 0
    for text in TEXTS:
        root = compose(text)
        if root is not None:
            fast += 1
            assert nodes(root, []) == nodes(python_compose(text), [])
    assert fast >= 8  # at least the bundled lessons take the fast path


@pytest.mark.parametrize("seed", range(4))
def test_mutated_lessons_compose_the_same_or_go_to_pyyaml(seed):
    rnd = random.Random(seed)
    for _ in range(600):
        text = rnd.choice(TEXTS)[: rnd.randint(100, 1500)] + "\n"
        for _ in range(rnd.randint(1, 8)):
            at = rnd.randint(0, len(text))
            text = text[:at] + rnd.choice(CHARACTERS) + text[at + (rnd.random() < 0.3) :]
        root = compose(text)
        if root is not None:  # libyaml took it: PyYAML must take it too, with the same nodes and marks
            expected = python_compose(text)
            assert expected != "refused", text
            assert nodes(root, []) == nodes(expected, []), text


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchors and aliases: the loader's own refusal says where
        "a: !!python/object:os.system 1\n",  # tags
        "a:\t1\n",  # a tab PyYAML refuses
        "a: |#\n  b\n",
        "a: [? b, c]\n",
        "a: 1",  # no final newline (libyaml marks the end differently)
        "a: '\ufeff'\n",
        "\n".join(" " * 1100 + "a: 1" for _ in range(1)) + "\n",  # might nest deeply
        "",
        "a: [1, 2\n",  # broken: PyYAML's message is the one reported
    ],
)
def test_what_the_two_could_disagree_on_goes_to_pyyaml(text):
    assert compose(text) is None
