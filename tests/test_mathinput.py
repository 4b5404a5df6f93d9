"""The one door from text to sympy: notation, refusals, bounds, columns, fuzzing."""

from __future__ import annotations

import ast
import pathlib
import threading

import hostile_inputs as H
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import Abs, E, Rational, cos, exp, log, pi, sign, sin, sqrt

from tutor import mathinput
from tutor.errors import TutorError
from tutor.mathinput import (
    CONSTANTS,
    FUNCTIONS,
    MathTextError,
    check_variable_name,
    infer_variables,
    parse_assignments,
    parse_expression,
    parse_number,
    parse_vector,
    symbol,
)

x, y, z, m, w = (symbol(n) for n in "xyzmw")
XZM = ["x", "z", "m"]
PWNED = pathlib.Path("/tmp/pwned")


#: A parse that has not answered after this long is hung (a correct one answers in milliseconds).
#: This is a hang detector, not a speed test: speed is measured in tests/benchmarks.
HANG_SECONDS = 10


def without_hanging(fn, *args):
    """fn(*args), failing the test if it hangs; its exception, if any, is raised here."""
    outcome: dict = {}

    def call():
        try:
            outcome["value"] = fn(*args)
        except BaseException as err:
            outcome["error"] = err

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(HANG_SECONDS)
    assert not worker.is_alive(), f"hung on {args[0]!r:.80}"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def refused(text, variables=None, fn=parse_expression) -> MathTextError:
    with pytest.raises(MathTextError) as info:
        fn(text, variables) if fn is not parse_number else fn(text)
    assert info.value.message and "\n" not in info.value.message
    return info.value


# ------------------------------------------------------------------ notation


@pytest.mark.parametrize("text, variables, build", H.NOTATION)
def test_notation_from_the_hostile_list(text, variables, build):
    assert parse_expression(text, variables) == build(*(symbol(v) for v in variables))


@pytest.mark.parametrize("text, variables, build", H.NOTATION_VECTORS)
def test_vectors_from_the_hostile_list(text, variables, build):
    assert parse_vector(text, variables) == build(*(symbol(v) for v in variables))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5x^2", 5 * x**2),
        ("5x**2", 5 * x**2),
        ("10x", 10 * x),
        ("2(w-3)^2", 2 * (w - 3) ** 2),
        ("(x-1)(x+2)", (x - 1) * (x + 2)),
        ("x(x+1)", x * (x + 1)),
        ("3xy", 3 * x * y),
        ("2sin(x)", 2 * sin(x)),
        ("2 sin(x) cos(x)", 2 * sin(x) * cos(x)),
        ("sin(x)^2", sin(x) ** 2),
        ("e^x", exp(x)),
        ("e^(2x+1)", exp(2 * x + 1)),
        ("E**x", exp(x)),
        ("xe^x", x * exp(x)),
        ("2xsin(x)", 2 * x * sin(x)),
        ("ln(x)", log(x)),
        ("log(x)", log(x)),
        ("sqrt(x)", sqrt(x)),
        ("abs(x)", Abs(x)),
        ("sign(x)", sign(x)),
        ("-x^2", -(x**2)),
        ("x^-1", 1 / x),
        ("2^3^2", 512),
        ("x^2y", x**2 * y),
        ("(x+1)^2", (x + 1) ** 2),
        ("x/2/y", x / (2 * y)),
        ("+x", x),
        ("y = 10x", 10 * x),
        ("f(x) = x^2", x**2),
        ("f(x,y)= x*y", x * y),
        ("y' = 2x", 2 * x),
        ("f'(x) = 2x", 2 * x),
        ("f′(x) = 2x", 2 * x),
        ("x − 1", x - 1),
        ("x – 1", x - 1),
        ("x — 1", x - 1),
        ("2 × x", 2 * x),
        ("2·x", 2 * x),
        ("x ÷ 2", x / 2),
        ("x²", x**2),
        ("x³ + y²", x**3 + y**2),
        ("x⁻¹", 1 / x),
        ("x²y", x**2 * y),
        ("ｘ＋１", x + 1),
        ("（ｘ，ｙ）".replace("，", "+"), x + y),
        ("π x", pi * x),
        ("2πx", 2 * pi * x),
        ("½x", x / 2),
        ("0.05x", x / 20),
        ("1e-3 x", x / 1000),
        (".5x", x / 2),
        ("√(x)", sqrt(x)),
        ("2√（x）", 2 * sqrt(x)),
    ],
)
def test_notation(text, expected):
    assert parse_expression(text, ["x", "y", "w"]) == expected


