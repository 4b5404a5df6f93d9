"""The lesson catalog: bundled + user + extra folders; a broken lesson never hides the others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import speaking

from tutor import paths
from tutor.errors import TutorError
from tutor.lesson.catalog import find_lessons, resolve_lesson
from tutor.lesson.model import LessonError
from tutor.listings import lessons_report

GOOD = Path(__file__).parent / "lessons" / "good"


def write(folder: Path, name: str, lesson_id: str, order: int | None = None, title: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    title = title or f"{{en: Lesson {lesson_id}, zh: 第 {lesson_id} 课}}"
    ordered = f"order: {order}\n" if order is not None else ""
    path = folder / name
    path.write_text(
        f"id: {lesson_id}\n{ordered}title: {title}\nsections: [{{explain: {{text: hi}}}}]\n", encoding="utf-8"
    )
    return path


@pytest.fixture
def bundled(tmp_path, monkeypatch) -> Path:
    """An empty bundled folder of our own, so the tests do not depend on the shipped lessons."""
    folder = tmp_path / "bundled"
    folder.mkdir()
    monkeypatch.setattr(paths, "bundled_lessons_dir", lambda: folder)
    return folder


def test_bundled_user_and_extra_sorted_by_order_then_id(bundled, tmp_path):
    write(bundled, "b.yaml", "beta", order=2)
    write(bundled, "a.yaml", "alpha", order=2)
    write(paths.user_lessons_dir(), "mine.yaml", "mine", order=1)
    extra = tmp_path / "extra"
    write(extra / "nested", "x.yml", "extra-one")  # default order 100
    entries = find_lessons([extra])
    assert [(e.id, e.order, e.source) for e in entries] == [
        ("mine", 1, "user"),
        ("alpha", 2, "bundled"),
        ("beta", 2, "bundled"),
        ("extra-one", 100, "extra"),
    ]
    assert all(e.ok and e.lesson is not None and e.lesson.id == e.id for e in entries)


def test_a_broken_lesson_is_listed_with_its_first_error(bundled):
    write(bundled, "good.yaml", "good", order=1)
    broken = bundled / "broken-one.yaml"
    broken.write_text("id: broken\ntitle: T\nsections:\n  - explian: {text: hi}\n  - derive: {function: ~}\n")
    entries = find_lessons([])
    assert [e.id for e in entries] == ["good", "broken-one"]
    bad = entries[1]
    assert bad.lesson is None and bad.path == broken and bad.title == "broken-one"
    assert bad.error == f"{broken}:4:5: error: unknown section kind 'explian'; did you mean 'explain'?"


def test_unreadable_yaml_does_not_hide_the_others(bundled):
    write(bundled, "ok.yaml", "ok")
    (bundled / "tabs.yaml").write_text("id: x\n\ttitle: y\n")
    (bundled / "huge.yaml").write_bytes(b"#" * (1024 * 1024 + 1))
    entries = {e.id: e for e in find_lessons([])}
    assert set(entries) == {"ok", "tabs", "huge"}
    assert entries["ok"].ok and "tab" in entries["tabs"].error and "at most 1 MB" in entries["huge"].error


def test_a_taken_id_is_an_error_on_the_later_file(bundled, tmp_path):
    first = write(bundled, "one.yaml", "same")
    write(tmp_path / "extra", "two.yaml", "same")
    entries = find_lessons([tmp_path / "extra"])
    assert [e.ok for e in entries] == [True, False]
    assert entries[1].error.endswith(f"the id 'same' is already used by {first}")


def test_the_same_folder_twice_lists_each_file_once(bundled):
    write(bundled, "a.yaml", "a")
    assert [e.id for e in find_lessons([bundled, bundled])] == ["a"]


def test_a_missing_extra_folder_is_an_error(bundled, tmp_path):
    with pytest.raises(TutorError, match="is not a folder of lessons"):
        find_lessons([tmp_path / "nope"])


def test_resolve_by_id_file_stem_or_path(bundled):
    path = write(bundled, "01-first.yaml", "first")
    assert resolve_lesson("first").id == "first"
    assert resolve_lesson("01-first").id == "first"
    assert resolve_lesson(str(path)).id == "first"
    assert resolve_lesson(str(GOOD / "five-x-squared.yaml")).id == "test-five-x-squared"


def test_resolve_lists_what_there_is(bundled):
    write(bundled, "a.yaml", "alpha", order=1)
    write(bundled, "b.yaml", "beta", order=2)
    with pytest.raises(TutorError) as caught:
        resolve_lesson("gamma")
    assert str(caught.value) == "no lesson 'gamma'; available: alpha, beta"


def test_resolve_a_broken_lesson_raises_every_diagnostic(bundled):
    (bundled / "bad.yaml").write_text("id: bad\ntitel: T\nsections: []\n")
    with pytest.raises(LessonError) as caught:
        resolve_lesson("bad")
    assert len(caught.value.diagnostics) == 2
    with pytest.raises(TutorError, match="no lesson file"):
        resolve_lesson("missing.yaml")


def test_text_table_in_each_language(bundled):
    write(bundled, "a.yaml", "alpha", order=1)
    (bundled / "z.yaml").write_text("id: z\ntitle: T\nsections: []\n")
    english = lessons_report([], "text").splitlines()
    assert english[0].split() == ["id", "title", "status"]
    assert english[1].split() == ["alpha", "Lesson", "alpha", "ok"]
    assert english[2].startswith("z ") and english[2].endswith("error: a lesson needs at least one section")
    assert english[-1] == "2 lessons, 1 broken"
    chinese = speaking("zh", lessons_report, [], "text").splitlines()
    assert "第 alpha 课" in chinese[1]


def test_json_has_id_title_path_order_error(bundled):
    write(bundled, "a.yaml", "alpha", order=3)
    (bundled / "z.yaml").write_text("- not a lesson\n")
    data = json.loads(speaking("zh", lessons_report, [], "json"))
    assert data[0] == {
        "id": "alpha",
        "title": "第 alpha 课",
        "path": str(bundled / "a.yaml"),
        "order": 3,
        "source": "bundled",
        "sections": 1,
        "error": None,
    }
    assert data[1]["id"] == "z" and data[1]["error"].startswith(
        f"{bundled / 'z.yaml'}:1:1: 错误:"
    )  # the loader's diagnostic, said in Chinese


def test_no_lessons_at_all(bundled):
    assert lessons_report([], "text").startswith("no lessons found (looked in ")
    assert json.loads(lessons_report([], "json")) == []


def test_the_cli_command(bundled, tmp_path):
    from click.testing import CliRunner

    from tutor.cli import main

    write(tmp_path / "mine", "m.yaml", "mine")
    result = CliRunner().invoke(main, ["lessons", "--format", "json", "--lessons", str(tmp_path / "mine")])
    assert result.exit_code == 0 and [e["id"] for e in json.loads(result.output)] == ["mine"]


def test_the_shipped_lessons_all_load():
    entries = find_lessons([])
    assert entries, "no bundled lessons found"
    assert [e.error for e in entries if e.source == "bundled" and not e.ok] == []


# --- the listing's cache ------------------------------------------------------------------------


def test_an_unchanged_listing_comes_from_the_cache_without_loading_a_lesson(bundled, monkeypatch):
    from tutor.lesson import catalog

    write(bundled, "a.yaml", "alpha", order=1)
    (bundled / "z.yaml").write_text("id: z\ntitle: T\nsections: []\n")
    first = lessons_report([], "text"), speaking("zh", lessons_report, [], "json")
    # one cache per language: a broken lesson's error is stored in the language it was said in
    assert (paths.data_dir() / "cache" / "lessons.en.json").is_file()
    assert (paths.data_dir() / "cache" / "lessons.zh.json").is_file()

    def no_loading(*args):
        raise AssertionError("a lesson was loaded for an unchanged listing")

    monkeypatch.setattr(catalog, "find_lessons", no_loading)
    assert (lessons_report([], "text"), speaking("zh", lessons_report, [], "json")) == first


@pytest.mark.parametrize(
    "change",
    [
        lambda folder: write(folder, "a.yaml", "alpha", order=1, title="A new title"),  # content
        lambda folder: write(folder, "b.yaml", "beta", order=0),  # a new file
        lambda folder: (folder / "a.yaml").unlink(),  # a file gone
        lambda folder: (folder / "a.yaml").rename(folder / "c.yaml"),  # the same bytes elsewhere
    ],
)
def test_any_change_to_the_lesson_files_lists_them_afresh(bundled, change):
    write(bundled, "a.yaml", "alpha", order=1)
    lessons_report([], "text")
    change(bundled)
    cached = json.loads(lessons_report([], "json"))
    from tutor.lesson import catalog

    fresh = json.loads(json.dumps([catalog._row(e) for e in find_lessons([])]))
    assert [(r["id"], r["path"], r["title"]) for r in cached] == [
        (r["id"], r["path"], r["title"] if isinstance(r["title"], str) else r["title"]["en"]) for r in fresh
    ]


def test_a_damaged_or_foreign_cache_is_ignored_and_replaced(bundled):
    write(bundled, "a.yaml", "alpha", order=1)
    expected = lessons_report([], "text")
    cache = paths.data_dir() / "cache" / "lessons.en.json"
    key = json.loads(cache.read_text(encoding="utf-8"))["key"]
    for damaged in [
        "not json",
        "[]",
        json.dumps({"key": key, "rows": [{"id": 1}]}),
        json.dumps({"key": key, "rows": [{"id": "x", "title": ["no"], "path": "p", "order": 1, "source": "s"}]}),
        json.dumps({"key": "another", "rows": []}),
    ]:
        cache.write_text(damaged, encoding="utf-8")
        assert lessons_report([], "text") == expected
        assert json.loads(cache.read_text(encoding="utf-8"))["key"] == key


def test_the_cache_is_trusted_for_the_listing_only(bundled):
    write(bundled, "a.yaml", "alpha", order=1)
    lessons_report([], "text")
    cache = paths.data_dir() / "cache" / "lessons.en.json"
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["rows"][0]["path"] = "/elsewhere/evil.yaml"
    cache.write_text(json.dumps(data), encoding="utf-8")
    assert resolve_lesson("alpha").id == "alpha"  # opening a lesson reads the folders, never the cache
    assert [e.path for e in find_lessons([])] == [bundled / "a.yaml"]


def test_a_read_only_data_folder_still_lists(bundled, monkeypatch, tmp_path):
    write(bundled, "a.yaml", "alpha", order=1)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("TUTOR_HOME", str(blocked))  # the cache folder cannot be made inside a file
    assert lessons_report([], "text").splitlines()[1].split()[0] == "alpha"


def test_the_cached_listing_imports_neither_yaml_nor_sympy(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "TUTOR_HOME": str(tmp_path / "home")}
    code = "import sys; from tutor.cli import main; sys.argv = ['tutor', 'lessons']\ntry:\n    main()\nexcept SystemExit:\n    pass\nprint(sorted(m for m in ('yaml', 'sympy') if m in sys.modules), file=sys.stderr)"
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout and "lessons, 0 broken" in runs[1].stdout
    assert runs[0].stderr.strip().endswith("['sympy', 'yaml']")  # the first listing loads the lessons
    assert runs[1].stderr.strip().endswith("[]")
