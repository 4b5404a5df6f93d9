"""Fuzzing ``tutor check`` with mutants of the bundled lessons.

Each bundled lesson is mutated with seeded random edits of the kinds people
(and attackers) make: a line deleted, duplicated or swapped, a scalar turned
into a list or a mapping, junk characters, wrong indentation, a tab, a
truncated file, an anchor and alias, a hostile expression.  Whatever the
mutant, ``check_command`` must return 0 or 1 and print only
``PATH:LINE:COL: error|warning: message`` lines (inside the file, on one line,
with no terminal control characters) and its summary: never a traceback.

The seeds are fixed, so a failure names the mutant that reproduces it:
``mutant(lesson_text, "02-sign-of-the-derivative.yaml", 17)``.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path

import hostile_inputs as H
import pytest

from tutor.lesson.check import check_command

LESSONS = sorted((Path(__file__).resolve().parent.parent / "lessons").glob("*.yaml"))
#: Mutants per bundled lesson (eight lessons: a few hundred in all).
MUTANTS = 50

JUNK = list(":{}[]&*!|>'\"%@`#,?-=~\\") + [
    "\t",
    "\u202e",
    "\ufeff",
    "\u00a0",
    "\x7f",
    "---",
    "...",
    ": :",
    "- -",
    "!!",
    "<<",
]
SCALAR = re.compile(r"^(?P<head>\s*(?:- )?[A-Za-z_][A-Za-z0-9_]*:\s)(?P<value>\S.*)$")
EXPRESSION_KEYS = re.compile(
    r"^(?P<head>\s*(?:- )?(?:function|answer|learning_rate|start|model|x|y|at):\s)(?P<value>.+)$"
)
HOSTILE = [h for h in H.REFUSED if len(h) < 3000]


# --- the mutations: each takes (lines, rng) and returns new lines -------------------------------


def delete_line(lines, rng):
    del lines[rng.randrange(len(lines))]
    return lines


def duplicate_line(lines, rng):
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    return lines


def swap_lines(lines, rng):
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return lines


def change_type(lines, rng):
    """A scalar becomes a list, a mapping, a number, a boolean or nothing."""
    candidates = [i for i, line in enumerate(lines) if SCALAR.match(line)]
    if not candidates:
        return lines
    i = rng.choice(candidates)
    m = SCALAR.match(lines[i])
    value = m.group("value")
    new = rng.choice([f"[{value}, {value}]", f"{{a: {value}}}", "[]", "{}", "42", "-1e-3", "yes", "~", '""', "[[[]]]"])
    lines[i] = m.group("head") + new
    return lines


def insert_junk(lines, rng):
    i = rng.randrange(len(lines))
    line = lines[i]
    at = rng.randrange(len(line) + 1)
    lines[i] = line[:at] + "".join(rng.choice(JUNK) for _ in range(rng.randint(1, 3))) + line[at:]
    return lines


def reindent(lines, rng):
    i = rng.randrange(len(lines))
    line = lines[i]
    if rng.random() < 0.5 and line.startswith(" "):
        lines[i] = line[rng.randint(1, min(3, len(line) - len(line.lstrip(" ")) or 1)) :]
    else:
        lines[i] = " " * rng.randint(1, 3) + line
    return lines


def insert_tab(lines, rng):
    i = rng.randrange(len(lines))
    line = lines[i]
    indent = len(line) - len(line.lstrip(" "))
    lines[i] = line[:indent] + "\t" + line[indent:] if rng.random() < 0.7 else line + "\t"
    return lines


def truncate(lines, rng):
    text = "\n".join(lines)
    return text[: rng.randrange(len(text) + 1)].split("\n")


def anchor_and_alias(lines, rng):
    candidates = [i for i, line in enumerate(lines) if SCALAR.match(line)]
    if len(candidates) < 2:
        return lines
    i, j = sorted(rng.sample(candidates, 2))
    a, b = SCALAR.match(lines[i]), SCALAR.match(lines[j])
    lines[i] = a.group("head") + "&anchor " + a.group("value")
    lines[j] = b.group("head") + "*anchor"
    return lines


def hostile_expression(lines, rng):
    """An expression (or a number) replaced with one from the hostile list, quoted as YAML."""
    candidates = [i for i, line in enumerate(lines) if EXPRESSION_KEYS.match(line)]
    if not candidates:
        return lines
    i = rng.choice(candidates)
    m = EXPRESSION_KEYS.match(lines[i])
    text = rng.choice(HOSTILE)
    surrogate = any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    lines[i] = m.group("head") + json.dumps(text, ensure_ascii=surrogate or rng.random() < 0.5)
    return lines


def control_characters(lines, rng):
    """Escaped control characters inside a double-quoted scalar: ESC, BEL, CR, NUL, NEL, line separator."""
    candidates = [i for i, line in enumerate(lines) if SCALAR.match(line)]
    if not candidates:
        return lines
    i = rng.choice(candidates)
    m = SCALAR.match(lines[i])
    junk = rng.choice([r"\e[2J", r"\a", r"\r", r"\0", r"\N", r"\L", r"\x1b]0;title\x07", r"\b\b\b"])
    lines[i] = m.group("head") + '"' + m.group("value").replace("\\", "").replace('"', "") + junk + '"'
    return lines


def change_number(lines, rng):
    candidates = [i for i, line in enumerate(lines) if SCALAR.match(line) and re.search(r"\d", line)]
    if not candidates:
        return lines
    i = rng.choice(candidates)
    m = SCALAR.match(lines[i])
    new = rng.choice(
        ["0", "-1", "1e308", "1e999999", ".nan", "-.inf", "010", "0x10", "99999999999999999999", "1/0", '"1/3"']
    )
    lines[i] = m.group("head") + new
    return lines


MUTATIONS = [
    delete_line,
    duplicate_line,
    swap_lines,
    change_type,
    insert_junk,
    reindent,
    insert_tab,
    truncate,
    anchor_and_alias,
    hostile_expression,
    control_characters,
    change_number,
]


def mutant(text: str, name: str, index: int) -> tuple[str, list[str]]:
    """The index-th mutant of a lesson (deterministic) and the names of the mutations applied."""
    rng = random.Random(f"{name}:{index}")
    lines = text.split("\n")
    applied = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        if not lines:
            break
        mutation = MUTATIONS[index % len(MUTATIONS)] if not applied else rng.choice(MUTATIONS)
        lines = mutation(lines, rng)
        applied.append(mutation.__name__)
    return "\n".join(lines), applied


# --- the check --------------------------------------------------------------------------------


def problems_with(path: Path, code, out: str) -> list[str]:
    """Everything wrong with what ``tutor check`` said about one file (empty: all good)."""
    found = []
    if code not in (0, 1):
        found.append(f"exit status {code!r}")
    lines = out.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or not re.fullmatch(r"1 lesson checked: \d+ errors?, \d+ warnings?", lines[-1]):
        found.append(f"no summary line: {out[-200:]!r}")
        return found
    text = path.read_bytes().decode("utf-8", errors="replace")
    size = text.count("\n") + 1
    pattern = re.compile(rf"^{re.escape(str(path))}:(\d+):(\d+): (error|warning): (.+)$")
    for line in lines[:-1]:
        m = pattern.match(line)
        if not m:
            found.append(f"not a PATH:LINE:COL diagnostic: {line[:160]!r}")
            continue
        if not 1 <= int(m.group(1)) <= size + 1:
            found.append(f"line {m.group(1)} is outside the file ({size} lines): {line[:160]!r}")
        control = [c for c in line if unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in "\u202e\u2066\u2067"]
        if control:
            found.append(f"control characters {control!r} in: {line[:160]!r}")
    errors = sum(": error: " in line for line in lines[:-1])
    if (code == 1) != (errors > 0):
        found.append(f"exit status {code} with {errors} error lines")
    return found


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_mutants_of_a_bundled_lesson(lesson, tmp_path, capsys):
    original = lesson.read_text(encoding="utf-8")
    failures = []
    for index in range(MUTANTS):
        text, applied = mutant(original, lesson.name, index)
        path = tmp_path / f"mutant-{index}.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            code = check_command([path])
        except BaseException as err:
            failures.append((index, applied, f"raised {type(err).__name__}: {err}"))
            continue
        out = capsys.readouterr().out
        for problem in problems_with(path, code, out):
            failures.append((index, applied, problem))
    assert failures == [], "\n".join(f"mutant({lesson.name!r}, {i}) after {m}: {p}" for i, m, p in failures)


def test_the_mutants_differ_and_are_reproducible():
    text = LESSONS[0].read_text(encoding="utf-8")
    first = [mutant(text, LESSONS[0].name, i)[0] for i in range(MUTANTS)]
    again = [mutant(text, LESSONS[0].name, i)[0] for i in range(MUTANTS)]
    assert first == again
    assert len(set(first)) >= MUTANTS * 3 // 4 and text not in first[:3]
    used = {name for i in range(MUTANTS) for name in mutant(text, LESSONS[0].name, i)[1]}
    assert used == {m.__name__ for m in MUTATIONS}
