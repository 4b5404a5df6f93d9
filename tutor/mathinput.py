"""The only door from untrusted text to sympy.

Learner answers and lesson files are untrusted. ``sympify`` and ``parse_expr``
call Python's ``eval``, so they are never used here (nor ``eval``/``exec``).
Instead the text is

1. normalised character by character (Unicode minus, ``×``, ``²``, full-width
   forms, ``π`` ...), remembering where each character came from so that an
   error can point at the column the person actually typed;
2. split into tokens by a small hand-written scanner that knows only numbers,
   names and a dozen operators - quotes, dots, ``;``, ``#``, ``:`` ... are
   refused on sight;
3. checked name by name against the declared variables and an allow-list of
   functions and constants - before any sympy object is built;
4. parsed by a recursive-descent parser that builds sympy objects directly,
   with bounds on length, nesting, size of the tree and, above all, on the size
   of the *numbers* that sympy would compute (``9**9**9**9`` is estimated, not
   computed, and refused).

Variables: when ``variables`` is given, only those names (and products of them
written together, ``3xy`` -> ``3*x*y``) are allowed.  When ``variables`` is
None every identifier that is a valid variable name is a variable of its own,
so ``xy`` is ONE variable named ``xy``; a single letter directly followed by
``(`` is a product (``x(x+1)``) and a longer unknown name followed by ``(`` is
refused as an unknown function.
"""

from __future__ import annotations

import functools
import keyword
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, ParamSpec, TypeVar

import sympy

from tutor.errors import TutorError
from tutor.i18n import N_, _, current_language, ngettext

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NODES",
    "MathTextError",
    "check_size_at",
    "check_variable_name",
    "infer_variables",
    "parse_assignments",
    "parse_expression",
    "parse_number",
    "parse_vector",
    "symbol",
]

MAX_LENGTH = 2000  # characters of input
MAX_DEPTH = 50  # nesting of brackets / unary signs / powers
MAX_NODES = 2000  # operations and leaves in one parse
MAX_DIGITS = 4000  # digits of numbers, in total (Python refuses to print ints > 4300 digits)
MAX_LITERAL_DIGITS = 1000  # digits of a single number as typed
MAX_EXPONENT = 1000  # |integer exponent| allowed on a non-numeric base
MAX_ROOT_DIGITS = 300  # digits under roots, in total (sympy factors them when simplifying)
MAX_NAME_LENGTH = 20

FUNCTIONS: dict[str, object] = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "exp": sympy.exp,
    "log": sympy.log,
    "ln": sympy.log,
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
    "Abs": sympy.Abs,
    "sign": sympy.sign,  # Abs: as sympy prints it
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "atan": sympy.atan,
    "arcsin": sympy.asin,
    "arccos": sympy.acos,
    "arctan": sympy.atan,
}
CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E, "E": sympy.E}

_FUNCTION_LIST = "sin, cos, tan, exp, log (ln), sqrt, abs, sign, sinh, cosh, tanh, asin, acos, atan"
# Names sympy or Python give a meaning to; a variable called one of these would confuse people.
_RESERVED = {
    "I",
    "oo",
    "zoo",
    "nan",
    "inf",
    "infinity",
    "S",
    "N",
    "O",
    "Q",
    "E",
    "e",
    "pi",
    "eval",
    "exec",
    "open",
    "compile",
    "sympify",
}
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


class MathTextError(TutorError):
    """A piece of maths text was refused; ``column`` indexes the text as typed."""

    def __init__(self, message: str, text: str | None = None, column: int | None = None):
        super().__init__(message)
        self.text = text
        self.column = column

    def __reduce__(
        self,
    ) -> tuple[
        type[MathTextError], tuple[str, str | None, int | None]
    ]:  # keep text and column when sent between processes
        return (type(self), (self.message, self.text, self.column))

    def caret(self) -> str:
        """The text and, under it, a ``^`` at the column (a window of a long text)."""
        text = self.text or ""
        col = self.column
        if col is None:
            return _printable(text[:70]) + "\n"
        col = max(0, min(col, len(text)))
        start = max(0, min(col - 35, len(text) - 70))
        shown = text[start : start + 70]
        prefix = "…" if start > 0 else ""
        suffix = "…" if start + 70 < len(text) else ""
        pad = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in _printable(prefix + text[start:col]))
        return prefix + _printable(shown) + suffix + "\n" + " " * pad + "^"


def _printable(s: str) -> str:
    return "".join(c if c.isprintable() else " " for c in s)


# --------------------------------------------------------------------------- names

_SYMBOLS: dict[str, sympy.Symbol] = {}


