"""The JSON Schema (draft-07) of lesson files, for editors' YAML language servers.

Draft-07 is the newest draft the YAML language servers support.  The schema
describes every key of ``docs/lesson-format.md`` with a description (what the
editor shows when it autocompletes) and refuses unknown keys.  It checks the
*shape* of a lesson; ``tutor check`` checks everything else (expressions,
positions, the mathematics).  ``assets/lesson.schema.json`` is this schema,
written by :func:`write_schema`; a test keeps the two the same.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tutor.lesson.keys import (
    DEFAULT_CHECK,
    EPOCH_KINDS,
    EVALUATE_WHAT,
    EXPECTATIONS,
    LOSSES,
    MAX_BY_HAND,
    MAX_EPOCHS,
    MAX_FEEDBACK,
    MAX_HINTS,
    MAX_OPTIONS,
    MAX_PARAMETERS,
    MAX_PARTS,
    MAX_REQUIREMENTS,
    MAX_SAMPLES,
    MAX_SECTIONS,
    MAX_STEPS,
    MAX_TESTS,
    MAX_VALUES,
    MAX_VARIABLES,
    VERDICTS,
)
from tutor.lesson.model import ITERATION_QUESTIONS, PATTERNS, QUESTION_ASKS, TRAINING_QUESTIONS
from tutor.optimisers import OPTIMISERS

SCHEMA_URL = "http://json-schema.org/draft-07/schema#"
NAME_PATTERN = "^[A-Za-z][A-Za-z0-9_]*$"


def _optimizer_words(key: str) -> str:
    """An optimiser's name and update rule, as the editor shows them."""
    kind = OPTIMISERS[key]
    only = "" if kind.exact_capable else " Float mode only."
    rule = kind.update_unicode if isinstance(kind.update_unicode, str) else kind.update_unicode["en"]
    return f"{kind.label['en']}: {rule}.{only}"


def _float_only() -> str:
    """'adam is' / 'adam and rmsprop are': the optimisers that cannot run exactly."""
    keys = [key for key, kind in OPTIMISERS.items() if not kind.exact_capable]
    return f"{keys[0]} is" if len(keys) == 1 else f"{', '.join(keys[:-1])} and {keys[-1]} are"


def _ref(name: str) -> dict:
    return {"$ref": f"#/definitions/{name}"}


def _described(schema: dict, description: str) -> dict:
    return {**schema, "description": description}


def _object(properties: dict[str, dict], required: tuple[str, ...] = (), description: str = "") -> dict:
    out: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


def _integer(low: int, high: int, description: str, default: int | None = None) -> dict:
    out: dict[str, Any] = {"type": "integer", "minimum": low, "maximum": high, "description": description}
    if default is not None:
        out["default"] = default
    return out


