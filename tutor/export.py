"""Walkthrough -> Markdown: a lesson's complete worked solution, with its plots beside it.

The export renders what the engine already computed (the walkthrough's steps,
questions and exact expected answers, the descent records); it does no
mathematics of its own.  Every update is written out with the exact numbers,
``x_1 = x_0 - η f'(x_0) = 1 - 1/20·10 = 1/2``, maths goes in ``$...$`` and
``$$...$$`` so GitHub renders it, and the images are written beside the
Markdown (``<lesson-id>/<step-id>.png``) with relative links.  Nothing
depends on the clock, so exporting twice gives identical files.

``export_transcript`` is the learner's own record: each answer they gave
beside the correct one, with the feedback they got.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, assert_never

from tutor import notation, tables
from tutor.errors import TutorError
from tutor.i18n import N_, _, current_language, ngettext
from tutor.notation import STOP_WORDS, tex
from tutor.safe_text import markdown_heading, markdown_safe, one_line
from tutor.text import tr
from tutor.walkthrough.contract import (
    BatchPayload,
    DerivePayload,
    DescentFacts,
    EvaluatePayload,
    ExplainPayload,
    IterationPayload,
    OutcomePayload,
    PredictPayload,
    QuestionPayload,
    RunPayload,
    TrainingPayload,
)

if TYPE_CHECKING:
    from tutor.walkthrough.steps import Step

#: Tables longer than this show the beginning and the end.
TABLE_HEAD, TABLE_TAIL = 25, 10
#: A learner's typed answer is shown up to this many characters.
MAX_ANSWER_CHARS = 200

WORDS = {
    "question": N_("Question"),
    "answer": N_("Answer"),
    "why": N_("Why"),
    "solution": N_("Worked solution"),
    "within": N_("(answers within {tol} are accepted)"),
    "derivation": N_("Derivation, rule by rule"),
    "at_point": N_("At {point}:"),
    "direction_down": N_("$f'$ is positive here, so $f$ rises to the right: move {v} the other way, **decrease** it."),
    "direction_up": N_("$f'$ is negative here, so $f$ falls to the right: **increase** {v}."),
    "direction_stay": N_("$f'$ is zero here: a stationary point, so {v} **stays** where it is."),
    "partial_down": N_("$\\partial f/\\partial {v}$ is positive: **decrease** ${v}$."),
    "partial_up": N_("$\\partial f/\\partial {v}$ is negative: **increase** ${v}$."),
    "partial_stay": N_("$\\partial f/\\partial {v}$ is zero: ${v}$ **stays**."),
    "update": N_("The update, against the derivative and scaled by the learning rate $\\eta = {lr}$:"),
    "update_other": N_("The {name} update gives:"),
    "sign_change": N_(
        "The derivative changed sign: ${a}$ and ${b}$ have opposite signs, so $f$ turned from falling to rising (or back) between ${p}$ and ${q}$. **The minimum lies between these two points.**"
    ),
    "no_sign_change": N_("No sign change yet: the derivative has the same sign as at the previous point."),
    "table": N_("All iterations"),
    "stopped": N_("**Why it stopped:** {reason}"),
    "bound": N_(
        "The learning rate is stable below $\\eta < \\frac{{2}}{{L}} = {bound}$, where $L = {L}$ is the largest curvature (the largest eigenvalue of the Hessian)."
    ),
    "bound_local": N_(
        "Near the minimum at ${at}$ the learning rate is stable below $\\eta < \\frac{{2}}{{L}} = {bound}$, where $L = {L}$ is the largest eigenvalue of the Hessian there (a local curvature: f is not quadratic)."
    ),
    "minimum": N_("The minimum is at ${point}$."),
    "colon": N_(":"),
    "colon_space": N_(": "),
    "sep": N_(", "),
    "end": N_("."),
    "none": N_("—"),
    "sign": N_("sign"),
    "changed": N_("sign change"),
    "yes_between": N_("yes: the minimum lies between $x_{{{a}}}$ and $x_{{{b}}}$"),
    "yes_in": N_("yes, in {names}"),
    "skipped_rows": N_("… {n} more rows …"),
    "figure": N_("Figure: {title}"),
    "training_data": N_("The data and this update's predictions:"),
    "predict": N_("**1. Predict** with the current weights ${params}$:"),
    "loss": N_("**2. Loss** (mean squared error over the {n} samples used):"),
    "gradient": N_("**3. Gradient** of the loss with respect to the weights:"),
    "step": N_("**4. Update** the weights with the learning rate $\\eta = {lr}$:"),
    "after_engine": N_("The engine then ran {n} more updates; the loss went from ${a}$ to ${b}$."),
    "batch_kind": N_("**{name}**: {n} updates; loss ${a}$ → ${b}$; final ${params}$."),
    "first_update": N_("Its first update uses samples {samples}: "),
    "batch": N_("Batch gradient descent"),
    "stochastic": N_("Stochastic gradient descent"),
    "minibatch": N_("Mini-batch gradient descent (batch size {n})"),
    "transcript": N_("Your answers"),
    "transcript_intro": N_("Each question with what you answered, what was expected and the feedback you got."),
    "you": N_("You answered"),
    "right": notation.VERDICTS["right"],
    "wrong": notation.VERDICTS["wrong"],
    "invalid": N_("not understood (not counted)"),
    "hint": N_("asked for a hint"),
    "revealed": N_("revealed the solution"),
    "feedback": N_("Feedback"),
    "correct": N_("Correct answer"),
    "not_tried": N_("Not attempted."),
    "other": N_("Attempts at questions no longer in this lesson"),
    "score": N_("Score: {right} of {total} questions right at the first try."),
}


def word(key: str, **values: Any) -> str:
    """``WORDS[key]`` in the process's language, with its ``{placeholders}`` filled in."""
    entry = WORDS[key]
    text = _(entry) if isinstance(entry, str) else tr(entry)  # notation's shared words may still be Text
    return text.format(**values) if values else text


