"""The lesson as a teacher wrote it, validated, with every expression parsed.

The loader (:mod:`tutor.lesson.loader`) builds these from YAML; the
walkthrough (:mod:`tutor.walkthrough`) turns them into steps and questions.
Every node keeps the source line and column it came from, so later checks
(running the mathematics) can still point at the right place in the file.
Expressions are already sympy objects here: text never goes further than the
loader, which hands it to :mod:`tutor.mathinput`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from tutor.errors import TutorError
from tutor.i18n import N_, _
from tutor.schedules import Schedule
from tutor.text import Text


@dataclass(frozen=True)
class Where:
    """A place in a lesson file, 1-based like an editor shows it."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{one_line(self.path)}:{self.line}:{self.column}"


#: Patterns of wrong answers feedback may name instead of one literal answer.
PATTERNS = ("wrong_sign", "factor", "up_to_constant")
#: A diagnostic's severity, said in the learner's language where it is printed.
SEVERITIES = (N_("error"), N_("warning"), N_("note"))


@dataclass(frozen=True)
class Feedback:
    """An author-listed wrong answer (or a pattern of them) and what it deserves to hear.

    ``pattern``: ``wrong_sign`` (minus the right answer), ``factor`` (the right
    answer times ``factor``) or ``up_to_constant`` (``answer`` plus any
    constant).  The walkthrough turns the first two into literal answers
    from each question's own right answer.
    """

    answer: Any  # parsed: sympy expression, tuple of them, or a choice key (None for a pattern)
    says: Text
    where: Where | None = None
    pattern: str | None = None
    factor: Any = None


@dataclass(frozen=True)
class AnswerTest:
    """A STACK-style question test: this answer must get this verdict (and feedback containing ``says``)."""

    answer: str  # as a learner would type it
    verdict: str  # "right" | "wrong" | "invalid"
    says: str | None = None
    where: Where | None = None


@dataclass(frozen=True)
class Help:
    """What any question may carry: ordered hints, a worked solution, feedback, answer tests."""

    hints: tuple[Text, ...] = ()
    solution: Text | None = None
    feedback: tuple[Feedback, ...] = ()
    tests: tuple[AnswerTest, ...] = ()


@dataclass(frozen=True)
class Function:
    """f and its variables, in order (the gradient's order)."""

    expr: sp.Expr
    variables: tuple[str, ...]
    source: str  # the text as written, for showing back to the teacher
    where: Where | None = None


@dataclass(frozen=True)
class Display:
    """How a section's run tables are shown: decimals for inexact values, and how many rows."""

    decimals: int | None = None
    rows: int | None = None


@dataclass(frozen=True, kw_only=True)
class SectionBase:
    """What every section has: an optional title and text, and where it is written.

    ``places`` maps each key to where its value is written, so that checks run
    later (the mathematics) still point at the right line.
    """

    title: Text | None = None
    text: Text | None = None
    where: Where | None = None
    places: dict[str, Where] = field(default_factory=dict, compare=False, repr=False)
    display: Display | None = None


@dataclass(frozen=True)
class PlotRange:
    """What an explain section wants drawn."""

    function: Function
    x_range: tuple[float, float] = (-2.0, 2.0)


@dataclass(frozen=True)
class Explain:
    """Text to read (its ``text`` is required), optionally with a plot."""

    text: Text
    title: Text | None = None
    plot: PlotRange | None = None
    where: Where | None = None
    places: dict[str, Where] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Derive(SectionBase):
    """Ask for f'(x), ∂f/∂v, or the whole gradient (``of`` is a variable or "gradient")."""

    function: Function
    of: str
    prompt: Text | None = None
    help: Help = field(default_factory=Help)


@dataclass(frozen=True)
class Evaluate(SectionBase):
    """Ask for f, ∂f/∂v or the gradient at a point; exact unless a tolerance is given."""

    function: Function
    what: str  # "value" | "derivative" | "gradient"
    at: dict[str, sp.Expr]
    of: str | None = None  # for what == "derivative" with several variables
    tolerance: float | None = None
    prompt: Text | None = None
    help: Help = field(default_factory=Help)


