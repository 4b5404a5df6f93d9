"""The ``tutor`` command line: arguments only.

Heavy modules (sympy, numpy, matplotlib, textual) are imported inside each
command, so ``tutor --help`` starts fast.  Every :class:`TutorError` becomes
one ``error:`` line on stderr and exit status 1; usage errors exit 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tutor import i18n
from tutor.errors import TutorError
from tutor.i18n import N_, _
from tutor.optimisers import OPTIMISERS, settings_by_key

if TYPE_CHECKING:  # annotations only: the engine is imported inside the commands
    from tutor.descent import Descent, Run

FORMATS_TEXT_JSON = click.Choice(["text", "json"])
LANGS = click.Choice(list(i18n.LANGUAGES))


def echo(text: str = "", err: bool = False, fmt: str = "text", nl: bool = True) -> None:
    """The one door to the terminal: control characters from lessons, names or input are shown, never sent."""
    from tutor.safe_text import json_safe, shown

    click.echo(json_safe(text) if fmt == "json" else shown(text), err=err, nl=nl)


def echo_stream(pieces, fmt: str = "text", sep: str = "\n", chunk: int = 1 << 16) -> None:
    """Text made piece by piece (a long run's steps), through :func:`echo` in chunks of about ``chunk``
    characters: memory stays bounded, and the terminal is not written (and flushed) once per piece."""
    held: list[str] = []
    size = 0
    for piece in pieces:
        held.append(piece)
        size += len(piece)
        if size >= chunk:
            echo(sep.join(held) + sep, fmt=fmt, nl=False)
            held, size = [], 0
    echo(sep.join(held), fmt=fmt)


def fail(err: TutorError) -> None:
    """Print one clear line (and a caret line for parse errors) and exit 1."""
    from tutor.safe_text import one_line

    echo(_("error: {one_line}").format(one_line=one_line(err.message)), err=True)
    caret = getattr(err, "caret", None)
    if callable(caret) and getattr(err, "column", None) is not None:
        echo(caret(), err=True)
    sys.exit(1)


def _localise(command: click.Command) -> None:
    """Put the help of ``command`` (and its subcommands and options) in the chosen language.

    Help texts are marked ``N_()`` where they are declared, at import time, before
    the language is known; the language is chosen once per process, in
    :meth:`TutorGroup.main`, and then the English originals are translated here.
    """
    for attr in ("help", "epilog", "short_help"):
        source = command.__dict__.setdefault(f"_{attr}_source", getattr(command, attr))
        if callable(source):
            setattr(command, attr, source())
        elif source:
            setattr(command, attr, _(source))
    for param in command.params:
        source = param.__dict__.setdefault("_help_source", getattr(param, "help", None))
        if callable(source):
            param.help = source()
        elif source:
            param.help = _(source)
    for sub in getattr(command, "commands", {}).values():
        _localise(sub)


class LazyHelpOption(click.Option):
    """An option whose help is built when the language is known (``help_source``, a function)."""

    def __init__(self, *args, help_source=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._help_source = help_source


class TutorGroup(click.Group):
    """Turns the project's errors into one line; anything else still fails loudly in tests."""

    def main(self, *args, **kwargs):
        """Click's own usage errors quote what was typed (a file name, an option value): escaped too.

        The language is chosen first, before click parses, so its usage errors and --help are in it too.
        """
        given = kwargs.get("args", args[0] if args else None)
        i18n.choose_language(sys.argv[1:] if given is None else list(given))
        _localise(self)
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        try:
            # click's overloads of main() (on standalone_mode's literal) cannot be matched through *args
            status = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.ClickException as err:
            from tutor.safe_text import one_line

            err.message = one_line(err.message)  # type: ignore[misc]  # click types message Final; we escape it once
            err.show()
            sys.exit(err.exit_code)
        except click.exceptions.Abort:
            echo(_("Aborted!"), err=True)
            sys.exit(1)
        sys.exit(status if isinstance(status, int) else 0)  # ctx.exit(n) comes back as n here

    def invoke(self, ctx):
        from tutor.plain import tolerant_streams
        from tutor.safe_text import one_line

        tolerant_streams()  # a non-UTF-8 locale: symbols spelled out, never a UnicodeEncodeError
        try:
            return super().invoke(ctx)
        except TutorError as err:
            fail(err)
        except RecursionError:
            echo(_("error: the input is nested too deeply to work with"), err=True)
            sys.exit(1)
        except MemoryError:
            echo(_("error: this needs more memory than the tutor allows; try something smaller"), err=True)
            sys.exit(1)
        except OverflowError as err:  # mpmath, float(): a number past what the machine can hold
            echo(
                _("error: a number here is too large to compute ({err}); try smaller numbers").format(
                    err=one_line(err)
                ),
                err=True,
            )
            sys.exit(1)
        except ValueError as err:
            if "digits" not in str(err):  # only Python's 4300-digit limit; any other ValueError is a bug to see
                raise
            echo(_("error: a number here has too many digits to compute (over 4300); try smaller numbers"), err=True)
            sys.exit(1)


def _png_path(path: Path | None) -> Path | None:
    """--plot writes a .png in an existing folder, and never over a file that is not a PNG."""
    if path is None:
        return None
    if path.suffix.lower() != ".png":
        raise click.BadParameter(_("{path} does not end in .png").format(path=path))
    if not path.parent.is_dir():
        raise click.BadParameter(_("the folder {parent} does not exist").format(parent=path.parent))
    if path.exists():
        try:
            with path.open("rb") as existing:
                is_png = existing.read(8) == b"\x89PNG\r\n\x1a\n"
        except OSError:
            is_png = False
        if not is_png:
            raise click.BadParameter(_("{path} exists and is not a PNG; it will not be overwritten").format(path=path))
    return path


def lessons_option(f):
    return click.option(
        "--lessons",
        "lesson_dirs",
        multiple=True,
        type=click.Path(path_type=Path),
        help=N_("A folder of lessons to read as well as the bundled ones (repeatable)."),
    )(f)


def _lang_help() -> str:
    return _(
        "The language of everything the tutor says: en or zh (else TUTOR_LANG, then the locale; now: {language})."
    ).format(language=i18n.current_language())


def lang_option(f):
    """--lang, read before click parses (i18n.choose_language); here so that it is accepted and documented."""
    return click.option(
        "--lang", cls=LazyHelpOption, type=LANGS, default=None, expose_value=False, help_source=_lang_help
    )(f)


def images_option(f):
    return click.option(
        "--images",
        type=click.Choice(["auto", "graphics", "text", "off"]),
        default=None,
        help=N_(
            "Plots in the tutor: the PNG where the terminal shows images (graphics), a braille text plot (text), "
            "or only the PNG's path (off). Default: the TUTOR_IMAGES setting, else auto."
        ),
    )(f)


@click.group(
    cls=TutorGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_(
        "Learn gradient descent step by step.\n\nWith no command, opens the terminal tutor on the bundled lessons."
    ),
)
@click.version_option(package_name="descent-tutor", prog_name="tutor")
@images_option
@lang_option
@click.pass_context
def main(ctx: click.Context, images: str | None = None) -> None:
    if ctx.invoked_subcommand is None:
        ctx.invoke(run_cmd, images=images)


@main.command(
    "derive",
    context_settings={"ignore_unknown_options": True},
    help=N_(
        'The derivative or gradient of EXPR, exactly, optionally at a point.\n\nExample: tutor derive "2x^2 + 6z^2 + 7m^3" --at x=1,z=1,m=1\n'
    ),
)
@click.argument("expr")
@click.option("--vars", "variables", help=N_("Variables in order, e.g. x,z,m (default: as they appear)."))
@click.option("--at", "at", help=N_("A point to evaluate at, e.g. x=1,z=1,m=1."))
@click.option("--steps", "show_steps", is_flag=True, help=N_("Explain each derivative rule by rule."))
@click.option("--format", "fmt", type=FORMATS_TEXT_JSON, default="text", show_default=True)
@lang_option
def derive_cmd(expr: str, variables: str | None, at: str | None, show_steps: bool, fmt: str) -> None:
    from tutor import console, reports
    from tutor.watchdog import deadline

    with deadline():
        report = reports.derive(expr, variables, at)
        if show_steps:
            from tutor.derivation import steps_json, steps_text

            extra_text, extra_json = steps_text(report.f, report.variables), steps_json(report.f, report.variables)
        out = console.derive_text(report) if fmt == "text" else console.derive_json(report)
        if show_steps:
            if fmt == "text":
                out = out + "\n\n" + extra_text
            else:
                import json

                data = json.loads(out)
                data["steps"] = extra_json
                out = json.dumps(data, ensure_ascii=False, indent=2)
    echo(out, fmt=fmt)


def _setting_help(key: str):
    """The help of --KEY, naming who takes it and the default (built when the language is known)."""

    def help_text() -> str:
        parts = [
            _("{optimiser} {meaning}, default {default}").format(
                optimiser=cls.key, meaning=_(s.meaning), default=s.default
            )
            for cls, s in settings_by_key()[key]
        ]
        return _("For {uses}.").format(uses=_("; ").join(parts))

    return help_text


def _setting_options(command):
    """One --KEY option per optimiser setting (--beta, --eps, ...)."""
    for key in reversed(settings_by_key()):
        command = click.option(f"--{key}", key, cls=LazyHelpOption, help_source=_setting_help(key))(command)
    return command


def _optimiser_epilog() -> str:
    """Each optimiser's update rule and the PyTorch class it matches, for descend --help."""
    lines = ["\b", _("Optimisers (g = ∇f(x); every state starts at 0; PyTorch's conventions):")]
    for cls in OPTIMISERS.values():
        only = "" if cls.exact_capable else _(", float mode only")
        lines.append(f"  {cls.key}: {cls.update_unicode}")
        lines.append(f"    = {cls.convention}{only}")
    return "\n".join(lines)


@main.command(
    "descend",
    context_settings={"ignore_unknown_options": True},
    epilog=_optimiser_epilog,
    help=N_(
        'Run gradient descent on EXPR from a start point and show every step.\n\nExample: tutor descend "5x^2" --from x=1 --lr 1/20 --steps 5 --exact\n'
    ),
)
@click.argument("expr")
@click.option("--vars", "variables", help=N_("Variables in order, e.g. x,y (default: as they appear)."))
@click.option("--from", "start", required=True, help=N_("The start point, e.g. x=1 or x=1,y=2."))
@click.option("--lr", required=True, help=N_("The learning rate, e.g. 0.05 or 1/20."))
@click.option(
    "--steps",
    type=click.IntRange(0, 1_000_000),
    default=None,
    help=N_("At most this many updates (default 20; 10000 when --until waits for a sign change or a tolerance)."),
)
@click.option(
    "--until", multiple=True, help=N_("Stop rules: zero, sign-change, tol:1e-8 (repeatable or comma-separated).")
)
@click.option("--exact", is_flag=True, help=N_("Exact rational arithmetic instead of floats."))
@click.option("--optimizer", type=click.Choice(list(OPTIMISERS)), default="gd", show_default=True)
@_setting_options
@click.option("--format", "fmt", type=click.Choice(["table", "json", "summary"]), default="table", show_default=True)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(path_type=Path, dir_okay=False),
    callback=lambda ctx, param, value: _png_path(value),
    help=N_("Also write the run's plot to this PNG file (a new file, or a PNG to replace)."),
)
@lang_option
def descend_cmd(expr, variables, start, lr, steps, until, exact, optimizer, fmt, plot_path, **settings) -> None:
    from tutor import console, reports
    from tutor.watchdog import deadline

    walk: Descent | Run
    with deadline(seconds=None if not exact else 30):
        f, walk = reports.descend(
            expr, variables, start, lr, steps=steps, until=until, exact=exact, optimizer=optimizer, settings=settings
        )
        if plot_path is not None:  # the plot draws the whole path, so this run keeps its steps
            walk = reports.whole_run(walk)
        if fmt == "summary":  # one line; what it cannot say goes beside it
            run, notes = reports.descend_summary_and_notes(f, walk)
            echo(console.descend_summary(run))
            for note in notes:
                echo(_("note: {note}").format(note=note), err=True)
        else:  # the steps are written as they come, so a long run costs no more memory than a short one
            record = reports.NotesRecord(walk, f)
            taken = record.tee(walk)
            if fmt == "json":
                echo_stream(console.descend_json(walk, lambda: record.notes(f), taken), fmt, sep="")
            else:
                echo_stream(console.descend_table(f, walk, lambda: record.notes(f), reports.signed(taken)))
    if plot_path is not None:
        from tutor.plots import plot_run
        from tutor.walkthrough.geometry import Sampler, descent_picture
        from tutor.walkthrough.optimiser_words import optimiser_words

        try:
            minima = _plot_minima(f, walk.variables)
            picture = descent_picture(f, walk.variables, walk, Sampler(), minima_found=minima)
            written = plot_run(picture, plot_path, optimisers=optimiser_words(walk.optimizer))
        except OSError as err:
            fail(
                TutorError(
                    _("cannot write the plot to {plot_path}: {err_strerror_or_err}").format(
                        plot_path=plot_path, err_strerror_or_err=err.strerror or err
                    )
                )
            )
        echo(_("wrote {written}").format(written=written), err=True)


