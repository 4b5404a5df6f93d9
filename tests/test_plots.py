"""Plots: every kind renders a PNG of the promised size, the same bytes every time, Chinese in real glyphs."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
import sympy as sp
from conftest import speaking

os.environ.setdefault("MPLBACKEND", "Agg")

from PIL import Image

from tutor import descent, plots
from tutor.calculus import StationaryPoint
from tutor.mathinput import symbol
from tutor.walkthrough import Step
from tutor.walkthrough.contract import (
    BatchPayload,
    DerivePayload,
    EvaluatePayload,
    ExplainPayload,
    FunctionPlot,
    IterationPayload,
    PredictPayload,
    RunPayload,
    TrainingPayload,
)
from tutor.walkthrough.descent_steps import descent_facts
from tutor.walkthrough.geometry import Sampler, comparison_picture, descent_picture, with_picture
from tutor.walkthrough.optimiser_words import optimiser_words

x, y, z, m, w, b = (symbol(n) for n in ["x", "y", "z", "m", "w", "b"])
R = sp.Rational
SIZE = (800, 500)  # 8 x 5 inches at 100 dpi


def plot_run(f, run, path, *, minima=(), bound=None, optimisers=None):
    """The run's picture made as the walkthrough makes it, then drawn."""
    picture = descent_picture(f, run.variables, run, Sampler(), minima_found=minima, bound=bound)
    return plots.plot_run(picture, path, optimisers=optimisers)


def plot_optimizers(f, variables, runs, path, optimisers=None):
    return plots.plot_optimizers(comparison_picture(f, variables, runs, Sampler()), path, optimisers)


def pictured(step: Step) -> Step:
    """The step with its picture, as :func:`tutor.walkthrough.build_walkthrough` gives it."""
    return replace(step, payload=with_picture(step.payload, Sampler()))


def png_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        assert image.format == "PNG"
        return image.size


@pytest.fixture
def figures(monkeypatch):
    """The figures the plot functions build, kept for inspection (then saved as usual)."""
    kept = []
    real_save = plots.style.save

    def keep(fig, path):
        kept.append(fig)
        return real_save(fig, path)

    monkeypatch.setattr(plots.style, "save", keep)  # every figure module saves through style.save
    return kept


def texts(fig) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def halving_run(steps=4):
    # 5x^2 from 1 with lr 1/20: x_{k+1} = x_k - (1/20)(10 x_k) = x_k / 2
    return descent.run(5 * x**2, ["x"], [1], R(1, 20), steps=steps, exact=True)


def iteration_step(k=1, run=None):
    run = run or halving_run()
    s = run.steps[k]
    assert s.k == k
    payload = IterationPayload(
        **descent_facts(5 * x**2, ("x",), run, k, minima=[StationaryPoint({"x": sp.Integer(0)}, "minimum")])
    )
    return pictured(Step(id=f"s2.k{k}", section=2, title="Iteration", text="", payload=payload))


# --- the font ----------------------------------------------------------------------------


def test_the_cjk_font_ships_with_its_licence_and_is_small():
    path = plots.cjk_font_path()
    assert path is not None and path.is_file()
    assert path.stat().st_size < 3 * 1024 * 1024
    licence = (path.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence


def test_the_cjk_font_has_the_article_terms_and_our_symbols():
    from fontTools.ttLib import TTFont

    cmap = TTFont(plots.cjk_font_path()).getBestCmap()
    needed = "梯度导数偏导学习率损失函数优化器批量随机小批量梯度下降最小值迭代发散" + "′∂∇η≤≥−·…“”（），。：；！？"
    missing = [c for c in needed if ord(c) not in cmap]
    assert missing == []


def test_chinese_plot_draws_every_glyph_from_the_bundled_font(tmp_path, figures):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        speaking("zh", plot_run, 5 * x**2, halving_run(), tmp_path / "zh.png", minima=())
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []
    from matplotlib.font_manager import fontManager
    from matplotlib.text import Text

    fig = figures[-1]
    chinese = [t for t in fig.findobj(Text) if any("\u4e00" <= c <= "\u9fff" for c in t.get_text())]
    assert chinese, "the Chinese figure has Chinese text"
    ours = str(plots.cjk_font_path())
    for text in chinese:
        assert text.get_fontfamily()[-1] == plots.CJK_FAMILY
        found = [str(p) for p in fontManager._find_fonts_by_props(text.get_fontproperties())]
        assert ours in found


def test_the_chinese_title_is_chinese(tmp_path, figures):
    words = speaking("zh", optimiser_words, "gd")  # the process speaks one language: the payload's words are in it
    speaking("zh", plot_run, 5 * x**2, halving_run(), tmp_path / "zh.png", minima=(), optimisers=words)
    title = figures[-1]._suptitle.get_text()
    assert "梯度下降" in title and "步" in title


# --- size and determinism ----------------------------------------------------------------


def test_a_run_plot_is_an_800_by_500_png(tmp_path):
    path = plot_run(5 * x**2, halving_run(), tmp_path / "sub" / "run.png", minima=())
    assert path == tmp_path / "sub" / "run.png"
    assert png_size(path) == SIZE


def test_the_same_plot_gives_the_same_bytes(tmp_path):
    a = plots.plot_step(iteration_step(), tmp_path / "a.png")
    b = plots.plot_step(iteration_step(), tmp_path / "b.png")
    assert a.read_bytes() == b.read_bytes()
    assert b"Software" not in a.read_bytes()


def test_plots_render_in_worker_threads_with_the_same_bytes(tmp_path):
    serial = plot_run(5 * x**2, halving_run(), tmp_path / "serial.png", minima=()).read_bytes()

    def draw(i):
        return plot_run(5 * x**2, halving_run(), tmp_path / f"t{i}.png", minima=()).read_bytes()

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(draw, range(3)))
    assert all(r == serial for r in results)


