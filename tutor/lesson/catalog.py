"""The lessons a learner can open: bundled, their own, and any ``--lessons DIR``.

A broken lesson never hides the others: it is listed with its first error
(and its file name as its id), so ``tutor lessons`` doubles as a quick check.
Listing only *loads* each file; ``tutor check`` also runs the mathematics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tutor import paths
from tutor.errors import TutorError
from tutor.lesson.loader import read_lesson_file
from tutor.lesson.model import Lesson
from tutor.text import Text

LESSON_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    title: Text
    path: Path
    order: int
    lesson: Lesson | None
    error: str | None  # the first error (PATH:LINE:COL: error: ...), None when the lesson loads
    source: str = "bundled"  # "bundled" | "user" | "extra": which folder it came from

    @property
    def ok(self) -> bool:
        return self.error is None


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in LESSON_SUFFIXES and p.is_file())


def lesson_folders(extra_dirs: Sequence[Path]) -> list[tuple[Path, str]]:
    """Where lessons are looked for, in order, each with its source (bundled, user, extra)."""
    folders = [(paths.bundled_lessons_dir(), "bundled"), (paths.user_lessons_dir(), "user")]
    for folder in extra_dirs:
        folder = Path(folder)
        if not folder.is_dir():
            raise TutorError(f"{folder} is not a folder of lessons")
        folders.append((folder, "extra"))
    return folders


def _entry(path: Path, source: str) -> CatalogEntry:
    try:
        lesson, diagnostics = read_lesson_file(path)
    except Exception as err:
        return CatalogEntry(
            path.stem, path.stem, path, 100, None, f"{path}: error: cannot load ({type(err).__name__})", source
        )
    if lesson is None:
        first = next((d for d in diagnostics if d.severity == "error"), None)
        return CatalogEntry(
            path.stem, path.stem, path, 100, None, str(first) if first else f"{path}: error: invalid lesson", source
        )
    return CatalogEntry(lesson.id, lesson.title, path, lesson.order, lesson, None, source)


def find_lessons(extra_dirs: Sequence[Path] = ()) -> list[CatalogEntry]:
    """Every lesson file in the bundled, user and extra folders, sorted by (order, id).

    A file found twice (the same folder given twice) is listed once; a second
    lesson with an id already taken is listed with that as its error.
    """
    seen_files: set[Path] = set()
    taken: dict[str, Path] = {}
    entries: list[CatalogEntry] = []
    for folder, source in lesson_folders(extra_dirs):
        for path in _files(folder):
            real = path.resolve()
            if real in seen_files:
                continue
            seen_files.add(real)
            entry = _entry(path, source)
            if entry.ok:
                if entry.id in taken:
                    entry = CatalogEntry(
                        entry.id,
                        entry.title,
                        path,
                        entry.order,
                        None,
                        f"{path}:1:1: error: the id '{entry.id}' is already used by {taken[entry.id]}",
                        source,
                    )
                else:
                    taken[entry.id] = path
            entries.append(entry)
    entries.sort(key=lambda e: (e.order, e.id, str(e.path)))
    return entries


def _looks_like_path(name: str) -> bool:
    return Path(name).suffix.lower() in LESSON_SUFFIXES or "/" in name or "\\" in name or Path(name).is_file()


def resolve_lesson(name_or_path: str, extra_dirs: Sequence[Path] = ()) -> Lesson:
    """A lesson by id (or file name) from the catalog, or from a file path.

    Raises LessonError (every diagnostic) for a broken lesson, and a
    TutorError listing the ids there are when nothing matches.
    """
    from tutor.lesson.loader import load_lesson

    if _looks_like_path(name_or_path):
        path = Path(name_or_path)
        if not path.is_file():
            raise TutorError(f"no lesson file {path}")
        return load_lesson(path)
    entries = find_lessons(extra_dirs)
    for match in (lambda e: e.id == name_or_path, lambda e: e.path.stem == name_or_path):
        found = [e for e in entries if match(e)]
        good = [e for e in found if e.ok]
        if good:
            return good[0].lesson
        if found:  # broken: LessonError with every diagnostic (or the lesson, if only its id was taken)
            return load_lesson(found[0].path)
    ids = [e.id for e in entries if e.ok]
    available = ", ".join(ids) if ids else "none"
    raise TutorError(f"no lesson '{name_or_path}'; available: {available}")
