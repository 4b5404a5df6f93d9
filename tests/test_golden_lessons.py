"""The Markdown export of every bundled lesson, in both languages, against golden copies.

The golden files were written by ``tutor export`` before the walkthrough became a typed
contract; any difference must be a deliberate fix (rewrite the file and say why in the commit).
The images are drawn (so each figure link is there) but their bytes are not compared.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import speaking

from tutor.export import export_command

GOLDEN = Path(__file__).parent / "golden" / "lessons"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_export_of_the_bundled_lessons_matches_the_golden_markdown(lang, tmp_path):
    lines = speaking(lang, lambda: list(export_command([], tmp_path, False, [])))
    assert all(line.startswith({"en": "wrote ", "zh": "已写入 "}[lang]) for line in lines), lines
    expected = {p.name: p.read_text(encoding="utf-8") for p in sorted((GOLDEN / lang).glob("*.md"))}
    written = {p.name: p.read_text(encoding="utf-8") for p in sorted(tmp_path.glob("*.md"))}
    assert len(expected) == 8 and sorted(written) == sorted(expected)
    for name, text in expected.items():
        assert written[name] == text, f"{lang}/{name} differs from its golden copy"
