"""Inputs the tutor must survive, copied from the team's hostile-inputs list.

Plain data, so every test module can import it and the suite does not depend
on any file outside the repository.  Each group is a sample of its kind; the
tests add more of their own.
"""

# Code execution: each of these runs code or reads files when given to sympify/parse_expr.
CODE_EXECUTION = [
    "__import__('os').system('touch /tmp/pwned')",
    "open('/tmp/pwned','w').write('x')",
    'exec("import os")',
    "(lambda: 1)()",
    "().__class__.__base__.__subclasses__()",
    "x.args",
    'sympify("x")',
    'S("x")',
    'parse_expr("x")',
    'eval("1")',
    "[i for i in range(10)]",
    "x if x else 1",
    "(y := 3)",
]

# A lesson whose *variable name* is one of these must be refused.
BAD_VARIABLE_NAMES = [
    "__import__('os')",
    "__class__",
    "_x",
    "sin",
    "e",
    "E",
    "pi",
    "I",
    "oo",
    "lambda",
    "x y",
    "1x",
    "",
]

# Resource exhaustion: refused at parse time (the size of the *result* is bounded).
RESOURCE_EXHAUSTION = [
    "9**9**9**9",
    "2**10**8",
    "((9**9)**9999)**9999",
    "10**10**10",
    "factorial(10**9)",
    "(" * 300 + "x" + ")" * 300,
    " + ".join(["x"] * 20_000),  # a 20,000-term sum
    "x" * 100_000,  # a 100 kB answer
]

# Passes a syntax check in a naive parser, then hangs sympy (our parser refuses it as too large;
# the sandbox must bound it when it is built or evaluated anyway).
HANGS_SYMPY = "sin(sin(3+exp(exp(exp(3)))))"
# expand((x+1)**2000)-sized work hidden inside an answer check.
EXPAND_WORK = "(x+1)**2000"

# Notation people really type: (text, declared variables, expected as a Python-sympy builder).
# The expected value is a function of the symbols so this module need not import tutor.
NOTATION = [
    ("5x^2", ["x"], lambda x: 5 * x**2),
    ("10x", ["x"], lambda x: 10 * x),
    ("2x^2 + 6z^2 + 7m^3", ["x", "z", "m"], lambda x, z, m: 2 * x**2 + 6 * z**2 + 7 * m**3),
    ("y = 10x", ["x"], lambda x: 10 * x),
    ("f(x) = 10x", ["x"], lambda x: 10 * x),
    ("x − 1", ["x"], lambda x: x - 1),  # U+2212 minus
    ("x²", ["x"], lambda x: x**2),
    ("ｘ", ["x"], lambda x: x),  # full-width x
]
NOTATION_VECTORS = [
    ("{4x, 12z, 21m^2}", ["x", "z", "m"], lambda x, z, m: (4 * x, 12 * z, 21 * m**2)),
    ("[4, 12, 21]", ["x", "z", "m"], lambda x, z, m: (4, 12, 21)),
]
# Must be refused, not silently read as another variable.
LOOKALIKES = [
    "х",  # CYRILLIC SMALL LETTER HA
    "2х + 1",
    "α + 1",  # GREEK SMALL LETTER ALPHA (looks like a)
    "ο",  # GREEK SMALL LETTER OMICRON
]

# For the lesson loader's tests (not used by mathtext/sandbox tests).
YAML = [
    '!!python/object/apply:os.system ["touch /tmp/pwned"]',
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
    "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n",  # billion laughs
    "a: 1\na: 2\n",  # duplicate keys
    "a:\n\tb: 1\n",  # tabs
    "- 1\n- 2\n",  # a top level that is a list
    "lr: 1e-3\n",  # a string in YAML 1.1
    "lr: .nan\n",
    "lr: -.inf\n",
    "lr: no\n",
    "start: 010\n",
    "f: ~\n",
    "f: [4, 12, 21]\n",  # a list where one expression is expected
]
YAML_HUGE_BYTES = 50 * 1024 * 1024  # "a file of 50 MB"

# Mathematics with no happy path: (function, start, note) for the engine's tests.
NO_HAPPY_PATH = [
    ("1/x", {"x": 0}, "undefined at the start"),
    ("log(x)", {"x": -1}, "outside the domain"),
    ("sqrt(x)", {"x": 0}, "derivative undefined"),
    ("abs(x)", {"x": 0}, "not differentiable: subgradient"),
    ("x**3", None, "unbounded below"),
    ("-x**2", None, "unbounded below"),
    ("x**2", {"lr": 1.0}, "oscillates; lr must be below 2/L"),
    ("x**2", {"lr": 1.1}, "diverges; lr must be below 2/L"),
    ("exp(x**2)", {"x": 30}, "overflow in floats"),
]