def test_greedy_split_only_with_declared_variables():
    assert parse_expression("3xy", ["x", "y"]) == 3 * x * y
    assert parse_expression("xy", ["x", "y", "xy"]) == symbol("xy")  # a declared name wins
    assert parse_expression("xyx", ["x", "xy"]) == symbol("xy") * x  # longest first
    assert parse_expression("xy") == symbol("xy")  # nothing declared: one name
    assert parse_expression("3xy") == 3 * symbol("xy")
    refused("xq", ["x", "y"])


def test_undeclared_single_letter_before_bracket_is_a_product():
    assert parse_expression("x(x+1)") == x * (x + 1)
    assert "not an allowed function" in refused("foo(x)").message


def test_decimals_stay_exact():
    assert parse_number("0.05") == Rational(1, 20)
    assert parse_number("1e-3") == Rational(1, 1000)
    assert parse_number(".5") == Rational(1, 2)
    assert parse_number("2.5e2") == 250
    assert parse_number("1E3") == 1000
    for text in ("0.05", "1e-3", "2.5"):
        assert isinstance(parse_number(text), sympy.Rational)


def test_variables_are_real():
    f = parse_expression("abs(x)", ["x"])
    assert f.free_symbols == {x}
    assert x.is_real
    assert sympy.diff(f, x) == sign(x)
    assert symbol("x") is symbol("x")


def test_not_simplified_beyond_auto_evaluation():
    assert parse_expression("(x+1)^2", ["x"]) == (x + 1) ** 2
    assert parse_expression("(x+1)^2", ["x"]) != x**2 + 2 * x + 1
    assert parse_expression("2x + 3x", ["x"]) == 5 * x


def test_tables():
    assert FUNCTIONS["ln"] is FUNCTIONS["log"] is sympy.log
    assert FUNCTIONS["abs"] is sympy.Abs
    assert CONSTANTS["pi"] is pi and CONSTANTS["e"] is E


# ------------------------------------------------------------------ lookalikes


@pytest.mark.parametrize("text", H.LOOKALIKES)
def test_lookalike_letters_refused_with_their_name(text):
    e = refused(text, ["x", "a", "o"])
    assert "looks like a Latin letter" in e.message
    assert "(CYRILLIC" in e.message or "(GREEK" in e.message
    assert text[e.column] not in "x2 +1"


def test_cyrillic_message_exact():
    e = refused("2 + х", ["x"])
    assert e.message == "'х' (CYRILLIC SMALL LETTER HA) looks like a Latin letter but is not one; retype it"
    assert e.column == 4


