"""How every figure looks and speaks: sizes, colours, the words in each language, fonts, one picture at a time."""

from __future__ import annotations

import functools
import math
import os
import sys
import threading
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.i18n import N_, _, ngettext
from tutor.walkthrough.contract import Formula

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Every figure is this size, in inches, at this resolution: 800 x 500 pixels.
FIGSIZE = (8.0, 5.0)


DPI = 100


#: The family matplotlib knows the bundled CJK font by.
CJK_FAMILY = "Descent Tutor CJK"


CJK_FILE = "DescentTutorCJK-Regular.otf"


COLORS = {
    "curve": "#1f77b4",
    "path": "#d62728",
    "next": "#ff7f0e",
    "tangent": "#7f7f7f",
    "bracket": "#2ca02c",
    "minimum": "#2ca02c",
    "gradient": "#9467bd",
    "before": "#7f7f7f",
    "after": "#d62728",
    "batch": "#1f77b4",
    "stochastic": "#ff7f0e",
    "minibatch": "#2ca02c",
}


WORDS = {
    "descent": N_("Gradient descent"),
    "steps": N_("{n} steps"),
    "one_step": N_("1 step"),
    "step_k": N_("Iteration k = {k}"),
    "stopped": N_("stopped: {reason}"),
    "diverged": N_("diverged"),
    "growing": N_("diverging: each step is longer than the last"),
    "no_steps": N_("No steps were taken: {reason}"),
    "iterates": N_("iterates xₖ"),
    "next": N_("next iterate xₖ₊₁"),
    "tangent": N_("tangent at x{k} (its slope is f′(x{k}))"),
    "bracket": N_("f′ changed sign: the minimum lies in here"),
    "minimum": N_("minimum"),
    "start": N_("start"),
    "path": N_("descent path"),
    "level_sets": N_("level sets of f"),
    "gradient_arrows": N_("gradient ∇f (uphill; we step the other way)"),
    "off_chart": N_("later iterates lie off the chart"),
    "move": N_("step −η·f′(xₖ)"),
    "coordinates": N_("Each coordinate against the iteration k"),
    "value_by_k": N_("f(xₖ) against the iteration k"),
    "iteration": N_("iteration k"),
    "function": N_("The function"),
    "training": N_("One training update: predict, loss, gradient, update"),
    "data": N_("data (x, y)"),
    "used": N_("samples used in this update"),
    "before": N_("model before the update"),
    "after": N_("model after the update"),
    "residual": N_("error y₁ − y"),
    "loss_curve": N_("Loss against the update"),
    "loss": N_("loss (mean squared error)"),
    "update": N_("update"),
    "hand": N_("after your update"),
    "start_loss": N_("before any update"),
    "batch_title": N_("Batch, stochastic and mini-batch gradient descent"),
    "fits": N_("Fitted models after training"),
    "batch": N_("batch gradient descent"),
    "stochastic": N_("stochastic gradient descent"),
    "minibatch": N_("mini-batch gradient descent (size {n})"),
    "optimizers": N_("Optimizers on the same function"),
}


REASONS = {
    "max_steps": N_("ran the steps asked for"),
    "zero_gradient": N_("the gradient is exactly zero"),
    "sign_change": N_("the derivative changed sign"),
    "tolerance": N_("the gradient is within the tolerance"),
    "diverged": N_("diverged"),
    "growing": N_("diverging: each step is longer than the last"),
    "undefined": N_("f is undefined there"),
    "not_differentiable": N_("f is not differentiable there"),
    "exact_limit": N_("the exact numbers grew too large"),
}


def word(key: str, **values: Any) -> str:
    """A built-in label in the process's language ("1 step", not "1 steps")."""
    if key == "steps":
        n = values["n"]
        return ngettext("{n} step", "{n} steps", n).format(n=n)
    text = _(WORDS[key])
    return text.format(**values) if values else text


def reason_words(reason: str) -> str:
    """Why a run stopped, in a figure's few words (an unknown reason as its key)."""
    return _(REASONS[reason]) if reason in REASONS else reason


#: matplotlib's figures are independent, but its mathtext parser (pyparsing) and
#: text caches are shared and not thread-safe: two threads drawing formulas at
#: once can garble each other's glyphs.  Worker threads may call any plot
#: function; they take turns drawing (each picture takes a fraction of a second).
_render_lock = threading.RLock()


