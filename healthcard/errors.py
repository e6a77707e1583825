"""Errors of the health-card domain, each with a stable ``code`` for clients and logs."""

from __future__ import annotations

from core.errors import Conflict, EhcError, Forbidden, InvalidInput, NotFound, Unavailable

__all__ = [
    "AccountInactive",
    "BankCardInvalid",
    "BankCardLimit",
    "CancelReasonRefused",
    "IdDocumentMismatch",
    "IdentityNotVerified",
    "KeyNotFound",
    "KeyStateConflict",
    "LabelFontMissing",
    "PaymentRejected",
    "ProviderUnavailable",
    "QrCardInactive",
    "QrError",
    "QrExpired",
    "QrForged",
    "QrMalformed",
    "QrReplayed",
    "QrRevoked",
    "QrTypeNotAllowed",
    "QrWrongScene",
    "QrWrongType",
    "UnknownChannel",
    "UnknownFunction",
    "UnknownScene",
]


class QrError(EhcError):
    """Base of the refusals of a presented QR code."""

    code = "qr_error"


class QrMalformed(QrError, InvalidInput):
    """Not a token of ours at all: wrong shape, bad base64/JSON, missing or ill-typed claims."""

    code = "qr_malformed"


class QrForged(QrError, Forbidden):
    """Signature does not verify, the key id is unknown or retired, or the algorithm is not ES256.

    ``details["reason"]`` is one of ``bad_signature``, ``unknown_kid``, ``alg_not_allowed``,
    ``payment_mismatch``; for the unsigned national plain form ``not_issued`` (the service has no
    record of issuing it) or ``validity_too_long`` (a valid time more than 300 s ahead).
    """

    code = "qr_forged"


class QrExpired(QrError, Forbidden):
    """A dynamic code past its ``exp``."""

    code = "qr_expired"


class QrWrongType(QrError, Forbidden):
    """A static code where a dynamic one is required (or the reverse)."""

    code = "qr_wrong_type"


class QrReplayed(QrError, Conflict):
    """A dynamic code whose one-time nonce was already used."""

    code = "qr_replayed"


class QrRevoked(QrError, Forbidden):
    """A code whose token id was revoked (reissued static code, cancelled card)."""

    code = "qr_revoked"


class QrWrongScene(QrError, Forbidden):
    """The scene does not accept this code (static at a dynamic-only scene, other purpose)."""

    code = "qr_wrong_scene"


class UnknownScene(InvalidInput):
    code = "scene_unknown"


class UnknownChannel(InvalidInput):
    code = "channel_unknown"


class UnknownFunction(InvalidInput):
    code = "business_function_unknown"


class KeyNotFound(NotFound):
    code = "qr_key_not_found"


class KeyStateConflict(Conflict):
    """A key operation that the key's state forbids (e.g. retiring the active key)."""

    code = "qr_key_state"


class BankCardInvalid(InvalidInput):
    code = "bank_card_invalid"


class PaymentRejected(Forbidden):
    """The payment provider refused; ``details["reason"]`` carries the provider's code."""

    code = "payment_rejected"


class IdentityNotVerified(Forbidden):
    """The four-element check failed; ``details["reason"]`` carries the provider's code."""

    code = "identity_not_verified"


class ProviderUnavailable(Unavailable):
    """A payment or verification provider could not be reached or answered nonsense."""

    code = "provider_unavailable"


class QrCardInactive(QrError, Forbidden):
    """A valid code of a card that is not active: ``qr_card_cancelled``, ``qr_card_suspended`` or
    ``qr_card_unknown`` (no account holds the card)."""

    code = "qr_card_cancelled"


class QrTypeNotAllowed(InvalidInput):
    """A static code asked for a business function that requires a dynamic one."""

    code = "qr_type_not_allowed"


class AccountInactive(Conflict):
    """The account is cancelled (or otherwise not active): it cannot get codes or bank cards."""

    code = "account_cancelled"


class CancelReasonRefused(InvalidInput):
    """Cancellation is only for emigrated (出境定居) or deceased (死亡) persons."""

    code = "cancel_reason_not_allowed"


class IdDocumentMismatch(Forbidden):
    """The ID document presented does not belong to the account holder."""

    code = "id_document_mismatch"


class BankCardLimit(Conflict):
    """The account already has the maximum number of bound bank cards."""

    code = "bank_card_limit"


class LabelFontMissing(Unavailable):
    """No font with the Chinese glyphs a printed label needs (电子健康卡, the resident's name)."""

    code = "label_font_missing"