def test_other_letters_and_symbols_refused():
    assert "GREEK SMALL LETTER THETA" in refused("θ + 1").message
    assert "INFINITY" in refused("∞").message
    assert "RIGHT-TO-LEFT OVERRIDE" in refused("x\u202e+1", ["x"]).message
    assert refused("x\x00", ["x"]).column == 1


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize("text", H.CODE_EXECUTION)
@pytest.mark.parametrize("variables", [None, ["x", "y"]])
def test_code_execution_refused(text, variables):
    existed = PWNED.exists()
    for fn in (parse_expression, parse_vector, infer_variables, parse_assignments):
        with pytest.raises(MathTextError):
            fn(text) if fn is infer_variables else fn(text, variables)
    with pytest.raises(MathTextError):
        parse_number(text)
    assert existed or not PWNED.exists()


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("x.args", "attribute"),
        ("'x'", "quotes"),
        ('"x"', "quotes"),
        ("lambda: 1", "':'"),
        ("(lambda: 1)()", "':'"),
        ("[i for i in x]", "'for'"),
        ("(y := 3)", "':'"),
        ("x if x else 1", "'if'"),
        ("x[0]", "brackets"),
        ("sin(x=1)", "'='"),
        ("sin(*x)", "unexpected '*'"),
        ("sin(**x)", "unexpected '**'"),
        ('sympify("x")', "quotes"),
        ("sympify(x)", "'sympify' is not an allowed function"),
        ("S(x)", "'S' is not an allowed function"),
        ("eval(x)", "'eval' is not an allowed function"),
        ("open(x)", "'open' is not an allowed function; allowed: sin, cos"),
        ("__import__(x)", "'_'"),
        ("__class__", "'_'"),
        ("factorial(10**9)", "'factorial' is not an allowed function"),
        ("Integral(x)", "not an allowed function"),
        ("x < 1", "comparisons"),
        ("x == 1", "comparisons"),
        ("x >= 1", "comparisons"),
        ("x and y", "'and' is not allowed"),
        ("not x", "'not' is not allowed"),
        ("x or y", "'or' is not allowed"),
        ("x & y", "'&'"),
        ("x | y", "abs"),
        ("x = 1 = 2", "'='"),
        ("x + y = 2", "'='"),
        ("x; y", "';'"),
        ("x \\ y", "backslash"),
        ("x # y", "'#'"),
        ("x // 2", "'//'"),
        ("x % 2", "'%'"),
        ("x @ y", "'@'"),
        ("sin x", "needs brackets"),
        ("2 3", "two numbers"),
        ("x,y", "comma"),
        ("(x, y)", "comma"),
        ("sin(x, y)", "one argument"),
        ("", "empty"),
        ("   ", "empty"),
        ("y =", "empty"),
        ("()", "empty parentheses"),
        ("x +", "ends too early"),
        ("(x +)", "missing"),
        ("1..2", "'.'"),
        ("1.2.3", "'.'"),
        ("I", "fixed meaning"),
        ("oo", "fixed meaning"),
        ("a" * 21, "too long"),
        ("1/0", "division by zero"),
        ("x/(1-1)", "division by zero"),
        ("log(0)", "no value"),
        ("3½", "as a sum"),
        ("√x", "brackets"),
        ("x ≤ 1", "LESS-THAN OR EQUAL TO"),
    ],
)
def test_refusals(text, fragment):
    e = refused(text)
    assert fragment in e.message, e.message


def test_unknown_names_with_declared_variables():
    e = refused("x + foo", XZM)
    assert e.message == "unknown name 'foo' (the variables are x, z, m)"
    assert e.column == 4
    assert refused("q", ["x"]).message == "unknown name 'q' (the variable is x)"
    assert refused("x", []).message == "unknown name 'x' (no variables are allowed here)"
    assert refused("sinx", ["x"]).message == "'sin' needs brackets: write sin(x)"
    assert parse_expression("sinx") == symbol("sinx")  # nothing declared: a name of its own


@pytest.mark.parametrize("name", H.BAD_VARIABLE_NAMES + ["if", "x-1", "a" * 21, "ｘ", "х", "sqrt", "ln"])
def test_bad_variable_names(name):
    with pytest.raises(MathTextError):
        check_variable_name(name)
    with pytest.raises(MathTextError):
        parse_expression("1", [name])
    with pytest.raises(MathTextError):
        symbol(name)


@pytest.mark.parametrize("name", ["x", "x1", "x_1", "theta", "lr", "W", "a" * 20])
def test_good_variable_names(name):
    check_variable_name(name)
    assert parse_expression(name, [name]) == sympy.Symbol(name, real=True)


def test_not_text_is_refused_too():
    for bad in (None, 3, b"x", ["x"]):
        with pytest.raises(MathTextError):
            parse_expression(bad)
    with pytest.raises(MathTextError):
        check_variable_name(3)
    with pytest.raises(MathTextError):
        parse_expression("x", "x")  # a string is not a list of names