def _one_at_a_time(fn):
    """One figure at a time (shared parsers, pyparsing), its texts in the tutor's fonts from the start."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _render_lock, _fonts():
            return fn(*args, **kwargs)

    return wrapper


def _fonts():
    """Every text made (and every tick label drawn) meanwhile uses DejaVu Sans, then the CJK font."""
    import matplotlib

    return matplotlib.rc_context({"font.family": font_family()})


_font_lock = threading.Lock()


_font_family: list[str] | None = None


def cjk_font_path() -> Path | None:
    """The bundled CJK font: the repository's ``assets/fonts``, else the copy in the package."""
    package = Path(__file__).resolve().parent.parent  # tutor/
    for folder in (package.parent / "assets" / "fonts", package / "data" / "fonts"):
        candidate = folder / CJK_FILE
        if candidate.is_file():
            return candidate
    return None


def font_family() -> list[str]:
    """DejaVu Sans for Latin letters and maths, then the CJK font for hanzi (registered once)."""
    global _font_family
    with _font_lock:
        if _font_family is None:
            from matplotlib import font_manager

            family = ["DejaVu Sans"]
            path = cjk_font_path()
            if path is not None:
                font_manager.fontManager.addfont(str(path))
                family.append(CJK_FAMILY)
            _font_family = family
        return list(_font_family)


def num(value: Any) -> float:
    """A float for drawing: exact values converted, anything without one is NaN."""
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return math.nan