# --------------------------------------------------------------------------------------------------
# More of the same kinds (the list above is a sample, not the whole of what will be tried).
# Each entry below must be REFUSED wherever an expression (or a number) is expected.

# Other ways into Python: dunders, builtins, attribute access, statements, string prefixes.
MORE_CODE_EXECUTION = [
    "__builtins__",
    "__import__",
    "x.__class__",
    "x.__dict__",
    "().__class__",
    "getattr(x, 'y')",
    "globals()",
    "vars()",
    "locals()",
    "type(x)",
    "dir()",
    "breakpoint()",
    "input()",
    "print(1)",
    "exit()",
    "compile('1', '', 'eval')",
    "import os",
    "from os import system",
    "os.system('ls')",
    "lambda x: x",
    "f'{x}'",
    "b'x'",
    "x if 1 else 2",
    "not x",
    "x and y",
    "x or y",
    "yield x",
    "await x",
    "None",
    "True",
    "x; import os",
    "x # comment",
    "x\\\ny",
    "Symbol('x')",
    "Function('f')(x)",
    "Integral(x, x)",
    "factorial(5)",
    "gamma(x)",
    "Sum(x, (x, 1, 10**9))",
]

# Letters that look like Latin ones, and characters nobody sees.
CONFUSABLES = [
    "οx",  # GREEK SMALL LETTER OMICRON, then x
    "а + 1",  # CYRILLIC SMALL LETTER A
    "е^x",  # CYRILLIC SMALL LETTER IE
    "о",  # CYRILLIC SMALL LETTER O
    "р^2",  # CYRILLIC SMALL LETTER ER
    "с*x",  # CYRILLIC SMALL LETTER ES
    "х^2 + 1",  # CYRILLIC SMALL LETTER HA
    "Х",  # CYRILLIC CAPITAL LETTER HA
    "ρ",  # GREEK SMALL LETTER RHO (looks like p)
    "Α + 1",  # GREEK CAPITAL LETTER ALPHA (looks like A)
    "ν",  # GREEK SMALL LETTER NU (looks like v)
]
INVISIBLE = [
    "x\u200d",  # ZERO WIDTH JOINER
    "x\u200c2",  # ZERO WIDTH NON-JOINER
    "x\u202e1+",  # RIGHT-TO-LEFT OVERRIDE
    "\u202ex^2",
    "x\u2066+1",  # LEFT-TO-RIGHT ISOLATE
    "x\x00",  # NUL
    "\x00",
    "1\x00+1",
    "x\x1b[2J",  # an escape sequence that would clear the terminal
    "x\x07",  # BEL
    "x\x7f",  # DEL
    "x\u0301",  # COMBINING ACUTE ACCENT
]

# Notation from programming languages and calculators that must not be silently misread.
NOTATION_TRAPS = [
    "0x10",  # not 0·x10
    "0b101",
    "0o17",
    "1_000",
    "10!",
    "x!!",
    "%",
    "x%2",
    "x@y",
    "`x`",
    "$x",
    "x$",
    "x|y",
    "x&y",
    "x~y",
    "x?y",
    "x<y",
    "x>=y",
    "y == x",
    "x // 2",
    "x:y",
    "'x'",
    '"x"',
    "x'",
    "1..2",
    ".5.5",
    "x^^2",
    "x***2",
    "∞",
    "nan",
    "inf",
    "oo",
    "zoo",
    "I",
    "sin x",
    "sin^2(x)",
    "√x",
]

# Bounded by the parser: lengths, names, nesting, numbers, exponents.
MORE_RESOURCE_EXHAUSTION = [
    "a" * 5000,  # too long
    "x" * 1999,  # a 1999-letter identifier
    "v" + "1" * 50,  # a long variable name
    "1e999999",
    "1e-999999",
    "10**10**10",
    "2^2^2^2^2^2",
    "e^e^e^e",
    "pi^pi^pi^pi",
    "exp(10000)",
    "exp(exp(10))",
    "cosh(10^5)",
    "(x+1)^1001",  # the exponent on a variable base is bounded
    "x^(10^6)",
    "x^(1/1001)",
    "2^(1/1000)",
    "sin(" * 60 + "x" + ")" * 60,  # 60 nested calls
    "sqrt(" * 60 + "2" + ")" * 60,
    "x^-" * 60 + "2",
    "+" * 100 + "x",
    "[" * 300 + "x" + "]" * 300,
    "+".join(["123456789/987654321"] * 200),  # too long
    "*".join(["123456789/987654321"] * 200),
    "1" * 1200,  # a 1200-digit literal
    "9" * 999 + "^9" * 3,
]

