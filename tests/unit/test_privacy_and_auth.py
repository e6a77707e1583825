from __future__ import annotations

import logging

import pytest

from api.auth import ROLE_SCOPES, AuthError, decode_token, issue_token
from core.errors import EhcError
from core.privacy import MaskingFilter, mask_bank_card, mask_id_number, mask_phone, mask_text
from core.settings import Settings


def test_masks() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_bank_card("6222021234567890123") == "***************0123"
    text = mask_text("身份证11010519491231002X 手机13812345678 卡6222021234567890123")
    assert (
        "11010519491231002X" not in text and "13812345678" not in text and "6222021234567890123" not in text
    )


def test_logging_filter_masks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("ehc.test")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="ehc.test"):
        logger.info("registered %s", "11010519491231002X")
    assert "110105********002X" in caplog.text and "11010519491231002X" not in caplog.text


def test_tokens_round_trip_and_scopes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path)
    token = issue_token(settings, sub="his-1", role="his", domains=["H001"])
    principal = decode_token(settings, token)
    assert principal.role == "his" and principal.scopes == ROLE_SCOPES["his"]
    assert principal.domains == frozenset({"H001"}) and principal.jti
    secret_file = settings.secrets_dir / "jwt_secret"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    with pytest.raises(EhcError):
        issue_token(settings, sub="x", role="root")
    with pytest.raises(EhcError):
        issue_token(settings, sub="x", role="his", scopes=["audit:read"])
    with pytest.raises(AuthError):
        decode_token(Settings(home=tmp_path / "other"), token)


def test_command_line_secrets_never_look_like_options(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from core.secrets import read_or_create_secret

    values = [read_or_create_secret(tmp_path / f"s{i}", 24, hex_only=True) for i in range(200)]
    assert all(v[0] in "0123456789abcdef" and len(v) == 48 for v in values)


def test_token_domains_by_role(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path)
    for bad in ([], ["*"], ["H001", "*"], ["bad code"]):
        with pytest.raises(EhcError) as refused:
            issue_token(settings, sub="his-1", role="his", domains=bad)
        assert refused.value.field == "domains"
    steward = decode_token(settings, issue_token(settings, sub="s", role="steward"))
    assert steward.domains is None, "steward and admin default to every domain"
    narrowed = decode_token(settings, issue_token(settings, sub="a", role="admin", domains=["H002"]))
    assert narrowed.domains == frozenset({"H002"})


def test_token_lifetime_is_positive_and_bounded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path, token_max_ttl_seconds=3600)
    for ttl in (0, -1, 3601, 31 * 365 * 24 * 3600):
        with pytest.raises(EhcError) as refused:
            issue_token(settings, sub="a", role="admin", ttl_seconds=ttl)
        assert refused.value.field == "ttl"
    assert decode_token(settings, issue_token(settings, sub="a", role="admin", ttl_seconds=3600)).sub == "a"
    # A token minted under a longer maximum (or before there was one) is refused once the maximum is lower.
    long_lived = issue_token(
        Settings(home=tmp_path, token_max_ttl_seconds=10**9),
        sub="a",
        role="admin",
        ttl_seconds=31 * 365 * 24 * 3600,
    )
    with pytest.raises(AuthError) as refused_token:
        decode_token(settings, long_lived)
    assert refused_token.value.code == "token_invalid"
