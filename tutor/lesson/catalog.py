"""The lessons a learner can open: bundled, their own, and any ``--lessons DIR``.

A broken lesson never hides the others: it is listed with its first error
(and its file name as its id), so ``tutor lessons`` doubles as a quick check.
Listing only *loads* each file; ``tutor check`` also runs the mathematics.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tutor import paths
from tutor.errors import TutorError
from tutor.lesson.loader import read_lesson_file
from tutor.lesson.model import Lesson
from tutor.text import Text, tr

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


def _folders(extra_dirs: Sequence[Path]) -> list[tuple[Path, str]]:
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
    for folder, source in _folders(extra_dirs):
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


# --- tutor lessons -------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _clip(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out = ""
    for c in text:
        if _width(out + c) > width - 1:
            break
        out += c
    return out + "…"


def lessons_command(extra_dirs: Sequence[Path], fmt: str = "text", lang: str = "en") -> str:
    """The catalog as a table (id, title, status) or as JSON (a list of objects)."""
    entries = find_lessons(extra_dirs)
    if fmt == "json":
        return json.dumps(
            [
                {
                    "id": e.id,
                    "title": tr(e.title, lang),
                    "path": str(e.path),
                    "order": e.order,
                    "source": e.source,
                    "sections": len(e.lesson.sections) if e.lesson else 0,
                    "error": e.error,
                }
                for e in entries
            ],
            ensure_ascii=False,
            indent=2,
        )
    if not entries:
        where = ", ".join(str(p) for p, _ in _folders(extra_dirs))
        return f"no lessons found (looked in {where})"
    header = ("id", "title" if lang != "zh" else "标题", "status" if lang != "zh" else "状态")
    from tutor.safe_text import one_line  # ids, titles and file names in errors: control characters escaped

    rows = [
        (one_line(e.id), _clip(one_line(tr(e.title, lang).replace("\n", " ")), 50), "ok" if e.ok else one_line(e.error))
        for e in entries
    ]
    widths = [max(_width(r[i]) for r in (header, *rows)) for i in range(2)]
    lines = []
    for row in (header, *rows):
        lines.append(f"{_pad(row[0], widths[0])}  {_pad(row[1], widths[1])}  {row[2]}".rstrip())
    broken = sum(not e.ok for e in entries)
    lines.append("")
    lines.append(
        f"{len(entries)} lessons, {broken} broken" if lang != "zh" else f"共 {len(entries)} 课，{broken} 课有错误"
    )
    return "\n".join(lines)
