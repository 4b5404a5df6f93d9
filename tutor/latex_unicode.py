"""Lesson maths ($...$, $$...$$) made readable in a terminal.

Textual's Markdown shows ``$x^2$`` literally; a terminal has no TeX.  The
common notation of the lessons (fractions, powers, indices, Greek letters,
∇ and ∂) has Unicode forms, so ``$x_{k+1} = x_k - \\eta f'(x_k)$`` reads as
``xₖ₊₁ = xₖ − η f′(xₖ)``.  Anything this does not know is kept as written,
so nothing is lost, only left less pretty.  No mathematics happens here.
"""

from __future__ import annotations

import re

from tutor.safe_text import shown

SYMBOLS = {
    # Greek
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "φ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
    # operators and relations
    "nabla": "∇",
    "partial": "∂",
    "cdot": " · ",
    "times": " × ",
    "div": "÷",
    "pm": "±",
    "mp": "∓",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "ne": "≠",
    "neq": "≠",
    "approx": "≈",
    "equiv": "≡",
    "sim": "∼",
    "propto": "∝",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "Rightarrow": "⇒",
    "implies": "⇒",
    "iff": "⇔",
    "mapsto": "↦",
    "in": "∈",
    "notin": "∉",
    "infty": "∞",
    "sum": "Σ",
    "prod": "Π",
    "int": "∫",
    "ldots": "…",
    "cdots": "⋯",
    "dots": "…",
    "mid": "|",
    "vert": "|",
    "lvert": "|",
    "rvert": "|",
    "Vert": "‖",
    "lVert": "‖",
    "rVert": "‖",
    "langle": "⟨",
    "rangle": "⟩",
    "prime": "′",
    "circ": "∘",
    "star": "⋆",
    "ast": "∗",
    "lbrace": "{",
    "rbrace": "}",
    "{": "{",
    "}": "}",
    "%": "%",
    "$": "$",
    "_": "_",
    "&": "&",
    "#": "#",
    # spacing
    "quad": "  ",
    "qquad": "    ",
    ",": " ",
    ";": " ",
    ":": " ",
    "!": "",
    " ": " ",
    # named functions are upright words
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "exp": "exp",
    "ln": "ln",
    "log": "log",
    "min": "min",
    "max": "max",
    "arg": "arg",
    "lim": "lim",
    "sgn": "sgn",
}
#: Commands that only change size or style: drop them, keep what they apply to.
IGNORED = {
    "left",
    "right",
    "big",
    "Big",
    "bigg",
    "Bigg",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "displaystyle",
    "textstyle",
    "limits",
    "nolimits",
}
#: Commands whose one argument is kept as plain text.
TEXTUAL = {
    "text",
    "mathrm",
    "mathit",
    "mathbf",
    "boldsymbol",
    "operatorname",
    "textbf",
    "textit",
    "mathsf",
    "mathbb",
    "bm",
}

SUPERSCRIPT = dict(zip("0123456789+-=()nikTt′", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵏᵀᵗ′"))
SUBSCRIPT = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))


