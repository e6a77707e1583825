"""QR rendering (PNG, SVG) and the size facts of a payload: version, modules, error correction.

Error correction: M (15 %) by default for every kind; ``Q`` suits printed labels that get worn.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

import qrcode
import qrcode.constants
from PIL import Image
from qrcode.image.svg import SvgPathFillImage
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, MODE_KANJI, MODE_NUMBER

from core.errors import InvalidInput

__all__ = ["DEFAULT_ECC", "Ecc", "QrInfo", "qr_image", "qr_info", "render_png", "render_svg"]


class Ecc(StrEnum):
    """Error-correction level: L 7 %, M 15 %, Q 25 %, H 30 % of codewords recoverable."""

    L = "L"
    M = "M"
    Q = "Q"
    H = "H"


DEFAULT_ECC = Ecc.M
_ECC_CONST = {
    Ecc.L: qrcode.constants.ERROR_CORRECT_L,
    Ecc.M: qrcode.constants.ERROR_CORRECT_M,
    Ecc.Q: qrcode.constants.ERROR_CORRECT_Q,
    Ecc.H: qrcode.constants.ERROR_CORRECT_H,
}
_MODE_NAMES = {
    MODE_NUMBER: "numeric",
    MODE_ALPHA_NUM: "alphanumeric",
    MODE_8BIT_BYTE: "byte",
    MODE_KANJI: "kanji",
}


@dataclass(frozen=True, slots=True)
class QrInfo:
    """How big a payload's symbol is: version 1-40, ``modules`` per side (17 + 4 * version)."""

    version: int
    modules: int
    ecc: Ecc
    payload_chars: int
    modes: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "version": self.version,
            "modules": self.modules,
            "ecc": self.ecc.value,
            "payload_chars": self.payload_chars,
            "modes": list(self.modes),
        }


def _build(payload: str, ecc: Ecc, *, box_size: int = 10, border: int = 4) -> qrcode.QRCode:
    if not payload:
        raise InvalidInput("a QR payload cannot be empty", field="payload")
    if box_size < 1 or border < 0:
        raise InvalidInput("box size must be >= 1 and border >= 0", field="box_size")
    code = qrcode.QRCode(error_correction=_ECC_CONST[Ecc(ecc)], box_size=box_size, border=border)
    code.add_data(payload)
    try:
        code.make(fit=True)
    except (qrcode.exceptions.DataOverflowError, ValueError) as exc:  # qrcode raises both for overflow
        raise InvalidInput("payload too long for a QR code", field="payload") from exc
    return code


def qr_info(payload: str, ecc: Ecc = DEFAULT_ECC) -> QrInfo:
    """The smallest version that holds ``payload`` at ``ecc`` (encoding modes chosen optimally).

    Only the version is fitted (no matrix, no mask selection), and cached per segment layout: tokens
    of one kind have one layout, so answering an issue request costs microseconds, not a render.
    """
    if not payload:
        raise InvalidInput("a QR payload cannot be empty", field="payload")
    code = qrcode.QRCode(error_correction=_ECC_CONST[Ecc(ecc)])
    code.add_data(payload)
    layout = tuple((int(chunk.mode), len(chunk.data)) for chunk in code.data_list)
    version = _fit(layout, Ecc(ecc), payload)
    modes = tuple(_MODE_NAMES.get(mode, str(mode)) for mode, _ in layout)
    return QrInfo(version, 17 + 4 * version, Ecc(ecc), len(payload), modes)


_FITTED: dict[tuple[tuple[tuple[int, int], ...], Ecc], int] = {}


def _fit(layout: tuple[tuple[int, int], ...], ecc: Ecc, payload: str) -> int:
    key = (layout, ecc)
    found = _FITTED.get(key)
    if found is None:
        code = qrcode.QRCode(error_correction=_ECC_CONST[ecc])
        code.add_data(payload)
        try:
            found = int(code.best_fit())
        except (qrcode.exceptions.DataOverflowError, ValueError) as exc:
            raise InvalidInput("payload too long for a QR code", field="payload") from exc
        if len(_FITTED) < 1024:
            _FITTED[key] = found
    return found


def qr_image(payload: str, *, ecc: Ecc = DEFAULT_ECC, box_size: int = 8, border: int = 4) -> Image.Image:
    """The symbol as a 1-bit PIL image (quiet zone included)."""
    code = _build(payload, ecc, box_size=box_size, border=border)
    image = code.make_image().get_image()
    if not isinstance(image, Image.Image):
        raise TypeError("qrcode did not produce a PIL image")
    return image


def render_png(payload: str, *, ecc: Ecc = DEFAULT_ECC, box_size: int = 8, border: int = 4) -> bytes:
    """PNG bytes of the symbol."""
    buffer = io.BytesIO()
    qr_image(payload, ecc=ecc, box_size=box_size, border=border).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def render_svg(payload: str, *, ecc: Ecc = DEFAULT_ECC, border: int = 4) -> str:
    """SVG text of the symbol: one module per user unit, white background, sized in millimetres."""
    code = _build(payload, ecc, border=border)
    image = code.make_image(image_factory=SvgPathFillImage)
    data = image.to_string(encoding="unicode")
    return data if isinstance(data, str) else data.decode("utf-8")