# Every input above that is refused outright, in one list.
REFUSED = sorted(
    set(
        CODE_EXECUTION
        + MORE_CODE_EXECUTION
        + LOOKALIKES
        + CONFUSABLES
        + INVISIBLE
        + NOTATION_TRAPS
        + RESOURCE_EXHAUSTION
        + MORE_RESOURCE_EXHAUSTION
        + [HANGS_SYMPY, EXPAND_WORK]
    )
)

# Heavy-looking but within the bounds: accepted, and answered quickly (never expanded or evaluated).
ACCEPTED_BUT_HEAVY = [
    "(x+1)^1000",  # fine: unexpanded (EXPAND_WORK, (x+1)**2000, is refused)
    "x^x^x^x^x^x",
    "sin(" * 49 + "x" + ")" * 49,
    "sqrt(" * 40 + "x" + ")" * 40,
    "sqrt(" * 40 + "2" + ")" * 40,
    "+".join(["123456789/987654321"] * 99),
    "*".join(["123456789/987654321"] * 99),
    "exp(1000)",
    "1.5^1000",
    "(2/3)^3000",
    "10^-1000",
    "sin(10^1000)",
    "(1+sqrt(2))^1000",
    "x(x(x(x)))",
    "exp(exp(exp(x)))",
]

# Hostile YAML scalars, written raw into a lesson where one value is expected.
YAML_SCALARS = [
    '!!python/object/apply:os.system ["touch /tmp/pwned"]',
    "!!python/name:os.system",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "&a 1",
    "*a",
    "<<: {x: 1}",
    ".nan",
    "-.inf",
    "no",
    "~",
    "",
    "[4, 12, 21]",
    "{x: 1}",
    "0x10",
    "1_000",
    "0o17",
    "- 1",
    "'unterminated",
    '"unterminated',
    "|",
    "@x",
    "%YAML 1.1",
    "\t1",
]

# --- round two (issue 14) -----------------------------------------------------------------------

# Terminal escape sequences, as YAML's "\e" escape or a paste puts them into text: window title,
# clear screen, colour, a clipboard write (OSC 52), a bidi override, C1 CSI, DEL.
ESCAPES = [
    "\x1b]0;PWNED\x07\x1b[2J\x1b[31mRED",
    "\x1b]52;c;cHduZWQ=\x07",
    "\x9b2J",
    "left\u202eright",
    "bell\x07del\x7f",
]

# Command lines whose numbers are too large to compute: each gets one `error:` line (before: minutes,
# gigabytes, or a traceback from Python's 4300-digit limit or from mpmath).
BIG_NUMBER_COMMANDS = [
    ["derive", "x^x^x^x", "--at", "x=10"],
    ["derive", "((x^1000)^1000)^1000", "--at", "x=3"],
    ["derive", "x^x^x", "--at", "x=1e999"],
    ["derive", "x^5", "--at", "x=1e999"],
    ["derive", "x^1000*y^1000", "--at", "x=123456789/987654321,y=3/7"],
    ["derive", "x^(10^6*y)", "--at", "x=3,y=1"],
    ["derive", "sinh(sinh(sinh(x)))", "--at", "x=100"],
    ["descend", "((x^1000)^1000)^1000", "--from", "x=3", "--lr", "1/10", "--steps", "3", "--exact"],
    ["descend", "x^(10^9)", "--from", "x=1", "--lr", "0.1"],
    ["descend", "x^2", "--from", "x=1", "--lr", "1e-400"],
    ["descend", "log(x)", "--from", "x=1e-999", "--lr", "0.1"],
]

# Powers that sympy merges past the exponent limit.
NESTED_POWERS = ["((x^1000)^1000)^1000", "(x^100)^100", "x^600*x^600", "(x^2)^501"]

# Characters whose compatibility form is several letters: not what they look like.
MULTI_LETTER_CHARACTERS = ["Ⅻx", "ﬁ", "㏒(x)"]

# Lesson sections no answer to which can be computed or graded in any bound.
UNANSWERABLE_EVALUATIONS = [("x^x^x^x", "10"), ("sinh(sinh(sinh(x)))", "100")]

# Bytes that are not UTF-8, on stdin in plain mode.
INVALID_UTF8_STDIN = b"\n\n\xff\n"
