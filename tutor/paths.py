"""Where things live: the bundled lessons, the learner's data folder.

``TUTOR_HOME`` overrides the data folder (tests and shared machines use it);
otherwise platformdirs picks the platform's usual place.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "descent-tutor"


def data_dir() -> Path:
    """The learner's data folder (progress database, plots, own lessons)."""
    home = os.environ.get("TUTOR_HOME")
    if home:
        path = Path(home).expanduser()
    else:
        from platformdirs import user_data_path

        path = user_data_path(APP_NAME, appauthor=False)
    return path


def plots_dir() -> Path:
    return data_dir() / "plots"


def user_lessons_dir() -> Path:
    return data_dir() / "lessons"


def bundled_lessons_dir() -> Path:
    """The lessons that ship with the tutor (the repository's ``lessons/``)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "lessons", here / "data" / "lessons"):
        if candidate.is_dir():
            return candidate
    return here.parent / "lessons"