VARIANT_OPTION = click.option(
    "--variant",
    type=click.IntRange(1, 10_000),
    help=N_("Which variant of a lesson with variants (its numbers), instead of the learner's own."),
)


def _variant_of(lesson: str | None, variant: int | None, lesson_dirs) -> Any:  # the name, or a Lesson
    """LESSON as named, or its variant N loaded (one error line if it has none)."""
    if variant is None or not lesson:
        if variant is not None:
            raise TutorError(_("--variant needs a LESSON"))
        return lesson
    from tutor.lesson.catalog import resolve_lesson
    from tutor.lesson.loader import load_variant

    return load_variant(resolve_lesson(lesson, list(lesson_dirs)), variant)


def _plot_minima(f, variables) -> tuple:
    """The engine's stationary points to mark on a run's plot, bounded in time (solving can hang on some inputs)."""
    if len(variables) > 2:
        return ()
    from tutor.calculus import stationary_points
    from tutor.sandbox import run_bounded

    try:
        return tuple(run_bounded(stationary_points, f, tuple(variables), timeout=2.0))
    except (TutorError, RecursionError, MemoryError, ValueError, TypeError):
        return ()


@main.command("run", help=N_("Open the tutor (on LESSON, an id or a path, if given)."))
@click.argument("lesson", required=False)
@click.option("--plain", is_flag=True, help=N_("Line by line on stdin/stdout, for screen readers, pipes and scripts."))
@VARIANT_OPTION
@lessons_option
@lang_option
@images_option
def run_cmd(
    lesson: str | None = None,
    plain: bool = False,
    variant: int | None = None,
    lesson_dirs=(),
    images: str | None = None,
) -> None:
    lesson = _variant_of(lesson, variant, lesson_dirs)
    if plain:
        from tutor.plain import run_plain

        sys.exit(run_plain(lesson, list(lesson_dirs)))
    from tutor.app import run_app

    run_app(lesson, list(lesson_dirs), images=images)