def _definitions() -> dict[str, dict]:
    text = {
        "description": "Text (Markdown, maths in $...$): a string, or a mapping of language code to string.",
        "anyOf": [
            {"type": "string"},
            {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": "^[a-z]{2,5}$"},
                "additionalProperties": {"type": "string"},
                "properties": {
                    "en": {"type": "string", "description": "English"},
                    "zh": {"type": "string", "description": "简体中文 (Simplified Chinese)"},
                },
            },
        ],
    }
    expression = {
        "description": 'An expression as people write it: 5x^2, 2x^2 + 6z^2 + 7m^3, e^(-x). Quote it if YAML could misread it ("-x^2").',
        "anyOf": [{"type": "string", "minLength": 1}, {"type": "number"}],
    }
    number = {
        "description": 'An exact number: 0.05 (= 1/20), "1/20", 1e-3, "sqrt(2)/10". Not yes/no, ~, .nan or .inf.',
        "anyOf": [{"type": "number"}, {"type": "string", "minLength": 1}],
    }
    answer = {
        "description": "A wrong answer as a learner would type it: an expression, a vector ([4x, 12z, 21m^2]) or a choice (decrease, yes, diverge).",
        "anyOf": [
            {"type": "string", "minLength": 1},
            {"type": "number"},
            {"type": "boolean"},
            {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "number"}]}, "minItems": 1},
        ],
    }
    feedback = _object(
        {
            "answer": _described(
                _ref("answer"), "The wrong answer (or, with pattern: up_to_constant, the expression up to a constant)."
            ),
            "pattern": {
                "enum": list(PATTERNS),
                "description": "Instead of one answer: wrong_sign (minus the right answer), factor (the right answer "
                "times 'factor'), up_to_constant ('answer' plus any constant).",
            },
            "factor": _described(_ref("number"), "For pattern: factor, e.g. 1/2 for a missing factor 2."),
            "says": _described(_ref("text"), "What this wrong answer deserves to hear."),
        },
        ("says",),
        "An author-listed wrong answer (or pattern of them) and the feedback it gets.",
    )
    tests = {
        "type": "array",
        "maxItems": MAX_TESTS,
        "description": "Answer tests (as STACK's question tests): tutor check grades each answer in every variant.",
        "items": _object(
            {
                "answer": {"type": ["string", "number"], "description": "An answer as a learner would type it."},
                "verdict": {"enum": list(VERDICTS), "description": "The verdict it must get."},
                "says": {"type": "string", "description": "A phrase its feedback must contain."},
            },
            ("answer", "verdict"),
            "One answer test.",
        ),
    }
    hints = {
        "type": "array",
        "items": _ref("text"),
        "maxItems": MAX_HINTS,
        "description": "Hints, shown one at a time, in order.",
    }
    solution = _described(_ref("text"), "The worked solution (revealing it is recorded).")
    feedback_list = {
        "type": "array",
        "items": _ref("feedback"),
        "maxItems": MAX_FEEDBACK,
        "description": "Author-listed wrong answers and what each deserves.",
    }
    help_ = _object(
        {"hints": hints, "solution": solution, "feedback": feedback_list, "tests": tests},
        (),
        "Help on one kind of question. In a descent, texts may use {{k}}, {{k_next}}, {{x_k}}, {{grad_k}}, "
        "{{x_next}} and {{eta}}: each iteration's own values.",
    )
    variables = {
        "type": "array",
        "items": {"type": "string", "pattern": NAME_PATTERN},
        "minItems": 1,
        "maxItems": MAX_VARIABLES,
        "uniqueItems": True,
        "description": "The variables in order (the gradient's order); default: the names in order of first appearance. Not a function or constant name (e, pi, sin, ...).",
    }
    point = {
        "type": "object",
        "propertyNames": {"pattern": NAME_PATTERN},
        "additionalProperties": _ref("number"),
        "minProperties": 1,
        "description": "A point: a value for every variable, e.g. {x: 1, z: 1, m: 1}.",
    }
    data = {
        "description": "Samples (x, y): a CSV file beside the lesson (data: samples.csv, with a header naming the "
        "input and y), inline lists, or generated from a seed as y = w x + b + noise.",
        "anyOf": [
            {"type": "string", "pattern": "\\.[cC][sS][vV]$", "description": "A CSV file in the lesson's folder."},
            _object(
                {
                    "x": {
                        "type": "array",
                        "items": _ref("number"),
                        "minItems": 1,
                        "maxItems": MAX_SAMPLES,
                        "description": "The inputs.",
                    },
                    "y": {
                        "type": "array",
                        "items": _ref("number"),
                        "minItems": 1,
                        "maxItems": MAX_SAMPLES,
                        "description": "The targets, one per input.",
                    },
                },
                ("x", "y"),
            ),
            _object(
                {
                    "generate": _object(
                        {
                            "seed": _integer(0, 2**32 - 1, "The random seed: the same seed gives the same data."),
                            "n": _integer(1, MAX_SAMPLES, "How many samples."),
                            "w": _described(_ref("number"), "The true slope."),
                            "b": _described(_ref("number"), "The true intercept (default 0)."),
                            "noise": _described(_ref("number"), "The noise's standard deviation (default 0)."),
                            "x_range": {
                                "type": "array",
                                "items": _ref("number"),
                                "minItems": 2,
                                "maxItems": 2,
                                "description": "x is drawn uniformly from [from, to] (default [-2, 2]).",
                            },
                        },
                        ("seed", "n", "w"),
                        "Generate samples y = w x + b + noise, x and y rounded to two decimals.",
                    )
                },
                ("generate",),
            ),
        ],
    }
    names = ", ".join(OPTIMISERS)
    optimizer = {
        "description": f"The optimiser: one of {names} (gd is plain gradient descent); or with settings, e.g. {{momentum: {{beta: 0.9}}}}.",
        "default": "gd",
        "anyOf": [
            {"enum": list(OPTIMISERS)},
            {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "additionalProperties": False,
                "properties": {
                    key: _object(
                        {
                            s.key: _described(_ref("number"), f"{s.meaning} (default {s.default}, {s.range_words()}).")
                            for s in kind.settings
                        },
                        (),
                        _optimizer_words(key),
                    )
                    for key, kind in OPTIMISERS.items()
                },
            },
        ],
    }
    stop_word = {"type": "string", "pattern": "^(zero|sign[-_]change|tol(erance)?:.+)$"}
    stop = {
        "description": "Stop rules: zero (always on), sign-change (the minimum is bracketed), tol:1e-6 (every |∂f/∂v| at most this).",
        "anyOf": [stop_word, {"type": "array", "items": stop_word, "maxItems": 10}],
    }
    return {
        "text": text,
        "expression": expression,
        "number": number,
        "answer": answer,
        "feedback": feedback,
        "help": help_,
        "variables": variables,
        "point": point,
        "data": data,
        "optimizer": optimizer,
        "stop": stop,
        "hints": hints,
        "solution": solution,
        "feedback_list": feedback_list,
        "tests": tests,
        "schedule": _schedule(),
        "display": _object(
            {
                "decimals": _integer(0, 15, "Show every value that is not whole with this many decimals."),
                "rows": _integer(2, MAX_STEPS, "Show at most this many rows of a run table (the first and the last)."),
            },
            (),
            "How this section's run tables are shown (the walkthrough, plain mode, the tutor and the export).",
        ),
    }


