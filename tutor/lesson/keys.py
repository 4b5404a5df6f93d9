"""The lesson format's keys, allowed values and limits: one table the loader and the JSON Schema share.

:mod:`tutor.lesson.sections` reads exactly these keys; :mod:`tutor.lesson.schema`
describes exactly these keys (a test keeps the two in agreement).  Nothing
here imports sympy, so the schema can be written without the engine.
"""

from __future__ import annotations

from tutor.lesson.model import TRAINING_QUESTIONS
from tutor.optimisers import OPTIMISERS as _REGISTRY

# --- limits: a lesson is read by a person, so none of these bind a real one ---------------

MAX_BYTES = 1024 * 1024  # 1 MB
MAX_SECTIONS = 200
MAX_HINTS = 100
MAX_FEEDBACK = 100
MAX_LANGUAGES = 20
MAX_VARIABLES = 20
MAX_BY_HAND = 50
MAX_STEPS = 10_000
MAX_SAMPLES = 1000
MAX_EPOCHS = 1000

# --- the format's keys (the JSON Schema is tested against these) --------------------------

TOP_KEYS = ("id", "order", "title", "summary", "variants", "sections", "figures")
TOP_REQUIRED = ("id", "title", "sections")

_TEXT_KEYS = ("title", "text")
_ONE_QUESTION = ("prompt", "hints", "solution", "feedback", "tests")

SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "explain": ("title", "text", "plot"),
    "derive": ("function", "variables", "of", *_ONE_QUESTION, *_TEXT_KEYS),
    "evaluate": ("function", "variables", "what", "of", "at", "tolerance", *_ONE_QUESTION, *_TEXT_KEYS),
    "descent": (
        "function",
        "variables",
        "start",
        "learning_rate",
        "optimizer",
        "stop",
        "max_steps",
        "by_hand",
        "ask",
        "expect",
        "exact",
        "help",
        "schedule",
        "display",
        *_TEXT_KEYS,
    ),
    "predict": ("function", "variables", "start", "learning_rate", "steps", "display", *_ONE_QUESTION, *_TEXT_KEYS),
    "training_step": (
        "model",
        "parameters",
        "input",
        "data",
        "start",
        "learning_rate",
        "loss",
        "samples",
        "ask",
        "then_steps",
        "help",
        "display",
        *_TEXT_KEYS,
    ),
    "batch_compare": (
        "model",
        "parameters",
        "input",
        "data",
        "start",
        "learning_rate",
        "batch_size",
        "epochs",
        "seed",
        "loss",
        "by_hand",
        "help",
        "display",
        *_TEXT_KEYS,
    ),
    "question": (
        "function",
        "variables",
        "start",
        "learning_rate",
        "max_steps",
        "model",
        "parameters",
        "input",
        "data",
        "parts",
        *_TEXT_KEYS,
    ),
}
SECTION_REQUIRED: dict[str, tuple[str, ...]] = {
    "explain": ("text",),
    "derive": ("function",),
    "evaluate": ("function", "at"),
    "descent": ("function", "start", "learning_rate"),
    "predict": ("function", "start", "learning_rate"),
    "training_step": ("model", "parameters", "data", "start", "learning_rate"),
    "batch_compare": ("model", "parameters", "data", "start", "learning_rate"),
    "question": ("parts",),
}
PART_KEYS = (
    "ask",
    "answer",
    "choices",
    "name",
    "at",
    "near",
    "below",
    "start",
    "descent",
    "batch_size",
    "seed",
    "prompt",
    "tolerance",
    *_ONE_QUESTION[1:],
)
#: The kinds of descent an epoch of ``ask: loss_after_epoch`` may be (tutor.training.KINDS).
EPOCH_KINDS = ("batch", "stochastic", "minibatch")
OPTION_KEYS = ("text", "correct", "explain")
MAX_PARTS = 20
MAX_OPTIONS = 10
VARIANTS_KEYS = ("values", "require", "check")
#: Each schedule's settings and their defaults' meaning (see tutor.schedules).
SCHEDULE_KEYS = {"step_decay": ("every", "factor"), "inverse_time": ("decay",), "exponential": ("rate",)}
DISPLAY_KEYS = ("decimals", "rows")
RANGE_KEYS = ("from", "to", "step")
COMPARISONS = ("<=", ">=", "!=", "==", "<", ">")
MAX_PARAMETERS = 10
MAX_VALUES = 1000
MAX_REQUIREMENTS = 20
#: At most this many combinations of parameter values are enumerated (a lesson needs far fewer).
MAX_COMBINATIONS = 10_000
#: ``tutor check`` checks every variant up to this many, else a sample of this many (unless ``check:`` says).
DEFAULT_CHECK = 12
HELP_KEYS = ("hints", "solution", "feedback", "tests")
FEEDBACK_KEYS = ("answer", "pattern", "factor", "says")
TEST_KEYS = ("answer", "verdict", "says")
VERDICTS = ("right", "wrong", "invalid")
MAX_TESTS = 100
PLOT_KEYS = ("function", "variables", "range")
DATA_KEYS = ("x", "y", "generate")
GENERATE_KEYS = ("seed", "n", "w", "b", "noise", "x_range")
OPTIMIZERS = tuple(_REGISTRY)
EXPECTATIONS = ("converge", "oscillate", "diverge", "sign_change", "unbounded")
EVALUATE_WHAT = ("value", "derivative", "gradient")
DIRECTIONS = ("increase", "decrease", "stay")
LOSSES = ("mse",)
BATCH_QUESTIONS = TRAINING_QUESTIONS

#: Names people reach for that the format spells differently.
ALIASES = {
    "lr": "learning_rate",
    "eta": "learning_rate",
    "rate": "learning_rate",
    "f": "function",
    "fn": "function",
    "expr": "function",
    "x0": "start",
    "from": "start",
    "point": "at",
    "hint": "hints",
    "vars": "variables",
    "params": "parameters",
    "optimiser": "optimizer",
    "until": "stop",
    "iterations": "by_hand",
}