@main.command(
    "practice",
    help=N_(
        "Practise SKILL (default: your weakest) on freshly generated questions.\n\nSKILL is one of derivative, partial, gradient, evaluate, direction, update,\nsign_change, learning_rate (or descent).  Your answers count towards your\nmastery, as in any lesson.\n\nExample: tutor practice partial --seed 12\n"
    ),
)
@click.argument("skill", required=False)
@click.option(
    "--seed", type=click.IntRange(0, 10**9), help=N_("The set's number: the same seed gives the same questions.")
)
@click.option("--plain", is_flag=True, help=N_("Line by line on stdin/stdout, for screen readers, pipes and scripts."))
@lang_option
def practice_cmd(skill: str | None, seed: int | None, plain: bool) -> None:
    from tutor.mastery import estimate, skill_name
    from tutor.practice import fresh_seed, next_skill, practice_id, practice_lesson, template_for
    from tutor.progress import ProgressStore

    if skill is not None:
        template = template_for(skill)  # an unknown skill: one error line, before anything opens
    store = ProgressStore()
    try:
        for message in store.messages:  # a damaged progress file: the view's own store will not know
            echo(message, err=True)
        if skill is None:
            mastery = estimate(store.mastery_attempts())
            skill = next_skill(mastery)
            template = template_for(skill)
            name = skill_name(skill)
            if skill in mastery:
                p = f"{mastery[skill]:.0%}"
                echo(_("Practising {name}: your weakest skill ({p}).").format(name=name, p=p))
            else:
                echo(_("Practising {name}.").format(name=name))
        if seed is None:
            seed = fresh_seed(template, store.known_lessons())
            again = f"tutor practice {skill} --seed {seed}"
            echo(
                _("practice set {skill} #{seed} — run `{again}` to get the same questions").format(
                    skill=skill, seed=seed, again=again
                )
            )
        elif store.is_finished(practice_id(template, seed)):
            echo(
                _(
                    "You finished this set before; your answers are kept. For new questions: tutor practice {skill}"
                ).format(skill=skill)
            )
    finally:
        store.close()
    lesson = practice_lesson(template, seed)
    if plain:
        from tutor.plain import run_plain

        sys.exit(run_plain(lesson, []))
    from tutor.app import run_app

    run_app(lesson, [])


