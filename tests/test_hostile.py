"""Hostile input from every door: the command line, lesson files and learner answers.

Each input of ``hostile_inputs`` (the team's list and more of the same kinds)
must be answered with one clear line: exit status 1 (or 2 for a usage error),
``error: ...`` on stderr, ``PATH:LINE:COL: error: ...`` from ``tutor check``,
an "invalid" grade that does not count; never a traceback, never a hang, never
a file written.  The sandbox's hard bounds are tested from worker threads and
from an asyncio loop's worker thread, as the Textual tutor calls it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import hostile_inputs as H
import pytest
import sympy as sp
from click.testing import CliRunner

from tutor.cli import main
from tutor.grading import grade
from tutor.lesson.check import check_command
from tutor.sandbox import BoundExceeded, run_bounded

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
PWNED = Path("/tmp/pwned")
#: A generous hang detector for real subprocesses (never a timing assertion).
HANG = 10.0


def short(text: str) -> str:
    """A readable test id for an input (some are 100 kB long, some invisible)."""
    shown = text.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= 30 else f"{shown[:24]}…[{len(text)}]"


@pytest.fixture
def sentinel():
    """The code-execution group's canary: /tmp/pwned must not exist afterwards."""
    try:
        PWNED.unlink()
    except FileNotFoundError:
        pass
    except PermissionError:  # pragma: no cover - someone else's file: the check below would be meaningless
        pytest.skip("/tmp/pwned belongs to another user")
    yield
    assert not PWNED.exists(), "hostile input ran code: /tmp/pwned was created"


# --- the command line --------------------------------------------------------------------------


def invoke(args: list[str]):
    return CliRunner().invoke(main, args)


def assert_one_clear_line(result, args) -> None:
    """Exit 1 with ``error:`` first on stderr (a parse error adds the text and a caret), or a usage error."""
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        f"{args!r} raised {result.exception!r}"
    )
    assert "Traceback" not in result.output
    assert result.exit_code in (1, 2), (args, result.exit_code, result.output[:300])
    if result.exit_code == 1:
        lines = result.stderr.splitlines()
        assert lines and lines[0].startswith("error: "), result.stderr[:300]
        assert len(lines) <= 3, result.stderr[:300]  # the message, then at most the text and its caret
        if len(lines) > 1:
            assert lines[-1].strip() == "^"
    else:
        assert "Usage:" in result.output


