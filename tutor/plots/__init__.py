"""Walkthrough data -> PNG pictures a learner can read without the text.

Only matplotlib's object API is used (a :class:`~matplotlib.figure.Figure`
drawn on its own Agg canvas, never pyplot's global figures), so plots can be
rendered from worker threads.  Nothing here computes the mathematics the
lesson teaches, not even where to look: the ranges, the samples of a curve or
a contour grid, the iterates, minima and brackets come as floats in each
step's picture (:mod:`tutor.walkthrough.geometry`); no sympy is imported here.

Pictures are byte-for-byte deterministic (fixed size and dpi, no software or
time stamp in the PNG), so exporting a lesson twice gives identical files.

Chinese labels need glyphs that matplotlib's DejaVu Sans lacks: the tutor
ships a subset of Noto Sans CJK SC (``assets/fonts``) and lists it after
DejaVu Sans, so Latin letters and maths come from DejaVu and hanzi fall back
to the CJK font.  Text that mixes Chinese with ``$maths$`` would go through
mathtext, which has no fallback, so words and formulas are kept in separate
text objects: words (either language) in the figure's title, formulas in
the axes title and legends.

The package, by concern: :mod:`~tutor.plots.style` (look and words), one module per figure kind (:mod:`~tutor.plots.runs`, :mod:`~tutor.plots.comparison`,
:mod:`~tutor.plots.function`, :mod:`~tutor.plots.fitting`) and :mod:`~tutor.plots.step`, which picks the figure for a
walkthrough step.
"""

from tutor.plots import style
from tutor.plots.comparison import plot_optimizers
from tutor.plots.fitting import plot_batch, plot_training
from tutor.plots.function import plot_function
from tutor.plots.runs import plot_run
from tutor.plots.step import plot_step
from tutor.plots.style import (
    CJK_FAMILY,
    CJK_FILE,
    COLORS,
    DPI,
    FIGSIZE,
    REASONS,
    WORDS,
    cjk_font_path,
    font_family,
    formulas,
    new_figure,
    num,
    reason_words,
    save,
    word,
)

__all__ = [
    "CJK_FAMILY",
    "CJK_FILE",
    "COLORS",
    "DPI",
    "FIGSIZE",
    "REASONS",
    "WORDS",
    "cjk_font_path",
    "font_family",
    "formulas",
    "new_figure",
    "num",
    "plot_batch",
    "plot_function",
    "plot_optimizers",
    "plot_run",
    "plot_step",
    "plot_training",
    "reason_words",
    "save",
    "style",
    "word",
]