@dataclass(frozen=True)
class Optimizer:
    """A key of :data:`tutor.optimisers.OPTIMISERS` and the settings the lesson gives it (None: the default)."""

    name: str = "gd"
    beta: sp.Expr | None = None
    #: its other settings by key (eps, alpha, beta2, ...)
    others: Mapping[str, sp.Expr] = field(default_factory=dict)

    @property
    def settings(self) -> dict[str, sp.Expr]:
        """Every setting the lesson gives, by key, β included: what ``make_optimizer(name, **settings)`` takes."""
        given = dict(self.others)
        if self.beta is not None:
            given["beta"] = self.beta
        return given


#: The questions a descent can ask at each iteration, in the order asked.
ITERATION_QUESTIONS = ("derivative", "direction", "next", "sign_change")


@dataclass(frozen=True)
class Descent(SectionBase):
    """A run the learner does by hand for ``by_hand`` iterations; the engine does the rest."""

    function: Function
    start: dict[str, sp.Expr]
    learning_rate: sp.Expr
    optimizer: Optimizer = field(default_factory=Optimizer)
    stop: tuple[str, ...] = ("zero",)  # stop rules, as for tutor descend --until
    max_steps: int = 20
    by_hand: int = 3
    ask: tuple[str, ...] = ITERATION_QUESTIONS
    expect: str | None = None  # "converge" | "oscillate" | "diverge" | "sign_change" | "unbounded"
    exact: bool = True
    help: dict[str, Help] = field(default_factory=dict)  # per question kind in ``ask``
    schedule: Schedule | None = None  # a learning-rate schedule (plain gradient descent)


#: What a learner may predict about a run.
OUTCOMES = ("converge", "oscillate", "diverge")


@dataclass(frozen=True)
class Predict(SectionBase):
    """'With this learning rate, will it converge, oscillate or diverge?' — then the run shows it."""

    function: Function
    start: dict[str, sp.Expr]
    learning_rate: sp.Expr
    steps: int = 10
    prompt: Text | None = None
    help: Help = field(default_factory=Help)


@dataclass(frozen=True)
class DataSet:
    """Samples of (x, y); inline, or generated from a seed as y = w x + b + noise."""

    x: tuple[sp.Expr, ...]
    y: tuple[sp.Expr, ...]
    seed: int | None = None
    where: Where | None = None


@dataclass(frozen=True)
class RegressionModel:
    """The regression model of a training section: y = w*x + b, say, with w, b the parameters and x the input."""

    expr: sp.Expr
    parameters: tuple[str, ...]  # what training changes, e.g. ("w", "b")
    input: str = "x"
    source: str = ""
    where: Where | None = None


#: The four steps of one weight update, as the source article lists them.
TRAINING_QUESTIONS = ("predict", "loss", "gradient", "update")


@dataclass(frozen=True)
class TrainingStep(SectionBase):
    """One update by hand: predict, loss (MSE), gradient of the loss, update the weights."""

    data: DataSet
    model: RegressionModel
    start: dict[str, sp.Expr]  # initial parameter values
    learning_rate: sp.Expr
    loss: str = "mse"
    samples: tuple[int, ...] | None = None  # which samples this update uses (None: all)
    ask: tuple[str, ...] = TRAINING_QUESTIONS
    then_steps: int = 0  # after the hand update, the engine runs this many more
    help: dict[str, Help] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchCompare(SectionBase):
    """Batch vs stochastic vs mini-batch on the same data and seed."""

    data: DataSet
    model: RegressionModel
    start: dict[str, sp.Expr]
    learning_rate: sp.Expr
    batch_size: int = 2
    epochs: int = 5
    seed: int = 0
    loss: str = "mse"
    by_hand: bool = True  # the learner computes the first update of each kind
    help: dict[str, Help] = field(default_factory=dict)


#: What a question part may ask the engine for.
QUESTION_ASKS = (
    "value",
    "derivative",
    "curvature",
    "stability_bound",
    "stationary_points",
    "minimum_reached",
    "steps_to_tolerance",
    "loss_after_epoch",
)


@dataclass(frozen=True)
class Option:
    """One option of a multiple-choice part, and why it is right or wrong."""

    text: Text
    correct: bool = False
    explain: Text | None = None
    where: Where | None = None


