"""The typed contract between the walkthrough and its views: one frozen payload per step kind, one context per question.

A :class:`~tutor.walkthrough.steps.Step` carries exactly one payload; a view
renders it with ``match step.payload:`` and never asks the engine anything: the
walkthrough has already computed every number, derivation line, sign and
minimum it shows.  A :class:`~tutor.walkthrough.steps.Question` carries one
context, read by :mod:`tutor.misconceptions` (which wrong answers to expect) and
the session (the derivation hints).

Values are the engine's: exact sympy numbers (floats in a float run), tuples in
the variables' order.  The engine's run records (``run``, ``history``, the batch
``runs``) are frozen dataclasses too, passed through as data.

This module imports nothing heavy, so a view may import it at any time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tutor.text import Text

# --- pictures: what a figure or a text plot draws, as floats ---------------------------------------
# Made by :mod:`tutor.walkthrough.geometry`; the views (PNG figures, the text plot) only lay them out.
# Samples are numpy arrays (``Any`` here so this module stays light); pictures compare by identity.


@dataclass(frozen=True)
class Formula:
    """One formula of a figure's title: mathtext (without the dollars) and plain text for when mathtext cannot draw it.

    ``tex`` empty: plain text only; ``plain`` empty: nothing when mathtext fails.
    """

    tex: str
    plain: str = ""


@dataclass(frozen=True, eq=False)
class Curve:
    """f (or a model) sampled at evenly spaced points: NaN where it has no real value."""

    xs: Any  # numpy array
    ys: Any


@dataclass(frozen=True, eq=False)
class Grid:
    """f sampled on a grid: ``zs[i, j] = f(xs[j], ys[i])`` (NaN where it has no real value)."""

    xs: Any  # numpy arrays: the two sides, then the values
    ys: Any
    zs: Any


@dataclass(frozen=True, eq=False)
class CurveView:
    """One variable: the x-range shown, the y-range (None: nothing finite to show) and f sampled over it."""

    xlim: tuple[float, float]
    ylim: tuple[float, float] | None
    curve: Curve
    shown: int = 0  # how many of the iterates are inside (the rest ran away)


@dataclass(frozen=True, eq=False)
class ContourView:
    """Two variables: the box shown (``equal``: same scale on both axes) and f sampled on a grid a little beyond it."""

    xlim: tuple[float, float]
    ylim: tuple[float, float]
    equal: bool
    grid: Grid
    clipped: bool = False  # some iterates lie outside the box
    #: the box around the path and the minima before it was widened for equal scales (a text plot's cells are
    #: not square, so it shows this one)
    tight: tuple[tuple[float, float], tuple[float, float]] | None = None


@dataclass(frozen=True)
class Iterate:
    """Iterate k of a run, as floats."""

    k: int
    point: tuple[float, ...]
    value: float
    gradient: tuple[float, ...]


@dataclass(frozen=True, eq=False)
class FunctionPicture:
    """An explain section's function: its curve or contours, and its minima."""

    variables: tuple[str, ...]
    view: CurveView | ContourView
    minima: tuple[tuple[float, ...], ...]
    minima_values: tuple[float, ...]  # f at each minimum (one variable)
    title: tuple[Formula, ...]  # f(x) = ...


@dataclass(frozen=True, eq=False)
class DescentPicture:
    """A run, or iteration k of it with the step to the next iterate.

    ``view`` is None for three or more variables (values against k).
    """

    variables: tuple[str, ...]
    optimizer: str  # the run's optimiser (its key)
    stop: str  # why the run stopped (the engine's reason key)
    steps: int  # how many steps the whole run took
    iterates: tuple[Iterate, ...]  # up to iterate k (every one for a whole run)
    current: int | None  # the index of iterate k in ``iterates``; None for a whole run
    next: tuple[float, ...] | None
    next_value: float  # f at the next iterate (NaN without one)
    bracket: tuple[float, float] | None  # one variable: where f' changed sign
    minima: tuple[tuple[float, ...], ...]
    minima_values: tuple[float, ...]
    view: CurveView | ContourView | None
    growing: bool  # the last steps are much longer than the first: moving away
    title: tuple[Formula, ...]  # f(x) = ..., eta = ..., 2/L = ...
    function: tuple[Formula, ...]  # f(x) = ... alone (a legend entry, a title without the run's numbers)