@pytest.mark.parametrize("text", H.REFUSED, ids=short)
def test_derive_refuses(text, sentinel, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(["derive", text])
    assert_one_clear_line(result, ["derive", text])
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing written, not even the learner's data folder


@pytest.mark.parametrize("text", H.REFUSED, ids=short)
def test_descend_refuses(text, sentinel):
    result = invoke(["descend", text, "--from", "x=1", "--lr", "0.1"])
    assert_one_clear_line(result, ["descend", text])
    assert result.stdout == ""


@pytest.mark.parametrize("text", H.ACCEPTED_BUT_HEAVY, ids=short)
def test_derive_answers_heavy_but_bounded_input(text):
    result = invoke(["derive", text, "--format", "json"])
    assert result.exit_code == 0, result.output[:300]
    data = json.loads(result.stdout)
    assert data["function"]


# Values of the options that must be refused: (option, value) on a command that is otherwise fine.
BAD_OPTIONS = [
    *[
        ("--from", v)
        for v in [
            "",
            "x",
            "x=",
            "=1",
            "1",
            "x==1",
            "x=1,x=2",
            "x=1;y=2",
            "y=1",
            "x=nan",
            "x=inf",
            "x=1/0",
            "x=sqrt(-1)",
            "x=log(-1)",
            "x=(",
            "x=2^2^2^2^2^2",
            "x=1e999999",
            "x=0x10",
            "x=1_000",
            "x=y",
            "__import__('os')=1",
            "x=__import__('os')",
            "х=1",
            "x=1,",
            ",",
        ]
    ],
    *[
        ("--lr", v)
        for v in [
            "",
            "0",
            "-1",
            "-0.1",
            "nan",
            "inf",
            "-inf",
            "1/0",
            "sqrt(-1)",
            "x",
            "x^2",
            "I",
            "1e999999",
            "1e-999999",
            "0x10",
            "1_000",
            "10!",
            "5%",
            "0.1.2",
            "[0.1]",
            "0,1",
            "е",
        ]
    ],
    *[("--at", v) for v in ["x", "x=", "y=1", "x=1,y=2", "x=nan", "x=1/0", "x==1", "x=e^e^e^e", "x=1;", "x=(1"]],
    *[
        ("--vars", v)
        for v in [
            "__import__('os')",
            "sin",
            "e",
            "pi",
            "I",
            "lambda",
            "1x",
            "x y",
            "x-1",
            "_x",
            "х",
            "a" * 21,
            "x,x",
            "y",
        ]
    ],
    *[("--beta", v) for v in ["1", "1.5", "-0.1", "nan", "x", "2^2^2^2^2^2"]],
    *[("--until", v) for v in ["maybe", "tol:", "tol:x", "tol:-1", "tol:nan", "tol:inf", "tol:0", "zero,,maybe"]],
    *[("--steps", v) for v in ["-1", "x", "1e999", "10000000", "nan", ""]],
    *[("--optimizer", v) for v in ["sgd", "__import__('os')", ""]],
    *[("--format", v) for v in ["yaml", ""]],
]


def _command(option: str, value: str) -> list[str]:
    if option in ("--at", "--vars"):
        return ["derive", "x^2", option, value]
    args = ["descend", "x^2", "--from", "x=1", "--lr", "0.1"]
    if option in ("--from", "--lr"):
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    if option == "--beta":
        args += ["--optimizer", "adam"]
    return args


@pytest.mark.parametrize("option, value", BAD_OPTIONS, ids=lambda v: short(v))
def test_hostile_option_values(option, value, sentinel):
    args = _command(option, value)
    result = invoke(args)
    assert_one_clear_line(result, args)


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
@pytest.mark.parametrize("beta", ["1", "2", "-1/2"])
def test_a_beta_outside_zero_to_one_is_refused_not_a_crash(optimizer, beta):
    # β = 1 made Adam divide by 1 - β₁ᵗ = 0 (a ZeroDivisionError escaped the command)
    result = invoke(["descend", "x^2", "--from", "x=1", "--lr", "0.1", "--optimizer", optimizer, "--beta", beta])
    assert result.exit_code == 1 and "β must be at least 0 and less than 1" in result.stderr


def test_a_beta_that_rounds_to_one_is_refused_by_adam_only():
    beta = "0.9999999999999999999999"  # below 1 exactly, 1.0 as a float
    adam = invoke(["descend", "x^2", "--from", "x=1", "--lr", "0.1", "--optimizer", "adam", "--beta", beta])
    assert adam.exit_code == 1 and adam.stderr.startswith("error: β must be less than 1")
    momentum = invoke(
        [
            "descend",
            "x^2",
            "--from",
            "x=1",
            "--lr",
            "0.1",
            "--optimizer",
            "momentum",
            "--beta",
            beta,
            "--exact",
            "--steps",
            "2",
        ]
    )
    assert momentum.exit_code == 0, momentum.output


def run_tutor(*args: str, cwd: Path, home: Path, timeout: float = HANG) -> subprocess.CompletedProcess:
    env = dict(os.environ, TUTOR_HOME=str(home), PYTHONPATH=str(ROOT), LANG="C.UTF-8")
    env.pop("TUTOR_SANDBOX", None)
    try:
        return subprocess.run(
            [sys.executable, "-m", "tutor", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:  # the hang detector
        pytest.fail(f"tutor {' '.join(a[:30] for a in args)} did not answer within {timeout:g} s")


SUBPROCESS_CASES = [
    ["derive", H.CODE_EXECUTION[0]],
    ["derive", H.CODE_EXECUTION[1]],
    ["derive", "x" * 100_000],
    ["derive", "(" * 300 + "x" + ")" * 300],
    ["derive", " + ".join(["x"] * 20_000)],
    ["derive", "9**9**9**9"],
    ["derive", H.HANGS_SYMPY],
    ["derive", "x\u202e1+"],
    ["descend", "2х + 1", "--from", "x=1", "--lr", "0.1"],
    ["descend", "x^2", "--from", "x=1", "--lr", "__import__('os').system('touch /tmp/pwned')"],
    ["descend", "x^2", "--from", "x=1", "--lr", "0.1", "--optimizer", "adam", "--beta", "1"],
    ["derive", "x^2", "--vars", "__import__('os')"],
    ["derive", "x^2", "--at", "x=open('/tmp/pwned','w')"],
]


@pytest.mark.parametrize("args", SUBPROCESS_CASES, ids=lambda a: short(" ".join(a)))
def test_real_processes_refuse_in_one_line(args, sentinel, tmp_path):
    home = tmp_path / "home"
    work = tmp_path / "work"
    work.mkdir()
    proc = run_tutor(*args, cwd=work, home=home)
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.returncode == 1, proc.stderr[:300]
    assert proc.stderr.startswith("error: "), proc.stderr[:300]
    assert len(proc.stderr.splitlines()) <= 3
    assert proc.stdout == ""
    assert list(work.iterdir()) == [] and not home.exists()


def test_a_nul_byte_cannot_even_reach_the_command_line():
    # the OS refuses NUL in argv; in-process it is refused like any control character
    with pytest.raises(ValueError):
        subprocess.run([sys.executable, "-c", "pass", "x\x00"], timeout=HANG)
    result = invoke(["derive", "x\x00"])
    assert_one_clear_line(result, ["derive", "x\\x00"])
    assert "U+0000" in result.stderr


# --- mathematics with no happy path, through `tutor descend` ----------------------------------


def descend(function: str, *options: str):
    """``tutor descend [OPTIONS] -- FUNCTION`` (the ``--`` lets a function start with a minus sign)."""
    result = invoke(["descend", *options, "--", function])
    assert result.exit_code == 0, result.output[:500]
    assert "Traceback" not in result.output
    return result.stdout


def descend_json(function: str, *options: str) -> dict:
    return json.loads(descend(function, *options, "--format", "json"))


def test_one_over_x_from_zero():
    data = descend_json("1/x", "--from", "x=0", "--lr", "0.1")
    assert data["stop"]["reason"] == "undefined" and "division by zero" in data["stop"]["message"]
    assert data["steps"] == []


def test_log_from_minus_one():
    data = descend_json("log(x)", "--from", "x=-1", "--lr", "0.1")
    assert data["stop"]["reason"] == "undefined"
    assert "log needs a positive argument" in data["stop"]["message"]


def test_sqrt_from_zero():
    # f(0) = 0 is fine, f'(x) = 1/(2 sqrt(x)) is not
    data = descend_json("sqrt(x)", "--from", "x=0", "--lr", "0.1")
    assert data["stop"]["reason"] == "undefined" and "derivative" in data["stop"]["message"]


def test_abs_at_zero_explains_the_subgradient():
    data = descend_json("abs(x)", "--from", "x=0", "--lr", "0.1")
    assert data["stop"]["reason"] == "not_differentiable"
    message = data["stop"]["message"]
    assert "subgradient" in message and "-1" in message and "1" in message


@pytest.mark.parametrize("function", ["x^3", "-x^2"])
def test_unbounded_below_is_said_and_the_run_diverges(function):
    out = descend(function, "--from", "x=-1", "--lr", "0.1", "--steps", "500")
    assert "note: f is unbounded below along x" in out
    assert "(diverged)" in out
    data = descend_json(function, "--from", "x=-1", "--lr", "0.1", "--steps", "500")
    assert data["stop"]["reason"] == "diverged"
    assert any("unbounded below" in note for note in data["notes"])


def test_x_cubed_from_the_right_still_says_there_is_no_minimum():
    # from x = 1 the run creeps towards the flat point x = 0, which is not a minimum
    out = descend("x^3", "--from", "x=1", "--lr", "0.1")
    assert "unbounded below" in out


def test_learning_rate_at_two_over_L_oscillates_and_says_so():
    # f = x², L = f'' = 2, 2/L = 1; x_{k+1} = x_k - 1·2x_k = -x_k
    data = descend_json("x^2", "--from", "x=1", "--lr", "1", "--steps", "6", "--exact")
    assert [s["point"] for s in data["steps"]] == [["1"], ["-1"]] * 3 + [["1"]]
    assert data["stop"]["reason"] == "max_steps"
    assert data["notes"] == [data["notes"][0]] and "exactly at the stability bound 2/L = 1" in data["notes"][0]
    assert "L = 2" in data["notes"][0] and "oscillates" in data["notes"][0]


def test_learning_rate_above_two_over_L_diverges_with_the_bound_stated():
    # x_{k+1} = x_k - 1.1·2x_k = -1.2 x_k: |x_k| = 1.2^k passes 1e12 at k = 152
    data = descend_json("x^2", "--from", "x=1", "--lr", "1.1", "--steps", "1000")
    assert data["stop"]["reason"] == "diverged" and data["stop"]["k"] == 152
    assert any("above the stability bound 2/L = 1" in n and "diverges" in n for n in data["notes"])
    summary = invoke(["descend", "--from", "x=1", "--lr", "1.1", "--format", "summary", "--", "x^2"])
    assert len(summary.stdout.strip().splitlines()) == 1
    assert summary.stderr.startswith("note: learning rate 1.1 is above the stability bound 2/L = 1")


def test_a_safe_learning_rate_gets_no_note():
    data = descend_json("x^2", "--from", "x=1", "--lr", "0.1")
    assert data["notes"] == []


def test_the_bound_of_a_quadratic_in_two_variables():
    # f = x² + 3y²: Hessian diag(2, 6), L = 6, 2/L = 1/3
    data = descend_json("x^2 + 3y^2", "--from", "x=1,y=1", "--lr", "0.5")
    assert any("2/L = 1/3" in n and "L = 6" in n for n in data["notes"])


def test_exp_of_x_squared_from_thirty_overflows_with_a_message():
    # exp(900) ≈ 10^390.9 > 1.8e308
    data = descend_json("exp(x^2)", "--from", "x=30", "--lr", "0.1")
    assert data["stop"]["reason"] == "diverged" and "overflow" in data["stop"]["message"]


@pytest.mark.parametrize(
    "function, at, words",
    [
        ("1/x", "x=0", "division by zero"),
        ("log(x)", "x=-1", "positive"),
        ("sqrt(x)", "x=-4", "error:"),
    ],
)
def test_derive_at_a_point_with_no_value(function, at, words):
    result = invoke(["derive", function, "--at", at])
    assert_one_clear_line(result, [function, at])
    assert words in result.stderr


# --- lesson files --------------------------------------------------------------------------------

TEMPLATE = """\
id: hostile
title: Hostile
sections:
  - descent:
      function: {function}
      variables: [{name}]
      start: {{{name}: {start}}}
      learning_rate: {lr}
  - derive:
      function: "5x^2"
      feedback:
        - answer: {answer}
          says: You lost the factor 2.
"""
#: The line each slot is written on (1-based), where its error must be reported.
SLOT_LINE = {"function": 5, "name": 6, "start": 7, "lr": 8, "answer": 12}
GOOD = {"function": '"x^2"', "name": "x", "start": "1", "lr": '"1/10"', "answer": '"5x"'}


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar holding exactly ``text`` (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=any(0xD800 <= ord(c) <= 0xDFFF for c in text))


def check(path: Path, capsys) -> tuple[int, list[str]]:
    code = check_command([path])
    out = capsys.readouterr().out
    assert "Traceback" not in out
    lines = out.splitlines()
    assert lines and re.fullmatch(r"\d+ lessons? checked: \d+ errors?, \d+ warnings?", lines[-1]), out[-300:]
    pattern = re.compile(rf"^{re.escape(str(path))}:(\d+):(\d+): (error|warning): .+")
    size = path.read_text(encoding="utf-8", errors="replace").count("\n") + 1
    for line in lines[:-1]:
        m = pattern.match(line)
        assert m, f"not a PATH:LINE:COL diagnostic: {line[:200]!r}"
        assert 1 <= int(m.group(1)) <= size + 1
    return code, lines[:-1]


def test_the_template_itself_is_a_good_lesson(tmp_path, capsys):
    path = tmp_path / "hostile.yaml"
    path.write_text(TEMPLATE.format(**GOOD), encoding="utf-8")
    code, lines = check(path, capsys)
    assert code == 0 and lines == []


@pytest.mark.parametrize("slot", list(SLOT_LINE))
def test_every_refused_input_in_every_slot_of_a_lesson(slot, tmp_path, capsys, sentinel):
    """Each hostile expression as function, start, learning rate, feedback answer and variable name."""
    failures = []
    for n, text in enumerate(H.REFUSED):
        value = yaml_string(text)
        path = tmp_path / f"m{n}.yaml"
        path.write_text(TEMPLATE.format(**dict(GOOD, **{slot: value})), encoding="utf-8")
        code, lines = check(path, capsys)
        # a name is written twice: in variables (line 6) and as the key of start (line 7)
        places = (6, 7) if slot == "name" else (SLOT_LINE[slot],)
        at_slot = [line for line in lines if ": error: " in line and any(f":{n}:" in line for n in places)]
        if code != 1 or not at_slot:
            failures.append((short(text), code, lines[:2]))
    assert failures == []


@pytest.mark.parametrize("slot", ["function", "start", "lr", "answer", "name"])
def test_hostile_yaml_scalars_in_every_slot(slot, tmp_path, capsys, sentinel):
    failures = []
    for n, raw in enumerate(H.YAML_SCALARS):
        path = tmp_path / f"y{n}.yaml"
        path.write_text(TEMPLATE.format(**dict(GOOD, **{slot: raw})), encoding="utf-8")
        code, lines = check(path, capsys)
        if code != 1 or not any(": error: " in line for line in lines):
            failures.append((raw, code, lines[:2]))
    assert failures == []


@pytest.mark.parametrize("raw", ["0x10", "1_000", "0o17"])
def test_programmers_numbers_are_refused_as_learning_rates(raw, tmp_path, capsys):
    path = tmp_path / "n.yaml"
    path.write_text(TEMPLATE.format(**dict(GOOD, lr=raw)), encoding="utf-8")
    code, lines = check(path, capsys)
    assert code == 1 and any(f":{SLOT_LINE['lr']}:" in line and ": error: " in line for line in lines)


def test_yaml_1_1_numbers_mean_what_they_say(tmp_path, capsys):
    # 1e-3 is 1/1000 (PyYAML reads it as a string), 010 is ten (not octal eight): warned, not refused
    for lr, start in (("1e-3", "010"),):
        path = tmp_path / "n.yaml"
        path.write_text(TEMPLATE.format(**dict(GOOD, lr=lr, start=start)), encoding="utf-8")
        code, lines = check(path, capsys)
        assert code == 0
        assert any(":7:" in line and "leading zeros are read as decimal: 010 is 10" in line for line in lines)


@pytest.mark.parametrize("document", H.YAML, ids=short)
def test_every_yaml_hazard_from_the_list(document, tmp_path, capsys, sentinel):
    path = tmp_path / "hazard.yaml"
    path.write_text(document, encoding="utf-8")
    code, lines = check(path, capsys)
    assert code == 1 and any(": error: " in line for line in lines)


def test_a_50_mb_lesson_is_refused_before_it_is_read(tmp_path, capsys):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:  # sparse: the size is what the loader looks at first
        handle.truncate(H.YAML_HUGE_BYTES)
    code, lines = check(path, capsys)
    assert code == 1 and "at most 1 MB" in lines[0]


@pytest.mark.parametrize("name", H.BAD_VARIABLE_NAMES, ids=short)
def test_bad_variable_names_in_a_lesson(name, tmp_path, capsys, sentinel):
    path = tmp_path / "v.yaml"
    path.write_text(TEMPLATE.format(**dict(GOOD, name=yaml_string(name))), encoding="utf-8")
    code, lines = check(path, capsys)
    assert code == 1 and any(f":{SLOT_LINE['name']}:" in line and ": error: " in line for line in lines)


def test_a_lesson_file_that_is_not_utf8(tmp_path, capsys):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(TEMPLATE.format(**GOOD).replace("Hostile", "Hostil\xe9").encode("latin-1"))
    code, lines = check(path, capsys)
    assert code == 1 and "not UTF-8" in lines[0] and ":2:" in lines[0]


# --- learner answers ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def questions(bundled_walkthrough):
    """One real question of each kind, from the bundled lessons."""
    found = {}
    for name in ("sign-of-the-derivative", "gradients"):
        for q in bundled_walkthrough(name).questions():
            found.setdefault((q.kind, len(q.variables)), q)
    assert {"expression", "vector", "number", "choice"} <= {kind for kind, _ in found}
    return list(found.values())


def test_hostile_answers_are_invalid_and_not_counted(questions, sentinel):
    wrong = []
    for q in questions:
        for text in H.REFUSED:
            if q.kind == "choice" and len(text.strip()) == 1:
                continue  # "I" is the first letter of "increase": a fair answer to a choice
            g = grade(q, text)
            if g.verdict != "invalid" or g.counted:
                wrong.append((q.id, short(text), g.verdict))
            else:
                message = g.message
                assert "\n" not in message and message.startswith("I cannot read this answer")
    assert wrong == []


@pytest.mark.parametrize("text", H.ACCEPTED_BUT_HEAVY, ids=short)
def test_heavy_answers_are_graded_without_an_exception(questions, text):
    """One question of each kind, with and without variables (the grader's paths differ by those, not by how
    many variables there are)."""
    by_kind = {}
    for q in questions:
        by_kind.setdefault((q.kind, bool(q.variables)), q)
    for q in by_kind.values():
        g = grade(q, text)
        assert g.verdict in ("wrong", "invalid"), (q.id, short(text), g.verdict)


def test_a_heavy_number_for_a_formula_is_still_diagnosed(questions):
    """(1+√2)¹⁰⁰⁰ for f'(x) is told it is a number, within the engine's bound: it once ran out of time expanding the
    power (a float overflowed, so the numeric probe said nothing and sympy expanded a thousand terms)."""
    from tutor.text import tr

    q = next(q for q in questions if q.kind == "expression" and q.variables)
    g = grade(q, "(1+sqrt(2))^1000")
    assert g.verdict == "wrong" and g.feedback is not None
    assert "That is a number" in tr(g.feedback)


def test_a_hostile_answer_then_the_right_one(questions):
    """After any refusal the learner carries on: the same question still grades the right answer."""
    q = next(q for q in questions if q.kind == "expression" and q.variables == ("x",))
    for text in H.REFUSED[:20] + H.ACCEPTED_BUT_HEAVY[:3]:
        grade(q, text)
    assert grade(q, "10x").verdict == "right"


# --- the sandbox's bounds from threads and from an asyncio loop -----------------------------------


def sleep_for(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def square(n: int) -> int:
    return n * n


def hostile_sympy():
    """Building this makes sympy evaluate exp(exp(exp(3))) to decide a sign: it never finishes."""
    return sp.sin(sp.sin(3 + sp.exp(sp.exp(sp.exp(3)))))


def hog_memory() -> int:
    """A list that grows until the child's address space runs out."""
    hoard = []
    while True:
        hoard.append([0] * 1_000_000)


def huge_list() -> int:
    return len([0] * 10**10)


@pytest.fixture
def child_sandbox(monkeypatch):
    monkeypatch.delenv("TUTOR_SANDBOX", raising=False)


def in_thread(fn, *args, **kwargs):
    """fn(*args) in a fresh non-main thread: (value, error)."""
    box = {}

    def target():
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as err:
            box["error"] = err

    worker = threading.Thread(target=target, name="not-main")
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "the bounded call did not return"
    return box.get("value"), box.get("error")


def test_time_bound_holds_in_a_non_main_thread(child_sandbox):
    _value, error = in_thread(run_bounded, sleep_for, 60, timeout=1.0)
    assert isinstance(error, BoundExceeded) and "took too long" in error.message
    _value, error = in_thread(run_bounded, hostile_sympy, timeout=1.0)
    assert isinstance(error, BoundExceeded)
    assert run_bounded(square, 12) == 144  # the next call works


async def test_time_bound_holds_from_an_asyncio_worker_thread(child_sandbox):
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    beat = asyncio.create_task(ticker())
    try:
        with pytest.raises(BoundExceeded):
            await asyncio.to_thread(run_bounded, hostile_sympy, timeout=1.0)
        assert ticks > 0  # the loop was never blocked while the child worked
        assert await asyncio.to_thread(run_bounded, square, 9) == 81
    finally:
        beat.cancel()


@pytest.mark.parametrize("hog", [hog_memory, huge_list])
def test_a_memory_hog_becomes_bound_exceeded_and_the_next_call_works(hog, child_sandbox):
    _value, error = in_thread(run_bounded, hog, timeout=30.0, memory_mb=300)
    assert isinstance(error, BoundExceeded) and "memory" in error.message
    assert run_bounded(square, 5) == 25


async def test_a_memory_hog_from_an_asyncio_worker_thread(child_sandbox):
    with pytest.raises(BoundExceeded):
        await asyncio.to_thread(run_bounded, hog_memory, timeout=30.0, memory_mb=300)
    assert await asyncio.to_thread(run_bounded, square, 3) == 9


# --- regressions: each a bug this file's inputs found, fixed at its root -------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        ("0x10", "'0x10' looks like a hexadecimal"),  # was read as 0·x10 = 0
        ("0b101", "'0b101' looks like a hexadecimal"),
        ("3 + 0o17*x", "'0o17' looks like a hexadecimal"),
        ("1_000", "'_' cannot group digits"),  # was "names starting with '_' ..."
        ("log(-2)", "no real value"),  # was log(2) + iπ, a complex constant
        ("sqrt(-3)*x", "no real value"),
        ("asin(2)", "no real value"),
    ],
)
def test_mathtext_refusals_that_were_silent_or_obscure(text, words):
    from tutor.mathinput import MathTextError, parse_expression

    with pytest.raises(MathTextError, match=re.escape(words)):
        parse_expression(text, ["x"])


def test_invisible_characters_join_what_they_sit_between():
    # a zero-width space or soft hyphen is not a space: "x<ZWSP>y" looks like xy and reads as xy
    from tutor.mathinput import infer_variables, parse_expression, symbol

    assert infer_variables("x\u200by") == ("xy",)
    assert parse_expression("2\u00ad3", []) == 23
    assert parse_expression("\ufeffx^2", ["x"]) == symbol("x") ** 2
    assert parse_expression("0x", ["x"]) == 0 and parse_expression("0xy", ["x", "y"]) == 0  # 0·x is still 0·x


def test_exp_of_exp_of_pi_is_not_a_huge_number():
    # e^(e^π) ≈ 1.1e10; π once counted as "up to 10", so the estimate said 10^9500
    from tutor.mathinput import parse_expression

    assert parse_expression("exp(exp(pi))", []) == sp.exp(sp.exp(sp.pi))


def test_a_choice_answer_is_echoed_without_control_characters(questions):
    q = next(q for q in questions if q.kind == "choice")
    g = grade(q, "up\x1b[2J\x07" + "a" * 200)
    assert g.verdict == "invalid"
    message = g.message
    assert "\x1b" not in message and "\x07" not in message and "\\x1b" in message and len(message) < 250


def explain_slowly(question, value):
    """Stands in for the misconception engine on an answer sympy cannot simplify in time."""
    time.sleep(20)
    return {"en": "too late", "zh": "太迟"}


def test_the_misconception_check_is_bounded(questions, child_sandbox, monkeypatch):
    # it simplified the learner's answer in-process, unbounded: (1+sqrt(2))^1000 took seconds
    import tutor.misconceptions
    from tutor import grading

    monkeypatch.setattr(tutor.misconceptions, "explain", explain_slowly)
    monkeypatch.setattr(grading, "MISCONCEPTION_TIMEOUT", 0.5)  # the bound itself, not its length, is under test
    q = next(q for q in questions if q.kind == "expression")
    g = grade(q, "3x + 1")
    assert g.verdict == "wrong" and g.feedback is None


def test_sign_has_derivative_zero_away_from_its_jump():
    # sympy writes sign'(x) = 2·DiracDelta(x), which no float loop can evaluate
    from tutor import calculus, descent
    from tutor.mathinput import parse_expression, symbol

    x = symbol("x")
    f = parse_expression("sign(x)*x^2", ["x"])
    assert calculus.derivative(f, "x") == 2 * x * sp.sign(x)
    assert not calculus.hessian(sp.Abs(x), ["x"]).has(sp.DiracDelta)
    run = descent.run(f, ["x"], [1.0], 0.1, steps=5)  # the compiled loop
    assert run.stop.reason == "max_steps" and run.final.point[0] == pytest.approx(0.8**5)
    stop = descent.run(f, ["x"], [0], 0.1).stop
    assert stop.reason == "not_differentiable" and "jumps from -1 to 1" in stop.message  # a jump, not a kink


def test_a_root_of_a_negative_float_stops_the_run_as_undefined():
    # Python's (-0.03)**(1/3) is a complex number; comparisons on it raised TypeError
    from tutor import descent
    from tutor.mathinput import parse_expression

    f = parse_expression("x^(1/3)", ["x"])
    for name in ("gd", "momentum", "adam"):
        run = descent.run(f, ["x"], [0.001], 0.001, steps=50, optimizer=descent.make_optimizer(name))
        assert run.stop.reason == "undefined" and "real number" in run.stop.message
        assert "complex" not in run.stop.message


def test_momentum_in_float_mode_computes_in_floats():
    from tutor import descent
    from tutor.mathinput import parse_expression

    run = descent.run(parse_expression("x^2", ["x"]), ["x"], [1.0], 0.1, steps=3, optimizer=descent.Momentum())
    assert all(type(v) is float for step in run.steps for v in step.point)


def test_exact_numbers_past_python_s_printing_limit_stop_the_run():
    # x ← x + 1/x² (momentum, η = 1): the digits double each step; str() of a 4301-digit int raised
    from tutor import descent
    from tutor.mathinput import parse_expression

    run = descent.run(
        parse_expression("1/x", ["x"]),
        ["x"],
        [sp.Integer(1)],
        sp.Integer(1),
        steps=12,
        exact=True,
        optimizer=descent.Momentum(sp.Rational(9, 10)),
    )
    assert run.stop.reason == "exact_limit"
    assert all(max(len(str(abs(v.p))), len(str(v.q))) <= descent.EXACT_DIGIT_LIMIT for s in run.steps for v in s.point)


def test_sympy_failing_on_a_huge_start_is_an_undefined_stop():
    # sqrt(1 - x²) at x ≈ 9e299: sympy's factoring raised ValueError inside the substitution
    from tutor import descent
    from tutor.mathinput import parse_expression

    run = descent.run(parse_expression("sqrt(1 - x^2)", ["x"]), ["x"], [8.963005367769552e299], 0.1)
    assert run.stop.reason == "undefined" and run.steps == ()


def test_a_diagnostic_is_one_printable_line():
    from tutor.lesson.model import Diagnostic, Where

    d = Diagnostic(Where("a\nb.yaml", 3, 4), "error", "got 'x\x1b[2J'\r\nand \x85 \u202e")
    assert str(d) == "a b.yaml:3:4: error: got 'x\\x1b[2J'  and \\x85 \\u202e"


# --- round two: escape sequences never reach a terminal (issue 14) ----------------------------------

ESC_LESSON = """\
id: escapes
title: "\\e]0;PWNED\\a\\e[2J\\e[31mRED"
sections:
  - explain:
      title: "ok"
      text: "\\e]52;c;cHduZWQ=\\a and \\u202e"
  - evaluate:
      title: "v"
      function: "5x^2"
      variables: [x]
      what: value
      at: {x: 1}
"""

RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_the_sanitiser_shows_every_control_character_and_keeps_the_rest():
    from tutor.safe_text import json_safe, one_line, shown

    for text in H.ESCAPES:
        assert not RAW_CONTROLS.search(shown(text)) and not RAW_CONTROLS.search(one_line(text))
    assert shown("a\x1b[2Jb") == "a\\x1b[2Jb"  # seen, as typed in Python
    assert shown("x\u202ey") == "x\\u202ey"
    assert shown("line one\n\tline two  x² ∇f 中文") == "line one\n\tline two  x² ∇f 中文"  # layout and Unicode kept
    assert one_line("a\nb") == "a\\nb"
    encoded = json.dumps({"t": "a\x1b\x7f\x9b\u202e"}, ensure_ascii=False)
    assert not RAW_CONTROLS.search(json_safe(encoded)) and json.loads(json_safe(encoded)) == {
        "t": "a\x1b\x7f\x9b\u202e"
    }


def test_markdown_safe_neutralises_html_script_links_and_tex_file_commands():
    from tutor.safe_text import markdown_heading, markdown_safe

    out = markdown_safe("<script>alert(1)</script> [x](javascript:alert(1)) [y]( JavaScript:1) $\\input{/etc/x}$ $a<b$")
    assert "<script" not in out and "javascript:" not in out.lower() and "\\input" not in out
    assert "$a<b$" in out  # maths keeps its comparison
    assert "\n" not in markdown_heading("Title\n# injected heading\n\n<b>x</b>")


def test_escape_sequences_in_a_lesson_are_shown_not_sent_in_plain_mode(tmp_path):
    lesson = tmp_path / "escapes.yaml"
    lesson.write_text(ESC_LESSON, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "tutor", "run", str(lesson), "--plain"],
        input="\n\x1b]0;typed\x07 10\n",
        env=dict(os.environ, TUTOR_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT), LANG="C.UTF-8"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert not RAW_CONTROLS.search(proc.stdout + proc.stderr)
    assert "\\x1b]0;PWNED\\x07" in proc.stdout and "\\x1b]52;c;" in proc.stdout and "\\u202e" in proc.stdout
    assert "\\x1b]0;typed\\x07" in proc.stdout  # the learner's answer, echoed and quoted, escaped too


def test_tutor_check_warns_about_control_characters_where_they_are(tmp_path, capsys):
    lesson = tmp_path / "escapes.yaml"
    lesson.write_text(ESC_LESSON, encoding="utf-8")
    assert check_command([lesson]) == 0  # a warning, not an error: the lesson still works
    out = capsys.readouterr().out
    assert f"{lesson}:2:8: warning: this text holds control characters (\\x1b, \\x07)" in out
    assert f"{lesson}:6:13: warning:" in out
    assert not RAW_CONTROLS.search(out)


def test_tutor_lessons_escapes_titles_and_file_names(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "escapes.yaml").write_text(ESC_LESSON, encoding="utf-8")
    (folder / "bad\x1b]0;NAME\x07.yaml").write_text("id: [", encoding="utf-8")  # broken: its path is quoted
    for fmt in ("text", "json"):
        result = invoke(["lessons", "--lessons", str(folder), "--format", fmt])
        assert result.exit_code == 0, result.output
        assert not RAW_CONTROLS.search(result.output.replace("\n", "").replace("\t", ""))
    data = json.loads(invoke(["lessons", "--lessons", str(folder), "--format", "json"]).output)
    assert any(item["title"] == "\x1b]0;PWNED\x07\x1b[2J\x1b[31mRED" for item in data)  # JSON keeps the value


def test_an_error_line_never_carries_an_escape(tmp_path):
    result = invoke(["derive", "x\x1b[2J"])
    assert_one_clear_line(result, ["derive", "x<ESC>[2J"])
    assert not RAW_CONTROLS.search(result.stderr)


def test_export_neutralises_html_links_tex_and_heading_injection(tmp_path):
    lesson = tmp_path / "inject.yaml"
    lesson.write_text(
        """\
id: inject
title: "Fine\\n# Injected heading\\n<script>alert(1)</script>"
sections:
  - explain:
      title: "Step\\n## also injected"
      text: "<img src=x onerror=alert(1)> [click](javascript:alert(1)) $\\\\input{/etc/passwd}$"
""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = invoke(["export", str(lesson), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = (out / "inject.md").read_text(encoding="utf-8")
    assert "<script" not in text and "<img" not in text
    assert "javascript:" not in text.lower() and "\\input" not in text
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert not any("Injected heading" in h and not h.startswith("# Fine") for h in headings)
    assert not any(h.startswith("## also injected") for h in headings)


def test_export_never_writes_through_a_symbolic_link(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    decoy = tmp_path / "decoy.txt"
    decoy.write_text("keep me")
    (out / "sign-of-the-derivative.md").symlink_to(decoy)
    result = invoke(["export", "sign-of-the-derivative", "-o", str(out)])
    assert result.exit_code == 1 and "symbolic link" in result.output
    assert decoy.read_text() == "keep me"
    assert (out / "sign-of-the-derivative.md").is_symlink()
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]  # no temporary file left behind


# --- round two: numbers too large to compute, nested powers, notation (issue 14) -------------------


@pytest.mark.parametrize("args", H.BIG_NUMBER_COMMANDS, ids=lambda a: short(" ".join(a)))
def test_numbers_too_large_to_compute_get_one_error_line(args):
    result = invoke(args)
    assert_one_clear_line(result, args)
    assert result.exit_code == 1


@pytest.mark.parametrize("text", H.NESTED_POWERS)
def test_nested_powers_meet_the_exponent_limit(text):
    from tutor.mathinput import MAX_EXPONENT, MathTextError, parse_expression

    with pytest.raises(MathTextError, match="exponent too large"):
        parse_expression(text)
    # the limit itself still holds: (x^10)^100 = x^1000 is allowed
    assert parse_expression("(x^10)^100") == sp.Symbol("x", real=True) ** MAX_EXPONENT


def test_sizes_at_a_point_see_through_towers():
    from tutor.calculus import TooLarge, evaluate
    from tutor.mathinput import parse_expression

    with pytest.raises(TooLarge, match="number too large"):
        evaluate(parse_expression("x^x^x^x"), {"x": sp.Integer(10)})
    # 3^3^3 = 3^27 = 7625597484987 (by hand) is small enough
    assert evaluate(parse_expression("x^x^x"), {"x": sp.Integer(3)}) == 7625597484987


def test_float_learning_rates_and_starts_that_round_away_are_refused_with_the_reason():
    tiny = invoke(["descend", "x^2", "--from", "x=1", "--lr", "1e-400"])
    assert tiny.exit_code == 1 and "too small for floating point" in tiny.stderr
    exact = invoke(["descend", "x^2", "--from", "x=1", "--lr", "1e-400", "--steps", "1", "--exact"])
    assert exact.exit_code == 0, exact.output  # exact mode keeps it: x1 = 1 - 2·10^-400
    start = invoke(["descend", "log(x)", "--from", "x=1e-999", "--lr", "0.1"])
    assert start.exit_code == 1 and "undefined" not in start.stderr and "floating-point" in start.stderr


def test_pi_glued_to_a_variable_is_a_product_and_multi_letter_characters_are_refused():
    from tutor.mathinput import MathTextError, parse_expression

    x = sp.Symbol("x", real=True)
    assert parse_expression("ℼx") == sp.pi * x
    assert parse_expression("πx") == sp.pi * x
    assert parse_expression("2πx^2") == 2 * sp.pi * x**2
    for text in H.MULTI_LETTER_CHARACTERS:
        with pytest.raises(MathTextError, match="one by one"):
            parse_expression(text)


# --- round two: lessons that cannot hang run, export or check (issue 14) ----------------------------


def _evaluate_lesson(path: Path, function: str, at: str) -> Path:
    path.write_text(
        f"""\
id: {path.stem}
title: t
sections:
  - evaluate:
      title: v
      function: "{function}"
      variables: [x]
      what: value
      at: {{x: {at}}}
""",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("function, at", H.UNANSWERABLE_EVALUATIONS)
def test_an_unanswerable_lesson_is_refused_by_check_run_and_export(function, at, tmp_path, capsys):
    lesson = _evaluate_lesson(tmp_path / "unanswerable.yaml", function, at)
    assert check_command([lesson]) == 1
    assert f"{lesson}:9:11: error:" in capsys.readouterr().out
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    run = run_tutor("run", str(lesson), "--plain", cwd=work, home=home, timeout=120)
    assert run.returncode == 1 and run.stderr.startswith("error: ") and "Traceback" not in run.stderr
    export = run_tutor("export", str(lesson), "-o", str(work / "out"), cwd=work, home=home, timeout=120)
    assert export.returncode == 1 and "skipped" in export.stdout and "Traceback" not in export.stderr


def test_check_refuses_a_fifo_without_opening_it(tmp_path):
    fifo = tmp_path / "lesson.yaml"
    os.mkfifo(fifo)
    proc = run_tutor("check", str(fifo), cwd=tmp_path, home=tmp_path / "home", timeout=60)
    assert proc.returncode == 1 and "not a regular file" in proc.stdout


def test_check_bounds_a_whole_file(tmp_path, monkeypatch, capsys):
    from tutor.lesson import check as check_module

    sections = "".join(
        f'  - descent:\n      title: d{i}\n      function: "x^2"\n      variables: [x]\n'
        f"      start: {{x: 1}}\n      learning_rate: 1/4\n      max_steps: 5\n"
        for i in range(200)
    )
    lesson = tmp_path / "long.yaml"
    lesson.write_text(f"id: long\ntitle: long\nsections:\n{sections}", encoding="utf-8")
    monkeypatch.setenv("TUTOR_SANDBOX", "inline")
    monkeypatch.setattr(check_module, "FILE_SECONDS", 0.0)  # the bound is already spent at the first section
    check_command([lesson])
    out = capsys.readouterr().out
    assert "this and the 199 sections after it were not checked" in out


def test_a_watchdog_stops_c_level_work_that_a_timer_thread_cannot(tmp_path):
    script = (
        "from tutor.watchdog import deadline\n"
        "with deadline(1.0):\n"
        "    sum(range(10**12))  # one C call: holds the GIL for ever\n"
        "print('finished')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr == "error: this took longer than 1 s, so it was stopped; try a simpler expression\n"
    assert "finished" not in proc.stdout


def test_the_watchdog_passes_the_command_through_when_it_finishes(tmp_path):
    script = "import sys\nfrom tutor.watchdog import deadline\nwith deadline(30.0):\n    x = 2 ** 100\nprint(x)\nsys.exit(3)\n"
    proc = subprocess.run(
        [sys.executable, "-c", script],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 3 and proc.stdout == f"{2**100}\n" and proc.stderr == ""


# --- round two: invalid UTF-8 on stdin (issue 14) ---------------------------------------------------


@pytest.mark.parametrize("locale", ["C", "C.UTF-8", "en_US.UTF-8"])
def test_invalid_utf8_on_stdin_is_one_line_and_nothing_is_lost(locale, tmp_path):
    home = tmp_path / "home"
    env = dict(os.environ, TUTOR_HOME=str(home), PYTHONPATH=str(ROOT), LANG=locale, LC_ALL=locale)
    proc = subprocess.run(
        [sys.executable, "-m", "tutor", "run", "sign-of-the-derivative", "--plain"],
        input=H.INVALID_UTF8_STDIN + b"10x\n",
        env=env,
        capture_output=True,
        timeout=120,
    )
    out = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0 and "Traceback" not in out
    assert out.count("not valid UTF-8") == 1
    from tutor.progress import ProgressStore

    store = ProgressStore(home / "progress.sqlite3")
    answers = [(a.answer, a.verdict) for a in store.attempts("sign-of-the-derivative") if a.kind != "hint"]
    store.close()
    assert answers == [("\ufffd", "invalid"), ("10x", "right")]  # the unreadable line is kept, as seen


# --- the README's "What the tutor refuses, and what it bounds", as written (issue 14) ----------------


def _bounds_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## What the tutor refuses, and what it bounds")
    return " ".join(text[start:].split())  # one line: the numbers may be wrapped anywhere


def test_the_readme_states_the_bounds_the_code_has():
    from tutor import reports, sandbox, watchdog
    from tutor.lesson import check as check_module
    from tutor.progress import APPLICATION_ID

    said = _bounds_section()
    assert f"address-space limit of {watchdog.DEFAULT_MEMORY_MB} MB" in said
    assert f"after {watchdog.DEFAULT_SECONDS:g} s (`derive`), {watchdog.DEFAULT_SECONDS * 6:g} s (`descend`)" in said
    assert f"get {check_module.FILE_SECONDS:g} s in all (`FILE_SECONDS`)" in said
    assert f"{check_module.WALK:g} s to build the walkthrough" in said
    assert f"sandbox too: {sandbox.LESSON_SECONDS:g} s and 1024 MB" in said
    assert f"`{APPLICATION_ID:#x}`" in said
    # issue 19: the table and JSON stream every step (h14's cap, MAX_SHOWN_STEPS, is gone); the notes keep a bounded few
    assert "MAX_SHOWN_STEPS" not in said and f"longer than {reports.NOTES_KEEP:,} steps (`NOTES_KEEP`" in said


def test_the_readme_descend_exact_bound_is_the_one_the_command_uses():
    source = (ROOT / "tutor" / "cli.py").read_text(encoding="utf-8")
    assert "deadline(seconds=None if not exact else 30)" in source  # None: the default, 60 s
    assert "30 s (`descend --exact`)" in _bounds_section()


def _descend_json_streamed(steps: int, tmp_path: Path) -> tuple[int, int, list[str], int]:
    """``tutor descend x^2 ... --format json`` in a new process, its output read line by line as it comes (the
    test keeps none of it): the k of every step in order, the last lines, and the process's peak resident set.

    The wall-clock watchdog is left out (a busy machine is not what this measures); the command is the real one.
    """
    code = (
        "import contextlib, sys; from tutor import watchdog; "
        "watchdog.deadline = lambda **kw: contextlib.nullcontext(); "
        "from tutor.cli import main; sys.argv[0] = 'tutor'; main()"
    )
    args = ["descend", "x^2", "--from", "x=1", "--lr", "1e-9", "--steps", str(steps), "--format", "json"]
    env = dict(os.environ, TUTOR_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT), LANG="C.UTF-8")
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, env=env, text=True)
    expected_k, tail = 0, []
    for line in proc.stdout:
        if line.startswith('      "k": '):
            assert line == f'      "k": {expected_k},\n'  # every step, in order, none skipped or repeated
            expected_k += 1
        tail = [*tail[-11:], line]
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, expected_k, tail, usage.ru_maxrss


def test_many_steps_as_json_stream_every_step_in_the_memory_of_ten(tmp_path):
    """Issue 19 lifts issue 14's cap (MAX_SHOWN_STEPS = 100,000 printed steps, which existed because the whole
    output was built in memory): the steps are written as they come, so 2·10⁵ of them cost what 10 do.

    Kept in memory, 2·10⁵ step records take well over 20 % of the interpreter's own peak, so the bound below
    fails if the runner keeps them; the bench measures 10⁶ steps in 10 variables (`--only memory`).
    """
    status, taken, tail, peak_few = _descend_json_streamed(10, tmp_path)
    assert status == 0 and taken == 11
    status, taken, tail, peak_many = _descend_json_streamed(200_000, tmp_path)
    assert status == 0 and taken == 200_001
    stop = "".join(tail[tail.index("  ],\n") :])  # the steps' list closed, then the stop and the notes
    assert stop.startswith('  ],\n  "stop": {\n    "reason": "max_steps",\n    "k": 200000,\n') and stop.endswith("}\n")
    # the steps kept in memory would take tens of MB; streamed, the peak is the short run's
    assert peak_many < 1.2 * peak_few, (peak_many, peak_few)


@pytest.mark.parametrize("args", H.BIG_NUMBER_COMMANDS[:7], ids=lambda a: short(" ".join(a)))
def test_the_readme_big_number_examples_end_in_one_line_in_a_real_process(args, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    proc = run_tutor(*args, cwd=work, home=tmp_path / "home", timeout=60)
    assert proc.returncode == 1 and proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) <= 3


def test_clicks_own_usage_errors_escape_what_was_typed(tmp_path):
    result = invoke(["descend", "x", "--from", "x=1", "--lr", "1", "--plot", str(tmp_path / "\x1b[2J.txt")])
    assert result.exit_code == 2 and "\\x1b[2J.txt does not end in .png" in result.output
    assert not RAW_CONTROLS.search(result.output.replace("\n", ""))


async def test_the_full_screen_tutor_shows_escapes_and_never_holds_them(tmp_path):
    """Every Static and Markdown widget, the title and the learner's echoed answer: no raw control character."""
    from textual.widgets import Markdown, Static

    from tutor.app.app import TutorApp
    from tutor.lesson.loader import load_lesson

    lesson = tmp_path / "escapes.yaml"
    lesson.write_text(ESC_LESSON, encoding="utf-8")
    app = TutorApp(load_lesson(lesson), [], images=False)

    def contents() -> str:
        screen = app.screen
        texts = [str(screen.title or ""), str(screen.sub_title or "")]
        texts += [str(w.render()) for w in screen.query(Static)]
        texts += [str(getattr(w, "source", "") or getattr(w, "_markdown", "")) for w in screen.query(Markdown)]
        return "\n".join(texts)

    async with app.run_test(size=(100, 32)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        first = contents()
        assert "\\x1b]0;PWNED\\x07" in first  # the title, shown escaped
        assert "\\x1b]52;c;" in first  # the step's Markdown text, shown escaped
        assert not RAW_CONTROLS.search(first.replace("\n", ""))
        await pilot.press("enter")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        box = app.screen.query_one("#answer")
        box.value = "\x1b[2J5"
        box.focus()
        await pilot.press("enter")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        after = contents()
        assert not RAW_CONTROLS.search(after.replace("\n", ""))
        assert "\\x1b" in after


def test_export_never_writes_an_image_through_a_symbolic_link(tmp_path):
    out = tmp_path / "out"
    (out / "sign-of-the-derivative").mkdir(parents=True)
    decoy = tmp_path / "decoy.png"
    decoy.write_bytes(b"keep me")
    (out / "sign-of-the-derivative" / "step-1.png").symlink_to(decoy)
    result = invoke(["export", "sign-of-the-derivative", "-o", str(out)])
    assert result.exit_code == 1 and "symbolic link" in result.output
    assert decoy.read_bytes() == b"keep me"