def test_plotting_never_imports_pyplot(tmp_path):
    code = (
        "import sys, sympy as sp\n"
        "from tutor import descent, plots\n"
        "from tutor.mathinput import symbol\n"
        "from tutor.walkthrough.geometry import Sampler, descent_picture\n"
        "x = symbol('x')\n"
        "r = descent.run(5*x**2, ['x'], [1], sp.Rational(1, 20), steps=2, exact=True)\n"
        f"plots.plot_run(descent_picture(5*x**2, ['x'], r, Sampler()), {str(tmp_path / 'p.png')!r})\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    env = dict(os.environ, MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr


# --- what each picture shows ---------------------------------------------------------------


def test_iteration_plot_shows_the_update_with_exact_numbers(tmp_path, figures):
    plots.plot_step(iteration_step(k=1), tmp_path / "k1.png")
    shown = "\n".join(texts(figures[-1]))
    # x_2 = x_1 - η f'(x_1) = 1/2 - (1/20)·5 = 1/4
    assert r"x_{2} = x_{1} - \eta f'(x_{1}) = \frac{1}{2} - \frac{1}{20} \cdot 5 = \frac{1}{4}" in shown
    labels = [t for t in texts(figures[-1])]
    assert any("tangent at x₁" in t for t in labels)
    assert any("next iterate" in t for t in labels)
    assert any("minimum" in t for t in labels)


def test_sign_change_is_shaded_between_the_last_two_points(tmp_path, figures):
    # 5x^2 from 1 with lr 3/20: x1 = 1 - (3/20)·10 = -1/2, so f' goes from 10 to -5
    run = descent.run(5 * x**2, ["x"], [1], R(3, 20), steps=5, until=["sign-change"], exact=True)
    assert run.stop.reason == "sign_change"
    plot_run(5 * x**2, run, tmp_path / "sign.png", minima=())
    ax = figures[-1].axes[0]
    from matplotlib.patches import Rectangle

    spans = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(spans) == 1, "the bracket is shaded"
    left, width = spans[0].get_x(), spans[0].get_width()
    assert (left, left + width) == (pytest.approx(-0.5), pytest.approx(1.0))
    assert any("minimum lies in here" in t for t in texts(figures[-1]))


def test_diverging_run_says_so_and_keeps_the_view_near_the_start(tmp_path, figures):
    # lr 1/4 on 5x^2: x_{k+1} = x_k - (1/4)(10 x_k) = -1.5 x_k, so |x| grows without bound
    run = descent.run(5 * x**2, ["x"], [1], 0.25, steps=200)
    assert run.stop.reason == "diverged"
    plot_run(5 * x**2, run, tmp_path / "div.png", minima=())
    fig = figures[-1]
    assert "DIVERGED" in fig._suptitle.get_text()
    lo, hi = fig.axes[0].get_xlim()
    assert -100 < lo < -1 and 1 < hi < 100


def test_diverging_run_in_chinese_says_diverged(tmp_path, figures):
    run = descent.run(5 * x**2, ["x"], [1], 0.25, steps=200)
    speaking("zh", plot_run, 5 * x**2, run, tmp_path / "div.png", minima=())
    assert "发散" in figures[-1]._suptitle.get_text()


def test_empty_run_still_gives_a_picture(tmp_path, figures):
    run = descent.run(1 / x, ["x"], [0], R(1, 10), steps=5, exact=True)
    assert run.steps == ()
    path = plot_run(1 / x, run, tmp_path / "empty.png", minima=())
    assert png_size(path) == SIZE
    assert any("No steps were taken" in t for t in texts(figures[-1]))


def test_nan_and_huge_values_do_not_break_a_plot(tmp_path):
    bad = descent.Run(
        variables=("x",),
        learning_rate=0.1,
        exact=False,
        optimizer="gd",
        steps=(
            descent.Step(0, (1.0,), 1.0, (2.0,)),
            descent.Step(1, (1e300,), float("inf"), (float("nan"),)),
            descent.Step(2, (float("nan"),), float("nan"), (float("nan"),)),
        ),
        stop=descent.Stop("diverged", 2, "the values are no longer finite numbers"),
    )
    path = plot_run(x**2, bad, tmp_path / "nan.png", minima=())
    assert png_size(path) == SIZE


def test_log_outside_its_domain_draws_only_where_it_is_defined(tmp_path):
    run = descent.run(x - sp.log(x), ["x"], [3], R(1, 2), steps=5, exact=False)
    path = plot_run(x - sp.log(x), run, tmp_path / "log.png", minima=())
    assert png_size(path) == SIZE


def test_two_variables_draw_contours_the_path_and_gradient_arrows(tmp_path, figures):
    f = x**2 + 10 * y**2
    run = descent.run(f, ["x", "y"], [-3, 1], R(9, 100), steps=10, exact=True)
    plot_run(f, run, tmp_path / "two.png", minima=[StationaryPoint({"x": 0, "y": 0}, "minimum")])
    fig = figures[-1]
    ax = fig.axes[0]
    from matplotlib.quiver import Quiver

    assert ax.collections, "contours are drawn"
    assert any(isinstance(c, Quiver) for c in ax.collections), "gradient arrows are drawn"
    path_line = [line for line in ax.get_lines() if line.get_label() == "descent path"]
    assert len(path_line) == 1 and len(path_line[0].get_xdata()) == 11
    assert png_size(tmp_path / "two.png") == SIZE


def test_three_variables_plot_each_coordinate_and_f_against_k(tmp_path, figures):
    f = 2 * x**2 + 6 * z**2 + 7 * m**3
    run = descent.run(f, ["x", "z", "m"], [1, 1, 1], R(1, 50), steps=6, exact=True)
    plot_run(f, run, tmp_path / "three.png", minima=())
    left, right = figures[-1].axes[:2]
    assert [line.get_label() for line in left.get_lines()] == ["x", "z", "m"]
    assert list(left.get_lines()[0].get_xdata()) == list(range(7))
    assert len(right.get_lines()) == 1
    assert png_size(tmp_path / "three.png") == SIZE


def test_optimizers_share_one_contour_plot(tmp_path, figures):
    f = x**2 + 10 * y**2
    gd = descent.run(f, ["x", "y"], [-3, 1], 0.09, steps=30)
    mo = descent.run(f, ["x", "y"], [-3, 1], 0.02, steps=30, optimizer=descent.Momentum(0.9))
    words = optimiser_words("gd", "momentum")  # what a run payload carries
    path = plot_optimizers(f, ["x", "y"], {"gd": gd, "momentum": mo}, tmp_path / "opt.png", words)
    labels = [line.get_label() for line in figures[-1].axes[0].get_lines()]
    assert any(label.startswith("Gradient descent (") for label in labels)
    assert any(label.startswith("Gradient descent with momentum") for label in labels)
    assert png_size(path) == SIZE


def test_explain_step_draws_the_function_and_derive_has_nothing_to_draw(tmp_path):
    explain = pictured(Step("s0", 0, "f", "", ExplainPayload(FunctionPlot(x**4 - 3 * x**2 + x, ("x",), (-2, 2)))))
    assert png_size(plots.plot_step(explain, tmp_path / "e.png")) == SIZE
    derive = Step("s1", 1, "d", "", DerivePayload(5 * x**2, ("x",), "x"))
    assert plots.plot_step(derive, tmp_path / "d.png") is None
    assert not (tmp_path / "d.png").exists()


def training_data() -> TrainingPayload:
    # y = 2x + 1 on x = 1, 2, 3; from w = b = 0 every prediction is 0, so
    # L = (9 + 25 + 49)/3 = 83/3, dL/dw = (2/3)Σ(0 - y_i)x_i = -68/3, dL/db = (2/3)Σ(0 - y_i) = -10,
    # and with lr 1/10: w = 0 + 68/30 = 34/15, b = 0 + 1 = 1.
    return TrainingPayload(
        model=w * x + b,
        parameters=("w", "b"),
        input="x",
        xs=(1, 2, 3),
        ys=(3, 5, 7),
        params={"w": 0, "b": 0},
        predictions=(0, 0, 0),
        loss=R(83, 3),
        gradient=(R(-68, 3), -10),
        next_params={"w": R(34, 15), "b": 1},
        samples=None,
        learning_rate=R(1, 10),
        history=[R(83, 3), 3.1, 1.2, 0.8],
    )


def test_training_step_draws_the_fit_before_and_after_and_the_loss(tmp_path, figures):
    step = speaking("zh", pictured, Step("t", 3, "t", "", training_data()))
    path = speaking("zh", plots.plot_step, step, tmp_path / "train.png")
    left, right = figures[-1].axes[:2]
    labels = [line.get_label() for line in left.get_lines()]
    assert "更新前的模型" in labels and "更新后的模型" in labels
    after = next(line for line in left.get_lines() if line.get_label() == "更新后的模型")
    # the line after the update is y = (34/15) x + 1
    xs, ys = after.get_xdata(), after.get_ydata()
    assert ys[0] == pytest.approx(34 / 15 * xs[0] + 1)
    assert list(right.get_lines()[0].get_ydata()) == pytest.approx([83 / 3, 3.1, 1.2, 0.8])
    assert png_size(path) == SIZE


def test_batch_step_puts_three_loss_curves_on_one_axes(tmp_path, figures):
    from tutor import training

    xs, ys = (1, 2, 3, 4), (3, 5, 7, 9)
    runs = {
        kind: training.train(
            w * x + b, ["w", "b"], "x", xs, ys, {"w": 0, "b": 0}, 0.02, kind=kind, batch_size=2, epochs=3, seed=0
        )
        for kind in training.KINDS
    }
    payload = BatchPayload(
        model=w * x + b,
        parameters=("w", "b"),
        input="x",
        xs=xs,
        ys=ys,
        start={"w": 0, "b": 0},
        learning_rate=0.02,
        batch_size=2,
        epochs=3,
        seed=0,
        runs=runs,
    )
    step = pictured(Step("b", 4, "b", "", payload))
    path = plots.plot_step(step, tmp_path / "batch.png")
    left = figures[-1].axes[0]
    lines = left.get_lines()
    assert len(lines) == 3
    # 3 epochs of 4 samples: batch makes 3 updates, mini-batch (size 2) 6, stochastic 12; plus the start
    assert sorted(len(line.get_xdata()) for line in lines) == [4, 7, 13]
    assert {line.get_label().split(" ·")[0] for line in lines} == {
        "batch gradient descent",
        "stochastic gradient descent",
        "mini-batch gradient descent (size 2)",
    }
    assert png_size(path) == SIZE


def test_steps_without_pictures_return_none(tmp_path):
    f = 5 * x**2
    pictureless = {
        "derive": DerivePayload(f, ("x",), "x"),
        "evaluate": EvaluatePayload(f, ("x",), "value", None, {"x": 1}),
        "predict": PredictPayload(f, ("x",), R(1, 20), (1,)),
        "explain": ExplainPayload(),
    }
    for kind, payload in pictureless.items():
        assert plots.plot_step(pictured(Step("q", 0, "", "", payload)), tmp_path / f"{kind}.png") is None
    empty = BatchPayload(w * x + b, ("w", "b"), "x", (), (), {}, R(1, 20), 1, 1, 0, runs={})
    assert plots.plot_step(pictured(Step("b", 0, "", "", empty)), tmp_path / "b.png") is None


def test_overflowing_float_run_still_plots(tmp_path, figures):
    # exp(x^2) from x = 30 overflows floats at once: the engine stops, the picture says so
    f = sp.exp(x**2)
    run = descent.run(f, ["x"], [30], 0.1, steps=5)
    assert run.stop.reason == "diverged"
    path = plot_run(f, run, tmp_path / "exp.png", minima=())
    assert png_size(path) == SIZE


def test_algebraic_learning_rate_bound_is_shown_as_a_decimal(tmp_path, figures):
    from tutor.calculus import safe_learning_rate

    f = x**4 - 3 * x**2 + x
    bound = safe_learning_rate(f, ["x"], {"x": -1})
    run = descent.run(f, ["x"], [-1], R(1, 8), steps=3, exact=True)
    plot_run(f, run, tmp_path / "b.png", minima=(), bound=bound)
    title = figures[-1].axes[0].get_title()
    # the minimum near -1 solves 4x^3 - 6x + 1 = 0: x* ≈ -1.3008, L = f''(x*) = 12x*^2 - 6 ≈ 14.305, 2/L ≈ 0.1398
    assert r"\frac{2}{L} \approx 0.1398" in title and "RootOf" not in title


def test_descend_plot_option_writes_the_run_with_its_minimum(tmp_path, figures, monkeypatch):
    from click.testing import CliRunner

    from tutor.cli import main

    monkeypatch.setenv("TUTOR_SANDBOX", "inline")
    out = tmp_path / "run.png"
    args = ["descend", "5x^2", "--from", "x=1", "--lr", "1/20", "--steps", "3", "--exact", "--plot", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert png_size(out) == SIZE
    # the engine's minimum of 5x^2 is x = 0
    assert "minimum 0" in texts(figures[-1])


def test_momentum_run_is_drawn_against_plain_descent(tmp_path, bundled_walkthrough):
    """Issue 5: plain descent against momentum on the same contours, from a real lesson's run step."""
    from PIL import Image

    from tutor.plots import plot_step

    walk = bundled_walkthrough("optimisers")
    compared = [s for s in walk.steps if isinstance(s.payload, RunPayload) and s.payload.compare]
    assert compared, "a momentum descent's run step carries the plain run to compare with"
    step = compared[0]
    runs = step.payload.compare
    assert set(runs) == {"gd", step.payload.optimizer}
    assert set(step.payload.optimisers) == set(runs)  # the words and colours of both, for the legend
    # the same start and the same number of updates for both
    assert runs["gd"].steps[0].point == pytest.approx(
        tuple(float(v) for v in runs[step.payload.optimizer].steps[0].point)
    )
    path = plot_step(step, tmp_path / "compare.png")
    assert Image.open(path).size == (800, 500)


# --- the PNG file and the iteration axis ------------------------------------------------------------


def test_an_opaque_figure_is_written_as_rgb_with_its_dpi_and_no_stamp(tmp_path, bundled_walkthrough):
    """No alpha channel on a white figure (smaller, faster to encode), the figure's dpi, no software or date text."""
    step = next(s for s in bundled_walkthrough("sign-of-the-derivative").steps if s.kind == "iteration")
    path = plots.plot_step(step, tmp_path / "step.png")
    assert path is not None
    with Image.open(path) as image:
        assert image.mode == "RGB" and image.size == (800, 500)
        assert image.info["dpi"] == pytest.approx((plots.DPI, plots.DPI), abs=0.01)
        assert not {"Software", "Creation Time", "date:create"} & set(image.info)


def test_pixels_that_are_not_opaque_keep_their_alpha(tmp_path):
    import numpy as np

    from tutor.plots.style import write_png

    rgba = np.full((4, 6, 4), 255, dtype=np.uint8)
    rgba[1, 2] = (10, 20, 30, 128)
    write_png(rgba, tmp_path / "a.png", 100)
    with Image.open(tmp_path / "a.png") as image:
        assert image.mode == "RGBA" and image.getpixel((2, 1)) == (10, 20, 30, 128)
    write_png(np.full((4, 6, 4), 255, dtype=np.uint8), tmp_path / "b.png", 100)
    with Image.open(tmp_path / "b.png") as image:
        assert image.mode == "RGB" and image.getpixel((2, 1)) == (255, 255, 255)


def test_the_first_iteration_of_three_variables_has_whole_k_ticks(monkeypatch, tmp_path, bundled_walkthrough):
    """One iterate alone once made matplotlib's view ±0.05 wide: ticks at ±0.015 written over each other."""
    from tutor.plots.step import drawing

    figures = []
    monkeypatch.setattr(plots.style, "save", lambda fig, path: figures.append(fig) or Path(path))
    first = next(s for s in bundled_walkthrough("gradients").steps if s.kind == "iteration")
    order = drawing(first)
    assert order is not None and len(order[1][0].variables) == 3
    plots.plot_step(first, tmp_path / "k0.png")
    (fig,) = figures
    for ax in fig.axes:
        lo, hi = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
        assert lo < 0 < 1 < hi  # k = 0 and the next iterate's k = 1 both inside, on both panels
