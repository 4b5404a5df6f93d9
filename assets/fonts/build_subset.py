"""Rebuild DescentTutorCJK-Regular.otf: a small subset of Noto Sans CJK SC.

matplotlib's DejaVu Sans has no Chinese glyphs, so Chinese plot titles need a
font that has them.  The whole Noto Sans CJK collection is ~20 MB; the tutor
needs only the common simplified characters, so this keeps

* printable ASCII,
* the 3755 level-1 characters of GB2312 (the most common simplified hanzi),
* CJK and full-width punctuation and the maths symbols the tutor prints,
* every CJK character that appears in the project's own text (``tutor/``,
  ``lessons/``) at the time of the build,

and renames the family (the OFL keeps modified fonts from using the original
name; "Noto" is also a trademark).  Run from the repository root, with the
Debian package ``fonts-noto-cjk`` installed::

    python assets/fonts/build_subset.py [path/to/NotoSansCJK-Regular.ttc]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TARGET = HERE / "DescentTutorCJK-Regular.otf"
FAMILY = "Descent Tutor CJK"
POSTSCRIPT = "DescentTutorCJK-Regular"

SYMBOLS = "′″∂∇η≤≥−·…“”‘’（）【】《》〈〉「」『』，。、：；！？～—–×÷±≈≠∞∑√∈→←↑↓⇒αβγδεθλμσΔ·•％＋－＝＜＞／"
CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


def gb2312_level1() -> str:
    """Rows 16-55 of GB2312 (bytes B0A1-D7F9): the common characters, by pinyin."""
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                pass  # D7FA-D7FE are unassigned
    return "".join(chars)


def project_text() -> str:
    """CJK characters the project itself prints (lesson text, messages)."""
    found = set()
    for pattern in ("tutor/**/*.py", "lessons/**/*.yaml"):
        for path in ROOT.glob(pattern):
            found.update(CJK.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return "".join(sorted(found))


def main(source: Path = SOURCE) -> Path:
    collection = TTCollection(str(source))
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == "Noto Sans CJK SC")
    text = "".join(chr(c) for c in range(0x20, 0x7F)) + gb2312_level1() + SYMBOLS + project_text()
    options = subset.Options()
    options.layout_features = ["kern", "liga", "vert", "locl"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)

    name = font["name"]
    for record in list(name.names):
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID == 3:
            record.string = f"2.004;{POSTSCRIPT};subset of Noto Sans CJK SC"
        elif record.nameID == 6:
            record.string = POSTSCRIPT
    cff = font["CFF "].cff
    cff.fontNames = [POSTSCRIPT]
    top = cff.topDictIndex[0]
    top.FullName = FAMILY
    top.FamilyName = FAMILY
    font.save(str(TARGET))
    return TARGET


if __name__ == "__main__":
    out = main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")
