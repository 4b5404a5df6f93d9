"""Shared test set-up: no test writes to the real home, plots render headless."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own learner data folder."""
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "tutor-home"))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("TUTOR_LANG", raising=False)
