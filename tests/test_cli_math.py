"""`tutor derive` and `tutor descend` from the command line: output contracts and errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tutor.cli import main


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_derive_article_gradient_json():
    result = invoke("derive", "2x^2 + 6z^2 + 7m^3", "--at", "x=1,z=1,m=1", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["variables"] == ["x", "z", "m"]
    assert data["gradient"] == ["4*x", "12*z", "21*m**2"]
    assert data["at"] == {"x": "1", "z": "1", "m": "1"}
    assert data["value"] == ["4", "12", "21"]


def test_derive_text_is_readable():
    result = invoke("derive", "2x^2 + 6z^2 + 7m^3", "--at", "x=1,z=1,m=1")
    assert result.exit_code == 0
    assert "∂f/∂z = 12⋅z" in result.output
    assert "(4, 12, 21)" in result.output


def test_derive_one_variable():
    result = invoke("derive", "y = 5x^2", "--at", "x=1", "--format", "json")
    data = json.loads(result.output)
    assert data["gradient"] == ["10*x"] and data["value"] == ["10"] and data["at"] == {"x": "1"}


def test_derive_without_point_has_null_values():
    data = json.loads(invoke("derive", "5x^2", "--format", "json").output)
    assert data["at"] is None and data["value"] is None


def test_descend_json_contract_exact():
    result = invoke("descend", "5x^2", "--from", "x=1", "--lr", "0.05", "--steps", "2", "--exact", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["exact"] is True and data["learning_rate"] == "1/20"
    assert [s["point"] for s in data["steps"]] == [["1"], ["1/2"], ["1/4"]]
    assert [s["value"] for s in data["steps"]] == ["5", "5/4", "5/16"]
    assert [s["gradient"] for s in data["steps"]] == [["10"], ["5"], ["5/2"]]
    assert [s["k"] for s in data["steps"]] == [0, 1, 2]
    assert data["stop"]["reason"] == "max_steps" and data["stop"]["k"] == 2


def test_descend_json_floats_and_sign_change():
    result = invoke("descend", "5x^2", "--from", "x=1", "--lr", "1/5", "--steps", "3", "--format", "json")
    data = json.loads(result.output)
    assert data["exact"] is False and data["learning_rate"] == 0.2
    assert [s["point"][0] for s in data["steps"]] == pytest.approx([1, -1, 1, -1])
    assert [s["sign_change"] for s in data["steps"]] == [[], ["x"], ["x"], ["x"]]


def test_descend_until_sign_change():
    result = invoke(
        "descend", "5x^2", "--from", "x=1", "--lr", "0.15", "--until", "sign-change", "--exact", "--format", "json"
    )
    data = json.loads(result.output)
    # x1 = 1 - 0.15*10 = -1/2: f' went from 10 to -5
    assert data["steps"][1]["point"] == ["-1/2"]
    assert data["stop"] == {"reason": "sign_change", "k": 1, "message": data["stop"]["message"]}


def test_descend_several_variables_table():
    result = invoke("descend", "x^2 + 3y^2", "--from", "x=2,y=1", "--lr", "1/10", "--steps", "2", "--exact")
    assert result.exit_code == 0
    # x1 = 2 - (1/10)*4 = 8/5, y1 = 1 - (1/10)*6 = 2/5
    assert "8/5" in result.output and "2/5" in result.output
    assert "∂f/∂y" in result.output


def test_descend_summary_is_one_line():
    result = invoke("descend", "5x^2", "--from", "x=1", "--lr", "1/10", "--exact", "--format", "summary")
    assert result.output.strip() == "x = 0; f = 0; stop: zero_gradient at k = 1"


def test_descend_diverges_with_an_explanation():
    result = invoke("descend", "5x^2", "--from", "x=1", "--lr", "0.25", "--steps", "200", "--format", "summary")
    assert "stop: diverged" in result.output


@pytest.mark.parametrize(
    "args, words",
    [
        (["derive", "x +"], "error:"),
        (["derive", "__import__('os').system('touch /tmp/pwned')"], "error:"),
        (["derive", "5x^2", "--at", "y=1"], "'y'"),
        (["descend", "5x^2", "--from", "x=1", "--lr", "-1"], "positive"),
        (["descend", "5x^2", "--from", "x=1", "--lr", "0.1", "--until", "maybe"], "unknown stop rule"),
        (["descend", "1/x", "--from", "x=0", "--lr", "0.1", "--format", "summary"], "division by zero"),
    ],
)
def test_errors_are_one_clear_line(args, words):
    result = invoke(*args)
    text = result.output + (result.stderr if hasattr(result, "stderr") else "")
    assert words in text
    assert "Traceback" not in text
    if words == "error:":
        assert result.exit_code == 1


def test_parse_error_has_a_caret_line():
    proc = subprocess.run(
        [sys.executable, "-m", "tutor", "derive", "x + foo", "--vars", "x"], capture_output=True, text=True
    )
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("error:")
    assert any(line.strip() == "^" for line in lines[1:])
    assert "Traceback" not in proc.stderr


def test_usage_error_exits_2():
    assert invoke("descend", "5x^2", "--lr", "0.1").exit_code == 2


def test_help_imports_no_heavy_module():
    code = (
        "import sys; from tutor.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sympy', 'numpy', 'matplotlib', 'textual') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr


def test_an_expression_may_start_with_a_minus():
    result = invoke("derive", "-x^2", "--at", "x=2", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["value"] == ["-4"]


def test_a_learning_rate_beyond_floats_is_refused_in_one_line():
    result = invoke("descend", "x^2", "--from", "x=1", "--lr", "1e999")
    assert result.exit_code == 1 and "too large for floating point" in result.output


def test_a_tolerance_rule_gets_room_to_be_met():
    # |f'(x_k)| = 10 / 2^k <= 1e-8 first at k = 30, beyond the plain default of 20 steps
    result = invoke("descend", "5x^2", "--from", "x=1", "--lr", "0.05", "--until", "tol:1e-8", "--format", "summary")
    assert "stop: tolerance at k = 30" in result.output


def test_plot_never_overwrites_a_file_that_is_not_a_png(tmp_path):
    precious = tmp_path / "notes.png"
    precious.write_text("my notes")
    for target in (precious, tmp_path / "plot.txt", tmp_path / "missing" / "plot.png"):
        result = invoke("descend", "x^2", "--from", "x=1", "--lr", "0.1", "--plot", str(target))
        assert result.exit_code == 2, result.output
    assert precious.read_text() == "my notes"
    assert not (tmp_path / "plot.txt").exists() and not (tmp_path / "missing").exists()


def test_beta_without_an_optimizer_that_uses_it_is_an_error():
    result = invoke("descend", "x^2", "--from", "x=1", "--lr", "0.1", "--beta", "0.9")
    assert result.exit_code == 1 and "--beta is for" in result.output


def test_descend_json_streamed_is_one_document_with_every_step():
    from tutor import descent
    from tutor.mathtext import parse_expression

    out = invoke("descend", "x^2 + 3y^2", "--from", "x=1,y=1", "--lr", "0.01", "--steps", "2500", "--format", "json")
    assert out.exit_code == 0
    data = json.loads(out.output)
    f = parse_expression("x^2 + 3y^2", ["x", "y"])
    run = descent.run(f, ["x", "y"], [1, 1], 0.01, steps=2500)
    assert [s["point"] for s in data["steps"]] == [list(s.point) for s in run.steps]
    assert data["stop"] == {"reason": "max_steps", "k": 2500, "message": run.stop.message}
    assert out.output.endswith("}\n") and data["notes"] == []
    empty = json.loads(invoke("descend", "1/x", "--from", "x=0", "--lr", "0.1", "--format", "json").output)
    assert empty["steps"] == [] and empty["stop"]["reason"] == "undefined"


def test_a_long_float_table_streams_in_columns_wide_enough_for_any_float():
    out = invoke("descend", "x^2", "--from", "x=3", "--lr", "0.0001", "--steps", "3000")
    assert out.exit_code == 0
    lines = out.output.splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("k "))
    rows = lines[header + 2 : header + 2 + 3001]
    assert [int(r.split()[0]) for r in rows] == list(range(3001))
    # every row's cells end in the same columns as the header's
    ends = lambda line: [m.end() for m in __import__("re").finditer(r"\S+", line)][:4]  # noqa: E731
    assert all(ends(r) == ends(lines[header])[:4] for r in rows)
    assert lines[-1].startswith("stopped at k = 3000 (max_steps)")


@pytest.mark.parametrize(
    ("expr", "start", "lr", "options"),
    [
        ("x^2 + 3y^2", "x=1,y=-2", "1/3", {"exact": True, "steps": 30}),
        ("x^2", "x=1", "1.5", {"steps": 100}),  # diverges: the last numbers are null
        ("x^2 + 25y^2", "x=5,y=1", "0.03", {"until": ["sign-change"]}),
        ("1/x", "x=0", "0.1", {}),  # no step at all
        ("x^2 - y^2", "x=1,y=0", "1", {"exact": True, "steps": 3}),  # with notes
        ("5x^2", "x=1", "0.3", {"optimizer": "momentum", "beta": "0.5", "steps": 1500}),
    ],
)
def test_descend_json_streamed_is_the_bytes_of_the_whole_document(expr, start, lr, options):
    """Written step by step, the JSON is byte for byte what json.dumps makes of the whole run at once."""
    from tutor import reports

    args = [f"--{k}" if v is True else f"--{k}={v if isinstance(v, str | int) else v[0]}" for k, v in options.items()]
    out = invoke("descend", expr, "--from", start, "--lr", lr, *args, "--format", "json")
    assert out.exit_code == 0, out.output
    f, walk = reports.descend(expr, None, start, lr, **options)
    run = reports.whole_run(walk)

    def number(value):
        if run.exact:
            return str(value)
        value = float(value)
        return value if value == value and abs(value) != float("inf") else None

    document = {
        "variables": list(run.variables),
        "learning_rate": number(run.learning_rate),
        "exact": run.exact,
        "optimizer": run.optimizer,
        "steps": [
            {
                "k": s.k,
                "point": [number(x) for x in s.point],
                "value": number(s.value),
                "gradient": [number(g) for g in s.gradient],
                "sign_change": list(s.sign_change),
            }
            for s in run.steps
        ],
        "stop": {"reason": run.stop.reason, "k": run.stop.k, "message": run.stop.message},
        "notes": list(reports.descend_notes(f, run)),
    }
    assert out.output == json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def test_the_views_import_no_engine_module():
    """The console (and every other view) renders what tutor.reports or the walkthrough computed; annotations
    may name engine types under TYPE_CHECKING, which never runs."""
    import ast
    from pathlib import Path

    engine = {"calculus", "derivation", "descent", "training", "misconceptions", "codegen", "optimisers", "analysis"}
    tutor = Path(__file__).resolve().parents[1] / "tutor"
    views = [tutor / "console.py", tutor / "plain.py", tutor / "export.py", *tutor.glob("plots/*.py")]
    views += tutor.glob("app/**/*.py")
    found = []
    for path in views:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(n)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
            for n in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom) and node.module:
                named = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                named = [a.name for a in node.names]
            else:
                continue
            if any(len(p := name.split(".")) > 1 and p[0] == "tutor" and p[1] in engine for name in named):
                found.append(f"{path.relative_to(tutor.parent)}:{node.lineno}: {ast.unparse(node)}")
    assert len(views) > 10 and found == []
