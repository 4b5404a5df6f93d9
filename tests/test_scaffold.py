"""``tutor new``: each template passes check, names the schema, and never overwrites."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from tutor.errors import TutorError
from tutor.lesson import schema as schema_module
from tutor.lesson.check import check_command
from tutor.lesson.loader import load_lesson
from tutor.lesson.scaffold import TEMPLATES, lesson_id, new_lesson

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_each_template_passes_check_without_warnings(template, tmp_path, capsys):
    written = new_lesson(tmp_path / f"my-{template}", template)
    assert written == tmp_path / f"my-{template}.yaml"
    assert check_command([written]) == 0
    out = capsys.readouterr().out
    if template == "variants":  # the one extra line says how many variants were checked
        note = f"{written}:11:3: note: 76 variants checked (all 76)\n"
        assert out.startswith(note)
        out = out[len(note) :]
    assert out == "1 lesson checked: 0 errors, 0 warnings\n"


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_each_template_validates_against_the_schema_and_is_commented(template, tmp_path):
    written = new_lesson(tmp_path / "lesson.yaml", template)
    text = written.read_text(encoding="utf-8")
    errors = list(Draft7Validator(schema_module.lesson_schema()).iter_errors(yaml.safe_load(text)))
    assert errors == []
    assert sum(line.lstrip().startswith("#") or " # " in line for line in text.splitlines()) >= 5


def test_each_template_teaches_its_kind(tmp_path):
    kinds = {t: [type(s).__name__ for s in load_lesson(new_lesson(tmp_path / t, t)).sections] for t in TEMPLATES}
    assert "Descent" in kinds["one-variable"] and "Derive" in kinds["one-variable"]
    assert len(load_lesson(tmp_path / "several-variables.yaml").sections[1].function.variables) == 2
    assert "TrainingStep" in kinds["training-step"]


def test_the_id_comes_from_the_file_name(tmp_path):
    lesson = load_lesson(new_lesson(tmp_path / "My First Lesson!.yaml", "one-variable"))
    assert lesson.id == "my-first-lesson"
    assert lesson_id("___") == "my-lesson"


def test_suffixes(tmp_path):
    assert new_lesson(tmp_path / "a.yml", "one-variable").name == "a.yml"
    assert new_lesson(tmp_path / "b", "one-variable").name == "b.yaml"
    assert new_lesson(tmp_path / "c.lesson", "one-variable").name == "c.lesson.yaml"


def test_never_overwrites(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("my own work\n")
    with pytest.raises(TutorError) as caught:
        new_lesson(tmp_path / "mine", "training-step")  # .yaml added, then found to exist
    assert str(caught.value) == f"{path} exists; choose another name"
    assert path.read_text() == "my own work\n"


def test_unknown_template(tmp_path):
    with pytest.raises(TutorError, match="unknown template 'two-variables'; choose one of: one-variable"):
        new_lesson(tmp_path / "x.yaml", "two-variables")


def first_line_schema(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    return first[len(prefix) :]


def test_inside_the_repository_the_schema_is_relative(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "assets").mkdir(parents=True)
    (repo / "assets" / "lesson.schema.json").write_text("{}")
    monkeypatch.setattr(schema_module, "repository_schema_path", lambda: repo / "assets" / "lesson.schema.json")
    written = new_lesson(repo / "lessons" / "new.yaml", "one-variable")
    assert first_line_schema(written) == "../assets/lesson.schema.json"


def test_outside_the_repository_the_schema_is_absolute_and_exists(tmp_path):
    written = new_lesson(tmp_path / "elsewhere.yaml", "one-variable")
    reference = Path(first_line_schema(written))
    assert reference.is_absolute() and reference.is_file()
    assert reference.read_text(encoding="utf-8") == schema_module.schema_json()


def test_an_installed_tutor_writes_the_schema_to_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(schema_module, "repository_schema_path", lambda: tmp_path / "no-repo" / "lesson.schema.json")
    written = new_lesson(tmp_path / "x.yaml", "several-variables")
    reference = Path(first_line_schema(written))
    assert reference == tmp_path / "tutor-home" / "lesson.schema.json"  # TUTOR_HOME from conftest
    assert reference.read_text(encoding="utf-8") == schema_module.schema_json()


def test_the_cli_command(tmp_path):
    from click.testing import CliRunner

    from tutor.cli import main

    runner = CliRunner()
    first = runner.invoke(main, ["new", str(tmp_path / "l"), "--template", "several-variables"])
    assert first.exit_code == 0 and (tmp_path / "l.yaml").is_file()
    again = runner.invoke(main, ["new", str(tmp_path / "l")])
    assert again.exit_code == 1 and "exists; choose another name" in again.output
