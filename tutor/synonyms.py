"""The words people answer a choice question with, in each language, and the punctuation they write.

A choice's key and label are one way to say it; a learner writes
``converges``, ``it will converge``, ``smaller``, ``down``, ``调大``, ``会收敛``,
``变号了``.  Each choice key lists its synonyms per language here (the
engine's own verbs first: the tutor writes "It converges.", so ``converges``
must be an answer).  A word that means different things for different
choices is listed for none of them.  Matching is on the casefolded answer
with the filler words around it ("it will", "x should", "会", "了") removed.

``left``/``往左`` means decrease only where x is one number (a point moving
on the x axis); the direction choices are about one variable each, so it
holds for every entry of a several-variable answer too.
"""

from __future__ import annotations

import re

#: key -> language -> words that mean it (lower case; the key and the labels are matched anyway).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "increase": {
        "en": (
            "increases",
            "increasing",
            "increased",
            "inc",
            "up",
            "go up",
            "bigger",
            "larger",
            "greater",
            "higher",
            "more",
            "raise",
            "grow",
            "grows",
            "right",
            "move right",
            "to the right",
            "+",
        ),
        "zh": (
            "增大",
            "增加",
            "变大",
            "调大",
            "加大",
            "增",
            "大",
            "往右",
            "向右",
            "右",
            "右移",
            "往大调",
            "上升",
            "变多",
        ),
    },
    "decrease": {
        "en": (
            "decreases",
            "decreasing",
            "decreased",
            "dec",
            "down",
            "go down",
            "smaller",
            "less",
            "lower",
            "reduce",
            "shrink",
            "shrinks",
            "left",
            "move left",
            "to the left",
            "-",
            "−",
        ),
        "zh": (
            "减小",
            "减少",
            "变小",
            "调小",
            "缩小",
            "减",
            "小",
            "往左",
            "向左",
            "左",
            "左移",
            "往小调",
            "下降",
            "变少",
        ),
    },
    "stay": {
        "en": (
            "stays",
            "stay put",
            "stays put",
            "same",
            "the same",
            "unchanged",
            "no change",
            "keep",
            "don't move",
            "do not move",
            "doesn't move",
            "does not move",
            "nothing",
            "stop",
            "0",
        ),
        "zh": ("不动", "不变", "保持", "保持不变", "不移动", "不用动", "停", "停住", "原地不动"),
    },
    "yes": {
        "en": (
            "y",
            "yes",
            "yeah",
            "yep",
            "true",
            "it did",
            "changed",
            "it changed",
            "sign changed",
            "the sign changed",
            "it changed sign",
            "changed sign",
            "flipped",
        ),
        "zh": ("是", "是的", "对", "有", "变了", "变号", "变号了", "符号变了", "改变", "改变了", "有变号"),
    },
    "no": {
        "en": (
            "n",
            "no",
            "nope",
            "false",
            "it did not",
            "it didn't",
            "not changed",
            "unchanged",
            "no change",
            "did not change",
            "didn't change",
            "same sign",
            "the same sign",
        ),
        "zh": ("否", "不是", "不", "没有", "没", "没变", "没变号", "没有变号", "不变号", "符号没变", "同号"),
    },
    "converge": {
        "en": (
            "converges",
            "converging",
            "converged",
            "convergence",
            "settles",
            "settle",
            "settles down",
            "goes to the minimum",
            "reaches the minimum",
        ),
        "zh": ("收敛", "会收敛", "能收敛", "收敛到最小值", "趋于稳定", "稳定"),
    },
    "oscillate": {
        "en": (
            "oscillates",
            "oscillating",
            "oscillation",
            "bounces",
            "bounce",
            "bouncing",
            "zigzag",
            "zig-zag",
            "zig-zags",
            "flips",
            "jumps back and forth",
            "back and forth",
        ),
        "zh": ("振荡", "震荡", "会振荡", "会震荡", "来回跳", "来回振荡", "来回摆动", "摆动"),
    },
    "diverge": {
        "en": (
            "diverges",
            "diverging",
            "diverged",
            "divergence",
            "blows up",
            "explodes",
            "grows without bound",
            "goes to infinity",
            "runs away",
        ),
        "zh": ("发散", "会发散", "越来越大", "爆炸", "发散了"),
    },
}

#: Filler around the word that carries the answer (matched on the casefolded, trimmed answer).
_FILLER_EN = re.compile(
    r"^(?:(?:it|x|f|the loss|gradient descent|descent|we|you|i think|i'd say|answer:?)\s+)*"
    r"(?:(?:will|would|should|must|does|did|to)\s+)*(?:be\s+)?"
)
_FILLER_ZH = re.compile(r"^(?:它|x|我觉得|应该|答案是|会|要|就)*|(?:了|的|吧|啊)$")

#: Brackets and separators a learner types in Chinese, read as their ASCII counterparts (one character
#: for one, so a column in the answer is still the column the learner sees).
PUNCTUATION = str.maketrans(
    {
        "、": ",",
        "，": ",",
        "；": ";",
        "【": "[",
        "】": "]",
        "「": "(",
        "」": ")",
        "『": "(",
        "』": ")",
        "〔": "[",
        "〕": "]",
        "（": "(",
        "）": ")",
        "［": "[",
        "］": "]",
        "：": ":",
        "＝": "=",
    }
)


def normalise(word: str) -> str:
    """The answer without case, surrounding punctuation, or filler words."""
    t = word.strip().strip(".!?。！？\"'“”‘’").strip().casefold()
    t = re.sub(r"\s+", " ", t)
    stripped = _FILLER_EN.sub("", t).strip()
    if stripped:
        t = stripped
    stripped = _FILLER_ZH.sub("", t).strip()
    return stripped or t


def key_for(word: str, keys: tuple[str, ...]) -> str | None:
    """The one choice key among ``keys`` that ``word`` names through a synonym; None if none or several."""
    t = normalise(word)
    if not t:
        return None
    hits = {
        key for key in keys for lang in SYNONYMS.get(key, {}).values() if t in lang or t == key or t == normalise(key)
    }
    return hits.pop() if len(hits) == 1 else None
