"""虚拟化账户管理: e-health card accounts (register, read, update, cancel) and their bank cards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from api.auth import Principal
from api.deps import HealthCardDep, require
from api.schemas_ehc import AccountPublic, AccountRegistrationPublic, BankCardPublic
from services.domain_ehc import Account, AccountRegistration, BankCard
from services.healthcard_models import (
    AccountIn,
    AccountUpdate,
    BankCardIn,
    CancelIn,
    IdDocument,
    ReactivateIn,
    SuspendIn,
)

router = APIRouter(prefix="/ehc/accounts", tags=["virtual health card: accounts"])
Registrar = Annotated[Principal, Depends(require("ehc:register"))]
Reader = Annotated[Principal, Depends(require("ehc:read"))]
Writer = Annotated[Principal, Depends(require("ehc:write"))]


@router.post(
    "",
    response_model=AccountRegistrationPublic,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "The person already had an account: the same card"}},
)
def register_account(
    body: AccountIn, response: Response, accounts: HealthCardDep, who: Registrar
) -> AccountRegistration:
    account, created = accounts.register(body, who.actor)
    if not created:
        response.status_code = status.HTTP_200_OK
    return AccountRegistration(
        created=created, ehc_id=account.ehc_id, empi_id=account.empi_id, account=account
    )


@router.get("/{ehc_id}", response_model=AccountPublic)
def get_account(ehc_id: str, accounts: HealthCardDep, who: Reader) -> Account:
    return accounts.get(ehc_id, who.actor)


@router.patch("/{ehc_id}", response_model=AccountPublic)
def update_account(ehc_id: str, body: AccountUpdate, accounts: HealthCardDep, who: Writer) -> Account:
    return accounts.update(ehc_id, body, who.actor)


@router.post("/{ehc_id}/cancel", response_model=AccountPublic)
def cancel_account(ehc_id: str, body: CancelIn, accounts: HealthCardDep, who: Writer) -> Account:
    return accounts.cancel(ehc_id, body, who.actor)


@router.post("/{ehc_id}/suspend", response_model=AccountPublic)
def suspend_card(ehc_id: str, body: SuspendIn, accounts: HealthCardDep, who: Writer) -> Account:
    """挂失: the card's codes stop verifying and none are issued until it is reactivated."""
    return accounts.suspend(ehc_id, body, who.actor)


@router.post("/{ehc_id}/reactivate", response_model=AccountPublic)
def reactivate_card(ehc_id: str, body: ReactivateIn, accounts: HealthCardDep, who: Writer) -> Account:
    """解挂: needs the holder's own ID document."""
    return accounts.reactivate(ehc_id, body, who.actor)


@router.post(
    "/{ehc_id}/bank-cards",
    response_model=BankCardPublic,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "The card was bound already"}},
)
def bind_bank_card(
    ehc_id: str, body: BankCardIn, response: Response, accounts: HealthCardDep, who: Writer
) -> BankCard:
    card, created = accounts.bind_bank_card(ehc_id, body, who.actor)
    if not created:
        response.status_code = status.HTTP_200_OK
    return card


@router.delete("/{ehc_id}/bank-cards/{bank_card_id}", response_model=BankCardPublic)
def unbind_bank_card(
    ehc_id: str, bank_card_id: str, body: IdDocument, accounts: HealthCardDep, who: Writer
) -> BankCard:
    return accounts.unbind_bank_card(ehc_id, bank_card_id, body, who.actor)