def test_mathtext_error_is_a_tutor_error():
    e = refused("x + foo", ["x"])
    assert isinstance(e, TutorError)
    assert str(e) == e.message
    assert e.text == "x + foo"


# ------------------------------------------------------------------ bounds


@pytest.mark.parametrize(
    "text",
    H.RESOURCE_EXHAUSTION
    + [
        H.HANGS_SYMPY,
        "-" * 300 + "x",
        "2^" * 200 + "2",
        "2^2^2^2^2^2",
        "9^9999 + 9^9999",
        "1" * 1001,
        "1e100000",
        "1e-100000",
        "x^1001",
        "(2x)^100000",
        "x^(10^9)",
        "2^(10^9 x)",
        "sqrt(2)^(10^9)",
        "exp(exp(exp(3)))",
        "exp(10^5)",
        "e^(10^5)",
        "e^(10^9 * log(2))",
        "exp(log(2)*10**9)",
        "(10^999+7)^(1/2)",
        "2^(1/10^50)",
        "cos(pi*exp(exp(exp(3))))",
        "sin(10^(10^5))",
        "2^(pi*10^9)",
        "(" * 60 + ")" * 60,
        "x" * 2001,
    ],
)
def test_resource_inputs_refused_quickly(text):
    with pytest.raises(MathTextError):
        without_hanging(parse_vector, text)


@pytest.mark.parametrize("text", ["9**9**9**9", "2**10**8", "((9**9)**9999)**9999", "10**10**10"])
def test_number_too_large_message(text):
    assert refused(text).message == "number too large"


def test_length_message():
    e = refused("x" * 100_000)
    assert e.message == "answer too long (100000 characters; the limit is 2000)"
    assert len(parse_expression("+".join(["x"] * 999), ["x"]).args) == 2  # 999*x, within the limits


def test_nesting_limit():
    assert "nested too deeply" in refused("(" * 300 + "x" + ")" * 300).message
    assert "nested too deeply" in refused("-" * 100 + "x").message
    assert parse_expression("(" * 40 + "x" + ")" * 40) == x


def test_allowed_big_but_bounded_numbers():
    assert parse_number("2^1000") == 2**1000
    assert parse_number("9^999") == 9**999
    assert parse_number("sqrt(2)^1000") == 2**500
    assert parse_expression("x^1000", ["x"]) == x**1000
    assert parse_number("1" * 1000) == int("1" * 1000)
    assert parse_expression("exp(100x)", ["x"]) == exp(100 * x)


# ------------------------------------------------------------------ columns and carets


@pytest.mark.parametrize(
    "text, variables, column",
    [
        ("x + foo", XZM, 4),
        ("x ** ** 2", ["x"], 5),
        ("x² + foo", ["x"], 5),  # column in the text as typed, not the normalised one
        ("ｘ＋ｆｏｏ", ["x"], 2),
        ("x.args", ["x"], 1),
        ("(x + 1", ["x"], 0),
        ("x + 1)", ["x"], 5),
        ("[x + 1)", ["x"], 6),
        ("x +", ["x"], 3),
        ("2**10**8", None, 1),
        ("y = x + foo", ["x"], 8),
        ("1/0", None, 1),
    ],
)
def test_columns(text, variables, column):
    assert refused(text, variables).column == column


def test_caret():
    e = refused("x + foo", XZM)
    assert e.caret() == "x + foo\n    ^"
    e = refused("ｘ＋ｆｏｏ", ["x"])
    assert e.caret().splitlines()[1] == "    ^"  # full-width characters are two cells wide
    long = refused("x+" * 500 + "foo", ["x"])
    lines = long.caret().splitlines()
    assert len(lines) == 2 and len(lines[0]) < 80 and lines[0][len(lines[1]) - 1] == "f"
    assert MathTextError("m").caret() == "\n"


def test_error_survives_pickling():
    import pickle

    e = pickle.loads(pickle.dumps(refused("x + foo", ["x"])))
    assert (e.message, e.text, e.column) == ("unknown name 'foo' (the variable is x)", "x + foo", 4)


