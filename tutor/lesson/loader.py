"""Lesson YAML -> :class:`~tutor.lesson.model.Lesson`, with every problem at its line and column.

Three concerns, three modules, glued here:

- :mod:`tutor.lesson.yamltree`: safe YAML composition (limits, no aliases or
  foreign tags, line/column marks);
- :mod:`tutor.lesson.nodes`: typed reading of one node (numbers, names,
  expressions, points, help);
- :mod:`tutor.lesson.sections`: each section's keys, from the key tables in
  :mod:`tutor.lesson.keys` that the JSON Schema shares.

The loader reads and validates *structure*; it never runs the engine on the
mathematics (that is :mod:`tutor.lesson.check`).  Nothing that goes wrong
inside the reader escapes as a traceback.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

import yaml

from tutor.i18n import _
from tutor.lesson.keys import MAX_BYTES
from tutor.lesson.model import Diagnostic, Lesson, LessonError, Where
from tutor.lesson.nodes import Reader, short
from tutor.lesson.sections import read_lesson
from tutor.lesson.yamltree import MAX_DEPTH, compose, depth_exceeded, line_column, tag_problems, yaml_error


def parse_lesson(
    text: str, path: str = "<string>", variant: int | None = None
) -> tuple[Lesson | None, list[Diagnostic]]:
    """The lesson (None if there is any error) and every diagnostic, errors and warnings, in file order.

    ``variant`` picks the numbers of a lesson with ``variants:`` (default: variant 1).
    """
    r = Reader(path, text)
    try:
        root = compose(text)
    except yaml.YAMLError as err:
        return None, [yaml_error(path, text, err)]
    except RecursionError:
        return None, [Diagnostic(Where(path, 1, 1), "error", _("the YAML is nested too deeply to read"))]
    except Exception as err:
        return None, [
            Diagnostic(
                Where(path, 1, 1), "error", _("cannot read this file as YAML ({name})").format(name=type(err).__name__)
            )
        ]
    if root is None:
        return None, [
            Diagnostic(
                Where(path, 1, 1), "error", _("the lesson is empty: expected a mapping with id, title and sections")
            )
        ]
    lesson = None
    try:
        deep = depth_exceeded(root)
        if deep is not None:
            r.error(
                deep,
                _("nested more than {MAX_DEPTH} levels deep; a lesson never needs this").format(MAX_DEPTH=MAX_DEPTH),
            )
        else:
            for node, message, refused in tag_problems(root):
                r.error(node, message)
                r.refused.update(id(inner) for inner in refused)
            lesson = read_lesson(r, root, variant)
    except RecursionError:
        r.error(root, _("the lesson is nested too deeply to read"))
    except Exception as err:
        r.error(
            root,
            _("the loader failed on this lesson ({name}: {short}); please report this").format(
                name=type(err).__name__, short=short(str(err), 80)
            ),
        )
    diagnostics = sorted(r.diagnostics, key=lambda d: (d.where.line, d.where.column))
    return (lesson if not any(d.severity == "error" for d in diagnostics) else None), diagnostics


def load_lesson_text(text: str, path: str = "<string>", variant: int | None = None) -> Lesson:
    """The lesson in ``text``, or a LessonError carrying every diagnostic."""
    lesson, diagnostics = parse_lesson(text, path, variant)
    if lesson is None:
        raise LessonError([d for d in diagnostics if d.severity == "error"])
    return lesson


def read_lesson_file(path: Path | str, variant: int | None = None) -> tuple[Lesson | None, list[Diagnostic]]:
    """:func:`parse_lesson` for a file, refusing large files before reading them."""
    path = Path(path)
    shown = str(path)
    at = Where(shown, 1, 1)
    try:
        status = os.stat(path)
        size = status.st_size
        if path.is_dir():
            return None, [Diagnostic(at, "error", _("this is a folder, not a lesson file"))]
        if not stat.S_ISREG(status.st_mode):  # a FIFO or a device: opening it to read could block for ever
            return None, [
                Diagnostic(at, "error", _("this is not a regular file (a pipe or a device), so it is not read"))
            ]
    except FileNotFoundError:
        return None, [Diagnostic(at, "error", _("no such file"))]
    except OSError as err:
        return None, [
            Diagnostic(
                at,
                "error",
                _("cannot read this file: {err_strerror_or_err}").format(err_strerror_or_err=err.strerror or err),
            )
        ]
    if size > MAX_BYTES:
        return None, [
            Diagnostic(
                at,
                "error",
                _("the file is {size_1024_1024:.1f} MB; lessons are at most 1 MB").format(
                    size_1024_1024=size / 1024 / 1024
                ),
            )
        ]
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        return None, [
            Diagnostic(
                at,
                "error",
                _("cannot read this file: {err_strerror_or_err}").format(err_strerror_or_err=err.strerror or err),
            )
        ]
    if len(data) > MAX_BYTES:  # it grew after stat
        return None, [Diagnostic(at, "error", _("the file is larger than 1 MB; lessons are at most 1 MB"))]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column = line_column(
            data[: err.start].decode("utf-8", "replace"), len(data[: err.start].decode("utf-8", "replace"))
        )
        return None, [
            Diagnostic(Where(shown, line, column), "error", _("this file is not UTF-8 text; save it as UTF-8"))
        ]
    return parse_lesson(text, shown, variant)


def load_lesson(path: Path | str, variant: int | None = None) -> Lesson:
    """The lesson in the file at ``path``, or a LessonError carrying every diagnostic."""
    lesson, diagnostics = read_lesson_file(path, variant)
    if lesson is None:
        raise LessonError([d for d in diagnostics if d.severity == "error"])
    return lesson


def load_variant(lesson: Lesson, variant: int | None) -> Lesson:
    """The same lesson with variant ``variant``'s numbers (read again from its file); as it is for None."""
    if variant is None:
        return lesson
    if variant == lesson.variant or (variant == 1 and lesson.variants is None):
        return dataclasses.replace(lesson, chosen=True)
    if lesson.variants is None:
        raise LessonError(
            [
                Diagnostic(
                    lesson.where or Where(lesson.path, 1, 1),
                    "error",
                    _("there is no variant {variant}: this lesson has no variants").format(variant=variant),
                )
            ]
        )
    return dataclasses.replace(load_lesson(lesson.path, variant), chosen=True)