@main.command("check", help=N_("Check lesson files (or folders of them): PATH:LINE:COL: messages, exit 1 on errors."))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@lang_option
def check_cmd(paths) -> None:
    from tutor.lesson.check import check_command

    sys.exit(check_command(list(paths)))


@main.command("new", help=N_("Write a new, commented lesson to PATH (never overwrites)."))
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--template",
    type=click.Choice(["one-variable", "several-variables", "training-step", "variants"]),
    default="one-variable",
    show_default=True,
)
@lang_option
def new_cmd(path: Path, template: str) -> None:
    from tutor.lesson.scaffold import new_lesson

    written = new_lesson(path, template)
    echo(_("wrote {written}; check it with: tutor check {written}").format(written=written))


@main.command("schema", help=N_("Print the JSON Schema (draft-07) of lesson files, for editors."))
@lang_option
def schema_cmd() -> None:
    from tutor.lesson.schema import schema_json

    click.echo(schema_json())


@main.command("lessons", help=N_("List the bundled lessons and your own, broken ones with their error."))
@click.option("--format", "fmt", type=FORMATS_TEXT_JSON, default="text", show_default=True)
@lessons_option
@lang_option
def lessons_cmd(fmt: str, lesson_dirs) -> None:
    from tutor.listings import lessons_report

    echo(lessons_report(list(lesson_dirs), fmt), fmt=fmt)


