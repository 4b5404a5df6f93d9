"""How much of what learners typically get wrong gets a diagnosis, in every bundled lesson (issue 15).

Every question of every bundled lesson is answered with wrong answers of each
usual kind, made here from the expected answer by simple arithmetic (never by
the engine's misconception catalogue): the sign flipped, a factor 2 lost or
doubled, the value rounded to two figures, the entries summed or permuted, one
entry wrong, the value at x = 1 for a function, a formula for a value, every
other choice.  An answer is *diagnosed* when it gets a specific explanation
(author feedback or an idea of the catalogue) or is recognised as a rounding
("close").  The share per lesson is printed (``pytest -s``) and must stay
above 90 %; no wrong answer may get a bare "Not right.".
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp
from conftest import speaking

from tutor.grading import grade
from tutor.lesson.loader import load_lesson
from tutor.walkthrough import build_walkthrough

LESSONS = sorted((Path(__file__).resolve().parent.parent / "lessons").glob("*.yaml"))
SHARE = 0.90


@pytest.fixture(autouse=True)
def _patient_catalogue(monkeypatch):
    """The catalogue runs bounded (1 s) in the checker process; on a loaded test machine that bound, not
    the feedback, would decide what is said.  The bound itself is tested in test_hostile."""
    import tutor.grading

    monkeypatch.setattr(tutor.grading, "MISCONCEPTION_TIMEOUT", 60.0)


def _text(value) -> str:
    """A value as a learner types it (ASCII: 4*x**3 - 4 reads as well as 4x³ − 4)."""
    if isinstance(value, tuple):
        return "(" + ", ".join(_text(v) for v in value) + ")"
    if isinstance(value, sp.Float):
        return repr(float(value))
    return sp.sstr(value)


def _two_figures(value) -> str | None:
    """The value rounded to two significant figures, when that is not the value itself."""
    f = float(value)
    text = f"{f:.2g}"
    if "e" in text or "." not in text or sp.Rational(text) == value:
        return None
    return text


def wrong_answers(q) -> list[tuple[str, str]]:
    """(kind, text) for the usual wrong answers to ``q``."""
    e = q.expected
    out: list[tuple[str, str]] = []
    if q.kind == "choice":
        keys = [c.key for c in q.choices]
        if isinstance(e, tuple):
            for i, k in enumerate(e):
                for other in keys:
                    if other != k:
                        out.append(("choice", ", ".join(e[:i] + (other,) + e[i + 1 :])))
        else:
            out += [("choice", k) for k in keys if k != e]
        return out
    if isinstance(e, tuple):
        out.append(("sign flipped", _text(tuple(-v for v in e))))
        out.append(("factor lost", _text(tuple(v / 2 for v in e))))
        out.append(("summed", _text(sp.Add(*e))))
        if len(set(e)) == len(e):
            out.append(("permuted", _text(e[::-1])))
        for i in range(len(e)):
            out.append(("one entry factor lost", _text(e[:i] + (e[i] / 2,) + e[i + 1 :])))
            out.append(("one entry sign flipped", _text(e[:i] + (-e[i],) + e[i + 1 :])))
        if q.tolerance is None and all(v.is_number for v in e):
            rounded = [_two_figures(v) if not v.is_Integer else _text(v) for v in e]
            if None not in rounded and any(not v.is_Integer for v in e):
                out.append(("rounded", "(" + ", ".join(rounded) + ")"))
        return [(k, t) for k, t in out if t != _text(e)]
    out.append(("sign flipped", _text(-e)))
    out.append(("factor lost", _text(e / 2)))
    out.append(("factor doubled", _text(2 * e)))
    if q.kind == "expression" and not e.is_number:
        out.append(("value for function", _text(e.xreplace({s: 1 for s in e.free_symbols}))))
    names = q.variables or tuple(getattr(q.context, "variables", None) or ())
    if q.kind == "number" and names:
        out.append(("formula for value", f"{_text(e)}*{names[0]}"))
    if q.tolerance is None and e.is_number and not e.is_Integer:
        rounded = _two_figures(e)
        if rounded:
            out.append(("rounded", rounded))
    return [(k, t) for k, t in out if t != _text(e) and not (e == 0 and k != "formula for value")]


def _entries(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _off_by_one(value):
    return tuple(v + 1 for v in value) if isinstance(value, tuple) else value + 1


def _diagnosed(g) -> bool:
    return g.verdict == "close" or g.feedback is not None


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_most_wrong_answers_get_a_diagnosis(path):
    walkthrough = build_walkthrough(load_lesson(path))
    in_chinese = speaking("zh", build_walkthrough, load_lesson(path))  # the engine's words are said as it is built
    total, diagnosed, missed = 0, 0, []
    for q, q_zh in zip(walkthrough.questions(), in_chinese.questions(), strict=True):
        for kind, text in wrong_answers(q):
            g = grade(q, text)
            if g.verdict == "right":  # e.g. −0 for 0: not a wrong answer after all
                continue
            assert g.verdict in ("wrong", "close"), (q.id, text, g.message)
            total += 1
            g_zh = speaking("zh", grade, q_zh, text)
            assert g_zh.verdict == g.verdict, (q.id, text)
            assert g.message != "Not right." or g.feedback, (q.id, kind, text)
            assert g_zh.message != "不对。" or g_zh.feedback, (q.id, kind, text)
            if _diagnosed(g):
                diagnosed += 1
            else:
                missed.append(f"{q.id} {kind}: {text} -> {g.message}")
    share = diagnosed / total
    # answers with no idea behind them (off by one): reported, not held to the share; never a bare "Not right."
    slips, slips_diagnosed = 0, 0
    for q in walkthrough.questions():
        if q.kind not in ("number", "vector") or not all(v.is_number for v in _entries(q.expected)):
            continue
        g = grade(q, _text(_off_by_one(q.expected)))
        if g.verdict == "wrong":
            slips += 1
            slips_diagnosed += _diagnosed(g)
            assert g.feedback or g.message != "Not right.", (q.id, g.message)
    print(
        f"\n{path.stem}: {diagnosed}/{total} wrong answers diagnosed ({share:.0%})"
        f"; off by one: {slips_diagnosed}/{slips} diagnosed, the others compared"
    )
    for line in missed:
        print("   not diagnosed:", line)
    assert share > SHARE, missed