class ExportError(TutorError):
    """A lesson could not be exported (it does not load, or the folder cannot be written)."""


# --- writing maths: numbers come from tutor.notation -------------------------------------------

_name, _sub, paren = notation.name_tex, notation.sub_tex, notation.tex_factor


def _sign_symbol(sign: int | None) -> str:
    return notation.sign_mark(sign, "latex")


def _signs_at(p: DescentFacts, k: int) -> tuple[int | None, ...]:
    """The signs of the gradient at iterate k of the payload's run."""
    for s, signs in zip(p.run.steps, p.signs):
        if s.k == k:
            return tuple(signs)
    return (None,) * len(p.variables)


def _cell(text: str) -> str:
    """A table cell: a '|' inside maths would end the cell."""
    return text.replace("|", r"\vert ")


def _exact_on_demand(value: Any) -> str:
    """A value of a run's table as Markdown maths; a long exact one (the tutor's rule) ≈ a short decimal, exact after.

    ``$\\approx 0.6079$ (exact: $\\tfrac{12157665459056928801}{20000000000000000000}$)``: the reader
    sees the size at a glance and still has the exact value.  A value too long to write exactly at all
    is ≈ only (as :func:`tutor.notation.tex` writes it).
    """
    exact = tex(value)
    if not tables.long_exact(value) or "approx" in exact:
        return f"${exact}$"
    parts = value if isinstance(value, (tuple, list)) else (value,)
    short = ", ".join(rf"\approx {tables.approx(v)}" if tables.long_exact(v) else tex(v) for v in parts)
    if isinstance(value, (tuple, list)):
        short = rf"\left({short}\right)"
    return _("{rounded} (exact: {exact})").format(rounded=f"${short}$", exact=f"${exact}$")


def _block(latex: str) -> list[str]:
    """Display maths, with the blank lines GitHub needs around it."""
    return ["", f"$${latex}$$", ""]


# --- the Markdown of a walkthrough ---------------------------------------------------------------