@main.command("progress", help=N_("Show your progress and mastery (or reset one lesson)."))
@click.option("--format", "fmt", type=FORMATS_TEXT_JSON, default="text", show_default=True)
@click.option("--reset", "reset", metavar="LESSON", help=N_("Forget the attempts of one lesson."))
@lessons_option
@lang_option
def progress_cmd(fmt: str, reset: str | None, lesson_dirs) -> None:
    from tutor.listings import progress_report

    echo(progress_report(fmt, reset, list(lesson_dirs)), fmt=fmt)


@main.command("export", help=N_("Write each LESSON's worked solution as Markdown with its plots."))
@click.argument("lessons", nargs=-1)
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), default=Path("export"), show_default=True)
@click.option("--progress", "transcript", is_flag=True, help=N_("Export your own answers beside the correct ones."))
@VARIANT_OPTION
@lessons_option
@lang_option
def export_cmd(lessons, out_dir: Path, transcript: bool, variant: int | None, lesson_dirs) -> None:
    from tutor.export import export_command

    if variant is not None and len(lessons) != 1:
        raise TutorError(_("--variant needs exactly one LESSON"))
    named = [_variant_of(lessons[0], variant, lesson_dirs)] if variant is not None else list(lessons)
    for line in export_command(named, out_dir, transcript, list(lesson_dirs)):
        echo(line)


if __name__ == "__main__":
    main()
