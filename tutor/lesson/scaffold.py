"""``tutor new``: a commented lesson that passes ``tutor check`` and teaches one small thing.

Each template is a complete lesson whose comments explain every key, so a
teacher can learn the format by editing it.  Its first line names the JSON
Schema, so an editor autocompletes and flags mistakes while they type.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from tutor.errors import TutorError
from tutor.i18n import _

SCHEMA_LINE = "# yaml-language-server: $schema={schema}\n"

ONE_VARIABLE = """\
# A lesson for descent-tutor.  Check it with:  tutor check {file}
# The format: docs/lesson-format.md.  Every text may be a plain string or
# {{en: ..., zh: ...}}; maths goes in $...$.
id: {id}                 # letters, digits and dashes; unique among lessons
order: 100               # position in the list of lessons (smaller first)
title:
  en: Walking down (x - 3)^2 + 1
  zh: 沿着 (x - 3)^2 + 1 往下走
summary:
  en: The derivative's sign says which way to move; the learning rate says how far.
  zh: 导数的符号告诉我们往哪边走，学习率决定走多远。

sections:                # in order; each section is a one-key mapping
  - explain:             # text to read (Markdown), optionally with a plot
      title: {{en: The idea, zh: 思路}}
      text:
        en: |
          $f(x) = (x - 3)^2 + 1$ is smallest at $x = 3$.  Where $f'(x) > 0$ we
          decrease $x$, where $f'(x) < 0$ we increase it:
          $x_{{k+1}} = x_k - \\eta f'(x_k)$.
        zh: |
          $f(x) = (x - 3)^2 + 1$ 在 $x = 3$ 处取得最小值。若 $f'(x) > 0$ 就减小 $x$，
          若 $f'(x) < 0$ 就增大 $x$：$x_{{k+1}} = x_k - \\eta f'(x_k)$。
      plot: {{function: "(x - 3)^2 + 1", range: [0, 6]}}

  - derive:              # "what is f'(x)?", graded by mathematical equivalence
      function: "(x - 3)^2 + 1"   # quote expressions YAML could misread
      hints:             # shown one at a time, in order
        - {{en: "Chain rule: the derivative of u^2 is 2u u'.", zh: "链式法则：u^2 的导数是 2u u'。"}}
      feedback:          # wrong answers you expect, and what each deserves
        - answer: "2x"
          says:
            en: "Close: that is the derivative of x^2. Where did the 3 go?"
            zh: "接近了：这是 x^2 的导数。3 去哪儿了？"

  - evaluate:            # the value of f, f' or the gradient at a point
      function: "(x - 3)^2 + 1"
      what: derivative   # value | derivative | gradient
      at: {{x: 0}}

  - descent:             # iterations by hand; the engine computes every answer
      function: "(x - 3)^2 + 1"
      start: {{x: 0}}
      learning_rate: "1/4"   # exact: 0.25 and "1/4" mean the same
      by_hand: 3         # iterations the learner computes
      max_steps: 20      # the engine's run stops here at the latest
      stop: [zero]       # zero | sign-change | tol:1e-6
      expect: converge   # checked by tutor check: converge | oscillate | diverge | sign_change | unbounded
      help:              # help keyed by question: derivative, direction, next, sign_change
        next:
          hints: ["x_1 = x_0 - (1/4) f'(x_0)"]

  - predict:             # "will it converge, oscillate or diverge?" - then the run shows it
      function: "(x - 3)^2 + 1"
      start: {{x: 0}}
      learning_rate: 1   # f'' = 2, so 2/f'' = 1 is the stability bound: watch it bounce
      steps: 6
"""

SEVERAL_VARIABLES = """\
# A lesson for descent-tutor.  Check it with:  tutor check {file}
# The format: docs/lesson-format.md.  Every text may be a plain string or
# {{en: ..., zh: ...}}; maths goes in $...$.
id: {id}                 # letters, digits and dashes; unique among lessons
order: 100               # position in the list of lessons (smaller first)
title:
  en: The gradient of x^2 + 3y^2
  zh: x^2 + 3y^2 的梯度
summary:
  en: Partial derivatives side by side make the gradient; descent steps against it.
  zh: 把偏导数并排写成梯度；梯度下降沿梯度的反方向迈步。

sections:
  - explain:
      text:
        en: |
          With several variables, differentiate by each one, the others held
          constant: $\\nabla f = (\\partial f/\\partial x, \\partial f/\\partial y)$.
        zh: |
          有多个变量时，对每个变量分别求偏导数，其余变量视为常数：
          $\\nabla f = (\\partial f/\\partial x, \\partial f/\\partial y)$。

  - derive:
      function: "x^2 + 3y^2"
      variables: [x, y]  # the gradient's order (default: order of appearance)
      of: gradient       # or one variable, e.g. of: y
      feedback:
        - answer: [2x, 3y]    # a vector may be a YAML list or "(2x, 3y)"
          says:
            en: "The derivative of 3y^2 by y is 6y."
            zh: "3y^2 对 y 的偏导数是 6y。"

  - evaluate:
      function: "x^2 + 3y^2"
      variables: [x, y]
      what: gradient
      at: {{x: 1, y: 1}}

  - descent:
      function: "x^2 + 3y^2"
      variables: [x, y]
      start: {{x: 2, y: 1}}
      learning_rate: "1/10"  # below 2/L = 1/3 (L = 6, the steepest curvature)
      by_hand: 2
      ask: [derivative, direction, next]   # per iteration; default: all four
      expect: converge
