"""PyYAML's syntax errors in plain words, at the line the author has to change.

PyYAML reports where the *parser* gave up, which for an indentation slip is
often the line after the slip, and in its own vocabulary (``expected <block
end>, but found '<block mapping start>'``).  A teacher needs the line to fix
and what to do there.  Each rule below recognises one family of PyYAML
messages, looks at the lesson's own lines, and says the likely fix; an error
no rule recognises keeps PyYAML's words.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class Advice:
    """Where to fix a syntax error (0-based, like PyYAML's marks) and what to do there."""

    line: int
    column: int
    message: str


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content(lines: list[str], index: int) -> bool:
    stripped = lines[index].strip() if 0 <= index < len(lines) else ""
    return bool(stripped) and not stripped.startswith("#")


def _previous(lines: list[str], index: int) -> int | None:
    """The nearest line above ``index`` with content (not blank, not a comment)."""
    index -= 1
    while index >= 0 and not _content(lines, index):
        index -= 1
    return index if index >= 0 else None


def _spaces(n: int) -> str:
    return f"{n} space" + ("" if n == 1 else "s")


def _indent_by(n: int) -> str:
    return f"indent it by {_spaces(n)}" if n else "start it at the left margin"


def _indentation(lines: list[str], at: int) -> Advice | None:
    """A line that does not line up: the slip is the odd line out, which may be the one above the parser's."""
    if not 0 <= at < len(lines):
        return None
    above = _previous(lines, at)
    if above is None:
        return None
    mine, theirs = _indent(lines[at]), _indent(lines[above])
    before = _previous(lines, above)
    if theirs < mine and before is not None and _indent(lines[before]) == mine:
        # the line above is pulled left out of its block, and the parser only notices on the next line
        return Advice(
            above,
            theirs,
            f"this line is indented {_spaces(theirs)}, but the lines around it {_spaces(mine)}, so it ends the "
            f"block they belong to: {_indent_by(mine)} like line {before + 1}",
        )
    if mine != theirs:
        return Advice(
            at,
            mine,
            f"this line is indented {_spaces(mine)}, but line {above + 1} above it {_spaces(theirs)}: keys of one "
            f"mapping (and items of one list) line up, so {_indent_by(theirs)} "
            "(or as far as the key it belongs to)",
        )
    return None


def _colon(lines: list[str], at: int, column: int) -> Advice | None:
    """'mapping values are not allowed here': a ': ' inside text, or a line indented under a value."""
    line = lines[at] if 0 <= at < len(lines) else ""
    head = line[:column]
    if ":" in head.lstrip(" -"):
        start = head.index(":") + 1
        start += len(line[start:]) - len(line[start:].lstrip())
        return Advice(
            at,
            start,
            "this text contains ': ', which YAML reads as the start of another key: put the whole text in quotes, "
            f'e.g. "{line[start:].strip()[:30]}"',
        )
    above = _previous(lines, at)
    if above is not None and _indent(lines[above]) < _indent(line):
        return Advice(
            at,
            _indent(line),
            f"this line is indented more than line {above + 1}, so YAML reads it as the rest of that line's value: "
            f"{_indent_by(_indent(lines[above]))} like line {above + 1}",
        )
    return None


def _missing_colon(lines: list[str], at: int, column: int) -> Advice:
    line = lines[at] if 0 <= at < len(lines) else ""
    words = line.strip().lstrip("- ").split(None, 1)
    example = f": write '{words[0]}: {words[1]}'" if len(words) == 2 else ""
    return Advice(at, column, f"this line has no ':' after its key{example}")


def advise(text: str, err: yaml.MarkedYAMLError) -> Advice | None:
    """The plain-words advice for a PyYAML error, or None when no rule knows it."""
    mark, problem, context = err.problem_mark, err.problem or "", err.context or ""
    if mark is None:
        return None
    lines = text.split("\n")
    began = err.context_mark
    if problem.startswith("expected <block end>") or problem.startswith("did not find expected"):
        if "block" in context:
            return _indentation(lines, mark.line)
        return None
    if problem == "mapping values are not allowed here":
        return _colon(lines, mark.line, mark.column)
    if problem.startswith("could not find expected ':'") and began is not None:
        return _missing_colon(lines, began.line, began.column)
    if "quoted scalar" in context and "end of stream" in problem and began is not None:
        quote = lines[began.line][began.column : began.column + 1] if began.line < len(lines) else '"'
        return Advice(
            began.line,
            began.column,
            f"this quote ({quote}) is never closed: add the closing {quote} at the end of the text "
            f"(PyYAML read to the end of the file, line {mark.line + 1}, looking for it)",
        )
    if "flow" in context and problem.startswith("expected ','") and began is not None:
        opening = lines[began.line][began.column : began.column + 1] if began.line < len(lines) else "{"
        closing = {"{": "}", "[": "]"}.get(opening, "}")
        if mark.line > began.line:
            return Advice(
                began.line,
                began.column,
                f"this '{opening}' is not closed before line {mark.line + 1}: add '{closing}' where it ends",
            )
        return Advice(
            mark.line,
            mark.column,
            f"inside {opening}...{closing} a ':' or ',' ends the text: put text that has them in quotes",
        )
    if problem.startswith("found character") and "cannot start any token" in problem:
        character = problem.split("'")[1] if problem.count("'") >= 2 else "this character"
        return Advice(mark.line, mark.column, f"'{character}' cannot start a value in YAML: put the value in quotes")
    if problem.startswith("expected a comment or a line break"):
        return Advice(mark.line, mark.column, "text after a closing quote: put all of the text inside the quotes")
    return None
