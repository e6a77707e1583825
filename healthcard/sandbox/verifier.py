"""Sandbox identity verifier: the bank-card four-element check (name, ID number, card, phone).

Rules (deterministic):
- Each element is checked on its own first, 422 with the first failing code: ``name_invalid``
  (2-30 characters: CJK, letters, middle dot), ``id_number_invalid`` (GB 11643 with check
  character), ``bank_card_invalid`` (12-19 digits, Luhn), ``phone_invalid`` (mainland mobile 1[3-9]x,
  11 digits).
- The elements are consistent when the card's last four digits equal the phone's last four digits
  (the sandbox bank "registered" that phone with that card): 200 ``{"verified": true, reference}``;
  otherwise 200 ``{"verified": false, "reason": "elements_mismatch"}``.
Nothing is stored or logged; the reference is a hash of the elements.
"""

from __future__ import annotations

import argparse
import hashlib
import re
from collections.abc import Sequence

from fastapi import FastAPI
from pydantic import BaseModel, Field

from healthcard.bank import is_luhn_valid
from healthcard.sandbox.common import SandboxError, install_common, serve
from resolver.idnumber import IdNumberError, parse_id_number

__all__ = ["create_app", "main"]

_NAME_RE = re.compile(r"^[\u3400-\u9fffA-Za-z·•. ]{2,30}$")
_PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")


class FourElementsBody(BaseModel):
    name: str = Field(max_length=64)
    id_number: str = Field(max_length=32)
    bank_card_number: str = Field(max_length=32)
    phone: str = Field(max_length=32)


def create_app(*, api_key: str | None = None) -> FastAPI:
    app = FastAPI(title="EHC sandbox identity verifier", docs_url=None, redoc_url=None)
    install_common(app, api_key)

    @app.post("/v1/four-elements")
    def four_elements(body: FourElementsBody) -> dict[str, object]:
        if not _NAME_RE.fullmatch(body.name.strip()):
            raise SandboxError(422, "name_invalid", "name is not a plausible personal name")
        try:
            id_number = parse_id_number(body.id_number).number
        except IdNumberError as exc:
            raise SandboxError(422, "id_number_invalid", exc.reason) from exc
        card = re.sub(r"[\s-]", "", body.bank_card_number)
        if not (12 <= len(card) <= 19 and is_luhn_valid(card)):
            raise SandboxError(422, "bank_card_invalid", "bank card number fails its checks")
        if not _PHONE_RE.fullmatch(body.phone.strip()):
            raise SandboxError(422, "phone_invalid", "phone is not a mainland mobile number")
        if card[-4:] != body.phone.strip()[-4:]:
            return {"verified": False, "reason": "elements_mismatch", "provider": "sandbox"}
        digest = hashlib.sha256(
            f"{body.name.strip()}|{id_number}|{card}|{body.phone.strip()}".encode()
        ).hexdigest()
        return {"verified": True, "reference": f"sbx-{digest[:16]}", "provider": "sandbox"}

    return app


def _build(args: argparse.Namespace) -> FastAPI:
    return create_app(api_key=args.api_key)


def main(argv: Sequence[str] | None = None) -> None:
    serve(_build, "EHC sandbox identity verifier", argv)


if __name__ == "__main__":
    main()
