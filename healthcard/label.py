"""A print-ready label: the QR code with the title 电子健康卡, the masked name and a card hint.

Labels come in the sizes of common thermal label printers (``LABEL_SIZES``: 50x30 mm and 80x50 mm,
landscape) at 203 or 300 dpi: the code on the left with its 4-module quiet zone, the text on the
right, each line shrunk to fit. The text is always Chinese, drawn with the CJK font of
``healthcard.label_font`` (there is no pinyin fallback).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from healthcard.label_font import require_cjk_font
from healthcard.qr import Ecc, qr_image

__all__ = [
    "DEFAULT_LABEL",
    "LABEL_SIZES",
    "LabelLine",
    "LabelSpec",
    "card_hint",
    "label_lines",
    "mask_name",
    "render_label",
]

LabelSizeName = Literal["50x30", "80x50"]
LabelDpi = Literal[203, 300]
LABEL_SIZES: dict[str, tuple[float, float]] = {"50x30": (50.0, 30.0), "80x50": (80.0, 50.0)}
TITLE = "电子健康卡"
_QUIET_MODULES = 4


@dataclass(frozen=True, slots=True)
class LabelSpec:
    """A label stock: width x height in millimetres (landscape) and the printer's resolution."""

    width_mm: float
    height_mm: float
    dpi: int

    @classmethod
    def named(cls, size: str = "50x30", dpi: int = 300) -> LabelSpec:
        width, height = LABEL_SIZES[size]
        return cls(width, height, dpi)

    @property
    def pixels(self) -> tuple[int, int]:
        return round(self.width_mm / 25.4 * self.dpi), round(self.height_mm / 25.4 * self.dpi)


DEFAULT_LABEL = LabelSpec.named("50x30", 300)


@dataclass(frozen=True, slots=True)
class LabelLine:
    """One line of text on the label: what, its font size in pixels and its centre."""

    text: str
    size: int
    centre: tuple[int, int]


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


def _fit(text: str, font_path: Path, size: int, width: int) -> int:
    """The largest font size up to ``size`` at which ``text`` is at most ``width`` pixels wide."""
    while size > 8 and ImageFont.truetype(str(font_path), size).getlength(text) > width:
        size -= 1
    return size


def _qr_scale(spec: LabelSpec, modules: int) -> int:
    _, height = spec.pixels
    return max(1, height // (modules + 2 * _QUIET_MODULES))


def label_lines(
    spec: LabelSpec, modules: int, texts: tuple[str, str, str], font_path: Path
) -> list[LabelLine]:
    """Where the title, masked name and hint go for a QR symbol of ``modules`` per side."""
    width, height = spec.pixels
    scale = _qr_scale(spec, modules)
    left = (modules + 2 * _QUIET_MODULES) * scale  # code and its quiet zones
    right_margin = max(2, round(spec.dpi * 1.5 / 25.4))  # 1.5 mm
    text_width = width - left - right_margin
    centre_x = left + text_width // 2
    shares = ((0.22, 0.20), (0.52, 0.16), (0.78, 0.11))  # (vertical centre, font size) as parts of the height
    return [
        LabelLine(
            text, _fit(text, font_path, round(height * size), text_width), (centre_x, round(height * y))
        )
        for text, (y, size) in zip(texts, shares, strict=True)
    ]


def render_label(
    payload: str,
    *,
    name: str,
    hint: str,
    title: str = TITLE,
    ecc: Ecc = Ecc.Q,
    spec: LabelSpec = DEFAULT_LABEL,
    font_path: Path | None = None,
) -> bytes:
    """PNG label of ``spec`` (default 50x30 mm at 300 dpi): QR code, title, masked name and card hint."""
    font_file = font_path or require_cjk_font()
    symbol = qr_image(payload, ecc=ecc, box_size=1, border=0).convert("L")
    modules = symbol.width
    scale = _qr_scale(spec, modules)
    symbol = symbol.resize((modules * scale, modules * scale), Image.Resampling.NEAREST)
    width, height = spec.pixels
    canvas = Image.new("L", (width, height), 255)
    canvas.paste(symbol, (_QUIET_MODULES * scale, (height - symbol.height) // 2))
    draw = ImageDraw.Draw(canvas)
    for line in label_lines(spec, modules, (title, mask_name(name), hint), font_file):
        font = ImageFont.truetype(str(font_file), line.size)
        draw.text(line.centre, line.text, font=font, fill=0, anchor="mm")
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG", dpi=(spec.dpi, spec.dpi), optimize=True)
    return buffer.getvalue()
