from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import resvg_py
import zxingcpp
from PIL import Image

from core.errors import InvalidInput
from healthcard.combined import combine
from healthcard.errors import QrExpired, QrMalformed
from healthcard.keys import QrKeyStore
from healthcard.label import card_hint, mask_name, render_label
from healthcard.national import BEIJING, national_dynamic, national_static, parse_national
from healthcard.qr import Ecc, qr_info, render_png, render_svg
from healthcard.tokens import QrType, TokenIssuer, verify_signature_and_expiry

PAYMENT = "281234567890123456"


def decode_png(data: bytes) -> list[str]:
    """Decode every QR code in a PNG with zxing-cpp."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


def decode_svg(svg: str) -> list[str]:
    """Rasterise the SVG with resvg (a PyPI wheel, no system libraries) and decode it.

    The SVG is sized in millimetres; resvg-py needs an explicit dpi to convert them.
    """
    return decode_png(resvg_py.svg_to_bytes(svg_string=svg, dpi=96, zoom=4))


def _payloads(issuer: TokenIssuer, card_id: str) -> dict[str, str]:
    dynamic = issuer.issue_dynamic(card_id, "pay", payment_data=PAYMENT)
    return {
        "static": issuer.issue_static(card_id).token,
        "dynamic": issuer.issue_dynamic(card_id, "visit").token,
        "combined": combine(dynamic.token, PAYMENT),
        "national_static": national_static(card_id),
        "national_dynamic": national_dynamic(card_id, datetime.now(UTC) + timedelta(seconds=60)),
    }


def _check_read(kind: str, read: str, keystore: QrKeyStore, card_id: str) -> None:
    if kind.startswith("national"):
        assert parse_national(read).card_id == card_id
    else:
        assert verify_signature_and_expiry(read.split("~")[0], keystore).card_id == card_id


@pytest.mark.parametrize("ecc", [Ecc.L, Ecc.M, Ecc.Q])
def test_png_of_every_kind_decodes_to_a_verifying_payload(
    keystore: QrKeyStore, issuer: TokenIssuer, card_id: str, ecc: Ecc
) -> None:
    for kind, payload in _payloads(issuer, card_id).items():
        data = render_png(payload, ecc=ecc)
        assert data.startswith(b"\x89PNG")
        assert decode_png(data) == [payload], kind
        _check_read(kind, payload, keystore, card_id)


def test_svg_of_every_kind_decodes_to_a_verifying_payload(
    keystore: QrKeyStore, issuer: TokenIssuer, card_id: str
) -> None:
    for kind, payload in _payloads(issuer, card_id).items():
        svg = render_svg(payload)
        assert svg.startswith("<svg") and 'fill="white"' in svg
        info = qr_info(payload)
        quiet = 4
        assert f'viewBox="0 0 {info.modules + 2 * quiet} {info.modules + 2 * quiet}"' in svg
        (read,) = decode_svg(svg)
        assert read == payload, kind
        _check_read(kind, read, keystore, card_id)


def test_qr_versions_per_kind_are_small_enough_for_phone_screens_and_labels(
    issuer: TokenIssuer, card_id: str
) -> None:
    infos = {kind: qr_info(payload, Ecc.M) for kind, payload in _payloads(issuer, card_id).items()}
    assert infos["static"].version <= 12 and infos["static"].modes == ("byte",)
    assert infos["dynamic"].version <= 13
    assert infos["combined"].version <= 14
    assert infos["national_static"].version <= 4 and infos["national_static"].modes == ("alphanumeric",)
    assert infos["national_dynamic"].version <= 4
    for info in infos.values():
        assert info.modules == 17 + 4 * info.version
        assert info.as_dict()["ecc"] == "M"
    assert qr_info(_payloads(issuer, card_id)["static"], Ecc.H).version > infos["static"].version


def test_printed_label_shows_a_scannable_code_and_masked_text(
    keystore: QrKeyStore, issuer: TokenIssuer, card_id: str
) -> None:
    token = issuer.issue_static(card_id).token
    data = render_label(token, name="张三丰", hint=card_hint(card_id))
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.width == 600 and image.height > image.width
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.1)
    assert decode_png(data) == [token]
    assert verify_signature_and_expiry(token, keystore).qr_type is QrType.STATIC


def test_label_with_a_given_font_and_width(issuer: TokenIssuer, card_id: str) -> None:
    token = issuer.issue_static(card_id).token
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    data = render_label(
        token,
        name="Li Lei",
        hint="…1234",
        title="Visit card",
        width=900,
        font_path=font if font.exists() else None,
    )
    assert Image.open(io.BytesIO(data)).width == 900
    assert decode_png(data) == [token]


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张*丰"),
        ("欧阳娜娜", "欧**娜"),
        ("李", "李"),
        ("", ""),
        ("热依扎 买买提", "热****提"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_card_hint_shows_only_the_tail(card_id: str) -> None:
    assert card_hint(card_id) == "…" + card_id[-6:]


def test_national_plain_forms_round_trip(card_id: str) -> None:
    assert national_static(card_id) == f"{card_id}:1"
    static = parse_national(f"{card_id}:1")
    assert (static.card_id, static.qr_type, static.valid_until) == (card_id, QrType.STATIC, None)
    until = datetime(2026, 11, 26, 2, 0, 0, tzinfo=UTC)
    text = national_dynamic(card_id, until)
    assert text == f"{card_id}:0:20261126100000"  # Beijing time
    assert national_dynamic(card_id, until.timestamp()) == text
    parsed = parse_national(text)
    assert parsed.qr_type is QrType.DYNAMIC and parsed.valid_until == until.astimezone(BEIJING)
    parsed.check_valid(until)
    with pytest.raises(QrExpired):
        parsed.check_valid(until + timedelta(seconds=1))
    assert re.fullmatch(r"[0-9A-F]{64}:0:\d{14}", text)


@pytest.mark.parametrize(
    "text", ["", "abc:1", "A" * 64 + ":2", "A" * 64 + ":0", "A" * 64 + ":0:20261340000000", "a" * 64 + ":1"]
)
def test_national_plain_form_malformed(text: str) -> None:
    with pytest.raises(QrMalformed):
        parse_national(text)


def test_national_forms_need_a_card_id_and_an_aware_time(card_id: str) -> None:
    with pytest.raises(QrMalformed):
        national_static("abc")
    with pytest.raises(QrMalformed):
        national_dynamic("abc", 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        national_dynamic(card_id, datetime(2026, 1, 1))


def test_empty_or_oversized_payload_is_refused() -> None:
    with pytest.raises(InvalidInput):
        render_png("")
    with pytest.raises(InvalidInput):
        render_svg("x" * 4000, ecc=Ecc.H)
    with pytest.raises(InvalidInput):
        render_png("abc", box_size=0)


def test_label_font_is_configurable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from core.settings import get_settings
    from healthcard.label import find_cjk_font

    font = tmp_path / "font.ttf"
    font.write_bytes(b"stand-in: only its presence is checked here")
    monkeypatch.setenv("EHC_HC_LABEL_FONT", str(font))
    get_settings.cache_clear()
    assert find_cjk_font(get_settings().healthcard.label_font) == font


def test_label_renders_without_any_system_font(
    monkeypatch: pytest.MonkeyPatch, issuer: TokenIssuer, card_id: str
) -> None:
    from healthcard import label

    monkeypatch.setattr(label, "CJK_FONT_CANDIDATES", ())
    monkeypatch.setattr(label, "_LATIN_FONTS", ())
    token = issuer.issue_static(card_id).token
    assert decode_png(render_label(token, name="王芳", hint=card_hint(card_id))) == [token]
