"""Everything the health-card services need, built once per process (the API lifespan, the CLI):
QR keys and issuer, scene rules, card-id / account-key / bank-card derivers, provider clients."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import HealthCardSettings
from healthcard.accounts import AccountKeys
from healthcard.bank import BANK_CARD_KEY_FILE, BankCardTokenizer
from healthcard.ehc_id import EHC_ID_KEY_FILE, EhcIdDeriver, load_or_create_key
from healthcard.keys import QR_KEYS_DIR, QrKeyStore
from healthcard.label_font import require_cjk_font
from healthcard.ports import IdentityVerifier, PaymentProvider
from healthcard.providers import HttpIdentityVerifier, HttpPaymentProvider
from healthcard.scenes import SceneRules, default_scene_config, load_scene_rules
from healthcard.tokens import TokenIssuer

__all__ = ["HealthCardRuntime"]


@dataclass
class HealthCardRuntime:
    settings: HealthCardSettings
    keys: QrKeyStore
    issuer: TokenIssuer
    rules: SceneRules
    ehc_ids: EhcIdDeriver
    account_keys: AccountKeys
    bank_cards: BankCardTokenizer
    payment: PaymentProvider
    verifier: IdentityVerifier
    label_font: Path  # a CJK font, checked at start-up: the runtime is not built without one
    clock: Callable[[], float] = field(default=time.time)

    @classmethod
    def build(
        cls,
        secrets: Path,
        settings: HealthCardSettings,
        *,
        payment: PaymentProvider | None = None,
        verifier: IdentityVerifier | None = None,
    ) -> HealthCardRuntime:
        """Keys under ``secrets`` (generated at first start); HTTP provider clients from the settings.
        Raises ``LabelFontMissing`` when no CJK font for printed labels is found (start-up fails loudly)."""
        hc = settings
        label_font = require_cjk_font(hc.label_font)
        keys = QrKeyStore(secrets / QR_KEYS_DIR)
        api_key = hc.provider_api_key.get_secret_value() if hc.provider_api_key else None
        return cls(
            settings=hc,
            keys=keys,
            issuer=TokenIssuer(keys, default_ttl=hc.dynamic_ttl_seconds),
            rules=load_scene_rules(hc.scenes_file)
            if hc.scenes_file.exists()
            else SceneRules(default_scene_config()),
            ehc_ids=EhcIdDeriver(load_or_create_key(secrets / EHC_ID_KEY_FILE), hc.ehc_id_digest),
            account_keys=AccountKeys.from_secrets(secrets),
            bank_cards=BankCardTokenizer(load_or_create_key(secrets / BANK_CARD_KEY_FILE)),
            payment=payment
            or HttpPaymentProvider(hc.payment_url, api_key=api_key, timeout=hc.provider_timeout_seconds),
            verifier=verifier
            or HttpIdentityVerifier(hc.verifier_url, api_key=api_key, timeout=hc.provider_timeout_seconds),
            label_font=label_font,
        )

    def close(self) -> None:
        """Close the provider clients this runtime made."""
        for client in (self.payment, self.verifier):
            if isinstance(client, (HttpPaymentProvider, HttpIdentityVerifier)):
                client.close()
