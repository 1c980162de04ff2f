"""Maintainer tool: make the CJK font subsets vendored in ``vote/printing/fonts/``.

The invitation PDF embeds its fonts so a sheet prints the same on any printer and the server
needs no system font. The source is WenQuanYi Micro Hei 0.2.0-beta (Apache-2.0, or GPL-3+ with
the font exception), a TrueType collection (reportlab embeds TrueType outlines, not CFF), from
Debian's ``fonts-wqy-microhei`` package::

    apt-get download fonts-wqy-microhei        # fonts-wqy-microhei_0.2.0-beta-3.1_all.deb
    dpkg-deb -x fonts-wqy-microhei_*.deb wqy
    pip install fonttools                      # any 4.x; 4.68.0 made the vendored files
    python tools/make_font_subset.py wqy/usr/share/fonts/truetype/wqy/wqy-microhei.ttc

It writes two files:

- ``WenQuanYiMicroHei-GBK.ttf``: every hanzi of GBK (GB2312's 6,763 of levels 1 and 2 and the
  rest of GBK's, about 20,900 in all, because residents' names use characters GB2312 lacks), ASCII,
  Latin-1, general and CJK punctuation, full-width forms and the circled numbers; about 3 MB.
- ``WenQuanYiMicroHeiMono-ASCII.ttf``: the monospaced face, ASCII only, for the voting code.

Hinting and OpenType layout tables are dropped (print needs neither). reportlab then embeds only
the glyphs a PDF uses.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

OUT = Path(__file__).resolve().parents[1] / "vote" / "printing" / "fonts"
TEXT_FILE = "WenQuanYiMicroHei-GBK.ttf"
MONO_FILE = "WenQuanYiMicroHeiMono-ASCII.ttf"

ASCII = set(range(0x20, 0x7F))
EXTRA = (
    set(range(0xA0, 0x100))  # Latin-1 (·, ×, é…)
    | set(range(0x2010, 0x2070))  # general punctuation: dashes, quotes, ellipsis
    | set(range(0x2460, 0x2474))  # ① … ⑳
    | set(range(0x3000, 0x3040))  # CJK symbols and punctuation
    | set(range(0xFF00, 0xFFF0))  # full-width forms
)


def gbk_characters() -> set[int]:
    """Every character GBK encodes (GB2312 levels 1 and 2 included), as code points."""
    found = set()
    for high in range(0x81, 0xFF):
        for low in range(0x40, 0xFF):
            try:
                found.add(ord(bytes([high, low]).decode("gbk")))
            except UnicodeDecodeError:
                continue
    return found


def _subset(collection: Path, index: int, unicodes: set[int], target: Path) -> None:
    font = TTCollection(str(collection), recalcTimestamp=False).fonts[index]
    options = subset.Options()
    options.name_IDs = ["*"]  # keep copyright and licence names
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.layout_features = []
    options.hinting = False
    options.drop_tables += ["FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes & set(font.getBestCmap()))
    subsetter.subset(font)
    font.save(str(target))
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    print(f"{target.name}: {target.stat().st_size} bytes, sha256 {digest}")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    source = Path(argv[0])
    print(f"source {source.name}: sha256 {hashlib.sha256(source.read_bytes()).hexdigest()}")
    OUT.mkdir(parents=True, exist_ok=True)
    _subset(source, 0, gbk_characters() | ASCII | EXTRA, OUT / TEXT_FILE)
    _subset(source, 1, ASCII, OUT / MONO_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
