"""Who may write which identifier domain through the generic record and card use cases.

``CardAccess`` travels from the API (built from the token's ``domains`` claim) into the resident and
PIX services, which check it inside their transactions, where the card's or record's domain is known.
Internal flows (the e-health card accounts, demo loading, batch resolution) pass no access: they are not
bound by a client's domains. E-health cards (domain ``EHC``) change only through the account flows
(register, update, cancel), so the generic card routes refuse them for every caller."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import Conflict, Forbidden

__all__ = ["EHC_DOMAIN", "CardAccess"]

EHC_DOMAIN = "EHC"


@dataclass(frozen=True, slots=True)
class CardAccess:
    domains: frozenset[str] | None  # None: every domain

    def check_domain(self, domain: str, field: str) -> None:
        """A record in ``domain`` may be written (registered or updated)."""
        if self.domains is not None and domain not in self.domains:
            allowed = ", ".join(sorted(self.domains)) or "none"
            raise Forbidden(
                f"this client may write only in the identifier domains {allowed}, not {domain}",
                field=field,
                code="domain_not_allowed",
            )

    def check_card(self, domain: str, field: str) -> None:
        """A card in ``domain`` may be attached, detached or change status here."""
        if domain == EHC_DOMAIN:
            raise Conflict(
                "e-health cards (domain EHC) change only through the account flows: "
                "POST /ehc/accounts, PATCH /ehc/accounts/{ehc_id}, "
                "POST /ehc/accounts/{ehc_id}/cancel",
                field=field,
                code="ehc_card_account_flow",
            )
        self.check_domain(domain, field)