class _Reader:
    """A tiny recursive reader of TeX maths: groups, commands, ^ and _."""

    def __init__(self, text: str):
        self.text = text
        self.i = 0

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def read(self, stop: str = "") -> str:
        out: list[str] = []
        while self.i < len(self.text):
            c = self.text[self.i]
            if stop and c == stop:
                self.i += 1
                return "".join(out)
            out.append(self.atom())
        return "".join(out)

    def argument(self) -> str:
        """One argument: a {group}, a \\command, or a single character."""
        while self.peek() == " ":
            self.i += 1
        c = self.peek()
        if c == "{":
            self.i += 1
            return self.read("}")
        if c == "\\":
            return self.atom()
        self.i += 1
        return c

    def atom(self) -> str:
        c = self.text[self.i]
        if c == "{":
            self.i += 1
            return self.read("}")
        if c == "^" or c == "_":
            self.i += 1
            return _script(self.argument(), SUPERSCRIPT if c == "^" else SUBSCRIPT, c)
        if c == "\\":
            return self.command()
        if c == "-":
            self.i += 1
            return "−"
        if c == "'":
            self.i += 1
            return "′"
        if c == "~":
            self.i += 1
            return " "
        self.i += 1
        return c

    def juxtaposed(self) -> bool:
        """Whether a factor follows with no space (\\frac{1}{n}\\sum ...): then 1/n needs brackets."""
        rest = self.text[self.i :]
        if re.match(r"\\(cdot|times|quad|qquad|[,;:! ]|le|leq|ge|geq|ne|neq|to|right|approx|div)\b", rest):
            return False
        return bool(rest) and (rest[0].isalnum() or rest[0] in "\\(")

    def command(self) -> str:
        match = re.compile(r"\\([A-Za-z]+|.)").match(self.text, self.i)
        if not match:
            self.i += 1
            return "\\"
        self.i = match.end()
        name = match.group(1)
        if name in ("frac", "tfrac", "dfrac", "cfrac"):
            top, bottom = self.argument(), self.argument()
            fraction = f"{_wrap(top)}/{_wrap(bottom)}"
            return f"({fraction})" if self.juxtaposed() else fraction
        if name == "sqrt":
            if self.peek() == "[":
                end = self.text.find("]", self.i)
                self.i = end + 1 if end > 0 else len(self.text)
            inner = self.argument()
            return "√" + _wrap(inner)
        if name in TEXTUAL:
            return self.argument()
        if name in ("hat", "bar", "vec", "tilde", "dot"):
            mark = {"hat": "\u0302", "bar": "\u0304", "vec": "\u20d7", "tilde": "\u0303", "dot": "\u0307"}[name]
            inner = self.argument()
            return inner + mark if len(inner) == 1 else inner
        if name in IGNORED:
            return ""
        if name in SYMBOLS:
            word = SYMBOLS[name]
            if name.isalpha() and len(word) > 1 and self.peek().isalnum():
                return word + " "
            return word
        return "\\" + name


def _wrap(text: str) -> str:
    """Parenthesise a fraction's part unless it is one number or one name."""
    text = re.sub(r"([∂∇]) +", r"\1", text.strip())
    if re.fullmatch(r"[\w.′∂∇⁰¹²³⁴⁵⁶⁷⁸⁹ⁿᵏ₀-₉ₖₙᵢⱼₓ]+|\([^()]*\)", text):
        return text
    return f"({text})"


def _script(text: str, table: dict[str, str], mark: str) -> str:
    """x^{k+1} → ˣᵏ⁺¹ where every character has a raised/lowered form, else ^(k+1)."""
    text = text.replace("−", "-")
    if text and all(ch in table for ch in text):
        return "".join(table[ch] for ch in text)
    text = text.replace("-", "−")
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


def latex_to_unicode(tex: str) -> str:
    """One piece of TeX maths as Unicode text."""
    out = _Reader(tex).read()
    out = re.sub(r"([∂∇]) +", r"\1", out)
    out = re.sub(r"[ \t]+", " ", out)
    out = re.sub(r"(^|[=(,<>≤≥] ?)− (?=[\w√(])", r"\1−", out)  # a minus sign, not a subtraction
    out = re.sub(r"(?<![\w/.⁰¹²³⁴⁵⁶⁷⁸⁹])(\d+) (?=[A-Za-zα-ω√(])", r"\1", out)  # 4 x -> 4x (not 1/2 x)
    return out.strip()


_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


#: A blank cell that is not whitespace (U+2800, the empty braille pattern): Textual's Markdown turns every
#: whitespace run, no-break spaces included, into one breakable space, so the spaces inside an inline
#: formula are written with this instead, and a line is never broken inside a formula.
FORMULA_SPACE = "\u2800"


def markdown_maths(text: str) -> str:
    """Markdown with its $maths$ turned into Unicode, for Textual's Markdown widget.

    Display maths becomes its own indented line (a code block keeps its
    spacing); inline maths is escaped so Markdown does not read ``*`` or ``_``
    inside it as emphasis.
    """

    def display(m: re.Match[str]) -> str:
        return "\n\n```\n" + latex_to_unicode(m.group(1)) + "\n```\n\n"

    def inline(m: re.Match[str]) -> str:  # a line never ends inside a formula: its spaces are FORMULA_SPACE
        return _MD_SPECIAL.sub(r"\\\1", latex_to_unicode(m.group(1)).replace(" ", FORMULA_SPACE))

    text = _DISPLAY.sub(display, text)
    return shown(_INLINE.sub(inline, text))


def plain_maths(text: str) -> str:
    """The same for plain text (the line-by-line mode): no Markdown escaping."""
    text = _DISPLAY.sub(lambda m: "\n    " + latex_to_unicode(m.group(1)) + "\n", text)
    return shown(_INLINE.sub(lambda m: latex_to_unicode(m.group(1)), text))