def _schedule() -> dict:
    number = _ref("number")
    kinds = {
        "step_decay": (
            {
                "every": _integer(1, MAX_STEPS, "Multiply the rate by 'factor' every this many steps."),
                "factor": _described(number, "At most 1, e.g. 1/2."),
            },
            "η_k = η · factor^⌊k/every⌋.",
        ),
        "inverse_time": ({"decay": _described(number, "e.g. 1/10.")}, "η_k = η / (1 + decay·k)."),
        "exponential": ({"rate": _described(number, "At most 1, e.g. 9/10.")}, "η_k = η · rate^k."),
    }
    return {
        "description": "A learning-rate schedule (plain gradient descent): one of step_decay, inverse_time, exponential.",
        "oneOf": [
            _object({kind: _object(props, tuple(props), words)}, (kind,), words)
            for kind, (props, words) in kinds.items()
        ],
    }


def _common(prompt: bool) -> dict[str, dict]:
    out = {
        "title": _described(_ref("text"), "A heading for this section (optional)."),
        "text": _described(_ref("text"), "What the learner reads before the questions (optional)."),
    }
    if prompt:
        out["prompt"] = _described(_ref("text"), "The question as the learner sees it; a clear default is generated.")
        out["hints"] = _ref("hints")
        out["solution"] = _ref("solution")
        out["feedback"] = _ref("feedback_list")
        out["tests"] = _ref("tests")
    return out


def _function() -> dict[str, dict]:
    return {
        "function": _described(_ref("expression"), 'f, e.g. "5x^2" or "2x^2 + 6z^2 + 7m^3".'),
        "variables": _ref("variables"),
    }


def _help_by_kind(kinds: tuple[str, ...]) -> dict:
    return _object(
        {k: _ref("help") for k in kinds}, (), "Help keyed by question kind, each with hints / solution / feedback."
    )


def _model() -> dict[str, dict]:
    return {
        "model": _described(
            _ref("expression"), 'The prediction y1 as a function of the parameters and the input, e.g. "w*x + b".'
        ),
        "parameters": _described(_ref("variables"), "What training changes, e.g. [w, b]."),
        "input": {
            "type": "string",
            "pattern": NAME_PATTERN,
            "default": "x",
            "description": "The input's name in the model (default x).",
        },
        "data": _ref("data"),
        "start": _described(_ref("point"), "The parameters' values before the first update, e.g. {w: 0, b: 0}."),
        "learning_rate": _described(_ref("number"), "η in p ← p − η ∂L/∂p."),
        "loss": {
            "enum": list(LOSSES),
            "default": "mse",
            "description": "The loss: mse, the mean squared error (1/n) Σ (y1 − y)².",
        },
    }