@dataclass(frozen=True, eq=False)
class ComparedRun:
    """One optimiser's run in a comparison, as floats."""

    key: str
    optimizer: str
    diverged: bool
    steps: int
    ks: tuple[int, ...]
    points: tuple[tuple[float, ...], ...]
    values: tuple[float, ...]  # f at each iterate (the engine's)
    on_curve: tuple[float, ...]  # one variable: f at each iterate inside the view, NaN outside it


@dataclass(frozen=True, eq=False)
class ComparisonPicture:
    """Optimisers from the same start: the view fits the runs that did not diverge."""

    variables: tuple[str, ...]
    runs: tuple[ComparedRun, ...]
    view: CurveView | ContourView | None
    function: tuple[Formula, ...]


@dataclass(frozen=True, eq=False)
class TrainingPicture:
    """One weight update: the data, the model before and after over the data's range, the losses of the run after it."""

    input: str
    parameters: tuple[str, ...]
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    used: tuple[int, ...]
    predictions: tuple[float, ...]
    before: tuple[float, ...]  # the parameters, in order
    after: tuple[float, ...] | None
    xlim: tuple[float, float]
    before_curve: Curve
    after_curve: Curve | None
    losses: tuple[float, ...]
    starts_after: bool  # the engine's run starts after the hand update (its first loss is update 1)
    model: Formula  # y_1 = ...


@dataclass(frozen=True, eq=False)
class BatchRun:
    key: str
    kind: str  # "batch" | "stochastic" | "minibatch" (or the engine's own name)
    losses: tuple[float, ...]
    fit: Curve | None  # the model with the run's final parameters


@dataclass(frozen=True, eq=False)
class BatchPicture:
    input: str
    batch_size: int
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    xlim: tuple[float, float]
    runs: tuple[BatchRun, ...]


# --- step payloads ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionPlot:
    """A function an explain section pictures: its plotted range and the minima to mark."""

    function: Any
    variables: tuple[str, ...]
    x_range: tuple[Any, Any]
    minima: tuple[Any, ...] = ()  # the engine's stationary points of kind "minimum"


@dataclass(frozen=True)
class ExplainPayload:
    kind: ClassVar[str] = "explain"
    plot: FunctionPlot | None = None
    picture: FunctionPicture | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Derivation:
    """The derivative explained rule by rule, in both languages.

    ``lines``: Unicode text lines, one rule each (the tutor's derivation panel);
    ``markdown``: nested Markdown lists with LaTeX (the export).  Empty when the
    rules cannot explain this function (the answer still stands).
    """

    lines: tuple[Text, ...] = ()
    markdown: Text | None = None


@dataclass(frozen=True)
class DerivePayload:
    kind: ClassVar[str] = "derive"
    function: Any
    variables: tuple[str, ...]
    of: str  # a variable, or "gradient"
    derivation: Derivation = field(default_factory=Derivation)


@dataclass(frozen=True)
class EvaluatePayload:
    kind: ClassVar[str] = "evaluate"
    function: Any
    variables: tuple[str, ...]
    what: str  # "value" | "derivative" | "gradient"
    of: str | None
    at: Mapping[str, Any]


@dataclass(frozen=True)
class OptimiserWords:
    """What views say and draw for one optimiser (from its class in :mod:`tutor.optimisers`)."""

    key: str
    label: Text  # as a title or legend entry: "Gradient descent with momentum"
    noun: Text  # inside a sentence: "The momentum update gives:"
    colour: str  # its colour where optimisers are compared
    update_unicode: Text  # its rule, written out
    update_latex: str


