"""What ``tutor lessons`` and ``tutor progress`` print: a table for people, JSON for scripts.

These are command bodies, kept out of the catalogue and the progress store so
that those stay about finding lessons and keeping attempts.  Each report reads
the data once, then renders it in the process's language.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from tutor.errors import TutorError
from tutor.i18n import _, current_language, ngettext
from tutor.safe_text import one_line  # ids, titles and file names in errors: control characters escaped
from tutor.text import columns, tr

# --- tutor lessons -------------------------------------------------------------------------


def lessons_report(extra_dirs: Sequence[Path], fmt: str = "text") -> str:
    """The catalogue as a table (id, title, status) or as JSON (a list of objects)."""
    from tutor.lesson.catalog import lesson_folders, listing_rows

    entries = listing_rows(extra_dirs)  # from the cache when no lesson file changed (no YAML, no sympy)
    if fmt == "json":
        return json.dumps([e.as_json(current_language()) for e in entries], ensure_ascii=False, indent=2)
    if not entries:
        where = ", ".join(str(folder) for folder, _source in lesson_folders(extra_dirs))
        return _("no lessons found (looked in {folders})").format(folders=where)
    # TRANSLATORS: the column headings of `tutor lessons`
    header = (_("id"), _("title"), _("status"))
    rows = [
        (one_line(e.id), _clip(one_line(tr(e.title).replace("\n", " ")), 50), _("ok") if e.ok else one_line(e.error))
        for e in entries
    ]
    widths = [max(columns(r[i]) for r in (header, *rows)) for i in range(2)]
    lines = []
    for row in (header, *rows):
        lines.append(f"{_pad(row[0], widths[0])}  {_pad(row[1], widths[1])}  {row[2]}".rstrip())
    broken = sum(not e.ok for e in entries)
    lines.append("")
    lines.append(
        ngettext("{n} lesson, {broken} broken", "{n} lessons, {broken} broken", len(entries)).format(
            n=len(entries), broken=broken
        )
    )
    return "\n".join(lines)


# --- tutor progress ------------------------------------------------------------------------


def progress_report(fmt: str, reset: str | None, lesson_dirs: Iterable[Path]) -> str:
    """``tutor progress``: each lesson's state, mastery per skill, what to practise next (or ``--reset`` one)."""
    from tutor.progress import ProgressStore

    store = ProgressStore()
    notes = list(store.messages)
    if reset is not None:
        known = store.known_lessons()
        if reset not in known:
            store.close()
            stored = ", ".join(known) or _("none yet")
            raise TutorError(
                _("no progress is stored for a lesson '{lesson}' (lessons with progress: {stored})").format(
                    lesson=reset, stored=stored
                )
            )
        count = store.reset(reset)
        notes += store.messages[len(notes) :]
        said = ngettext(
            "Reset lesson '{lesson}': forgot {n} attempt and its position.",
            "Reset lesson '{lesson}': forgot {n} attempts and its position.",
            count,
        ).format(lesson=reset, n=count)
        store.close()
        if fmt == "json":
            return json.dumps(
                {"reset": reset, "attempts_removed": count, "messages": notes}, ensure_ascii=False, indent=2
            )
        return "\n".join([*notes, said])

    from tutor.lesson.catalog import find_lessons

    entries = find_lessons(list(lesson_dirs))
    lessons: list[dict[str, Any]] = []
    listed: set[str] = set()
    for entry in entries:
        listed.add(entry.id)
        right, tried = store.score(entry.id)
        steps, questions = store.totals(entry.id)
        started = entry.id in store.known_lessons()
        lessons.append(
            {
                "id": entry.id,
                "title": tr(entry.title),
                "status": store.summary(entry.id, steps, questions),
                "started": started,
                "finished": store.is_finished(entry.id),
                "step": store.position(entry.id) + 1 if started else 0,
                "total_steps": steps,
                "right": right,
                "tried": tried,
                "total_questions": questions,
                "error": entry.error and str(entry.error),
            }
        )
    for lesson_id in store.known_lessons():  # progress of lessons no longer on the list
        if lesson_id not in listed:
            right, tried = store.score(lesson_id)
            lessons.append(
                {
                    "id": lesson_id,
                    "title": lesson_id,
                    "status": store.summary(lesson_id, None),
                    "started": True,
                    "finished": store.is_finished(lesson_id),
                    "step": store.position(lesson_id) + 1,
                    "total_steps": store.totals(lesson_id)[0],
                    "right": right,
                    "tried": tried,
                    "total_questions": store.totals(lesson_id)[1],
                    "error": None,
                }
            )

    mastery, practise = _mastery(store.mastery_attempts())
    command = _practice_command(mastery, practise)
    notes += [m for m in store.messages if m not in notes]
    store.close()

    if fmt == "json":
        return json.dumps(
            {
                "lessons": lessons,
                "mastery": mastery,
                "practise_next": practise,
                "practise_command": command,
                "messages": notes,
            },
            ensure_ascii=False,
            indent=2,
        )

    lines = list(notes)
    lines.append(_("Lessons"))
    statuses = [item["status"] if not item["error"] else _("broken") for item in lessons]
    id_width = max((columns(item["id"]) for item in lessons), default=0)
    status_width = max((columns(status) for status in statuses), default=0)
    for item, status in zip(lessons, statuses):
        lines.append(f"  {_pad(item['id'], id_width)}  {_pad(status, status_width)}  {item['title']}")
    if not lessons:
        lines.append("  " + _("(no lessons found)"))
    lines.append("")
    lines.append(_("Mastery per skill"))
    if mastery:
        from tutor.mastery import mastery_table, skill_name

        lines += ["  " + row for row in mastery_table(mastery).splitlines()]
        if practise:
            lines.append("")
            names = _(", ").join(skill_name(s) for s in practise)
            if command:
                lines.append(_("Practise next: {skills} — run `{command}`").format(skills=names, command=command))
            else:
                lines.append(_("Practise next: {skills}").format(skills=names))
    else:
        lines.append("  " + _("no answers yet"))
    return "\n".join(lines)


def _mastery(evidence: list[tuple[str, bool]]) -> tuple[dict[str, float], list[str]]:
    """Mastery per skill and what to practise, from the mastery model."""
    if not evidence:
        return {}, []
    from tutor import mastery

    estimate = mastery.estimate(evidence)
    return dict(sorted(estimate.items())), list(mastery.suggest(estimate))


def _practice_command(mastery: dict[str, float], practise: list[str]) -> str | None:
    """The command that practises the weakest skill there are practice questions for (what `tutor practice` picks)."""
    if not practise:
        return None
    from tutor.practice import next_skill

    skill = next_skill(mastery)
    return f"tutor practice {skill}" if skill in practise else None


# --- columns on a terminal -------------------------------------------------------------------


def _pad(text: str, width: int) -> str:
    return text + " " * (width - columns(text))


def _clip(text: str, width: int) -> str:
    """At most ``width`` columns, with an ellipsis when something was cut."""
    if columns(text) <= width:
        return text
    out = ""
    for c in text:
        if columns(out + c) > width - 1:
            break
        out += c
    return out + "…"