def _sections() -> dict[str, dict]:
    return {
        "explain": _object(
            {
                "title": _described(_ref("text"), "A heading (optional)."),
                "text": _described(_ref("text"), "Markdown with maths in $...$."),
                "plot": _object(
                    {
                        **_function(),
                        "range": {
                            "type": "array",
                            "items": _ref("number"),
                            "minItems": 2,
                            "maxItems": 2,
                            "description": "The x range drawn, [from, to] (default [-2, 2]).",
                        },
                    },
                    ("function",),
                    "Draw a function of one variable.",
                ),
            },
            ("text",),
            "Text to read, optionally with a plot.",
        ),
        "derive": _object(
            {
                **_function(),
                "of": {
                    "type": "string",
                    "description": "A variable name (∂f/∂v) or gradient; default: the variable (one) or gradient (several).",
                },
                **_common(True),
            },
            ("function",),
            "Ask for f'(x), ∂f/∂v or the gradient; graded by mathematical equivalence.",
        ),
        "evaluate": _object(
            {
                **_function(),
                "what": {
                    "enum": list(EVALUATE_WHAT),
                    "default": "value",
                    "description": "What to compute at the point: value, derivative or gradient.",
                },
                "of": {
                    "type": "string",
                    "pattern": NAME_PATTERN,
                    "description": "For what: derivative with several variables: which partial derivative.",
                },
                "at": _described(_ref("point"), "The point, e.g. {x: 1, z: 1, m: 1}."),
                "tolerance": _described(_ref("number"), "Accept numbers this close (default: exact)."),
                **_common(True),
            },
            ("function", "at"),
            "Ask for the value of f, a derivative or the gradient at a point.",
        ),
        "descent": _object(
            {
                **_function(),
                "start": _described(_ref("point"), "x_0, e.g. {x: 1}."),
                "learning_rate": _described(_ref("number"), 'η in x_{k+1} = x_k − η f\'(x_k), e.g. "1/20" or 0.05.'),
                "optimizer": _ref("optimizer"),
                "stop": _ref("stop"),
                "max_steps": _integer(1, MAX_STEPS, "The engine's run stops here at the latest.", 20),
                "by_hand": _integer(0, MAX_BY_HAND, "Iterations the learner computes by hand.", 3),
                "ask": {
                    "type": "array",
                    "items": {"enum": list(ITERATION_QUESTIONS)},
                    "uniqueItems": True,
                    "minItems": 1,
                    "description": "The questions asked at each iteration (default: all four).",
                },
                "expect": {
                    "enum": list(EXPECTATIONS),
                    "description": "What this descent shows; tutor check verifies it (and is then silent about a large learning rate or an unbounded f).",
                },
                "exact": {
                    "type": "boolean",
                    "default": True,
                    "description": f"Exact rationals (default) or floats ({_float_only()} float only).",
                },
                "help": _help_by_kind(ITERATION_QUESTIONS),
                "schedule": _ref("schedule"),
                "display": _ref("display"),
                **_common(False),
            },
            ("function", "start", "learning_rate"),
            "Iterations by hand, then the engine finishes the run.",
        ),
        "predict": _object(
            {
                **_function(),
                "start": _described(_ref("point"), "x_0, e.g. {x: 1}."),
                "learning_rate": _described(_ref("number"), "The learning rate whose effect the learner predicts."),
                "steps": _integer(1, MAX_STEPS, "How many steps the run shows.", 10),
                "display": _ref("display"),
                **_common(True),
            },
            ("function", "start", "learning_rate"),
            "Will it converge, oscillate or diverge? Then the run shows it.",
        ),
        "training_step": _object(
            {
                **_model(),
                "samples": {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 0},
                    "uniqueItems": True,
                    "minItems": 1,
                    "maxItems": MAX_SAMPLES,
                    "description": "Which samples this update uses, counting from 0 (default: all).",
                },
                "ask": {
                    "type": "array",
                    "items": {"enum": list(TRAINING_QUESTIONS)},
                    "uniqueItems": True,
                    "minItems": 1,
                    "description": "The steps asked: predict, loss, gradient, update (default: all four).",
                },
                "then_steps": _integer(0, MAX_STEPS, "After the hand update, the engine runs this many more.", 0),
                "help": _help_by_kind(TRAINING_QUESTIONS),
                "display": _ref("display"),
                **_common(False),
            },
            ("model", "parameters", "data", "start", "learning_rate"),
            "One weight update by hand: predict, loss, gradient, update.",
        ),
        "batch_compare": _object(
            {
                **_model(),
                "batch_size": _integer(1, MAX_SAMPLES, "Samples per mini-batch update.", 2),
                "epochs": _integer(1, MAX_EPOCHS, "Passes over the data.", 5),
                "seed": _integer(0, 2**32 - 1, "The shuffle order, the same for every kind.", 0),
                "by_hand": {
                    "type": "boolean",
                    "default": True,
                    "description": "The learner computes the first update of each kind.",
                },
                "help": _help_by_kind(TRAINING_QUESTIONS),
                "display": _ref("display"),
                **_common(False),
            },
            ("model", "parameters", "data", "start", "learning_rate"),
            "Batch, stochastic and mini-batch gradient descent on the same data and seed.",
        ),
        "question": _question(),
    }