def finite(values: Iterable[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


@functools.lru_cache(maxsize=512)
def mathtext_ok(source: str) -> bool:
    """Whether matplotlib's mathtext can draw this (it knows only part of LaTeX)."""
    with _render_lock:  # pyparsing is not thread-safe
        try:
            _parser().parse(source)
        except Exception:
            return False
    return True


def new_figure(ncols: int = 1, *, width_ratios: Sequence[float] | None = None):
    """A fresh Figure on its own Agg canvas (no pyplot, no shared state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE, dpi=DPI)  # a fixed layout (see _fixed_layout): constrained layout cost 60 % of a draw
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols, width_ratios=width_ratios) if ncols > 1 else fig.subplots()
    return fig, axes


def save(fig, path: Path | str) -> Path:
    """Write the PNG with fixed metadata, so the same picture gives the same bytes."""
    import matplotlib
    from matplotlib.text import Text

    family = font_family()
    if list(matplotlib.rcParams["font.family"]) != list(family):  # drawn outside _one_at_a_time: set each text's
        for text in fig.findobj(Text):
            if text.get_text():
                text.set_fontfamily(family)
    _fixed_layout(fig)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _render_lock:  # the shared parsers (pyparsing is not thread-safe)
        _share_parsers(fig.canvas.get_renderer())
        fig.canvas.draw()  # once (savefig would draw twice)
        write_png(fig.canvas.buffer_rgba(), path, fig.dpi)
    return path


def write_png(rgba: Any, path: Path, dpi: float) -> None:
    """The drawn pixels as a PNG: RGB when every pixel is opaque, zlib level 3, no time or software stamp.

    matplotlib writes RGBA at level 6.  The figures have a white background, so
    the alpha channel is all 255: without it, and at level 3, encoding takes
    8.5 ms instead of 12 ms a figure and the file is 5 % smaller (measured on
    lesson 4's figures).
    """
    import numpy as np
    from PIL import Image

    pixels = np.asarray(rgba)
    if (pixels[..., 3] == 255).all():
        pixels = np.ascontiguousarray(pixels[..., :3])
    Image.fromarray(pixels).save(path, format="png", compress_level=3, dpi=(dpi, dpi))


_parsers: dict[str, Any] = {}


def _parser():
    """The process's maths-text parser whose cache holds every formula of a run, not matplotlib's last 50.

    matplotlib keeps one ``lru_cache(50)`` for all its parsers; an export's
    figures carry some hundred distinct formulas and tick labels (every size and
    dpi a key), so the cache turned over and most formulas were parsed again in
    each figure.  One parser with its own large cache parses each once per process.
    """
    if "parser" not in _parsers:
        from matplotlib.mathtext import MathTextParser

        class RunParser(MathTextParser):
            _parse_cached = functools.lru_cache(maxsize=4096)(MathTextParser._parse_cached.__wrapped__)  # type: ignore[attr-defined]  # a private cache

        _parsers["parser"] = RunParser("path")
    return _parsers["parser"]


def _forget_font_handles() -> None:
    """In a forked child: drop every parsed formula, since each holds the parent's open font files.

    A font file's read position is shared by parent and child after a fork, so
    two processes reading glyphs through the same handle garble them (FreeType:
    "invalid outline").  matplotlib empties its own font cache on fork; the parsed
    formulas (ours and matplotlib's) keep fonts of their own, so they go too.
    """
    _parsers.clear()
    mathtext = sys.modules.get("matplotlib.mathtext")
    if mathtext is not None:
        mathtext.MathTextParser._parse_cached.cache_clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_font_handles)


def _share_parsers(renderer) -> None:
    """One maths-text parser for every figure, so its cache of parsed formulas lasts the whole run.

    Each Agg renderer makes its own parser (and text-to-path converter), and
    matplotlib's cache of parsed formulas is per parser: every new figure parsed
    every formula again (tens of milliseconds each).  Figures are drawn one at
    a time (:func:`_one_at_a_time`), so sharing them is safe.
    """
    from matplotlib.textpath import TextToPath

    if "text2path" not in _parsers:
        _parsers["text2path"] = TextToPath()
    renderer.mathtext_parser = _parser()
    renderer._text2path = _parsers["text2path"]


def _fixed_layout(fig) -> None:
    """Margins from what the figure carries (title lines, a colour bar, a label under all), without a layout engine.

    Constrained layout measured every text to place the axes, twice per draw;
    the figures here are all alike (8×5 inches, one or two axes, a title of one
    or two lines over an axes title of one or two), so fixed margins fit them.
    """
    if fig.get_layout_engine() is not None:
        return
    for ax in fig.axes:  # titles at the top of their axes: nothing is drawn above an axes (no top ticks or labels)
        ax._autotitlepos = False
    sup = fig._suptitle.get_text().count("\n") + 1 if fig._suptitle and fig._suptitle.get_text() else 0
    main = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    titled = max((ax.get_title().count("\n") + 1 for ax in main if ax.get_title()), default=0)
    bar = any(ax.get_label() == "<colorbar>" for ax in fig.axes)
    under = fig._supxlabel is not None and bool(fig._supxlabel.get_text())
    top = 1 - 0.015 - 0.055 * sup - 0.045 * titled
    if sup:
        fig._suptitle.set_y(0.985)
        fig._suptitle.set_va("top")
    fig.subplots_adjust(left=0.085, right=0.9 if bar else 0.975, bottom=0.15 if under else 0.1, top=top, wspace=0.22)


def _suptitle(fig, *lines: str) -> None:
    fig.suptitle("\n".join(line for line in lines if line), fontsize=12)


def _legend(ax, *, last: Collection[Any] = (), **kwargs) -> None:
    """The axes' legend; the entries of the artists in ``last`` at its end (drawn first, listed last)."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        order = sorted(range(len(handles)), key=lambda i: handles[i] in last)
        ax.legend([handles[i] for i in order], [labels[i] for i in order], fontsize=8.5, framealpha=0.85, **kwargs)


def _message(ax, text: str) -> None:
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=11,
        wrap=True,
        zorder=10,
        bbox=dict(boxstyle="round,pad=0.5", facecolor="white", edgecolor="#999999", alpha=0.95),
    )


def _label(ax, text: str, x: float, y: float, color: str, *, right: bool = True, up: bool = True) -> None:
    """A small label beside a point, outlined in white so it reads on any background."""
    from matplotlib import patheffects

    ax.annotate(
        text,
        (x, y),
        textcoords="offset points",
        xytext=(8 if right else -8, 7 if up else -13),
        ha="left" if right else "right",
        fontsize=10,
        color=color,
        zorder=9,
        path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
    )


def _subscript(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋"))


def formulas(parts: Sequence[Formula]) -> str:
    """A title of formulas, each as mathtext when mathtext can draw it, else as the plain text the walkthrough gave."""
    out = []
    for part in parts:
        if part.tex and mathtext_ok(f"${part.tex}$"):
            out.append(f"${part.tex}$")
        elif part.plain:
            out.append(part.plain)
    return ",   ".join(out)


def symlog_if_wide(ax: Axes, values: Sequence[float]) -> None:
    """A log axis when the values span many orders of magnitude (symmetric when they change sign).

    The linear band around zero is as wide as the values the run started with,
    so the early iterates read linearly and only the runaway is compressed.
    """
    vals = finite(values)
    sizes = [abs(v) for v in vals if v != 0]
    if not sizes or max(sizes) / min(sizes) <= 1e4:
        return
    if all(v > 0 for v in vals):
        ax.set_yscale("log")
        return
    start = next((abs(v) for v in vals if v != 0), 1.0)
    linthresh = 10 ** math.floor(math.log10(max(start, 1e-12)))
    decades = math.log10(max(sizes) / linthresh) if max(sizes) > linthresh else 1.0
    ax.set_yscale("symlog", linthresh=linthresh, linscale=max(1.0, decades / 8))
