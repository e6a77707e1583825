"""Is a given text printed on a label? Render it with the label's font at the size the layout gives
that line, and find it anywhere in the label by normalised cross-correlation (numpy FFT)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = ["text_score"]


def _rendered(text: str, font_path: Path, size: int) -> np.ndarray:
    font = ImageFont.truetype(str(font_path), size)
    left, top, right, bottom = (round(v) for v in font.getbbox(text))
    canvas = Image.new("L", (right - left + 4, bottom - top + 4), 255)
    ImageDraw.Draw(canvas).text((2 - left, 2 - top), text, font=font, fill=0)
    return np.asarray(canvas, dtype=np.float64)


def _window_sums(a: np.ndarray, h: int, w: int) -> np.ndarray:
    s = np.pad(a.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    sums: np.ndarray = s[h:, w:] - s[:-h, w:] - s[h:, :-w] + s[:-h, :-w]
    return sums


def text_score(png: bytes, text: str, font_path: Path, size: int) -> float:
    """The best normalised cross-correlation (-1..1) of ``text`` rendered at ``size`` over the label."""
    image = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float64)
    template = _rendered(text, font_path, size)
    th, tw = template.shape
    if th > image.shape[0] or tw > image.shape[1]:
        return -1.0
    t = template - template.mean()
    shape = (image.shape[0] + th - 1, image.shape[1] + tw - 1)
    corr = np.fft.irfft2(np.fft.rfft2(image, shape) * np.fft.rfft2(t[::-1, ::-1], shape), shape)
    corr = corr[th - 1 : image.shape[0], tw - 1 : image.shape[1]]
    n = th * tw
    sums, squares = _window_sums(image, th, tw), _window_sums(image * image, th, tw)
    spread = np.sqrt(np.clip(squares - sums * sums / n, 0, None)) * np.sqrt((t * t).sum())
    ncc = np.where(spread > 1e-6, corr / np.maximum(spread, 1e-6), 0.0)
    return float(ncc.max())
