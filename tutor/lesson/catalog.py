"""The lessons a learner can open: bundled, their own, and any ``--lessons DIR``.

A broken lesson never hides the others: it is listed with its first error
(and its file name as its id), so ``tutor lessons`` doubles as a quick check.
Listing only *loads* each file; ``tutor check`` also runs the mathematics.

``tutor lessons`` keeps its table in the data folder, keyed by the content
of every lesson file (and the loader's own files): while nothing changed it
lists without loading a lesson, so without YAML or sympy.  That cache is
used for the listing only; opening, checking or exporting a lesson always
loads the file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor import paths
from tutor.errors import TutorError
from tutor.i18n import _
from tutor.text import Text, tr

if TYPE_CHECKING:  # the listing from the cache must not import the loader (YAML, sympy)
    from tutor.lesson.model import Lesson

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
    folders = [(paths.bundled_lessons_dir(), "bundled"), (paths.user_lessons_dir(), "user")]
    for folder in extra_dirs:
        folder = Path(folder)
        if not folder.is_dir():
            raise TutorError(_("{folder} is not a folder of lessons").format(folder=folder))
        folders.append((folder, "extra"))
    return folders


def _entry(path: Path, source: str) -> CatalogEntry:
    from tutor.lesson.loader import read_lesson_file

    try:
        lesson, diagnostics = read_lesson_file(path)
    except Exception as err:
        return CatalogEntry(
            path.stem,
            path.stem,
            path,
            100,
            None,
            _("{path}: error: cannot load ({name})").format(path=path, name=type(err).__name__),
            source,
        )
    if lesson is None:
        first = next((d for d in diagnostics if d.severity == "error"), None)
        return CatalogEntry(
            path.stem,
            path.stem,
            path,
            100,
            None,
            str(first) if first else _("{path}: error: invalid lesson").format(path=path),
            source,
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
        # every file, not only the lessons: a lesson reads its data files (samples.csv) beside it
        for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []:
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
                        _("{path}:1:1: error: the id '{id}' is already used by {other}").format(
                            path=path, id=entry.id, other=taken[entry.id]
                        ),
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
            raise TutorError(_("no lesson file {path}").format(path=path))
        return load_lesson(path)
    entries = find_lessons(extra_dirs)
    for by_stem in (False, True):  # its id first, then its file name
        found = [e for e in entries if (e.path.stem if by_stem else e.id) == name_or_path]
        good = [e.lesson for e in found if e.ok and e.lesson is not None]
        if good:
            return good[0]
        if found:  # broken: LessonError with every diagnostic (or the lesson, if only its id was taken)
            return load_lesson(found[0].path)
    ids = [e.id for e in entries if e.ok]
    available = ", ".join(ids) if ids else "none"
    raise TutorError(
        _("no lesson '{name_or_path}'; available: {available}").format(name_or_path=name_or_path, available=available)
    )


# --- tutor lessons -------------------------------------------------------------------------


# --- the listing's cache ----------------------------------------------------------------------

CACHE_FORMAT = 1
_ROW_FIELDS = {"id": str, "path": str, "order": int, "source": str, "sections": int}


def _cache_file() -> Path:
    """One cache per language: the loader's diagnostics are stored in the language they were said in."""
    from tutor.i18n import current_language

    return paths.data_dir() / "cache" / f"lessons.{current_language()}.json"


def _listing_key(extra_dirs: Sequence[Path]) -> str:
    """A digest of everything the listing depends on: each file's place and bytes in the lesson folders, the loader's
    code, and the language its errors are said in (with that language's catalogue)."""
    from tutor import i18n

    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{i18n.current_language()}".encode())
    for catalogue in sorted(i18n.LOCALE_DIR.glob("*/LC_MESSAGES/*.mo")):
        stat = catalogue.stat()
        digest.update(f"{catalogue.parent.parent.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    here = Path(__file__).resolve().parent
    for code in sorted(here.glob("*.py")):  # a changed loader may say different things about the same file
        stat = code.stat()
        digest.update(f"{code.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    for folder, source in lesson_folders(extra_dirs):
        # every file, not only the lessons: a lesson reads its data files (samples.csv) beside it
        for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []:
            digest.update(f"{source}\0{path}\0{path.resolve()}\0".encode())
            try:
                digest.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError as err:
                digest.update(f"unreadable {err.errno}".encode())
    return digest.hexdigest()


def _is_text(value: object) -> bool:
    return isinstance(value, str) or (
        isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    )


def _cached_rows(key: str) -> list[dict[str, Any]] | None:
    """The rows stored for exactly this key, or None (no cache, another key, or anything malformed)."""
    try:
        data = json.loads(_cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("rows"), list):
        return None
    rows = data["rows"]
    for row in rows:
        if not (
            isinstance(row, dict)
            and set(row) == {*_ROW_FIELDS, "title", "error"}
            and all(isinstance(row.get(name), kind) for name, kind in _ROW_FIELDS.items())
            and _is_text(row.get("title"))
            and (row.get("error") is None or isinstance(row.get("error"), str))
        ):
            return None
    return rows


def _store_rows(key: str, rows: list[dict[str, Any]]) -> None:
    """Write the cache beside the learner's data (a new file moved into place); a failure only costs speed."""
    target = _cache_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"key": key, "rows": rows}, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        pass


def _row(e: CatalogEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "title": e.title if isinstance(e.title, str) else dict(e.title),
        "path": str(e.path),
        "order": e.order,
        "source": e.source,
        "sections": len(e.lesson.sections) if e.lesson else 0,
        "error": e.error,
    }


@dataclass(frozen=True)
class ListedLesson:
    """What ``tutor lessons`` shows of one lesson (a :class:`CatalogEntry` without the lesson, as cached).

    Stored raw; the listing escapes it where it is written.
    """

    id: str
    title: Text
    path: str
    order: int
    source: str
    sections: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_json(self, lang: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": tr(self.title, lang),
            "path": self.path,
            "order": self.order,
            "source": self.source,
            "sections": self.sections,
            "error": self.error,
        }


def listing_rows(extra_dirs: Sequence[Path]) -> list[ListedLesson]:
    """What ``tutor lessons`` shows of each lesson, from the cache when no file changed, else by loading them."""
    key = _listing_key(extra_dirs)
    rows = _cached_rows(key)
    if rows is None:
        rows = [_row(e) for e in find_lessons(extra_dirs)]
        _store_rows(key, rows)
    return [ListedLesson(**row) for row in rows]
