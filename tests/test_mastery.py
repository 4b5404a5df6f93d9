"""Bayesian knowledge tracing: one update worked by hand, and mastery moving as the model says."""

from __future__ import annotations

import pytest
from conftest import speaking

from tutor import mastery
from tutor.mastery import (
    MASTERY_THRESHOLD,
    P_GUESS,
    P_INIT,
    P_LEARN,
    P_SLIP,
    SKILLS,
    estimate,
    mastery_table,
    skill_name,
    suggest,
    update,
)


def test_one_right_answer_by_hand():
    # P(L) = 0.3, slip 0.1, guess 0.15, learn 0.15:
    # P(L|right) = 0.3·0.9 / (0.3·0.9 + 0.7·0.15) = 0.27 / 0.375 = 0.72
    # P(L)' = 0.72 + 0.28·0.15 = 0.762
    assert update(0.3, True, guess=0.15, slip=0.1, learn=0.15) == pytest.approx(0.762)


def test_one_wrong_answer_by_hand():
    # P(L|wrong) = 0.3·0.1 / (0.3·0.1 + 0.7·0.85) = 0.03 / 0.625 = 0.048
    # P(L)' = 0.048 + 0.952·0.15 = 0.1908
    assert update(0.3, False, guess=0.15, slip=0.1, learn=0.15) == pytest.approx(0.1908)


def test_no_learning_leaves_only_bayes():
    # P(L) = 0.5, slip 0.2, guess 0.25: 0.5·0.8 / (0.4 + 0.125) = 0.4/0.525
    assert update(0.5, True, guess=0.25, slip=0.2, learn=0.0) == pytest.approx(0.4 / 0.525)


def test_estimate_uses_the_documented_constants():
    (p,) = estimate([("derivative", True)]).values()
    seen = P_INIT * (1 - P_SLIP)
    by_hand = seen / (seen + (1 - P_INIT) * P_GUESS)
    assert p == pytest.approx(by_hand + (1 - by_hand) * P_LEARN)


def test_mastery_rises_with_right_answers():
    attempts = []
    previous = P_INIT
    for _ in range(6):
        attempts.append(("update", True))
        now = estimate(attempts)["update"]
        assert now > previous
        previous = now
    assert previous >= MASTERY_THRESHOLD


def test_mastery_falls_with_wrong_answers():
    known = [("partial", True)] * 4
    high = estimate(known)["partial"]
    after = estimate(known + [("partial", False)])["partial"]
    assert after < high
    assert estimate([("partial", False)])["partial"] < P_INIT
    assert estimate(known + [("partial", False)] * 2)["partial"] < after


def test_skills_are_traced_separately_and_in_order():
    result = estimate([("direction", True), ("sign_change", False), ("direction", True)])
    assert set(result) == {"direction", "sign_change"}
    assert result["direction"] == pytest.approx(estimate([("direction", True), ("direction", True)])["direction"])
    # order matters: wrong then right ends higher than right then wrong
    assert (
        estimate([("gradient", False), ("gradient", True)])["gradient"]
        > estimate([("gradient", True), ("gradient", False)])["gradient"]
    )


def test_choice_questions_are_easier_to_guess():
    # a right answer to a yes/no question is weaker evidence than a typed expression
    assert estimate([("sign_change", True)])["sign_change"] < estimate([("derivative", True)])["derivative"]


def test_suggest_weakest_first_below_threshold():
    values = {"derivative": 0.97, "partial": 0.4, "update": 0.2, "direction": 0.4}
    assert suggest(values) == ["update", "partial", "direction"]  # ties in teaching order
    assert suggest(values, threshold=0.3) == ["update"]
    assert suggest({}) == []


def test_skills_match_the_walkthrough_tags():
    assert list(SKILLS) == [
        "derivative",
        "partial",
        "gradient",
        "evaluate",
        "direction",
        "update",
        "sign_change",
        "learning_rate",
        "training",
        "batch",
    ]
    for name in SKILLS.values():  # every skill is named in Chinese too (the catalogue has it)
        assert speaking("zh", skill_name, next(k for k, v in SKILLS.items() if v == name)) != name


def test_mastery_table_in_both_languages():
    table = mastery_table({"derivative": 0.96, "update": 0.25})
    lines = table.splitlines()
    assert len(lines) == len(SKILLS)
    assert any("derivative rules" in line and "96%" in line and "mastered" in line for line in lines)
    assert any("the update rule" in line and "25%" in line and "practise" in line for line in lines)
    assert "not practised yet" in table
    zh = speaking("zh", mastery_table, {"derivative": 0.5})
    assert "求导法则" in zh and "还没有练习" in zh


def test_progress_command_shows_mastery(tmp_path, monkeypatch):
    from tutor.listings import progress_report
    from tutor.progress import ProgressStore

    store = ProgressStore()
    for verdict in ("right", "right", "wrong"):
        store.record("lesson-a", "s1.derivative", answer="10x", verdict=verdict, skill="derivative")
    store.close()
    out = progress_report("json", None, [])
    import json

    data = json.loads(out)
    expected = estimate([("derivative", True), ("derivative", True), ("derivative", False)])
    assert data["mastery"]["derivative"] == pytest.approx(expected["derivative"])
    assert data["practise_next"] == mastery.suggest(expected)