"""

TRAINING_STEP = """\
# A lesson for descent-tutor.  Check it with:  tutor check {file}
# The format: docs/lesson-format.md.  Every text may be a plain string or
# {{en: ..., zh: ...}}; maths goes in $...$.
id: {id}                 # letters, digits and dashes; unique among lessons
order: 100               # position in the list of lessons (smaller first)
title:
  en: One weight update by hand
  zh: 手算一次权重更新
summary:
  en: Predict, measure the loss, take its gradient, update the weights.
  zh: 预测、计算损失、求梯度、更新权重。

sections:
  - explain:
      text:
        en: |
          Training repeats four steps: predict $y_1 = w x + b$, compute the loss
          $L = \\frac{{1}}{{n}}\\sum (y_1 - y)^2$, compute $\\partial L/\\partial w$ and
          $\\partial L/\\partial b$, then step: $w \\leftarrow w - \\eta\\, \\partial L/\\partial w$.
        zh: |
          训练重复四步：预测 $y_1 = w x + b$，计算损失函数
          $L = \\frac{{1}}{{n}}\\sum (y_1 - y)^2$，求 $\\partial L/\\partial w$ 和
          $\\partial L/\\partial b$，再更新：$w \\leftarrow w - \\eta\\, \\partial L/\\partial w$。

  - training_step:
      model: "w*x + b"    # the prediction y1
      parameters: [w, b]  # what training changes
      input: x            # the other name in the model
      data: {{x: [1, 2, 3], y: [3, 5, 7]}}   # or {{generate: {{seed: 1, n: 8, w: 2, b: 1, noise: 0.5}}}}
      start: {{w: 0, b: 0}}
      learning_rate: "1/10"
      loss: mse           # the mean squared error
      ask: [predict, loss, gradient, update]   # the article's four steps
      then_steps: 20      # the engine then runs this many more updates
      help:
        gradient:
          hints:
            - {{en: "∂L/∂w = (2/n) Σ (y1 - y) x", zh: "∂L/∂w = (2/n) Σ (y1 - y) x"}}
"""

VARIANTS = """\
# A lesson with different numbers for each learner.  Check it with:  tutor check {file}
# See one learner's numbers with:  tutor run {file} --variant 3
# The format: docs/lesson-format.md (Variants).
id: {id}
title:
  en: Walking down a bowl of your own
  zh: 沿着你自己的碗往下走

variants:                # each learner gets one combination, fixed by a seed kept with their progress
  values:
    a: {{from: 1, to: 4}}                      # a whole number from 1 to 4
    eta: {{from: 1/20, to: 1/4, step: 1/20}}  # 1/20, 1/10, 3/20, 1/5, 1/4 (exact)
    x0: [-3, -2, 2, 3]                        # one of a list
  require:               # constraints between the parameters, checked exactly
    - "a*eta < 1"        # below the stability bound 2/L = 1/a (rules out a = 4 with eta = 1/4)
  check: all             # tutor check checks every variant (or a number: a sample of that many)

sections:
  - explain:
      text:              # {{{{a}}}} is the learner's value (as LaTeX, for $...$)
        en: 'Your function is $f(x) = {{{{a}}}} x^2$ and your learning rate is $\\eta = {{{{eta}}}}$.'
        zh: '你的函数是 $f(x) = {{{{a}}}} x^2$，学习率是 $\\eta = {{{{eta}}}}$。'

  - derive:
      function: a*x^2    # parameters may appear in any expression or number

  - descent:
      function: a*x^2
      start: {{x: x0}}
      learning_rate: eta
      by_hand: 2
      expect: converge   # tutor check: an error names any variant where this fails
"""

TEMPLATES = {
    "one-variable": ONE_VARIABLE,
    "several-variables": SEVERAL_VARIABLES,
    "training-step": TRAINING_STEP,
    "variants": VARIANTS,
}


def lesson_id(stem: str) -> str:
    """A valid id from a file name: lowercase letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:64].strip("-")
    return slug or "my-lesson"


def schema_reference(lesson_path: Path) -> str:
    """The schema as the new file should name it: relative inside the repository, else absolute."""
    from tutor.lesson.schema import installed_schema_path, repository_schema_path

    schema = repository_schema_path()
    target = lesson_path.resolve()
    if schema.is_file():
        root = schema.parent.parent
        if target.is_relative_to(root):
            return Path(os.path.relpath(schema, target.parent)).as_posix()
    return installed_schema_path().as_posix()


def new_lesson(path: Path, template: str = "one-variable") -> Path:
    """Write a new commented lesson to ``path`` (``.yaml`` added if missing); never overwrite."""
    if template not in TEMPLATES:
        raise TutorError(
            _("unknown template '{template}'; choose one of: {TEMPLATES}").format(
                template=template, TEMPLATES=", ".join(TEMPLATES)
            )
        )
    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml"):
        path = path.with_name(path.name + ".yaml")
    if path.exists():
        raise TutorError(_("{path} exists; choose another name").format(path=path))
    body = TEMPLATES[template].format(id=lesson_id(path.stem), file=path.name)
    text = SCHEMA_LINE.format(schema=schema_reference(path)) + body
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:  # "x": fails rather than overwrite
            handle.write(text)
    except FileExistsError:
        raise TutorError(_("{path} exists; choose another name").format(path=path)) from None
    except OSError as err:
        raise TutorError(
            _("cannot write {path}: {err_strerror_or_err}").format(path=path, err_strerror_or_err=err.strerror or err)
        ) from None
    return path
