"""Chinese mixed with Latin letters, digits and maths is spaced one way everywhere (CONTRIBUTING, "Chinese text").

The rule is the one the bundled lessons follow (measured when it was written: 851 spaced
boundaries between a Chinese character and Latin text or maths, none unspaced):

- one space between a Chinese character and a Latin letter, a digit, a Greek letter, a maths
  symbol, or inline maths or code (``学习率 $\\eta$``, ``第 3 步``, ``优化器 gd``);
- no space beside full-width punctuation (``：{reason}``, ``（x）``, ``。$x$``);
- Markdown markers (``**``) and placeholders (``{name}``) are not text: a placeholder is spaced
  as the words it stands for (``{n} 步`` for a number, ``练习{name}`` for a Chinese skill name).

Every Chinese message in the catalogue and every Chinese text of a bundled lesson is checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tutor import i18n

ROOT = Path(__file__).resolve().parent.parent

CJK = "\u3400-\u4dbf\u4e00-\u9fff"
#: Full-width punctuation: never spaced from what is beside it.
PUNCTUATION = "，。：；、！？（）“”‘’《》【】［］…—"
#: What is spaced from a Chinese character: Latin letters, digits, Greek, super- and subscripts, maths, $ and `.
LATIN = r"A-Za-z0-9$`\u0370-\u03ff\u2070-\u209f\u2200-\u22ff′″²³¹"

UNSPACED = re.compile(rf"[{CJK}][{LATIN}]|[{LATIN}][{CJK}]")
#: (a Markdown table's ``|`` is layout, not text)
SPACED_PUNCTUATION = re.compile(rf"[{PUNCTUATION}] +[^\s|]|[^\s|] +[{PUNCTUATION}]")


#: Inline code and maths are checked at their edges only (what a learner types inside may be spaced as typed).
SPANS = re.compile(r"`[^`\n]+`|\$[^$\n]+\$")


def spacing_problems(text: str) -> list[str]:
    """Where ``text`` breaks the rule, each with a little context."""
    text = SPANS.sub(lambda m: m.group(0)[0] + "x" + m.group(0)[-1], text)
    found = []
    for pattern, what in ((UNSPACED, "no space"), (SPACED_PUNCTUATION, "space beside full-width punctuation")):
        for m in pattern.finditer(text):
            found.append(f"{what}: …{text[max(0, m.start() - 8) : m.end() + 8]}…")
    return found


def test_the_rule_itself():
    assert spacing_problems("学习率 $\\eta$ 是 0.1，第 3 步：x² 变小。") == []
    assert spacing_problems("学习率$\\eta$") and spacing_problems("第3步")
    assert spacing_problems("梯度 ，下降") and spacing_problems("（ x）")
    assert spacing_problems("调整模型的**参数**（也就是**权重**）") == []  # Markdown markers are not text
    assert spacing_problems("练习{name}。第 {k} 步") == []  # placeholders are spaced as their words
    assert spacing_problems("例如 `减小, 增大`。") == []  # inside code, as the learner types it
    assert spacing_problems("例如`减小`") and spacing_problems("$x$的")


def _zh_texts(node, where: str):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "zh" and isinstance(value, str):
                yield where, value
            else:
                yield from _zh_texts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _zh_texts(value, f"{where}[{i}]")


@pytest.mark.parametrize("path", sorted((ROOT / "lessons").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_chinese_lesson_text_is_spaced_by_the_rule(path):
    problems = [
        f"{where}: {problem}"
        for where, text in _zh_texts(yaml.safe_load(path.read_text(encoding="utf-8")), path.stem)
        for problem in spacing_problems(text)
    ]
    assert not problems, "\n".join(problems[:20])


def test_every_chinese_message_is_spaced_by_the_rule():
    from babel.messages.pofile import read_po

    with (i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "tutor.po").open("rb") as f:
        catalogue = read_po(f, locale="zh_CN")
    problems = []
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            problems += [f"{message.id!r}: {problem}" for problem in spacing_problems(text or "")]
    assert not problems, "\n".join(problems[:20])