# ------------------------------------------------------------------ vectors, numbers, assignments


def test_parse_vector_forms():
    expected = (4 * x, 12 * z, 21 * m**2)
    for text in (
        "[4x, 12z, 21m^2]",
        "(4x, 12z, 21m^2)",
        "{4x,12z,21m^2}",
        "4x, 12z, 21m^2",
        "∇f = [4x, 12z, 21m^2]",
        "grad = (4x, 12z, 21m^2)",
    ):
        assert parse_vector(text, XZM) == expected, text
    assert parse_vector("4x", XZM) == (4 * x,)
    assert parse_vector("(4x)", XZM) == (4 * x,)
    assert parse_vector("[4x]", XZM) == (4 * x,)
    assert parse_vector("[(x+1)(x-1), 2]", XZM) == ((x + 1) * (x - 1), 2)
    assert parse_vector("［４，１２］", XZM) == (4, 12)
    assert parse_vector("（ｘ，ｚ）", XZM) == (x, z)
    for bad in ("[]", "[1, 2,]", "[1,,2]", "[[1, 2], [3, 4]]", "[1, 2)", "[1, 2", ","):
        refused(bad, XZM, parse_vector)


def test_parse_vector_tells_grouping_from_a_vector():
    assert parse_vector("4x", XZM) == (4 * x,)
    assert parse_vector("(4x)", XZM) == (4 * x,)
    assert parse_vector("[4x]", XZM) == (4 * x,)
    assert parse_vector("4x, 2", XZM) == (4 * x, 2)
    assert parse_vector("(4x, 2)", XZM) == (4 * x, 2)
    assert parse_vector("(x+1)(x+2)", XZM) == ((x + 1) * (x + 2),)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0.05", Rational(1, 20)),
        ("1/20", Rational(1, 20)),
        ("1e-3", Rational(1, 1000)),
        ("-2", -2),
        ("2/3", Rational(2, 3)),
        ("sqrt(2)", sqrt(2)),
        ("pi/4", pi / 4),
        ("−0.5", Rational(-1, 2)),
        ("lr = 0.1", Rational(1, 10)),
        ("e", E),
        ("2^-3", Rational(1, 8)),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["x", "2x", "a", "sqrt(-1)", "[1, 2]", "1, 2", "inf", "nan"])
def test_parse_number_refuses(text):
    refused(text, fn=parse_number)


def test_parse_number_message():
    assert refused("2x", fn=parse_number).message == "unknown name 'x' (a number is expected here)"


def test_parse_assignments():
    got = parse_assignments("x=1,z=2,m=1/2", XZM)
    assert got == {"x": 1, "z": 2, "m": Rational(1, 2)}
    assert list(got) == ["x", "z", "m"]
    assert parse_assignments(" x = 0.5 , y = -1e-3 ") == {"x": Rational(1, 2), "y": Rational(-1, 1000)}
    assert parse_assignments("x=pi/4", ["x"]) == {"x": pi / 4}
    for bad, fragment in [
        ("x=1,x=2", "twice"),
        ("q=1", "unknown name 'q'"),
        ("x=y", "number is expected"),
        ("x=", "write each value"),
        ("1=2", "write each value"),
        ("x=1,,z=2", "empty"),
        ("sin=1", "function"),
        ("x=1 z=2", "number is expected"),
        ("", "no values"),
        ("__import__('os')=1", "quotes"),
        ("x==1", "comparisons"),
    ]:
        with pytest.raises(MathTextError) as info:
            parse_assignments(bad, XZM)
        assert fragment in info.value.message, (bad, info.value.message)
    assert refused_col(lambda: parse_assignments("x=1, q=2", XZM)) == 5


def refused_col(call):
    with pytest.raises(MathTextError) as info:
        call()
    return info.value.column