@dataclass(frozen=True)
class Part:
    """One part of a question: an engine quantity (``ask``), an author formula (``answer``) or a choice.

    ``answer`` is an expression of earlier parts' ``name``s: the grader puts
    in the learner's own earlier answers (error carried forward).
    """

    ask: str | None = None
    answer: sp.Expr | None = None
    uses: tuple[str, ...] = ()  # the earlier parts' names ``answer`` uses
    options: tuple[Option, ...] = ()
    name: str | None = None
    at: dict[str, sp.Expr] | None = None  # value, derivative
    near: dict[str, sp.Expr] | None = None  # curvature, stability_bound: the minimum nearest this point
    below: sp.Expr | None = None  # steps_to_tolerance: until |f'| < below
    start: dict[str, sp.Expr] | None = None  # loss_after_epoch: the model's parameters before the epoch
    descent: str = "batch"  # loss_after_epoch: batch, stochastic or minibatch
    batch_size: int = 2  # loss_after_epoch, minibatch: samples per update
    seed: int = 0  # loss_after_epoch: the shuffle order (tutor.training.shuffled_order)
    prompt: Text | None = None
    tolerance: float | None = None
    help: Help = field(default_factory=Help)
    where: Where | None = None


@dataclass(frozen=True)
class Ask(SectionBase):
    """A question of the author's own, in one or more parts, about ``function`` (and a run from ``start``)."""

    parts: tuple[Part, ...]
    function: Function | None = None
    start: dict[str, sp.Expr] | None = None
    learning_rate: sp.Expr | None = None
    max_steps: int = 1000
    model: RegressionModel | None = None  # what loss_after_epoch trains, on ``data``
    data: DataSet | None = None


Section = Explain | Derive | Evaluate | Descent | Predict | TrainingStep | BatchCompare | Ask


@dataclass(frozen=True)
class Requirement:
    """A constraint between a lesson's parameters: ``lhs op rhs``, e.g. a*eta < 1."""

    lhs: sp.Expr
    op: str  # "<" | "<=" | ">" | ">=" | "==" | "!="
    rhs: sp.Expr
    source: str
    where: Where | None = None


@dataclass(frozen=True)
class Variants:
    """The parameters a lesson draws per learner: each name's values, in order, and the constraints between them.

    Variant n (counting from 1) is the n-th combination, in the order of
    ``names`` and of each name's values, that meets every requirement.
    """

    names: tuple[str, ...]
    values: dict[str, tuple[sp.Expr, ...]] = field(hash=False)
    require: tuple[Requirement, ...] = ()
    check: int | None = None  # tutor check checks at most this many (a deterministic sample); None: the default
    where: Where | None = None


@dataclass(frozen=True)
class Lesson:
    id: str
    title: Text
    summary: Text
    sections: tuple[Section, ...]
    order: int = 100  # position in the list of lessons
    figures: int | None = None  # significant figures a decimal needs to stand for an exact answer (None: 4)
    path: str = ""
    where: Where | None = None
    places: dict[str, Where] = field(
        default_factory=dict, compare=False, repr=False
    )  # key -> where its value is written
    variants: Variants | None = field(default=None, compare=False)  # None: the same numbers for every learner
    variant: int = 0  # which variant this is (0 when the lesson has none)
    values: dict[str, sp.Expr] = field(default_factory=dict, compare=False)  # the parameters in this variant
    chosen: bool = field(default=False, compare=False)  # the variant was asked for (--variant), not the learner's


# --- what is wrong with a lesson ---------------------------------------------------------


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a lesson file, printed as ``PATH:LINE:COL: error: message``."""

    where: Where
    severity: str  # "error" | "warning" (SEVERITIES)
    message: str

    def __post_init__(self) -> None:
        # A message may quote the lesson's own text: keep it on one line and free of terminal control codes.
        object.__setattr__(self, "message", one_line(self.message))

    def __str__(self) -> str:
        return f"{self.where}: {_(self.severity)}: {self.message}"


def one_line(text: str) -> str:
    """Text safe to print on one line: line breaks become spaces, other invisible characters are escaped."""
    return "".join(
        c if c.isprintable() else " " if c in "\n\r\t" else c.encode("unicode_escape").decode("ascii")
        for c in str(text)
    )


class LessonError(TutorError):
    """A lesson that cannot be used; carries every diagnostic found, first one in the message."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        first = self.diagnostics[0] if self.diagnostics else None
        super().__init__(str(first) if first else "invalid lesson")