def check_variable_name(name: object) -> None:
    """Refuse a name that is not a plain identifier or that clashes with maths names."""
    if not isinstance(name, str):
        raise MathTextError(_("a variable name must be text"))
    shown = name if len(name) <= 40 else name[:40] + "…"
    if not name:
        raise MathTextError(_("a variable name cannot be empty"))
    if not _NAME_RE.match(name):
        raise MathTextError(
            _("{shown!r} is not a valid variable name (use letters, digits and '_', starting with a letter)").format(
                shown=shown
            ),
            text=name,
        )
    if len(name) > MAX_NAME_LENGTH:
        raise MathTextError(
            _("variable name {shown!r} is too long (the limit is {MAX_NAME_LENGTH} characters)").format(
                shown=shown, MAX_NAME_LENGTH=MAX_NAME_LENGTH
            ),
            text=name,
        )
    if name in FUNCTIONS:
        raise MathTextError(_("{name!r} is a function and cannot be a variable name").format(name=name), text=name)
    if name in CONSTANTS or name in _RESERVED:
        raise MathTextError(
            _("{name!r} has a fixed meaning and cannot be a variable name").format(name=name), text=name
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise MathTextError(_("{name!r} is a reserved word and cannot be a variable name").format(name=name), text=name)


def symbol(name: str) -> sympy.Symbol:
    """The one way to make a variable: real, so ``diff(abs(x))`` is ``sign(x)``."""
    sym = _SYMBOLS.get(name)
    if sym is None:
        check_variable_name(name)
        sym = _SYMBOLS[name] = sympy.Symbol(name, real=True)
    return sym


# ------------------------------------------------------------------- normalisation

_SUPERSCRIPTS = {
    "⁰": "0",
    "¹": "1",
    "²": "2",
    "³": "3",
    "⁴": "4",
    "⁵": "5",
    "⁶": "6",
    "⁷": "7",
    "⁸": "8",
    "⁹": "9",
    "⁺": "+",
    "⁻": "-",
    "⁽": "(",
    "⁾": ")",
    "ⁿ": "n",
}
_MAP = {
    # the tutor's own blank between the parts of an on-screen formula (latex_unicode.FORMULA_SPACE): a learner who
    # copies a formula from the screen pastes it back
    "\u2800": " ",
    # a Chinese keyboard: the enumeration comma separates entries, lenticular brackets are brackets
    # (full-width letters, digits, commas and brackets are already folded to ASCII by NFKC)
    "、": ",",
    "【": "(",
    "】": ")",
    "〔": "(",
    "〕": ")",
    "。": ".",
    "−": "-",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
    "⁃": "-",
    "˗": "-",
    "➖": "-",
    "×": "*",
    "·": "*",
    "⋅": "*",
    "∙": "*",
    "∗": "*",
    "✕": "*",
    "✖": "*",
    "÷": "/",
    "∕": "/",
    "⁄": "/",
    "➗": "/",
    "π": " pi ",  # spaced, so πx is pi·x, not a name "pix"
    "′": "'",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    # invisible characters vanish (they are not spaces): what is read is what the person sees, so
    # "x<ZWSP>y" is xy, as it looks, and "2<soft hyphen>3" is 23
    "\u200b": "",
    "\u2060": "",
    "\ufeff": "",
    "\u00ad": "",
}
# Letters that look like Latin ones; reading them as something else would be a silent mistake.
_LOOKALIKES = set("АВСЕНІЈКМОРЅТХУаеорсухіјѕԁһԛԝѵӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοινκχυρϲϳ")


@dataclass
class _Source:
    """The normalised text and, for each of its characters, the column it came from."""

    original: str
    text: str
    origin: list[int]

    def fail(self, message: str, pos: int | None = None) -> NoReturn:
        column = None if pos is None else self.origin[min(max(pos, 0), len(self.text))]
        raise MathTextError(message, text=self.original, column=column)


def _describe(c: str) -> str:
    """The character and its Unicode name (in English) or, in other languages, its code point."""
    code = f"U+{ord(c):04X}"
    return f"{c!r} ({unicodedata.name(c, code) if current_language() == 'en' else code})"


#: Chinese numerals a learner may type where a number is expected, and the digits to write instead.
_CHINESE_DIGITS = {
    c: str(d) for d, cs in enumerate(("零〇", "一", "二两", "三", "四", "五", "六", "七", "八", "九")) for c in cs
}
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
#: What a Chinese number may be made of: digits, units, 负 (minus), 点 (the decimal point), 分之 (a fraction), 半.
_CHINESE_NUMBER_RE = re.compile(
    "负?(?:[零〇一二两三四五六七八九十百千万点]+分之)?[零〇一二两三四五六七八九十百千万点]+|半"
)
#: Chinese punctuation with no meaning in maths (，（）【】、 and 。 are read as , ( ) ( ) , and .).
_CHINESE_PUNCTUATION = set("：；？！《》〈〉…～")


def _cjk(c: str) -> bool:
    return "CJK" in unicodedata.name(c, "")


def _chinese_integer(word: str) -> int | None:
    """一百零五 -> 105, 十二 -> 12, 两万 -> 20000 (None when it is not a well-formed integer)."""
    total = section = number = 0
    for c in word:
        if c in "零〇":
            number = 0
        elif c in _CHINESE_UNITS:
            section += (number or 1) * _CHINESE_UNITS[c]
            number = 0
        elif c == "万":
            total += (section + number) * 10000
            section = number = 0
        elif c in _CHINESE_DIGITS:
            number = int(_CHINESE_DIGITS[c])
        else:
            return None
    return total + section + number


def _chinese_number(text: str, at: int) -> tuple[str, str] | None:
    """A number written in Chinese at ``at`` (二分之一, 零点五, 负三, 半) and the same number in digits."""
    m = _CHINESE_NUMBER_RE.match(text, at)
    if m is None:
        return None
    word = m.group(0)
    if word == "半":
        return word, "1/2"
    body, sign = (word[1:], "-") if word.startswith("负") else (word, "")
    if "分之" in body:
        below, above = body.split("分之")
        parts = [_chinese_integer(below), _chinese_integer(above)]
        if None in parts or "点" in body:
            return None
        return word, f"{sign}{parts[1]}/{parts[0]}"
    whole, _point, decimals = body.partition("点")
    value = _chinese_integer(whole) if whole else 0
    if value is None or any(c not in _CHINESE_DIGITS for c in decimals):
        return None
    digits = str(value) + ("." + "".join(_CHINESE_DIGITS[c] for c in decimals) if decimals else "")
    return word, sign + digits


def _normalise(text: str) -> _Source:
    if not isinstance(text, str):
        raise MathTextError(_("expected text"))
    if len(text) > MAX_LENGTH:
        raise MathTextError(
            _("answer too long ({text} characters; the limit is {MAX_LENGTH})").format(
                text=len(text), MAX_LENGTH=MAX_LENGTH
            ),
            text=text[:MAX_LENGTH],
        )
    out: list[str] = []
    origin: list[int] = []
    end = len(text.rstrip())
    if text[:end].endswith("。"):  # 2x。 ends a sentence (in the middle, 0。5 is a decimal point)
        end -= 1

    def emit(s: str, at: int) -> None:
        out.append(s)
        origin.extend([at] * len(s))

    i = 0
    while i < len(text):
        c = text[i]
        if i >= end:  # the closing 。 and the spaces after it
            i += 1
            continue
        if c in _SUPERSCRIPTS:  # x²³ -> x^(23): the raised digits ARE the exponent
            emit("^(", i)
            while i < len(text) and text[i] in _SUPERSCRIPTS:
                emit(_SUPERSCRIPTS[text[i]], i)
                i += 1
            emit(")", i - 1)
            continue
        if c in _CHINESE_PUNCTUATION:  # before NFKC, which would make ： a ':' the message could not name
            raise MathTextError(
                _(
                    "'{char}' is a Chinese punctuation mark and means nothing in maths: delete it, "
                    "or switch the keyboard to English punctuation"
                ).format(char=c),
                text=text,
                column=i,
            )
        if c == "√":  # √(x) is sqrt(x); √x would glue into a name
            if text[i + 1 : i + 2] not in ("(", "（"):
                raise MathTextError(_("write √ with brackets: sqrt(...) or √(...)"), text=text, column=i)
            emit("sqrt", i)
            i += 1
            continue
        mapped = _MAP.get(c)
        if mapped is None:
            compat = unicodedata.normalize("NFKC", c)
            if len(compat) > 1 and sum(ch.isalpha() for ch in compat) > 1:  # Ⅻ -> XII, ﬁ -> fi: not what it looks like
                raise MathTextError(
                    _("{char} is not allowed; type its letters or digits one by one").format(char=_describe(c)),
                    text=text,
                    column=i,
                )
            mapped = "".join(_MAP.get(ch, ch) for ch in compat)
        if "/" in mapped and len(mapped) > 1:  # ½ -> (1/2); "3½" would silently mean 3*(1/2)
            if out and out[-1][-1:].isdigit():
                raise MathTextError(
                    _("write {text}{c} as a sum, e.g. 3 + 1/2").format(text=text[max(0, i - 1)], c=c),
                    text=text,
                    column=i,
                )
            mapped = "(" + mapped + ")"
        for ch in mapped:
            if ch.isspace():
                emit(" ", i)
            elif (ch.isascii() and ch.isprintable()) or ch == "∇":
                emit(ch, i)
            else:
                bad = c if len(mapped) == 1 and not c.isascii() else ch
                if not bad.isprintable() or unicodedata.category(bad) == "Cf":
                    msg = _("invisible or control character {bad} in the text").format(bad=_describe(bad))
                elif bad in _LOOKALIKES or c in _LOOKALIKES:
                    msg = _("{bad} looks like a Latin letter but is not one; retype it").format(bad=_describe(bad))
                elif (said := _chinese_number(text, i)) is not None:
                    msg = _("'{word}' is a number written in Chinese: type it with digits, as {digits}").format(
                        word=said[0], digits=said[1]
                    )
                elif _cjk(bad):
                    msg = _(
                        "'{char}' is a Chinese character: write maths with digits, operators and Latin letters "
                        "(a-z), e.g. 1/2 or 2x"
                    ).format(char=bad)
                elif bad.isalpha():
                    msg = _("{bad} is not allowed; use Latin letters (a-z) for names").format(bad=_describe(bad))
                else:
                    msg = _("{bad} is not allowed here").format(bad=_describe(bad))
                raise MathTextError(msg, text=text, column=i)
        i += 1
    origin.append(len(text))
    return _Source(text, "".join(out), origin)


# ----------------------------------------------------------------------- tokens


@dataclass
class _Tok:
    kind: str  # "num", "name", "op" (after resolution also "var", "const", "func")
    text: str
    pos: int  # index into the normalised text
    value: object = None


_NUMBER_RE = re.compile(r"(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?")
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BASE_PREFIX_RE = re.compile(r"[xXbBoO][0-9A-Fa-f]")
_PREFIX_RE = re.compile(  # "y =", "f(x) =", "f'(x, y) =", "∇f ="
    r"\s*∇?\s*(?P<name>[A-Za-z][A-Za-z0-9_]*)\s*'*\s*(?:\(\s*[A-Za-z][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z][A-Za-z0-9_]*)*\s*\))?"
    r"\s*=(?!=)"
)
_REFUSED_CHARS = {
    ".": N_("'.' is only allowed inside a number (attribute access like x.args is not allowed)"),
    '"': N_("quotes are not allowed"),
    "'": N_("quotes are not allowed"),
    ";": N_("';' is not allowed"),
    "\\": N_("a backslash is not allowed"),
    "#": N_("'#' is not allowed"),
    ":": N_("':' is not allowed"),
    "<": N_("comparisons are not allowed"),
    ">": N_("comparisons are not allowed"),
    "!": N_("'!' is not allowed (factorials and comparisons are not supported)"),
    "|": N_("'|' is not allowed; write abs(...) for an absolute value"),
    "%": N_("'%' is not allowed; write a percentage as a decimal (5% is 0.05)"),
    "&": N_("'&' is not allowed"),
    "~": N_("'~' is not allowed"),
    "@": N_("'@' is not allowed"),
    "$": N_("'$' is not allowed"),
    "?": N_("'?' is not allowed"),
    "`": N_("'`' is not allowed"),
    "∇": N_("'∇' is only allowed at the start, as in '∇f = ...'"),
}


def _tokenise(src: _Source, start: int) -> list[_Tok]:
    s, i, toks = src.text, start, []
    while i < len(s):
        c = s[i]
        if c == " ":
            i += 1
        elif c.isdigit() or (c == "." and s[i + 1 : i + 2].isdigit()):
            m = _NUMBER_RE.match(s, i)
            assert m is not None  # the branch's test: a digit, or '.' and a digit
            if s[m.end() : m.end() + 1] == ".":
                src.fail(_("misplaced '.' in a number"), m.end())
            if m.group(0) == "0" and _BASE_PREFIX_RE.match(s, m.end()):  # 0x10 is not 0*x10
                ident = _IDENT_RE.match(s, m.end())
                assert ident is not None  # the prefix matched: a letter follows
                word = ident.group(0)
                src.fail(
                    _(
                        "'0{word}' looks like a hexadecimal, binary or octal number; only decimal numbers are allowed"
                    ).format(word=word),
                    i,
                )
            if s[m.end() : m.end() + 1] == "_":  # 1_000 is not 1*_000
                src.fail(_("'_' cannot group digits; write the number without it (1000, not 1_000)"), m.end())
            toks.append(_Tok("num", m.group(0), i, _number(src, m, i)))
            i = m.end()
        elif c.isalpha() or c == "_":
            m = _IDENT_RE.match(s, i)
            assert m is not None  # the branch's test: a letter or '_'
            toks.append(_Tok("name", m.group(0), i))
            i = m.end()
        elif s.startswith("**", i):
            toks.append(_Tok("op", "**", i))
            i += 2
        elif s.startswith("//", i):
            src.fail(_("'//' is not allowed; use '/'"), i)
        elif s.startswith("==", i) or s.startswith("=>", i):
            src.fail(_("comparisons are not allowed"), i)
        elif c in "+-*/^()[]{},=":
            toks.append(_Tok("op", c, i))
            i += 1
        else:
            refused = _REFUSED_CHARS.get(c)
            src.fail(_(refused) if refused else _("{char!r} is not allowed").format(char=c), i)
    if len(toks) > MAX_NODES:
        src.fail(_("expression too large (more than {MAX_NODES} parts)").format(MAX_NODES=MAX_NODES))
    return toks


def _number(src: _Source, m: re.Match[str], pos: int) -> sympy.Rational:
    """Exact value of a decimal literal: 0.05 is 1/20, 1e-3 is 1/1000."""
    mantissa, exponent = m.group(1), m.group(2)
    whole, _point, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0") or "0"
    exp10 = int(exponent) if exponent and len(exponent.lstrip("+-")) <= 6 else None
    if (exponent and exp10 is None) or len(digits) > MAX_LITERAL_DIGITS:
        src.fail(_("number too large"), pos)
    exp10 = (exp10 or 0) - len(frac)
    if digits != "0" and len(digits) + exp10 > MAX_LITERAL_DIGITS:
        src.fail(_("number too large"), pos)
    if exp10 < -MAX_LITERAL_DIGITS:
        src.fail(_("number too small (too many decimal places)"), pos)
    n = int(digits)
    return sympy.Integer(n * 10**exp10) if exp10 >= 0 else sympy.Rational(n, 10**-exp10)


def _check_brackets(src: _Source, toks: list[_Tok]) -> None:
    """Balance and depth first, so the parser never recurses deeply on bad input."""
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[_Tok] = []
    for t in toks:
        if t.kind != "op":
            continue
        if t.text in "([{":
            stack.append(t)
            if len(stack) > MAX_DEPTH:
                src.fail(
                    _("expression nested too deeply (the limit is {MAX_DEPTH} levels)").format(MAX_DEPTH=MAX_DEPTH),
                    t.pos,
                )
        elif t.text in pairs:
            if not stack:
                src.fail(
                    _("unbalanced parenthesis: this {text!r} has no matching opening bracket").format(text=t.text),
                    t.pos,
                )
            opener = stack.pop()
            if pairs[t.text] != opener.text:
                src.fail(
                    _("unbalanced parenthesis: {text!r} is closed by {text2!r}").format(text=opener.text, text2=t.text),
                    t.pos,
                )
    if stack:
        src.fail(_("unbalanced parenthesis: this {text!r} is never closed").format(text=stack[-1].text), stack[-1].pos)


# --------------------------------------------------------------- name resolution


def _variables(variables: Sequence[str] | None) -> tuple[str, ...] | None:
    if variables is None:
        return None
    if isinstance(variables, str) or not isinstance(variables, Sequence | set | frozenset):
        raise MathTextError(_("the variables must be given as a list of names"))
    names = tuple(dict.fromkeys(variables))
    for name in names:
        check_variable_name(name)
    return names


def _split(name: str, variables: Sequence[str], call_follows: bool) -> list[tuple[str, str]] | None:
    """Split ``xy`` into declared names (longest first), e.g. 3xy -> 3*x*y, xe -> x*e, xsin( -> x*sin(."""
    if len(name) > MAX_NAME_LENGTH * 2:
        return None
    options = [("var", v) for v in sorted(set(variables), key=len, reverse=True)]
    options += [("const", c) for c in ("pi", "e")]
    memo: dict[int, list[tuple[str, str]] | None] = {}  # by position: no exponential backtracking

    def go(at: int) -> list[tuple[str, str]] | None:
        if at == len(name):
            return []
        if at not in memo:
            memo[at] = None
            if call_follows and name[at:] in FUNCTIONS:
                memo[at] = [("func", name[at:])]
            for kind, part in options:
                if memo[at] is None and name.startswith(part, at):
                    tail = go(at + len(part))
                    if tail is not None:
                        memo[at] = [(kind, part)] + tail
        return memo[at]

    return go(0)


def _unknown(name: str, variables: tuple[str, ...] | None, number_only: bool) -> str:
    if number_only:
        return _("unknown name {name!r} (a number is expected here)").format(name=name)
    if not variables:
        return _("unknown name {name!r} (no variables are allowed here)").format(name=name)
    return ngettext(
        "unknown name {name!r} (the variable is {variables})",
        "unknown name {name!r} (the variables are {variables})",
        len(variables),
    ).format(name=name, variables=", ".join(variables))


def _resolve(
    src: _Source, toks: list[_Tok], variables: tuple[str, ...] | None, number_only: bool = False
) -> list[_Tok]:
    """Turn every name into a variable, constant or allowed function - or refuse it."""
    out: list[_Tok] = []
    for k, t in enumerate(toks):
        if t.kind != "name":
            out.append(t)
            continue
        name = t.text
        call = k + 1 < len(toks) and toks[k + 1].text == "("
        shown = name if len(name) <= 30 else name[:30] + "…"
        if name in FUNCTIONS:
            if not call:
                src.fail(_("{name!r} needs brackets: write {name}(...)").format(name=name), t.pos)
            out.append(_Tok("func", name, t.pos, FUNCTIONS[name]))
        elif name in CONSTANTS:
            out.append(_Tok("const", name, t.pos, CONSTANTS[name]))
        elif name.startswith("_"):
            src.fail(_("names starting with '_' are not allowed ({shown!r})").format(shown=shown), t.pos)
        elif keyword.iskeyword(name):
            src.fail(_("{name!r} is not allowed").format(name=name), t.pos)
        elif variables is not None and name in variables:
            out.append(_Tok("var", name, t.pos, symbol(name)))
        elif variables is not None:
            parts = _split(name, variables, call)
            if parts is None:
                if call:
                    src.fail(
                        _("{shown!r} is not an allowed function; allowed: {FUNCTION_LIST}").format(
                            shown=shown, FUNCTION_LIST=_FUNCTION_LIST
                        ),
                        t.pos,
                    )
                for fn in FUNCTIONS:  # "sinx": the brackets are missing
                    if name.startswith(fn) and len(name) > len(fn) and len(fn) > 2:
                        src.fail(
                            _("{fn!r} needs brackets: write {fn}({name})").format(fn=fn, name=name[len(fn) :]), t.pos
                        )
                src.fail(_unknown(shown, variables, number_only), t.pos)
            offset = 0
            for kind, part in parts:
                makers: dict[str, Callable[[str], Any]] = {"var": symbol, "const": CONSTANTS.get, "func": FUNCTIONS.get}
                value = makers[kind](part)
                out.append(_Tok(kind, part, t.pos + offset, value))
                offset += len(part)
        else:
            if call and (len(name) > 1 or name in _RESERVED):
                src.fail(
                    _("{shown!r} is not an allowed function; allowed: {FUNCTION_LIST}").format(
                        shown=shown, FUNCTION_LIST=_FUNCTION_LIST
                    ),
                    t.pos,
                )
            try:
                check_variable_name(name)
            except MathTextError as e:
                src.fail(e.message, t.pos)
            out.append(_Tok("var", name, t.pos, symbol(name)))
    return out


# ------------------------------------------------------------------ size bounds

_LOG10_2 = math.log10(2)


def _digits(r: sympy.Rational) -> float:
    """Digits of numerator plus denominator: what raising ``r`` to a power multiplies."""
    return (abs(int(r.p)).bit_length() + int(r.q).bit_length() - 2) * _LOG10_2


def _raised_digits(b: sympy.Basic) -> float:
    """Digits sympy computes when ``b`` is raised to an integer: powers distribute over products."""
    if isinstance(b, sympy.Rational):
        return _digits(b)
    if b.is_Mul:
        return sum(_raised_digits(a) for a in b.args)
    if b.is_Pow and isinstance(b.exp, sympy.Rational):
        return _raised_digits(b.base) * abs(float(b.exp))
    return 0.0  # sums and function values stay unexpanded: (x+1)**1000 computes nothing


def _pow10(u: float) -> float:
    return math.inf if u > 300 else 10.0**u


class _Builder:
    """Builds sympy objects while estimating sizes BEFORE sympy computes anything big."""

    def __init__(self, src: _Source, values: dict[sympy.Symbol, sympy.Basic] | None = None):
        self.src = src
        self.nodes = 0
        self.digits = 0.0
        self.root_digits = 0.0
        self.memo: dict[sympy.Basic, float] = {}
        self.values = values or {}  # a point: each variable's size is its value's, not |x| <= 1

    def count(self, pos: int, n: int = 1) -> None:
        self.nodes += n
        if self.nodes > MAX_NODES:
            self.src.fail(_("expression too large (more than {MAX_NODES} parts)").format(MAX_NODES=MAX_NODES), pos)

    def spend(self, digits: float, pos: int) -> None:
        self.digits += digits
        if self.digits > MAX_DIGITS:
            self.src.fail(_("number too large"), pos)

    def mag(self, e: sympy.Basic) -> float:
        """Upper bound of log10|e| (a variable counts as |x| <= 1), to refuse huge constants unevaluated."""
        got = self.memo.get(e)
        if got is None:
            got = self.memo[e] = self._mag(e)
        return got

    def _mag(self, e: sympy.Basic) -> float:
        if isinstance(e, sympy.Rational):
            p, q = abs(int(e.p)), int(e.q)
            if p.bit_length() < 900 and q.bit_length() < 900:  # exact: 10^mag(2) must be 2, not 4
                return max(0.0, math.log10(p / q)) if p else 0.0
            return max(0.0, (p.bit_length() - q.bit_length() + 1) * _LOG10_2)
        if e.is_Symbol or e is sympy.I:  # a variable counts as |x| <= 1: only constants can be huge
            value = self.values.get(e)
            return 0.0 if value is None else self.mag(value)
        if isinstance(e, sympy.NumberSymbol):  # pi, e: their own size, or exp(exp(pi)) ~ 1e10 looks like 1e9500
            return max(0.0, math.log10(float(e))) + 0.01
        if e.is_Add:
            return max(self.mag(a) for a in e.args) + math.log10(len(e.args))
        if e.is_Mul:
            return sum(self.mag(a) for a in e.args)
        if e.is_Pow:
            b, x = e.args
            b = self.values.get(b, b)  # at a point, x^k costs the digits of x's value
            size = _digits(b) if isinstance(b, sympy.Rational) else self.mag(b)  # a variable base: |x| <= 1
            return size * _pow10(self.mag(x))
        if isinstance(e, (sympy.exp, sympy.sinh, sympy.cosh)):
            return 0.4343 * _pow10(self.mag(e.args[0]))
        if isinstance(e, (sympy.sin, sympy.cos, sympy.tanh, sympy.atan, sympy.sign)):
            return 1.0
        if isinstance(e, (sympy.log, sympy.asin, sympy.acos)):
            return math.log10(2.31 * max(self.mag(a) for a in e.args) + 1) + 1
        if isinstance(e, sympy.Abs):
            return self.mag(e.args[0])
        return sum(self.mag(a) for a in e.args) + 3 if e.args else 1.0

    def limit(self, e: sympy.Basic, pos: int) -> sympy.Basic:
        if self.mag(e) > MAX_DIGITS:
            self.src.fail(_("number too large"), pos)
        for part in (e, *e.args) if e.is_Mul else (e,):  # sympy merges (x^1000)^1000 and x^600*x^600
            if (
                part.is_Pow
                and isinstance(part.exp, sympy.Rational)
                and not part.base.is_number
                and abs(part.exp.p) > MAX_EXPONENT  # (roots nest cheaply: sqrt(sqrt(x)) is x^(1/4))
            ):
                self.src.fail(_("exponent too large (the limit is {limit})").format(limit=MAX_EXPONENT), pos)
        if e in (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            self.src.fail(_("this has no value (division by zero or a function outside its domain)"), pos)
        return e

    def add(self, terms: list[sympy.Basic], pos: int) -> sympy.Basic:
        if len(terms) == 1:
            return terms[0]
        self.count(pos, len(terms) - 1)
        return self.limit(sympy.Add(*terms), pos)

    def mul(self, factors: list[sympy.Basic], pos: int) -> sympy.Basic:
        if len(factors) == 1:
            return factors[0]
        self.count(pos, len(factors) - 1)
        return self.limit(sympy.Mul(*factors), pos)

    def pow(self, base: sympy.Basic, exp: sympy.Basic, pos: int) -> sympy.Basic:
        self.count(pos)
        if base is sympy.E:
            return self.call(sympy.exp, [exp], pos)
        if isinstance(exp, sympy.Rational):
            if isinstance(base, sympy.Rational):
                if base == 0 and exp < 0:
                    self.src.fail(_("division by zero"), pos)
                if base not in (0, 1, -1):
                    if exp.q > MAX_EXPONENT:
                        self.src.fail(_("number too large"), pos)
                    self.spend(abs(float(exp)) * _digits(base), pos)
            elif abs(exp.p) > MAX_EXPONENT or exp.q > MAX_EXPONENT:
                self.src.fail(
                    _("exponent too large (the limit is {MAX_EXPONENT})").format(MAX_EXPONENT=MAX_EXPONENT), pos
                )
            else:
                self.spend(abs(float(exp)) * _raised_digits(base), pos)
            if exp.q != 1:  # sympy factors b**p under roots: x**(a/q)*y**(b/q) -> (x**a*y**b)**(1/q),
                # and x**(-1/q) -> x**((q-1)/q)/x, so count max(|p|, q) copies of the base
                self.root_digits += max(abs(exp.p), exp.q) * _raised_digits(base)
                if self.root_digits > MAX_ROOT_DIGITS:
                    self.src.fail(_("number too large"), pos)
        elif exp.free_symbols:
            if any(abs(r) > 10**6 for r in exp.atoms(sympy.Rational)):
                self.src.fail(_("number too large"), pos)
        elif self.mag(exp) > 6:
            self.src.fail(_("number too large"), pos)
        return self.real(self.limit(sympy.Pow(base, exp), pos), pos)

    def real(self, e: sympy.Basic, pos: int) -> sympy.Basic:
        """A constant with no real value (sqrt(-2), log(-2), asin(2)) is refused: the tutor's numbers are real."""
        if not e.free_symbols and e.is_real is False:
            self.src.fail(
                _("this has no real value (a root, logarithm or inverse sine of a number outside its domain)"), pos
            )
        return e

    def call(self, fn: Any, args: list[sympy.Basic], pos: int) -> sympy.Basic:
        self.count(pos)
        for a in args:
            self.limit(a, pos)
        if fn is sympy.sqrt:
            return self.pow(args[0], sympy.Rational(1, 2), pos)
        if fn is sympy.log and len(args) == 2:
            base = args[1]
            if base.is_number and (base.is_positive is False or base == 1):
                self.src.fail(_("the base of a logarithm must be positive and not 1"), pos)
        if fn in (sympy.exp, sympy.sinh, sympy.cosh):
            if 0.4343 * _pow10(self.mag(args[0])) > MAX_DIGITS:
                self.src.fail(_("number too large"), pos)
            if fn is sympy.exp:  # exp(k*log(b)) becomes b**k inside sympy: bound it as a power
                coeff, rest = args[0].as_coeff_Mul()
                logs = [f for f in sympy.Mul.make_args(rest) if isinstance(f, sympy.log)]
                if logs:
                    others = [f for f in sympy.Mul.make_args(rest) if not isinstance(f, sympy.log)]
                    self.pow(logs[0].args[0], coeff * sympy.Mul(*others), pos)
        return self.real(self.limit(fn(*args), pos), pos)


def _as_number(value: object) -> sympy.Basic:
    """A point's coordinate as an exact number for the estimate (a float by its shortest decimal)."""
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, float):
        return sympy.Rational(repr(value)) if math.isfinite(value) else sympy.Integer(0)
    numerator: Any = getattr(value, "numerator", value)
    denominator: Any = getattr(value, "denominator", 1)
    return sympy.Rational(int(numerator), int(denominator))


def _brief(value: object) -> str:
    text = str(value)
    return text if len(text) <= 30 else f"{sympy.N(_as_number(value), 3)}"


def check_size_at(expr: sympy.Basic, point: Mapping[str, object], what: str = "this") -> None:
    """Refuse, before sympy computes it, a value at a point too large to compute (``x^x^x^x`` at x = 10).

    The same estimate the parser makes for constants, with each variable as
    large as its value; raises MathTextError ("number too large") when the
    value would pass ``MAX_DIGITS`` digits.
    """
    values = {}
    for name, value in point.items():
        key = name if isinstance(name, sympy.Symbol) else symbol(str(name))
        values[key] = _as_number(value)
    builder = _Builder(_Source("", "", [0]), values)
    try:
        size = builder.mag(expr)
    except (OverflowError, RecursionError):
        size = math.inf
    if size > MAX_DIGITS:
        where = ", ".join(f"{name} = {_brief(value)}" for name, value in point.items())
        raise MathTextError(
            _("number too large: {what} at {where} would have more than {limit} digits, too many to compute").format(
                what=what, where=where, limit=MAX_DIGITS
            )
        )


# ----------------------------------------------------------------------- parser


class _Parser:
    """Recursive descent: sum > product (explicit or implicit) > sign > power > atom."""

    def __init__(self, src: _Source, toks: list[_Tok], end_pos: int):
        self.src, self.toks, self.i = src, toks, 0
        self.end_pos = end_pos
        self.b = _Builder(src)
        self.depth = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def is_op(self, *texts: str) -> bool:
        t = self.peek()
        return t is not None and t.kind == "op" and t.text in texts

    def fail_here(self, what: str = "") -> NoReturn:
        t = self.peek()
        if t is None:
            self.src.fail(_("the expression ends too early") + what, self.end_pos)
        if t.text == ",":
            self.src.fail(_("a comma can only separate the entries of a vector"), t.pos)
        if t.text == "=":
            self.src.fail(_("'=' is not allowed here"), t.pos)
        if t.text in "[]{}":
            self.src.fail(_("square and curly brackets are only for vectors; use ( ) for grouping"), t.pos)
        if t.text == ")":
            self.src.fail(_("something is missing before this ')'"), t.pos)
        self.src.fail(_("unexpected {text!r}").format(text=t.text) + what, t.pos)

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.src.fail(
                _("expression nested too deeply (the limit is {MAX_DEPTH} levels)").format(MAX_DEPTH=MAX_DEPTH), pos
            )

    def parse(self) -> sympy.Basic:
        if not self.toks:
            self.src.fail(_("the answer is empty"), self.end_pos)
        e = self.sum()
        if self.peek() is not None:
            self.fail_here()
        return self.b.limit(e, self.end_pos)

    def sum(self) -> sympy.Basic:
        pos = first.pos if (first := self.peek()) else self.end_pos
        terms = [self.term()]
        while self.is_op("+", "-"):
            op = self.toks[self.i]
            self.i += 1
            t = self.term()
            terms.append(t if op.text == "+" else self.b.mul([sympy.Integer(-1), t], op.pos))
        return self.b.add(terms, pos)

    def term(self) -> sympy.Basic:
        pos = first.pos if (first := self.peek()) else self.end_pos
        factors = [self.unary()]
        while (t := self.peek()) is not None:
            if t.kind == "op" and t.text in ("*", "/"):
                self.i += 1
                f = self.unary()
                factors.append(f if t.text == "*" else self.b.pow(f, sympy.Integer(-1), t.pos))
            elif t.kind != "op" or t.text == "(":  # implicit product: 5x, 2(x+1), (x-1)(x+2)
                if t.kind == "num" and self.toks[self.i - 1].kind == "num":
                    self.src.fail(_("two numbers in a row; put an operator between them"), t.pos)
                factors.append(self.power())
            else:
                break
        return self.b.mul(factors, pos)

    def unary(self) -> sympy.Basic:
        t = self.peek()
        if t is not None and t.kind == "op" and t.text in ("+", "-"):
            self.enter(t.pos)
            self.i += 1
            inner = self.unary()
            self.depth -= 1
            return inner if t.text == "+" else self.b.mul([sympy.Integer(-1), inner], t.pos)
        return self.power()

    def power(self) -> sympy.Basic:
        base = self.atom()
        t = self.peek()
        if t is not None and t.kind == "op" and t.text in ("^", "**"):
            self.enter(t.pos)
            self.i += 1
            exp = self.unary()  # right-associative; allows x^-1
            self.depth -= 1
            return self.b.pow(base, exp, t.pos)
        return base

    def atom(self) -> sympy.Basic:
        t = self.peek()
        if t is None or (t.kind == "op" and t.text != "("):
            self.fail_here()
        self.i += 1
        if t.kind in ("num", "var", "const"):
            self.b.count(t.pos)
            if t.kind == "num":
                self.b.spend(_digits(t.value), t.pos)
            return t.value
        if t.kind == "func":
            self.i += 1  # the "(" checked by _resolve
            self.enter(t.pos)
            args = [self.sum()]
            while self.is_op(",") and t.text == "log" and len(args) == 1:
                self.i += 1
                args.append(self.sum())
            if not self.is_op(")"):
                if self.is_op(","):
                    many = _("one or two arguments") if t.text == "log" else _("one argument")
                    self.src.fail(_("{text} takes {many}").format(text=t.text, many=many), self.toks[self.i].pos)
                self.fail_here()
            self.i += 1
            self.depth -= 1
            return self.b.call(t.value, args, t.pos)
        self.enter(t.pos)  # "("
        if self.is_op(")"):
            self.src.fail(_("empty parentheses"), t.pos)
        inner = self.sum()
        if not self.is_op(")"):
            self.fail_here()
        self.i += 1
        self.depth -= 1
        return inner


# ------------------------------------------------------------------- public API


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _public(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Whatever happens inside, callers only ever see MathTextError."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        text = args[0] if args else kwargs.get("text")
        try:
            return fn(*args, **kwargs)
        except MathTextError:
            raise
        except (Exception, RecursionError, MemoryError) as e:  # a bug or sympy surprise: still one line
            raise MathTextError(
                _("could not read this ({name})").format(name=type(e).__name__),
                text=text if isinstance(text, str) else None,
            ) from None

    return wrapper


def _prepare(
    text: str, variables: Sequence[str] | None, *, strip_prefix: bool = True, number_only: bool = False
) -> tuple[_Source, list[_Tok]]:
    src = _normalise(text)
    start = 0
    if strip_prefix:
        m = _PREFIX_RE.match(src.text)
        if m and m.group("name") not in FUNCTIONS:  # "sin(x) = 0" is an equation, not a label
            start = m.end()
    toks = _tokenise(src, start)
    _check_brackets(src, toks)
    return src, _resolve(src, toks, _variables(variables), number_only)


def _split_commas(toks: list[_Tok]) -> list[tuple[list[_Tok], int | None]]:
    """Split at top-level commas; each part with the position just after it (None after the last)."""
    parts: list[tuple[list[_Tok], int | None]] = []
    depth, cur = 0, list[_Tok]()
    for t in toks:
        if t.kind == "op" and t.text in "([{":
            depth += 1
        elif t.kind == "op" and t.text in ")]}":
            depth -= 1
        if depth == 0 and t.kind == "op" and t.text == ",":
            parts.append((cur, t.pos))
            cur = []
        else:
            cur.append(t)
    parts.append((cur, None))
    return parts


def _outer_bracket(toks: list[_Tok]) -> str | None:
    """'[' / '{' / '(' when one bracket pair encloses everything."""
    if len(toks) < 2 or toks[0].kind != "op" or toks[0].text not in "([{":
        return None
    depth = 0
    for k, t in enumerate(toks):
        if t.kind == "op" and t.text in "([{":
            depth += 1
        elif t.kind == "op" and t.text in ")]}":
            depth -= 1
            if depth == 0:
                return toks[0].text if k == len(toks) - 1 else None
    return None


def _expression(src: _Source, toks: list[_Tok], end_pos: int) -> sympy.Basic:
    return _Parser(src, toks, end_pos).parse()


def _entries(src: _Source, toks: list[_Tok], force_vector: bool) -> tuple[sympy.Basic, ...] | None:
    """The vector's entries, or None when the tokens are a single expression."""
    outer = _outer_bracket(toks)
    inner = toks[1:-1] if outer else toks
    parts = _split_commas(inner)
    if len(parts) == 1 and not (force_vector and outer in ("[", "{")):
        return None
    if outer and not inner:
        src.fail(_("the vector is empty"), toks[0].pos)
    values = []
    for part, comma in parts:
        end = comma if comma is not None else (toks[-1].pos if outer else len(src.text))
        if not part:
            src.fail(_("an entry of the vector is empty"), end)
        values.append(_expression(src, part, end))
    return tuple(values)


@_public
def parse_expression(text: str, variables: Sequence[str] | None = None) -> sympy.Expr:
    """One expression such as ``5x^2 + 3z`` (an optional leading ``y =`` is dropped)."""
    src, toks = _prepare(text, variables)
    return _expression(src, toks, len(src.text))


@_public
def parse_vector(text: str, variables: Sequence[str] | None = None) -> tuple[sympy.Expr, ...]:
    """``[a, b]``, ``(a, b)``, ``{a, b}`` or ``a, b``; one expression gives a 1-tuple."""
    src, toks = _prepare(text, variables)
    if not toks:
        src.fail(_("the answer is empty"), len(src.text))
    values = _entries(src, toks, force_vector=True)
    return values if values is not None else (_expression(src, toks, len(src.text)),)


@_public
def parse_number(text: str) -> sympy.Expr:
    """An exact constant: ``0.05`` -> 1/20, ``1e-3``, ``2/3``, ``sqrt(2)``, ``pi/4``; no variables."""
    src, toks = _prepare(text, (), number_only=True)
    value = _expression(src, toks, len(src.text))
    if value.is_real is False:
        src.fail(_("this is not a real number"))
    return value


@_public
def parse_assignments(text: str, variables: Sequence[str] | None = None) -> dict[str, sympy.Expr]:
    """``x=1, z=2, m=1/2`` -> ``{"x": 1, "z": 2, "m": 1/2}``; each value is a number."""
    declared = _variables(variables)
    src = _normalise(text)
    raw = _tokenise(src, 0)
    _check_brackets(src, raw)
    if not raw:
        src.fail(_("no values given; write them like x=1, y=2"), len(src.text))
    result: dict[str, sympy.Expr] = {}
    for part, comma in _split_commas(raw):
        end = comma if comma is not None else len(src.text)
        if not part:
            src.fail(_("an empty entry; write values like x=1, y=2"), end)
        if len(part) < 3 or part[0].kind != "name" or part[1].text != "=":
            src.fail(_("write each value as name=number, e.g. x=1"), part[0].pos)
        name = part[0].text
        try:
            check_variable_name(name)
        except MathTextError as e:
            src.fail(e.message, part[0].pos)
        if declared is not None and name not in declared:
            src.fail(_unknown(name, declared, False), part[0].pos)
        if name in result:
            src.fail(_("{name!r} is given twice").format(name=name), part[0].pos)
        value = _expression(src, _resolve(src, part[2:], (), number_only=True), end)
        if value.is_real is False:
            src.fail(_("this is not a real number"), part[2].pos)
        result[name] = value
    return result


@_public
def infer_variables(text: str) -> tuple[str, ...]:
    """Variable names in order of first use (every identifier that is not a function or constant)."""
    src, toks = _prepare(text, None)
    if not toks:
        src.fail(_("the answer is empty"), len(src.text))
    if _entries(src, toks, force_vector=True) is None:
        _expression(src, toks, len(src.text))
    return tuple(dict.fromkeys(t.text for t in toks if t.kind == "var"))