def test_infer_variables():
    assert infer_variables("2x^2 + 6z^2 + 7m^3") == ("x", "z", "m")
    assert infer_variables("y = 10w + sin(w) + pi + e^a") == ("w", "a")
    assert infer_variables("f(x, y) = x*y + x") == ("x", "y")
    assert infer_variables("[4x, 12z]") == ("x", "z")
    assert infer_variables("3") == ()
    assert infer_variables("xy + x") == ("xy", "x")
    for bad in ("x + foo(1)", "x.args", "", "x +"):
        with pytest.raises(MathTextError):
            infer_variables(bad)


# ------------------------------------------------------------------ no door but this one


def test_source_has_no_eval_or_sympify():
    tree = ast.parse(pathlib.Path(mathinput.__file__).read_text())
    banned = {"eval", "exec", "compile", "sympify", "S", "parse_expr", "__import__", "lambdify"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                assert f.id not in banned, f"line {node.lineno} calls {f.id}"
            elif isinstance(f, ast.Attribute) and not (isinstance(f.value, ast.Name) and f.value.id == "re"):
                assert f.attr not in banned, f"line {node.lineno} calls {f.attr}"


# ------------------------------------------------------------------ fuzzing

MATH_ALPHABET = list("xyzme0123456789.+-*/^()[]{},= '\"_") + [
    "sin",
    "cos",
    "exp",
    "log",
    "sqrt",
    "abs",
    "pi",
    "**",
    "e^",
    "x²",
    "⁻¹",
    "−",
    "×",
    "÷",
    "ｘ",
    "х",
    "π",
    "__",
    "lambda",
    ":",
    ";",
    "\\",
    "#",
    "9**9**9",
    "10**",
    "(",
    ")",
    "½",
    "\u200b",
    "∇f =",
    "y =",
]


def _total(fn, text, variables):
    try:
        result = without_hanging(fn, text, variables)
    except MathTextError as e:
        assert isinstance(e.message, str) and "\n" not in e.message
        assert e.column is None or 0 <= e.column <= len(text)
        result = None
    return result


FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=300))
def test_fuzz_any_text(text):
    for fn in (parse_vector, parse_assignments):
        _total(fn, text, None)
    _total(parse_expression, text, ["x", "y"])
    _total(lambda t, v: parse_number(t), text, None)


@FUZZ
@given(
    st.lists(st.sampled_from(MATH_ALPHABET), max_size=40).map("".join),
    st.sampled_from([None, ["x"], ["x", "y", "z", "m"], []]),
)
def test_fuzz_math_text(text, variables):
    result = _total(parse_vector, text, variables)
    if result is not None:
        for entry in result:
            assert isinstance(entry, sympy.Expr)
            if variables is not None:
                assert {s.name for s in entry.free_symbols} <= set(variables)
    _total(lambda t, v: infer_variables(t), text, None)


@pytest.mark.parametrize("text", ["exp(x^2)", "e^(-x^2)", "exp(-x^2)", "exp(x^2 + y^2)"])
def test_exponentials_of_variables_are_not_too_large(text):
    # a power of a variable is not a huge constant: only constants are bounded by size
    assert parse_expression(text, ["x", "y"]).has(sympy.exp)


def test_a_formula_copied_from_the_screen_reads_back():
    """The lesson screen writes a formula's spaces as U+2800 (Textual's Markdown would break at a no-break space);
    a learner who copies `5⠀x²⠀+⠀1` from the screen into the answer box means 5x² + 1."""
    from tutor.latex_unicode import FORMULA_SPACE

    pasted = FORMULA_SPACE.join(["5", "x²", "+", "1"])
    assert parse_expression(pasted, ("x",)) == parse_expression("5*x**2 + 1", ("x",))
    assert parse_expression(pasted, ("x",)) != parse_expression("5*x**2", ("x",))


# --- a Chinese keyboard (issue 17): read what it types, or say in the learner's language what to type --------


def _refusal(lang: str, parse, text: str) -> MathTextError:
    from conftest import speaking

    def refused():
        with pytest.raises(MathTextError) as info:
            parse(text)
        return info.value

    return speaking(lang, refused)


