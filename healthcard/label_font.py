"""The CJK font of printed labels: found once at start-up, checked for the glyphs a label prints.

A label for Chinese residents must show 电子健康卡 and the masked Chinese name, so there is no
pinyin fallback: without a CJK font the API, the CLI and the demo refuse to start
(``LabelFontMissing``). ``make run`` / ``make test`` install Debian's ``fonts-wqy-microhei`` when
no candidate below is present; ``EHC_HC_LABEL_FONT`` names another font file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from healthcard.errors import LabelFontMissing

__all__ = ["CJK_FONT_CANDIDATES", "GLYPH_PROBE", "find_cjk_font", "has_cjk_glyphs", "require_cjk_font"]

CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian fonts-wqy-microhei (installed by make)
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/source-han-sans/SourceHanSans-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
GLYPH_PROBE = "电子健康卡张王李"  # the title and common surnames
_MISSING = "\U0010fffd"  # a private-use code point no font draws: its mask is the font's "missing glyph"
_INSTALL_HINT = (
    "install one (Debian/Ubuntu: apt-get install fonts-wqy-microhei; `make run` and `make test` "
    "do it) or set EHC_HC_LABEL_FONT to a TrueType/OpenType font with Chinese glyphs"
)


def has_cjk_glyphs(path: Path) -> bool:
    """Whether the font file opens and draws every character of ``GLYPH_PROBE`` (not its missing-glyph box)."""
    try:
        font = ImageFont.truetype(str(path), 32)
    except OSError:
        return False
    missing = bytes(font.getmask(_MISSING))
    for char in GLYPH_PROBE:
        mask = font.getmask(char)
        if mask.getbbox() is None or bytes(mask) == missing:
            return False
    return True


def find_cjk_font(configured: Path | None = None) -> Path | None:
    """``configured`` (``settings.healthcard.label_font``, ``EHC_HC_LABEL_FONT``) if set, else the first
    candidate present."""
    if configured is not None:
        return configured
    for candidate in CJK_FONT_CANDIDATES:
        path = Path(candidate)
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=8)
def _checked(path: Path) -> bool:
    return path.is_file() and has_cjk_glyphs(path)


def require_cjk_font(configured: Path | None = None) -> Path:
    """The label font, checked to draw Chinese; raises ``LabelFontMissing`` with what to do otherwise."""
    path = find_cjk_font(configured)
    if path is None:
        raise LabelFontMissing(
            "no CJK font for printed labels (电子健康卡 and the resident's name): " + _INSTALL_HINT
        )
    if not _checked(path):
        raise LabelFontMissing(
            f"the label font {path} is missing or has no Chinese glyphs: " + _INSTALL_HINT,
            field="EHC_HC_LABEL_FONT",
        )
    return path
