"""``data: samples.csv``: a lesson's samples from a CSV file beside it, read as untrusted text.

The file must sit in the lesson's folder (or below it): a path that leaves it
(``../``, an absolute path, a link pointing out) is refused, so a lesson
cannot make the tutor read other files.  It is bounded before it is read
(size, rows, columns), decoded as UTF-8, split by Python's csv module, and
every number goes through :func:`tutor.mathinput.parse_number` (exact:
``0.1`` is 1/10).  Every problem is a :class:`Diagnostic` at the file's own
line and column.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import sympy as sp

from tutor.errors import TutorError
from tutor.i18n import _
from tutor.lesson.keys import MAX_SAMPLES
from tutor.lesson.model import Diagnostic, Where
from tutor.mathinput import parse_number

#: A data file is at most this large (a thousand samples need far less).
MAX_DATA_BYTES = 256 * 1024
SUFFIXES = (".csv",)


def inside(folder: Path, name: str) -> Path | None:
    """The file ``name`` relative to ``folder``, or None when it would leave the folder."""
    if not name or os.path.isabs(name) or name.startswith(("~", "\\")):
        return None
    base = folder.resolve()
    target = (base / name).resolve()
    if target != base and base not in target.parents:
        return None
    return target


def read_samples(
    path: Path, shown: str, columns: tuple[str, str]
) -> tuple[tuple[tuple[sp.Expr, ...], tuple[sp.Expr, ...]] | None, list[Diagnostic]]:
    """(xs, ys) from a CSV file whose header names the two ``columns`` (input, then y), or the problems."""

    def problem(line: int, column: int, message: str) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(Where(shown, line, column), "error", message)]

    try:
        size = os.stat(path).st_size
        if not path.is_file():
            return problem(1, 1, _("this is not a file"))
    except FileNotFoundError:
        return problem(1, 1, _("no such data file"))
    except OSError as err:
        return problem(
            1, 1, _("cannot read this data file: {err_strerror_or_err}").format(err_strerror_or_err=err.strerror or err)
        )
    if size > MAX_DATA_BYTES:
        return problem(
            1,
            1,
            _("the data file is {size_1024} KB; data files are at most {MAX_DATA_BYTES_1024} KB").format(
                size_1024=size // 1024, MAX_DATA_BYTES_1024=MAX_DATA_BYTES // 1024
            ),
        )
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_DATA_BYTES + 1)
    except OSError as err:
        return problem(
            1, 1, _("cannot read this data file: {err_strerror_or_err}").format(err_strerror_or_err=err.strerror or err)
        )
    if len(raw) > MAX_DATA_BYTES:
        return problem(
            1,
            1,
            _("the data file is larger than {MAX_DATA_BYTES_1024} KB").format(
                MAX_DATA_BYTES_1024=MAX_DATA_BYTES // 1024
            ),
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return problem(line, 1, _("this data file is not UTF-8 text; save it as UTF-8 (CSV)"))
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        return problem(1, 1, _("this is not CSV: {err}").format(err=err))
    lines = [(n, row) for n, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    if not lines:
        return problem(
            1,
            1,
            _("the data file is empty: write a header '{columns},{columns2}' and one sample a line").format(
                columns=columns[0], columns2=columns[1]
            ),
        )
    header_line, header = lines[0]
    names = [cell.strip() for cell in header]
    missing = [c for c in columns if c not in names]
    if missing:
        return problem(
            header_line,
            1,
            _("the first line names the columns; it needs {join} (got {join2})").format(
                join=" and ".join(repr(c) for c in missing), join2=", ".join(repr(n) for n in names[:6])
            ),
        )
    where = [names.index(c) for c in columns]
    samples = lines[1:]
    if not samples:
        return problem(header_line, 1, _("the data file has a header but no samples"))
    if len(samples) > MAX_SAMPLES:
        return problem(
            samples[MAX_SAMPLES][0],
            1,
            _("at most {MAX_SAMPLES} samples are allowed, got {len}").format(MAX_SAMPLES=MAX_SAMPLES, len=len(samples)),
        )
    xs: list[sp.Expr] = []
    ys: list[sp.Expr] = []
    for line, row in samples:
        if len(row) != len(names):
            return problem(
                line,
                1,
                _("this line has {len} values, but the header names {len2} columns").format(
                    len=len(row), len2=len(names)
                ),
            )
        for index, out in zip(where, (xs, ys)):
            cell = row[index]
            column = sum(len(c) + 1 for c in row[:index]) + 1 + (len(cell) - len(cell.lstrip()))
            try:
                value = parse_number(cell.strip())
            except TutorError as err:
                return problem(line, column, f"{names[index]}: {err.message}")
            if not (value.is_real and value.is_finite):
                return problem(
                    line,
                    column,
                    _("{names}: {strip} is not a finite real number").format(names=names[index], strip=cell.strip()),
                )
            out.append(value)
    return (tuple(xs), tuple(ys)), []
