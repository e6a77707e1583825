"""A print-ready label: the QR code with a title, the masked name and a card hint (就诊卡/病历本 sticker).

Chinese text needs a CJK font: ``EHC_HC_LABEL_FONT`` or the first of the usual system fonts found
(Noto/Source Han, WenQuanYi, Droid Sans Fallback). Without one the label prints the name in pinyin
and an English title, so it is always legible.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from pypinyin import lazy_pinyin

from healthcard.qr import Ecc, qr_image

__all__ = ["CJK_FONT_CANDIDATES", "card_hint", "find_cjk_font", "mask_name", "render_label"]

CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/source-han-sans/SourceHanSans-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
_LATIN_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)
_FontT = ImageFont.FreeTypeFont | ImageFont.ImageFont


def mask_name(name: str) -> str:
    """Keep the first character (and the last of three or more): 张*, 张*丰, 欧**锋."""
    text = "".join(name.split())
    if len(text) <= 1:
        return text
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]


def card_hint(card_id: str, keep: int = 6) -> str:
    """The tail of a card id, enough for a person to tell two cards apart: ``…AB1690A``."""
    return "…" + card_id[-keep:]


def find_cjk_font(configured: Path | None = None) -> Path | None:
    """``configured`` (``settings.healthcard.label_font``) when it exists, else the first CJK system font
    present, else None."""
    if configured is not None and configured.exists():
        return configured
    for candidate in CJK_FONT_CANDIDATES:
        path = Path(candidate)
        if path.exists():
            return path
    return None


def _font(path: Path | None, size: int) -> _FontT:
    if path is not None:
        return ImageFont.truetype(str(path), size)
    for candidate in _LATIN_FONTS:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def _romanise(text: str) -> str:
    return " ".join(part.capitalize() if part != "*" else part for part in lazy_pinyin(text))


def render_label(
    payload: str,
    *,
    name: str,
    hint: str,
    title: str = "电子健康卡",
    ecc: Ecc = Ecc.Q,
    width: int = 600,
    font_path: Path | None = None,
) -> bytes:
    """PNG label: title, QR code, masked name and card hint; ``width`` in pixels (600 = 50 mm at 300 dpi)."""
    font_file = font_path or find_cjk_font()
    masked = mask_name(name)
    if font_file is None:  # no CJK glyphs: print what can be printed
        masked, title = _romanise(masked), "E-Health Card" if title == "电子健康卡" else _romanise(title)
    margin = width // 20
    symbol = qr_image(payload, ecc=ecc, box_size=1, border=4)
    scale = max(1, (width - 2 * margin) // symbol.width)
    symbol = symbol.convert("L").resize(
        (symbol.width * scale, symbol.height * scale), Image.Resampling.NEAREST
    )
    title_font, text_font = _font(font_file, width // 12), _font(font_file, width // 16)
    line = width // 10
    height = margin + line + symbol.height + 2 * line + margin
    canvas = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(canvas)
    draw.text((width // 2, margin + line // 2), title, font=title_font, fill=0, anchor="mm")
    canvas.paste(symbol, ((width - symbol.width) // 2, margin + line))
    text_top = margin + line + symbol.height
    draw.text((width // 2, text_top + line // 2), masked, font=text_font, fill=0, anchor="mm")
    draw.text((width // 2, text_top + line + line // 2), hint, font=text_font, fill=0, anchor="mm")
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG", dpi=(300, 300), optimize=True)
    return buffer.getvalue()