@dataclass(frozen=True)
class DescentFacts:
    """Iteration k of a run, and what is known about f beyond it (shared by iteration, run and outcome)."""

    function: Any
    variables: tuple[str, ...]
    learning_rate: Any
    optimizer: str
    run: Any  # the engine's Run: steps (k, point, value, gradient, sign_change) and stop
    k: int
    point: tuple[Any, ...]
    value: Any
    gradient: tuple[Any, ...]
    next: tuple[Any, ...] | None
    sign_change: tuple[str, ...]
    bracket: tuple[tuple[Any, ...], tuple[Any, ...]] | None  # (x_{k-1}, x_k) when the slope changed sign at k
    bound: Any  # the learning-rate bound (curvature, bound, scope, at), or None
    minima: tuple[Any, ...]  # the engine's minima of f (point, kind), where they can be found
    #: the section's display options for run tables (``decimals``, ``rows``), or None
    display: Any = None
    #: the sign (1, -1, 0; None for NaN) of each gradient component, one tuple per step of the run
    signs: tuple[tuple[int | None, ...], ...] = ()
    #: the update from k to k+1 written out with the run's numbers: LaTeX display lines (one per variable for
    #: plain descent), and one mathtext line for a plot (plain descent only); empty at the run's last step
    update_latex: tuple[str, ...] = ()
    update_mathtext: str = ""
    #: the words of the run's optimiser (and of plain descent, when a run step compares them), by key
    optimisers: Mapping[str, OptimiserWords] = field(default_factory=dict)
    #: what to draw: the step as shown once answered, and (an iteration step) before, without the tangent and next
    picture: DescentPicture | None = field(default=None, compare=False)
    picture_unrevealed: DescentPicture | None = field(default=None, compare=False)


@dataclass(frozen=True)
class IterationPayload(DescentFacts):
    kind: ClassVar[str] = "iteration"


@dataclass(frozen=True)
class RunPayload(DescentFacts):
    kind: ClassVar[str] = "run"
    compare: Mapping[str, Any] | None = None  # optimiser name -> its run, against plain descent
    comparison: ComparisonPicture | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PredictPayload:
    kind: ClassVar[str] = "predict"
    function: Any
    variables: tuple[str, ...]
    learning_rate: Any
    start: tuple[Any, ...]


@dataclass(frozen=True)
class OutcomePayload(DescentFacts):
    kind: ClassVar[str] = "outcome"
    outcome: str = ""  # "converge" | "oscillate" | "diverge"


@dataclass(frozen=True)
class DataUse:
    """Which samples of the data set a step uses, for its data table (the views list and mark; they never recompute).

    ``uses``: one ``(use, samples)`` per mark column: ``"used"`` for a training
    step's update, ``"batch"``/``"stochastic"``/``"minibatch"`` for the first update
    of each kind in a comparison.  ``shown``: the samples the table lists, in order;
    a long data set lists the ones used and says how many more there are.
    """

    shown: tuple[int, ...]
    uses: tuple[tuple[str, tuple[int, ...]], ...]
    total: int  # how many samples the data set has


@dataclass(frozen=True)
class TrainingPayload:
    """One weight update worked out: predictions, loss, gradient, new weights, then the engine's further updates."""

    kind: ClassVar[str] = "training"
    model: Any
    parameters: tuple[str, ...]
    input: str
    xs: tuple[Any, ...]
    ys: tuple[Any, ...]
    params: Mapping[str, Any]
    predictions: tuple[Any, ...]
    loss: Any
    gradient: tuple[Any, ...]
    next_params: Mapping[str, Any]
    samples: tuple[int, ...]
    learning_rate: Any
    history: Any = None
    #: the data table's rows, with the samples this update uses marked
    data_use: DataUse | None = None
    picture: TrainingPicture | None = field(default=None, compare=False)