@pytest.mark.parametrize(
    "text, parse, value",
    [
        ("ｘ² ＋ ２ｘ", lambda t: parse_expression(t, ["x"]), x**2 + 2 * x),  # full-width letters and digits
        ("１／２", parse_number, Rational(1, 2)),
        ("[4、12、21]", lambda t: parse_vector(t, []), (4, 12, 21)),  # 、 separates entries
        ("【-0.5，1】", lambda t: parse_vector(t, []), (Rational(-1, 2), 1)),  # 【】 are brackets
        ("（1，2）", lambda t: parse_vector(t, []), (1, 2)),  # full-width brackets and comma
        ("2x。", lambda t: parse_expression(t, ["x"]), 2 * x),  # the full stop ending a sentence
        ("0。5", parse_number, Rational(1, 2)),  # 。 typed as the decimal point
    ],
)
def test_a_chinese_keyboard_is_read(text, parse, value):
    assert parse(text) == value


@pytest.mark.parametrize(
    "text, digits",
    [("零", "0"), ("一", "1"), ("二", "2"), ("十二", "12"), ("一百零五", "105"), ("半", "1/2"),
     ("二分之一", "1/2"), ("零点五", "0.5"), ("负三", "-3")],
)  # fmt: skip
def test_a_number_written_in_chinese_says_what_to_type(text, digits):
    # worked by hand: 一百零五 = 1·100 + 5, 二分之一 = one of two parts = 1/2, 零点五 = 0.5, 负 = minus
    en = _refusal("en", parse_number, text)
    zh = _refusal("zh", parse_number, text)
    assert en.column == zh.column == 0
    assert f"'{text}' is a number written in Chinese" in en.message and f"as {digits}" in en.message
    assert f"“{text}”是用汉字写的数" in zh.message and f"写成 {digits}" in zh.message


def test_a_number_in_chinese_inside_an_expression_is_found_where_it_is():
    en = _refusal("en", lambda t: parse_expression(t, ["x"]), "2x + 三")
    zh = _refusal("zh", lambda t: parse_expression(t, ["x"]), "2x + 三")
    assert en.column == zh.column == 5 and "as 3" in en.message and "写成 3" in zh.message


@pytest.mark.parametrize("text, column", [("x：2", 1), ("x + 1？", 5), ("《x》", 0)])
def test_chinese_punctuation_is_named_not_guessed(text, column):
    en = _refusal("en", lambda t: parse_expression(t, ["x"]), text)
    zh = _refusal("zh", lambda t: parse_expression(t, ["x"]), text)
    typed = text[column]
    assert en.column == zh.column == column
    assert f"'{typed}' is a Chinese punctuation mark" in en.message and "English punctuation" in en.message
    assert f"“{typed}”是中文标点" in zh.message and "英文标点" in zh.message


def test_a_chinese_word_is_refused_in_the_learners_language():
    en = _refusal("en", lambda t: parse_expression(t, ["x"]), "x的平方")
    zh = _refusal("zh", lambda t: parse_expression(t, ["x"]), "x的平方")
    assert en.column == zh.column == 1
    assert "'的' is a Chinese character" in en.message and "Latin letters" in en.message
    assert "“的”是汉字" in zh.message and "拉丁字母" in zh.message
    assert "CJK UNIFIED IDEOGRAPH" not in zh.message  # no English Unicode names in Chinese


@pytest.mark.parametrize(
    "text, variables, en_words, zh_words",
    [
        ("1、2", None, "a comma can only separate the entries of a vector", "逗号只能用来分隔向量"),
        ("b", [], "unknown name 'b' (no variables are allowed here)", "未知的名称 'b'（这里不允许使用变量）"),
        ("x ? 1", ["x"], "'?' is not allowed", "不允许使用 '?'"),
        ("sinx", ["x"], "'sin' needs brackets", "'sin' 需要括号"),
    ],
)
def test_parser_messages_in_both_languages(text, variables, en_words, zh_words):
    parse = (lambda t: parse_number(t)) if variables is None else (lambda t: parse_expression(t, variables))
    en, zh = _refusal("en", parse, text), _refusal("zh", parse, text)
    assert en.column == zh.column is not None
    assert en_words in en.message and zh_words in zh.message