ASK_WORDS = {
    "value": "f at 'at'.",
    "derivative": "f' (or the gradient) at 'at'.",
    "curvature": "L, the largest curvature (near the minimum closest to 'near' unless f is quadratic).",
    "stability_bound": "2/L, the largest stable learning rate.",
    "stationary_points": "Where f' = 0 (one variable), smallest first.",
    "minimum_reached": "The minimum a run from the section's start with its learning rate reaches.",
    "steps_to_tolerance": "The steps until every |∂f/∂v| is at most 'below'.",
    "loss_after_epoch": "The mean squared error on all the data after one epoch of training the model from 'start'.",
}


def _question() -> dict:
    option = _object(
        {
            "text": _described(
                _ref("text"), "The choice as the learner sees it (answered a, b, c, ... or by its text)."
            ),
            "correct": {"type": "boolean", "default": False, "description": "Exactly one choice is correct."},
            "explain": _described(_ref("text"), "Why this choice is right or wrong (shown when it is chosen)."),
        },
        ("text",),
        "One choice of a multiple-choice part.",
    )
    part = _object(
        {
            "ask": {
                "enum": list(QUESTION_ASKS),
                "description": "A quantity the engine computes: " + " ".join(f"{k}: {w}" for k, w in ASK_WORDS.items()),
            },
            "answer": _described(
                _ref("expression"), 'A formula of earlier parts\' names, e.g. "2/L" (error carried forward).'
            ),
            "choices": {
                "type": "array",
                "items": option,
                "minItems": 2,
                "maxItems": MAX_OPTIONS,
                "description": "Multiple choice: the options, exactly one correct: true.",
            },
            "name": {
                "type": "string",
                "pattern": NAME_PATTERN,
                "description": "A name for this part's answer, for later parts' 'answer:' formulas.",
            },
            "at": _described(_ref("point"), "The point for ask: value or derivative."),
            "near": _described(_ref("point"), "For curvature and stability_bound: the minimum nearest this point."),
            "below": _described(_ref("number"), "For steps_to_tolerance: the size every |∂f/∂v| must reach."),
            "start": _described(
                _ref("point"), "For loss_after_epoch: the parameters before the epoch, e.g. {w: 0, b: 0}."
            ),
            "descent": {
                "enum": list(EPOCH_KINDS),
                "default": "batch",
                "description": "For loss_after_epoch: batch (one update), stochastic or minibatch (shuffled by seed).",
            },
            "batch_size": _integer(1, MAX_SAMPLES, "For loss_after_epoch with minibatch: samples per update.", 2),
            "seed": _integer(0, 2**32 - 1, "For loss_after_epoch: the shuffle order of the epoch.", 0),
            "tolerance": _described(_ref("number"), "Accept answers within this distance of the exact one."),
            **{k: v for k, v in _common(True).items() if k not in ("title", "text")},
        },
        (),
        "One part: ask (engine quantity), answer (formula of earlier parts) or choices (multiple choice).",
    )
    return _object(
        {
            **_function(),
            "start": _described(_ref("point"), "x_0 of the run minimum_reached and steps_to_tolerance watch."),
            "learning_rate": _described(_ref("number"), "The run's learning rate."),
            "max_steps": _integer(1, MAX_STEPS, "The most steps the run may take.", 1000),
            **{k: v for k, v in _model().items() if k in ("model", "parameters", "input", "data")},
            "parts": {
                "type": "array",
                "items": part,
                "minItems": 1,
                "maxItems": MAX_PARTS,
                "description": "The question's parts, asked in order.",
            },
            **_common(False),
        },
        ("parts",),
        "A question of your own, in parts: engine quantities, formulas of earlier answers, multiple choice.",
    )


