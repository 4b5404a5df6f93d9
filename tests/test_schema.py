"""The JSON Schema: draft-07, the file in assets/ is current, and lessons validate against it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from tutor.lesson import keys
from tutor.lesson.loader import parse_lesson
from tutor.lesson.schema import lesson_schema, repository_schema_path, schema_json

ROOT = Path(__file__).resolve().parents[1]
LESSON_FILES = sorted((ROOT / "lessons").glob("*.y*ml")) + sorted((ROOT / "tests" / "lessons").glob("good*/*.y*ml"))


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema = lesson_schema()
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def test_assets_file_is_the_current_schema():
    assert repository_schema_path() == ROOT / "assets" / "lesson.schema.json"
    assert (ROOT / "assets" / "lesson.schema.json").read_text(encoding="utf-8") == schema_json()


def test_it_is_draft_07():
    assert json.loads(schema_json())["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_there_are_lessons_to_validate():
    assert any("good" in p.parts[-2] for p in LESSON_FILES)


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda p: p.name)
def test_lessons_validate(validator, path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


def _section_schemas() -> dict[str, dict]:
    options = lesson_schema()["properties"]["sections"]["items"]["oneOf"]
    return {next(iter(o["properties"])): next(iter(o["properties"].values())) for o in options}


def test_the_schema_and_the_loader_know_the_same_keys():
    schema = lesson_schema()
    assert set(schema["properties"]) == set(keys.TOP_KEYS)
    assert set(schema["required"]) == set(keys.TOP_REQUIRED)
    sections = _section_schemas()
    assert set(sections) == set(keys.SECTION_KEYS)
    for kind, body in sections.items():
        assert set(body["properties"]) == set(keys.SECTION_KEYS[kind]), kind
        assert set(body.get("required", ())) == set(keys.SECTION_REQUIRED[kind]), kind
        assert body["additionalProperties"] is False


def test_the_schema_and_the_loader_know_the_same_variant_keys():
    variants = lesson_schema()["properties"]["variants"]
    assert set(variants["properties"]) == set(keys.VARIANTS_KEYS)
    value_range = variants["properties"]["values"]["additionalProperties"]["anyOf"][1]
    assert set(value_range["properties"]) == set(keys.RANGE_KEYS)


def test_the_schema_and_the_loader_know_the_same_question_keys():
    part = _section_schemas()["question"]["properties"]["parts"]["items"]
    assert set(part["properties"]) == set(keys.PART_KEYS)
    assert set(part["properties"]["choices"]["items"]["properties"]) == set(keys.OPTION_KEYS)


def test_the_schema_and_the_loader_know_the_same_help_keys():
    definitions = lesson_schema()["definitions"]
    assert set(definitions["help"]["properties"]) == set(keys.HELP_KEYS)
    assert set(definitions["feedback"]["properties"]) == set(keys.FEEDBACK_KEYS)
    assert set(definitions["tests"]["items"]["properties"]) == set(keys.TEST_KEYS)


def test_the_schema_and_the_loader_know_the_same_schedules_and_display():
    definitions = lesson_schema()["definitions"]
    schedules = {next(iter(o["properties"])): o for o in definitions["schedule"]["oneOf"]}
    assert set(schedules) == set(keys.SCHEDULE_KEYS)
    for kind, option in schedules.items():
        assert set(option["properties"][kind]["properties"]) == set(keys.SCHEDULE_KEYS[kind])
    assert set(definitions["display"]["properties"]) == set(keys.DISPLAY_KEYS)


def test_every_property_has_a_description():
    missing = []

    def walk(node, where):
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if "description" not in sub and "$ref" not in sub and not (set(sub) <= {"type"}):
                    missing.append(f"{where}/{name}")
            for key, sub in node.items():
                walk(sub, f"{where}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}/{i}")

    walk(lesson_schema(), "")
    assert missing == []


@pytest.mark.parametrize(
    "text",
    [
        "id: t\ntitel: T\nsections: [{explain: {text: hi}}]\n",  # unknown key
        "id: t\ntitle: T\nsections: [{explian: {text: hi}}]\n",  # unknown section kind
        "id: t\ntitle: T\nsections: [{explain: {text: hi}, derive: {function: x}}]\n",  # two kinds in one section
        "id: t\ntitle: {EN: T}\nsections: [{explain: {text: hi}}]\n",  # not a language code
        "id: t\ntitle: T\nsections: [{descent: {function: x^2, start: {x: 1}, learning_rate: 0.1, lr: 1}}]\n",
        "id: t\ntitle: T\nsections: [{descent: {function: x^2, start: {x: 1}, learning_rate: 0.1, max_steps: 10001}}]\n",
        "id: t\ntitle: T\nsections: [{descent: {function: x^2, start: {x: 1}, learning_rate: 0.1, ask: [derivative, velocity]}}]\n",
        "id: t\ntitle: T\nsections: []\n",
        "- a list\n",
    ],
)
def test_the_schema_refuses_what_the_loader_refuses(validator, text):
    assert list(validator.iter_errors(yaml.safe_load(text)))
    lesson, _diagnostics = parse_lesson(text)
    assert lesson is None


def test_the_cli_prints_it():
    from click.testing import CliRunner

    from tutor.cli import main

    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0 and json.loads(result.output) == lesson_schema()