def _slug(step_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", step_id).strip("-.") or "step"


class _Solution:
    """Builds the Markdown of one walkthrough, step by step, and writes its images."""

    variables: tuple[str, ...] = ()

    def __init__(self, walkthrough: Any, image_dir: Path | None, link_dir: str):
        self.w = walkthrough
        self.image_dir = image_dir
        self.link_dir = link_dir
        self.lines: list[str] = []
        self.images: list[Path] = []
        self.text = ""  # the Markdown, once rendered
        self.tabled: set[int] = set()
        self.figures: list[tuple[Any, Path]] = []  # the section's figures (drawing, path), drawn at its end
        self.frames: Any = None  # the figure kept from section to section when they are drawn here
        self.drawing: list[tuple[list[tuple[Any, Path]], Any]] = []  # sections' figures in the pool, their future

    # -- helpers --

    def say(self, *lines: str) -> None:
        self.lines.extend(lines)

    def para(self, text: str) -> None:
        if text:
            self.lines.extend([text, ""])

    def t(self, text: Any) -> str:
        return markdown_safe(tr(text).strip())  # lesson text: no raw HTML, script links or \\input

    # -- the whole document --

    def render(self) -> str:
        self.say(f"# {markdown_heading(self.t(self.w.title))}", "")
        self.para(self.t(self.w.summary))
        steps = list(self.w.steps)
        for i, step in enumerate(steps):
            self.step(step)
            last_of_section = i + 1 == len(steps) or steps[i + 1].section != step.section
            if last_of_section:
                self.untabled_runs(steps, step.section)
                self.draw_figures()
        text = "\n".join(self.lines)
        text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
        return text

    def step(self, step: Step) -> None:
        """The step's own words first; the export writes worked maths only where the walkthrough has none."""
        self.say(f"## {markdown_heading(self.t(step.title) or step.id)}", "")
        self.para(self.t(step.text))
        payload = step.payload
        self.variables = tuple(getattr(payload, "variables", ()) or ())  # names for per-variable answers
        own = step.solution is None
        if isinstance(payload, (TrainingPayload, BatchPayload)):
            self.data_table(payload)
        match payload:
            case DerivePayload():
                self.derivation(payload)
            case IterationPayload() if own:
                self.iteration(payload)
            case RunPayload() | OutcomePayload():
                self.run(payload, with_words=not self.t(step.text))
            case TrainingPayload() if own:
                self.training(payload)
            case BatchPayload() if own:
                self.batch(payload)
            case IterationPayload() | TrainingPayload() | BatchPayload():
                pass  # the walkthrough's own solution works it out
            case ExplainPayload() | EvaluatePayload() | PredictPayload() | QuestionPayload():
                pass  # the step's words and questions say it all
            case _:
                assert_never(payload)
        self.image(step)
        for question in step.questions:
            self.question(question)
        self.rest_of_solution(step)

    def rest_of_solution(self, step: Any) -> None:
        """The paragraphs of the step's solution that no question's solution has already shown.

        A run's own table is replaced by the fuller one above (with signs and sign changes).
        """
        if not step.solution:
            return
        shown: set[str] = set()
        for q in step.questions:
            solution = getattr(getattr(q, "help", None), "solution", None)
            shown.update(p.strip() for p in self.t(solution).split("\n\n"))
        rest = [p.strip() for p in self.t(step.solution).split("\n\n") if p.strip() and p.strip() not in shown]
        if isinstance(step.payload, (RunPayload, OutcomePayload)) and id(step.payload.run) in self.tabled:
            rest = [p for p in rest if not p.startswith("|")]
        if rest:
            self.say(f"**{word('solution')}**", "")
            for paragraph in rest:
                self.para(paragraph)

    def image(self, step: Any) -> None:
        if self.image_dir is None:
            return
        from tutor.plots.step import drawing

        order = drawing(step)
        name = f"{_slug(step.id)}.png"
        if order is not None:  # drawn with the section's other figures, at its end (draw_figures)
            written = self.image_dir / name
            self.figures.append((order, written))
            self.images.append(written)
            alt = word("figure", title=self.t(step.title) or step.id).replace("]", ")").replace("[", "(")
            self.para(f"![{alt}]({self.link_dir}/{name})")

    def draw_figures(self) -> None:
        """The section's figures: one task for the pool (one worker updates one figure per step), else drawn here."""
        figures, self.figures = self.figures, []
        if not figures or self.image_dir is None:
            return
        from tutor.plots.pool import submit_section
        from tutor.plots.runs import Frames
        from tutor.plots.step import draw_section

        future = submit_section(figures)
        if future is not None:  # drawn on another core; collected by _finish()
            self.image_dir.mkdir(parents=True, exist_ok=True)
            self.drawing.append((figures, future))
            return
        self.frames = self.frames or Frames()
        for (_order, path), written in zip(figures, draw_section(figures, self.frames)):
            if written is None:
                raise ExportError(_("{name} was linked but nothing was drawn for it").format(name=path.name))

    # -- questions --

    def question(self, q: Any) -> None:
        self.say(f"**{word('question')}** — {self.t(q.prompt)}", "")
        answer = self.answer(q)
        if q.tolerance is not None:
            answer += " " + word("within", tol=f"{q.tolerance:g}")
        self.say(f"**{word('answer')}{word('colon')}** {answer}", "")
        solution = getattr(getattr(q, "help", None), "solution", None)
        if solution:
            self.say(f"**{word('why')}{word('colon')}** {self.t(solution)}", "")

    def answer(self, q: Any) -> str:
        expected = q.expected
        if q.kind == "choice":
            labels = {c.key: self.t(c.label) for c in q.choices}
            if isinstance(expected, (tuple, list)):
                names = q.variables or tuple(self.variables) or tuple(str(i) for i in range(len(expected)))
                return "; ".join(f"${_name(v)}$: {labels.get(e, e)}" for v, e in zip(names, expected))
            return f"**{labels.get(expected, expected)}**"
        return f"${tex(expected)}$"

    # -- derive: the rule-by-rule derivation, when that module is there --

    def derivation(self, payload: DerivePayload) -> None:
        text = self.t(payload.derivation.markdown) if payload.derivation.markdown is not None else ""
        if text:
            self.say(f"**{word('derivation')}**", "")
            self.para(text)

    # -- descent --

    def iteration(self, p: IterationPayload) -> None:
        run, variables, point, gradient = p.run, p.variables, p.point, p.gradient
        if not variables:
            return
        k, value, lr, optimizer = p.k, p.value, p.learning_rate, p.optimizer
        signs = _signs_at(p, k)
        one = len(variables) == 1
        v = variables[0]
        if one:
            at = f"{_sub(v, k)} = {tex(point[0])}"
            facts = [f"$f({_sub(v, k)}) = {tex(value)}$", f"$f'({_sub(v, k)}) = {tex(gradient[0])}$"]
        else:
            at = f"\\mathbf{{x}}_{{{k}}} = {tex(tuple(point))}"
            facts = [
                f"$f(\\mathbf{{x}}_{{{k}}}) = {tex(value)}$",
                f"$\\nabla f(\\mathbf{{x}}_{{{k}}}) = {tex(tuple(gradient))}$",
            ]
        self.para(word("at_point", point=f"${at}$") + " " + word("sep").join(facts) + word("end"))
        if one:
            key = {1: "direction_down", -1: "direction_up"}.get(signs[0] or 0, "direction_stay")
            self.para(word(key, v=f"${_name(v)}$"))
        else:
            keys: dict[int | None, str] = {1: "partial_down", -1: "partial_up"}
            self.para(" ".join(word(keys.get(s, "partial_stay"), v=_name(name)) for name, s in zip(variables, signs)))
        if p.update_latex:
            if optimizer == "gd":
                self.para(word("update", lr=tex(lr)))
            else:
                words = p.optimisers.get(optimizer)
                name = tr(words.noun) if words is not None else optimizer
                self.para(word("update_other", name=name))
            for line in p.update_latex:
                self.say(*_block(line))
        self.sign_change(p.sign_change, run, variables, k)

    def sign_change(self, changed: Sequence[str], run: Any, variables: Sequence[str], k: int) -> None:
        if k == 0 or run is None:
            return
        steps = {s.k: s for s in run.steps}
        before, now = steps.get(k - 1), steps.get(k)
        if not changed:
            if before is not None:
                self.para(word("no_sign_change"))
            return
        if before is None or now is None:
            return
        for name in changed:
            i = variables.index(name) if name in variables else 0
            if len(variables) == 1:
                a = f"f'({_sub(name, k - 1)}) = {tex(before.gradient[i])}"
                b = f"f'({_sub(name, k)}) = {tex(now.gradient[i])}"
                p = f"{_sub(name, k - 1)} = {tex(before.point[i])}"
                q = f"{_sub(name, k)} = {tex(now.point[i])}"
            else:
                part = f"\\frac{{\\partial f}}{{\\partial {_name(name)}}}"
                a = f"{part}(\\mathbf{{x}}_{{{k - 1}}}) = {tex(before.gradient[i])}"
                b = f"{part}(\\mathbf{{x}}_{{{k}}}) = {tex(now.gradient[i])}"
                p = f"{_sub(name, k - 1)} = {tex(before.point[i])}"
                q = f"{_sub(name, k)} = {tex(now.point[i])}"
            self.para(word("sign_change", a=a, b=b, p=p, q=q))

    def untabled_runs(self, steps: Sequence[Any], section: int) -> None:
        """A section with iterations by hand but no run step still gets its table."""
        for step in steps:  # a filter, not a dispatch on every payload
            p = step.payload
            if isinstance(p, IterationPayload) and step.section == section and id(p.run) not in self.tabled:
                self.say(f"### {word('table')}", "")
                self.table(p.run, p.signs)
                self.stop(p.run)

    def run(self, p: DescentFacts, with_words: bool = True) -> None:
        run = p.run
        self.say(f"### {word('table')}", "")
        self.table(run, p.signs, p.display)
        if not with_words:  # the step's text already says why it stopped, the bound and the minima
            return
        self.stop(run)
        bound = p.bound
        if bound is not None and getattr(bound, "bound", None) is not None:
            if getattr(bound, "scope", "quadratic") == "local" and bound.at:  # issue 13: a local L is not f's largest
                at = ", ".join(f"{v} = {tex(x)}" for v, x in bound.at.items())
                self.para(word("bound_local", at=at, bound=tex(bound.bound), L=tex(bound.curvature)))
            else:
                self.para(word("bound", bound=tex(bound.bound), L=tex(bound.curvature)))
        variables = tuple(p.variables or run.variables)
        for m in p.minima:
            if getattr(m, "kind", "minimum") == "minimum":
                point = getattr(m, "point", m)
                shown = (
                    ",\\ ".join(f"{_name(v)} = {tex(point[v])}" for v in variables if v in point)
                    if isinstance(point, Mapping)
                    else tex(point)
                )
                self.para(word("minimum", point=shown))

    def stop(self, run: Any) -> None:
        reason = run.stop.reason
        # the engine's own message in English; in another language the reason in that language's words
        text = (
            run.stop.message if current_language() == "en" and run.stop.message else _(STOP_WORDS.get(reason, reason))
        )
        self.para(word("stopped", reason=text))

    def table(self, run: Any, signs: Sequence[Sequence[int | None]], display: Any = None) -> None:
        self.tabled.add(id(run))
        decimals = getattr(display, "decimals", None)
        show: Callable[[Any], str]
        if decimals is None:
            show = _exact_on_demand
        else:
            show = lambda v: f"${notation.tex_decimals(v, decimals)}$"  # noqa: E731
        variables = tuple(run.variables)
        one = len(variables) == 1
        v = variables[0] if variables else "x"
        if one:
            head = [
                "$k$",
                f"${_sub(v, 'k')}$",
                f"$f({_sub(v, 'k')})$",
                f"$f'({_sub(v, 'k')})$",
                word("sign"),
                word("changed"),
            ]
        else:
            head = [
                "$k$",
                "$\\mathbf{x}_k$",
                "$f(\\mathbf{x}_k)$",
                "$\\nabla f(\\mathbf{x}_k)$",
                word("sign"),
                word("changed"),
            ]
        rows = []
        for s, sign in zip(run.steps, signs):
            if one:
                cells = [
                    f"${s.k}$",
                    show(s.point[0]),
                    show(s.value),
                    show(s.gradient[0]),
                    _sign_symbol(sign[0]),
                ]
                change = word("yes_between", a=s.k - 1, b=s.k) if s.sign_change else word("none")
            else:
                cells = [
                    f"${s.k}$",
                    show(tuple(s.point)),
                    show(s.value),
                    show(tuple(s.gradient)),
                    "(" + ", ".join(_sign_symbol(g) for g in sign) + ")",
                ]
                change = (
                    word("yes_in", names=", ".join(f"${_name(n)}$" for n in s.sign_change))
                    if s.sign_change
                    else word("none")
                )
            rows.append("| " + " | ".join(_cell(c) for c in [*cells, change]) + " |")
        limit = getattr(display, "rows", None)
        first, last = (TABLE_HEAD, TABLE_TAIL) if limit is None else (limit - limit // 3, limit // 3)
        if len(rows) > first + last + 1:
            skipped = len(rows) - first - last
            filler = "| " + " | ".join([word("skipped_rows", n=skipped)] + [""] * (len(head) - 1)) + " |"
            rows = rows[:first] + [filler] + (rows[-last:] if last else [])
        self.say("| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|", *rows, "")

    # -- training --

    def data_table(self, p: TrainingPayload | BatchPayload) -> None:
        """The step's data, the samples each update uses marked (the walkthrough's ``data_use``)."""
        use = p.data_use
        if use is None:
            return
        head = ["$i$", f"${_name(p.input or 'x')}_i$", "$y_i$", *(tables.use_heading(name) for name, _s in use.uses)]
        marked = [frozenset(samples) for _name, samples in use.uses]
        rows = [
            "| "
            + " | ".join(
                [f"${i}$", f"${tex(p.xs[i])}$", f"${tex(p.ys[i])}$", *(tables.USED if i in m else "" for m in marked)]
            )
            + " |"
            for i in use.shown
            if 0 <= i < len(p.xs)
        ]
        hidden = use.total - len(rows)
        if hidden > 0:
            rows.append("| " + " | ".join([word("skipped_rows", n=hidden)] + [""] * (len(head) - 1)) + " |")
        self.say("| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|", *rows, "")

    def training(self, p: TrainingPayload) -> None:
        parameters = p.parameters
        xs, ys = list(p.xs), list(p.ys)
        if not parameters or not xs:
            return
        model = p.model
        params = p.params or {}
        samples = p.samples
        used = list(range(len(xs))) if samples is None else list(samples)
        predictions = list(p.predictions)
        x_name = _name(p.input or "x")
        self.para(word("predict", params=tex(params)) + f" $y_1 = {tex(model)}$")
        self.para(word("training_data"))
        head = ["$i$", f"${x_name}_i$", "$y_i$", "$y_{1,i}$", "$(y_{1,i} - y_i)^2$"]
        rows = []
        for j, i in enumerate(used):
            y1 = predictions[j] if j < len(predictions) else None
            try:
                err = (y1 - ys[i]) ** 2 if y1 is not None else None
            except TypeError:
                err = None
            rows.append(
                "| "
                + " | ".join(
                    _cell(c) for c in [f"${i}$", f"${tex(xs[i])}$", f"${tex(ys[i])}$", f"${tex(y1)}$", f"${tex(err)}$"]
                )
                + " |"
            )
        self.say("| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|", *rows, "")
        n = len(used)
        loss = p.loss
        self.para(word("loss", n=n))
        self.say(*_block(f"L = \\frac{{1}}{{{n}}}\\sum_i (y_{{1,i}} - y_i)^2 = {tex(loss)}"))
        gradient = p.gradient
        if gradient is not None:
            grads = list(gradient)
            self.para(word("gradient"))
            self.say(
                *_block(
                    ",\\quad ".join(
                        f"\\frac{{\\partial L}}{{\\partial {_name(p)}}} = {tex(g)}" for p, g in zip(parameters, grads)
                    )
                )
            )
            after = p.next_params or {}
            lr = p.learning_rate
            if after and lr is not None:
                self.para(word("step", lr=tex(lr)))
                for name, g in zip(parameters, grads):
                    before = params.get(name) if isinstance(params, Mapping) else None
                    self.say(
                        *_block(
                            f"{_name(name)} \\leftarrow {_name(name)} - \\eta \\frac{{\\partial L}}{{\\partial {_name(name)}}} = "
                            f"{tex(before)} - {tex(lr)}\\cdot {paren(g)} = {tex(after.get(name))}"
                        )
                    )
        history = p.history
        losses = list(getattr(history, "losses", history) or ()) if history is not None else []
        if len(losses) > 2:
            self.para(word("after_engine", n=len(losses) - 2, a=tex(losses[1]), b=tex(losses[-1])))

    def batch(self, p: BatchPayload) -> None:
        runs = p.runs or {}
        parameters = p.parameters
        size = p.batch_size
        for key, run in runs.items():
            kind = getattr(run, "kind", key)
            name = word(kind, n=size) if kind in ("batch", "stochastic", "minibatch") else kind
            losses = list(getattr(run, "losses", ()) or ())
            params = list(getattr(run, "params", ()) or ())
            final = params[-1] if params else {}
            if not losses:
                continue
            line = word(
                "batch_kind",
                name=name,
                n=len(losses) - 1,
                a=tex(losses[0]),
                b=tex(losses[-1]),
                params=tex(final),
            )
            updates = list(getattr(run, "updates", ()) or ())
            if updates:
                u = updates[0]
                grads = ",\\ ".join(
                    f"\\frac{{\\partial L}}{{\\partial {_name(p)}}} = {tex(g)}" for p, g in zip(parameters, u.gradient)
                )
                line += " " + word("first_update", samples=", ".join(str(i) for i in u.samples))
                line += f"$L = {tex(u.loss)}$, ${grads}$, ${tex(u.params)} \\;\\to\\; {tex(u.next_params)}$."
            self.para(line)


def render_markdown(walkthrough: Any, image_dir: Path | None = None, link_dir: str = "") -> tuple[str, list[Path]]:
    """The Markdown of a walkthrough, and the images written to ``image_dir`` (none when it is None)."""
    return _finish(_render(walkthrough, image_dir, link_dir))


def _render(walkthrough: Any, image_dir: Path | None, link_dir: str) -> _Solution:
    """The Markdown written, its figures drawn here or handed to the pool (collected by :func:`_finish`)."""
    solution = _Solution(walkthrough, image_dir, link_dir or walkthrough.lesson_id)
    solution.text = solution.render()
    return solution


def _finish(solution: _Solution) -> tuple[str, list[Path]]:
    """The Markdown and its images, once the pool has drawn every figure it links."""
    for figures, future in solution.drawing:  # the figures drawn in the pool: all there before the Markdown is
        for (_order, path), (written, error) in zip(figures, _drawn(future, figures)):
            if error is not None:
                raise ExportError(_("cannot draw {name}: {error}").format(name=path.name, error=error))
            if written is None:
                raise ExportError(_("{name} was linked but nothing was drawn for it").format(name=path.name))
    return solution.text, solution.images


def _drawn(future: Any, figures: list[tuple[Any, Path]]) -> list[tuple[str | None, str | None]]:
    """A section's figures from the pool, or drawn here when the pool could not draw them (its process broke)."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except (BrokenProcessPool, OSError, RuntimeError):
        from tutor.plots.pool import draw_here

        return draw_here(figures)


def _write(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, renamed over ``path``: never through a link.

    A symbolic link (or a FIFO, a device, a folder) where the file should be is
    refused, so an export cannot be turned into a write somewhere else.
    """
    import os
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise ExportError(
                _("{path} is a symbolic link or not a regular file; it was not written (remove it first)").format(
                    path=path
                )
            )
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(text.encode("utf-8"))
            os.replace(temporary, path)  # replaces a link itself, never what it points to
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as err:
        raise ExportError(_("cannot write {path}: {reason}").format(path=path, reason=err.strerror or err)) from None


def _no_links(image_dir: Path) -> None:
    """The images are written over files of the same name: a link among them (or as the folder) is refused."""
    links = [image_dir] if image_dir.is_symlink() else []
    if not links and image_dir.is_dir():
        links = [p for p in image_dir.iterdir() if p.is_symlink() or not (p.is_file() or p.is_dir())]
    if links:
        raise ExportError(
            _("{path} is a symbolic link or not a regular file; the images were not written (remove it first)").format(
                path=links[0]
            )
        )


def export_markdown(walkthrough: Any, out_dir: Path | str) -> Path:
    """Write ``out_dir/<lesson-id>.md`` and its images in ``out_dir/<lesson-id>/``."""
    return _export(walkthrough, out_dir)[0]


def _export(walkthrough: Any, out_dir: Path | str) -> tuple[Path, list[Path]]:
    return _end_export(*_start_export(walkthrough, out_dir))


def _start_export(walkthrough: Any, out_dir: Path | str) -> tuple[Path, _Solution]:
    """A lesson's Markdown path and its rendering, its figures still drawing in the pool."""
    out_dir = Path(out_dir)
    lesson_id = walkthrough.lesson_id
    _no_links(out_dir / lesson_id)
    try:
        solution = _render(walkthrough, out_dir / lesson_id, lesson_id)
    except OSError as err:
        raise ExportError(
            _("cannot write the images of {lesson} in {folder}: {reason}").format(
                lesson=lesson_id, folder=out_dir, reason=err.strerror or err
            )
        ) from None
    return out_dir / f"{lesson_id}.md", solution


def _end_export(path: Path, solution: _Solution) -> tuple[Path, list[Path]]:
    """Wait for the lesson's figures, then write its Markdown."""
    try:
        text, images = _finish(solution)
    except OSError as err:
        raise ExportError(
            _("cannot write the images of {lesson} in {folder}: {reason}").format(
                lesson=path.stem, folder=path.parent, reason=err.strerror or err
            )
        ) from None
    _write(path, text)
    return path, images


# --- the learner's transcript ----------------------------------------------------------------------


def _code(text: str) -> str:
    """A learner's answer as inline code, whatever backticks it contains."""
    text = one_line(" ".join(str(text).split()))
    if len(text) > MAX_ANSWER_CHARS:
        text = text[: MAX_ANSWER_CHARS - 1] + "…"
    if not text:
        return "` `"
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in markdown_safe(str(text)).strip().splitlines())


def export_transcript(lesson_id: str, attempts: Sequence[Any], walkthrough: Any, out_dir: Path | str) -> Path:
    """Write ``out_dir/<lesson-id>-progress.md``: each answer beside the correct one, with its feedback."""
    out_dir = Path(out_dir)
    solution = _Solution(walkthrough, None, "")
    by_question: dict[str, list[Any]] = {}
    for attempt in attempts:
        by_question.setdefault(attempt.question_id, []).append(attempt)
    title = markdown_heading(tr(walkthrough.title))
    lines = [f"# {title} — {word('transcript')}", "", word("transcript_intro"), ""]
    known = set()
    first_right = total = 0
    for step in walkthrough.steps:
        if not step.questions:
            continue
        lines += [f"## {markdown_heading(tr(step.title) or step.id)}", ""]
        solution.variables = tuple(getattr(step.payload, "variables", ()) or ())
        for q in step.questions:
            known.add(q.id)
            total += 1
            lines += [f"**{word('question')}** — {tr(q.prompt).strip()}", ""]
            tries = by_question.get(q.id, [])
            answers = [a for a in tries if a.kind == "answer" and a.verdict in ("right", "wrong")]
            if answers and answers[0].verdict == "right":
                first_right += 1
            if not tries:
                lines += [word("not_tried"), ""]
            for a in tries:
                lines += _attempt_lines(a)
            lines += [f"**{word('correct')}{word('colon')}** {solution.answer(q)}", ""]
    lines += [word("score", right=first_right, total=total), ""]
    others = [a for a in attempts if a.question_id not in known]
    if others:
        lines += [f"## {word('other')}", ""]
        for a in others:
            lines += [f"`{a.question_id}`", ""] + _attempt_lines(a)
    path = out_dir / f"{lesson_id}-progress.md"
    _write(path, re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n")
    return path


def _attempt_lines(a: Any) -> list[str]:
    when = f" <sub>{a.at}</sub>" if getattr(a, "at", "") else ""
    if a.kind == "hint":
        return [f"- {word('hint')}{when}", ""]
    if a.kind == "solution":
        return [f"- {word('revealed')}{when}", ""]
    verdict = {"right": "✅ " + word("right"), "wrong": "❌ " + word("wrong")}.get(a.verdict, word("invalid"))
    lines = [f"- {word('you')} {_code(a.answer)}{word('colon_space')}{verdict}{when}"]
    if a.feedback:
        lines += ["", _quote(f"{word('feedback')}{word('colon_space')}{a.feedback}")]
    return lines + [""]


# --- the command ---------------------------------------------------------------------------------


def _walkthrough(lesson: Any) -> Any:
    from tutor.sandbox import bounded_walkthrough

    return bounded_walkthrough(lesson)  # in the sandbox: a lesson cannot hang the export


def _lessons(names: Sequence[str], lesson_dirs: Sequence[Path]) -> Iterator[tuple[str, Any]]:
    """(name, Lesson) for each name given, or for every bundled lesson; errors as (name, TutorError)."""
    from tutor.lesson import catalog

    if names:
        for name in names:
            if not isinstance(name, str):  # a Lesson already loaded (one variant of it)
                yield name.id, name
                continue
            try:
                yield name, catalog.resolve_lesson(name, list(lesson_dirs))
            except TutorError as err:
                yield name, err
        return
    for entry in catalog.find_lessons(list(lesson_dirs)):
        if getattr(entry, "source", "bundled") == "user":
            continue  # with no lesson named: the bundled ones, and those in --lessons folders
        if entry.lesson is None:
            yield entry.id, ExportError(entry.error or _("{lesson} could not be loaded").format(lesson=entry.id))
        else:
            yield entry.id, entry.lesson


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def export_command(lessons: list[str], out_dir: Path, transcript: bool, lesson_dirs: list[Path]) -> Iterable[str]:
    """``tutor export``: one line per file written; a lesson that fails is reported and the rest still export."""
    out_dir = Path(out_dir)
    names = list(lessons)
    attempts_of = None
    if transcript:
        from tutor.progress import ProgressStore

        store = ProgressStore()
        attempts_of = store.attempts
        if not names:
            names = list(store.known_lessons())
            if not names:
                yield _("no progress yet: answer some questions in the tutor first")
                return
    failed = []
    from contextlib import nullcontext, suppress

    from tutor.plots.pool import drawing_pool

    # the figures on every core; one lesson's few are drawn here (starting the pool costs about what drawing them does)
    pooled = not transcript and len(names) != 1
    if pooled:
        from tutor import sandbox

        with suppress(TutorError):  # (a checker that cannot start says so when the first lesson is built)
            sandbox.start()  # before the pool's threads, so the checker is forked from this process at once
    with drawing_pool() if pooled else nullcontext():
        # every lesson is built and rendered while the pool draws the figures of the ones before it; then, in order,
        # each lesson's figures are waited for and its Markdown written (a lesson whose figure fails is skipped)
        # per lesson, in order: (name, what was said, failed) when it is done, or (name, path, solution) pending
        started: list[tuple[str, str, bool] | tuple[str, Path, _Solution]] = []
        for name, lesson in _lessons(names, lesson_dirs):
            if isinstance(lesson, TutorError):
                started.append((name, _("skipped {name}: {reason}").format(name=name, reason=lesson.message), True))
                continue
            try:
                walkthrough = _walkthrough(lesson)
                if attempts_of is not None:  # (set for a transcript)
                    path = export_transcript(
                        walkthrough.lesson_id, attempts_of(walkthrough.lesson_id), walkthrough, out_dir
                    )
                    started.append((name, _("wrote {path}").format(path=_shown(path)), False))
                else:
                    started.append((name, *_start_export(walkthrough, out_dir)))
            except TutorError as err:
                started.append((name, _("skipped {name}: {reason}").format(name=name, reason=err.message), True))
        for entry in started:
            match entry:
                case (name, str() as said, bool() as did_fail):  # already said
                    if did_fail:
                        failed.append(name)
                    yield said
                    continue
                case (name, Path() as target, _Solution() as solution):
                    pass
                case _:
                    raise AssertionError(entry)
            try:
                path, images = _end_export(target, solution)
                count = len(images)
                yield ngettext("wrote {path} ({count} image)", "wrote {path} ({count} images)", count).format(
                    path=_shown(path), count=count
                )
            except TutorError as err:
                failed.append(name)
                yield _("skipped {name}: {reason}").format(name=name, reason=err.message)
    if failed:
        raise ExportError(
            ngettext(
                "{n} lesson could not be exported: {names}", "{n} lessons could not be exported: {names}", len(failed)
            ).format(n=len(failed), names=", ".join(failed))
        )