def _variants() -> dict:
    number = _ref("number")
    value_range = _object(
        {
            "from": _described(number, "The smallest value."),
            "to": _described(number, "The largest value (included when the steps reach it)."),
            "step": _described(number, "The step between values (default 1)."),
        },
        ("from", "to"),
        "Values from 'from' to 'to' in steps of 'step', exactly: {from: 1/20, to: 1/4, step: 1/20}.",
    )
    values = {
        "anyOf": [
            {"type": "array", "items": number, "minItems": 1, "maxItems": MAX_VALUES},
            value_range,
        ],
        "description": "This parameter's values: a list [-2, -1, 1, 2], or a range {from: 1, to: 5}.",
    }
    return _object(
        {
            "values": {
                "type": "object",
                "minProperties": 1,
                "maxProperties": MAX_PARAMETERS,
                "propertyNames": {"pattern": NAME_PATTERN},
                "additionalProperties": values,
                "description": "Each parameter's name and values; use the names in functions, points, learning rates "
                "and data, and {{name}} in texts.",
            },
            "require": {
                "anyOf": [
                    {"type": "string", "minLength": 1},
                    {"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": MAX_REQUIREMENTS},
                ],
                "description": 'Constraints between the parameters, each one comparison: "a*eta < 1".',
            },
            "check": {
                "anyOf": [{"type": "integer", "minimum": 1, "maximum": 10_000}, {"const": "all"}],
                "description": "How many variants tutor check checks (a deterministic sample), or all "
                f"(default: all up to {DEFAULT_CHECK}, else a sample of {DEFAULT_CHECK}).",
            },
        },
        ("values",),
        "Different numbers for each learner: variant n is the n-th combination of values meeting every requirement; "
        "a learner's variant is fixed by a seed kept with their progress (tutor run --variant N shows variant N).",
    )


def lesson_schema() -> dict:
    """The schema as a dict (draft-07)."""
    sections = _sections()
    return {
        "$schema": SCHEMA_URL,
        "title": "descent-tutor lesson",
        "description": "A lesson for descent-tutor: see docs/lesson-format.md. Check it with: tutor check FILE",
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "title", "sections"],
        "properties": {
            "id": {
                "type": "string",
                "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
                "description": "Letters, digits and dashes; unique among lessons.",
            },
            "order": _integer(-1_000_000, 1_000_000, "Position in the list of lessons (smaller first).", 100),
            "figures": _integer(
                1, 15, "Significant figures a decimal needs to stand for an exact answer (-3.938 for -63/16).", 4
            ),
            "title": _described(_ref("text"), "The lesson's title."),
            "summary": _described(_ref("text"), "One or two sentences: what the learner will be able to do."),
            "variants": _variants(),
            "sections": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_SECTIONS,
                "description": "The lesson, in order; each section is a one-key mapping such as '- explain: {...}'.",
                "items": {
                    "description": "One section: explain, derive, evaluate, descent, predict, training_step or batch_compare.",
                    "oneOf": [
                        {
                            "type": "object",
                            "properties": {kind: body},
                            "required": [kind],
                            "additionalProperties": False,
                            "description": body.get("description", kind),
                        }
                        for kind, body in sections.items()
                    ],
                },
            },
        },
        "definitions": _definitions(),
    }


def schema_json() -> str:
    """The schema as JSON text, as ``tutor schema`` prints it and assets/lesson.schema.json holds it."""
    return json.dumps(lesson_schema(), ensure_ascii=False, indent=2) + "\n"


def repository_schema_path() -> Path:
    """Where the schema lives in a checkout: ``assets/lesson.schema.json`` beside ``tutor/``."""
    return Path(__file__).resolve().parents[2] / "assets" / "lesson.schema.json"


def write_schema(path: Path | None = None) -> Path:
    """Write the schema (to the repository's assets/ by default) and return where."""
    path = path or repository_schema_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_json(), encoding="utf-8")
    return path


def installed_schema_path() -> Path:
    """A schema file that exists on this machine: the checkout's, or a copy in the data folder.

    An installed tutor has no assets/ folder, so the schema an editor should
    read is written to the learner's data folder (and refreshed when it differs).
    """
    here = repository_schema_path()
    if here.is_file():
        return here
    from tutor.paths import data_dir

    copy = data_dir() / "lesson.schema.json"
    text = schema_json()
    try:
        if not copy.is_file() or copy.read_text(encoding="utf-8") != text:
            copy.parent.mkdir(parents=True, exist_ok=True)
            tmp = copy.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(copy)
    except OSError:
        pass
    return copy