@dataclass(frozen=True)
class BatchPayload:
    """Batch, stochastic and mini-batch descent from the same start (``runs`` keyed by kind)."""

    kind: ClassVar[str] = "batch"
    model: Any
    parameters: tuple[str, ...]
    input: str
    xs: tuple[Any, ...]
    ys: tuple[Any, ...]
    start: Mapping[str, Any]
    learning_rate: Any
    batch_size: int
    epochs: int
    seed: int
    runs: Mapping[str, Any]
    order: Any = None
    #: the data table's rows, with the samples of each kind's first update marked
    data_use: DataUse | None = None
    picture: BatchPicture | None = field(default=None, compare=False)


@dataclass(frozen=True)
class QuestionPayload:
    """A question section of the author's own: its parts are the step's questions; f when it names one."""

    kind: ClassVar[str] = "question"
    function: Any = None
    variables: tuple[str, ...] = ()


Payload = (
    ExplainPayload
    | DerivePayload
    | EvaluatePayload
    | IterationPayload
    | RunPayload
    | PredictPayload
    | OutcomePayload
    | TrainingPayload
    | BatchPayload
    | QuestionPayload
)


# --- question contexts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeriveContext:
    """A derivative, partial derivative or gradient to write down."""

    function: Any
    variables: tuple[str, ...]
    of: str
    what: str  # "derivative" | "partial" | "gradient"
    at: None = None
    #: per variable asked for, the derivation one rule per hint (outermost rule first)
    hints: tuple[tuple[Text, ...], ...] = ()


@dataclass(frozen=True)
class EvaluateContext:
    """A value, derivative or gradient at a point."""

    function: Any
    variables: tuple[str, ...]
    of: str | None
    what: str
    at: Mapping[str, Any]


@dataclass(frozen=True)
class SlopeContext:
    """The slope (gradient) at iterate k."""

    function: Any
    variables: tuple[str, ...]
    point: Mapping[str, Any]
    k: int
    previous_point: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class DirectionContext:
    """Which way each variable moves, from the gradient at iterate k."""

    gradient: Any  # a number for one variable, a tuple for several
    variables: tuple[str, ...]
    point: Mapping[str, Any]
    k: int


@dataclass(frozen=True)
class UpdateContext:
    """The next iterate from iterate k."""

    function: Any
    variables: tuple[str, ...]
    point: Mapping[str, Any]
    gradient: Any
    learning_rate: Any
    k: int
    optimizer: str
    previous_point: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class SignChangeContext:
    """Did the slope change sign between iterates k-1 and k?"""

    previous_gradient: Any
    gradient: Any
    variables: tuple[str, ...]
    k: int


@dataclass(frozen=True)
class BracketContext:
    """The interval the sign change brackets."""

    variables: tuple[str, ...]
    k: int
    bracket: tuple[Any, Any]


@dataclass(frozen=True)
class PredictContext:
    """Converge, oscillate or diverge, from the start and the learning rate."""

    function: Any
    variables: tuple[str, ...]
    start: Mapping[str, Any]
    learning_rate: Any
    bound: Any


@dataclass(frozen=True)
class TrainingContext:
    """One update of a model's weights on some samples (``kind`` names the batch kind in a comparison)."""

    model: Any
    parameters: tuple[str, ...]
    input: str
    xs: tuple[Any, ...]
    ys: tuple[Any, ...]
    params: Mapping[str, Any]
    learning_rate: Any
    samples: tuple[int, ...]
    kind: str | None = None


Context = (
    DeriveContext
    | EvaluateContext
    | SlopeContext
    | DirectionContext
    | UpdateContext
    | SignChangeContext
    | BracketContext
    | PredictContext
    | TrainingContext
)


def context_fields(context: Context | None) -> dict[str, Any]:
    """A context's fields that are set, by name (for code that reads contexts by field name)."""
    if context is None:
        return {}
    return {name: value for name, value in vars(context).items() if value is not None}
