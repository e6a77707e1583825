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
from core.settings import HealthCardSettings
from healthcard.combined import combine
from healthcard.errors import LabelFontMissing, QrExpired, QrMalformed
from healthcard.keys import QrKeyStore
from healthcard.label import LabelSpec, card_hint, label_lines, mask_name, render_label
from healthcard.label_font import find_cjk_font, require_cjk_font
from healthcard.national import BEIJING, national_dynamic, national_static, parse_national
from healthcard.qr import Ecc, qr_info, render_png, render_svg
from healthcard.runtime import HealthCardRuntime
from healthcard.tokens import QrType, TokenIssuer, verify_signature_and_expiry
from tests.label_text import text_score

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


@pytest.mark.parametrize("size", ["50x30", "80x50"])
@pytest.mark.parametrize("dpi", [203, 300])
def test_printed_label_scans_and_shows_the_chinese_title_and_masked_name(
    keystore: QrKeyStore, issuer: TokenIssuer, card_id: str, size: str, dpi: int
) -> None:
    token = issuer.issue_static(card_id).token
    spec = LabelSpec.named(size, dpi)
    data = render_label(token, name="张三丰", hint=card_hint(card_id), spec=spec)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == spec.pixels
    assert (
        image.size
        == {
            ("50x30", 203): (400, 240),
            ("50x30", 300): (591, 354),
            ("80x50", 203): (639, 400),
            ("80x50", 300): (945, 591),
        }[(size, dpi)]
    )
    assert image.info["dpi"] == pytest.approx((dpi, dpi), abs=0.1)
    assert decode_png(data) == [token]
    assert verify_signature_and_expiry(token, keystore).qr_type is QrType.STATIC
    font = require_cjk_font()
    title, name, hint = label_lines(
        spec, qr_info(token, Ecc.Q).modules, ("电子健康卡", "张*丰", card_hint(card_id)), font
    )
    for line in (title, name, hint):
        assert text_score(data, line.text, font, line.size) > 0.95, line
    assert text_score(data, "电子病历卡", font, title.size) < 0.85  # a different title is not found
    assert text_score(data, "李*丰", font, name.size) < 0.85  # nor another name
    assert text_score(data, "张三丰", font, name.size) < 0.85  # the full name is never printed


def test_label_with_a_given_font_and_title(issuer: TokenIssuer, card_id: str) -> None:
    token = issuer.issue_static(card_id).token
    font = require_cjk_font()
    spec = LabelSpec.named("80x50", 203)
    data = render_label(token, name="欧阳娜娜", hint="…1234", title="就诊卡", spec=spec, font_path=font)
    assert decode_png(data) == [token]
    title = label_lines(spec, qr_info(token, Ecc.Q).modules, ("就诊卡", "欧**娜", "…1234"), font)[0]
    assert text_score(data, "就诊卡", font, title.size) > 0.95


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
    font = tmp_path / "label-font.ttc"
    font.write_bytes(require_cjk_font().read_bytes())
    monkeypatch.setenv("EHC_HC_LABEL_FONT", str(font))
    configured = HealthCardSettings().label_font  # EHC_HC_LABEL_FONT, read into the one settings object
    assert configured == font
    assert find_cjk_font(configured) == font and require_cjk_font(configured) == font


def test_no_cjk_font_fails_loudly_instead_of_printing_pinyin(
    monkeypatch: pytest.MonkeyPatch, issuer: TokenIssuer, card_id: str, tmp_path: Path
) -> None:
    from healthcard import label_font

    monkeypatch.setattr(label_font, "CJK_FONT_CANDIDATES", ())
    token = issuer.issue_static(card_id).token
    with pytest.raises(LabelFontMissing, match=r"no CJK font .*fonts-wqy-microhei"):
        render_label(token, name="王芳", hint=card_hint(card_id))
    with pytest.raises(LabelFontMissing):
        HealthCardRuntime.build(tmp_path, HealthCardSettings())


@pytest.mark.parametrize(
    "configured", ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/nonexistent/font.ttc"]
)
def test_a_configured_font_without_chinese_glyphs_is_refused(
    monkeypatch: pytest.MonkeyPatch, configured: str
) -> None:
    monkeypatch.setenv("EHC_HC_LABEL_FONT", configured)
    with pytest.raises(LabelFontMissing, match="no Chinese glyphs") as raised:
        require_cjk_font(HealthCardSettings().label_font)
    assert raised.value.field == "EHC_HC_LABEL_FONT"
