"""The section-kind table: the loader's readers, its key tables, the schema and the walkthrough name the same kinds, and agree on each."""

from __future__ import annotations

import typing

from tutor.lesson import keys as loader_keys
from tutor.lesson import sections as readers
from tutor.lesson.catalog import resolve_lesson
from tutor.lesson.loader import load_lesson_text
from tutor.lesson.schema import lesson_schema
from tutor.walkthrough import build_walkthrough, contract
from tutor.walkthrough.section_kinds import BY_MODEL, SECTION_KINDS

BUNDLED = (
    "training-is-minimisation",
    "sign-of-the-derivative",
    "sign-change-brackets",
    "gradients",
    "learning-rate",
    "training-loop",
    "batch-stochastic-minibatch",
    "optimisers",
)


def test_the_loader_the_schema_and_the_table_name_the_same_kinds():
    keys = [kind.key for kind in SECTION_KINDS]
    assert len(set(keys)) == len(keys)
    assert set(readers.SECTION_READERS) == set(keys)
    for kind in SECTION_KINDS:  # the loader reads each kind with the reader the table names
        assert readers.SECTION_READERS[kind.key] is kind.read, kind.key
    assert set(loader_keys.SECTION_KEYS) == set(keys)
    items = lesson_schema()["properties"]["sections"]["items"]["oneOf"]
    assert {next(iter(item["properties"])) for item in items} == set(keys)


def test_every_payload_belongs_to_one_kind_and_every_kind_builds_only_its_payloads():
    payloads = [p for kind in SECTION_KINDS for p in kind.payloads]
    assert len(set(payloads)) == len(payloads)
    assert set(payloads) == set(typing.get_args(contract.Payload))
    seen = set()
    for lesson_id in BUNDLED:
        lesson = resolve_lesson(lesson_id, [])
        walkthrough = build_walkthrough(lesson)
        by_section = {}
        for step in walkthrough.steps:
            by_section.setdefault(step.section, []).append(step)
        for i, section in enumerate(lesson.sections):
            kind = BY_MODEL[type(section)]
            assert readers.SECTION_READERS[kind.key] is not None
            for step in by_section.get(i, []):
                assert isinstance(step.payload, kind.payloads), (lesson_id, step.id, type(step.payload))
                assert step.kind == type(step.payload).kind
                seen.add(type(step.payload))
    # the bundled lessons exercise every payload but the question section's (tests/test_questions.py builds one)
    assert seen == set(payloads) - {contract.QuestionPayload}


def test_a_question_section_builds_a_question_payload():
    from test_questions import LESSON  # the question lesson of tests/test_questions.py

    lesson = load_lesson_text(LESSON, "q.yaml")
    steps = build_walkthrough(lesson).steps
    asks = [s for s in steps if isinstance(s.payload, contract.QuestionPayload)]
    assert asks and all(s.questions for s in asks)
    assert all(BY_MODEL[type(lesson.sections[s.section])].key == "question" for s in asks)


def test_no_two_modules_share_a_name():
    """A reader who sees ``descent.py`` should know which one is meant (issue 12): every module name is unique."""
    from collections import Counter
    from pathlib import Path

    import tutor

    names = Counter(p.stem for p in Path(tutor.__file__).parent.rglob("*.py") if p.stem != "__init__")
    assert [name for name, n in names.items() if n > 1] == []
