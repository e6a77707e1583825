"""二维码管理 and 医疗机构实现: issue and print QR codes, verify them at care steps, publish the JWKS."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from api.auth import Principal
from api.deps import QrDep, QrKeysDep, require
from api.schemas_ehc import QrPublic, VerificationPublic
from api.schemas_ops import JwksPublic
from core.freejson import FreeJson
from services.healthcard_models import PrintRequest, QrRequest, VerifyRequest
from services.healthcard_qr import IssuedQrView, QrVerified

router = APIRouter(prefix="/ehc", tags=["virtual health card: QR codes"])
Issuer = Annotated[Principal, Depends(require("qr:issue"))]
Printer = Annotated[Principal, Depends(require("ehc:register"))]
Verifier = Annotated[Principal, Depends(require("qr:verify"))]
_IMAGE: FreeJson = {"content": {"image/png": {}, "image/svg+xml": {}}}


@router.post("/accounts/{ehc_id}/qr", response_model=QrPublic)
def issue_qr(ehc_id: str, body: QrRequest, qr: QrDep, who: Issuer) -> IssuedQrView:
    """A code for a business function (static where allowed, else dynamic; combined for payment)."""
    return qr.issue(ehc_id, body, who.actor).public()


@router.post("/accounts/{ehc_id}/qr/image", response_class=Response, responses={200: _IMAGE})
def issue_qr_image(ehc_id: str, body: QrRequest, qr: QrDep, who: Issuer) -> Response:
    """The same as ``/qr`` but answering the image itself (``format`` png, svg or national)."""
    request = body if body.format != "json" else body.model_copy(update={"format": "png"})
    issued = qr.issue(ehc_id, request, who.actor)
    headers = {
        "X-QR-Type": issued.qr_type,
        "X-QR-Version": str(issued.qr["version"]),
        "X-QR-Expires-At": str(issued.expires_at or ""),
    }
    return Response(issued.image or b"", media_type=issued.media_type or "image/png", headers=headers)


@router.post("/qr/print", response_class=Response, responses={200: _IMAGE})
def print_qr(body: PrintRequest, qr: QrDep, who: Printer) -> Response:
    """Print a static code at an institution terminal from the ID document (label, PNG or SVG)."""
    printed = qr.print_code(body, who.actor)
    return Response(
        printed.image,
        media_type=printed.media_type,
        headers={"X-EHC-Id": printed.ehc_id, "X-QR-Version": str(printed.qr["version"])},
    )


@router.post("/qr/verify", response_model=VerificationPublic)
def verify_qr(body: VerifyRequest, qr: QrDep, who: Verifier) -> QrVerified:
    """Verify a scanned code at a care step (scene or platform care-step code, channel, terminal)."""
    return qr.verify(body, who.actor)


@router.get("/.well-known/jwks.json", response_model=JwksPublic)
def jwks(keys: QrKeysDep, response: Response) -> dict[str, Any]:
    """The public keys of QR signatures (open, so terminals can verify offline; refetch every 5 min)."""
    response.headers["Cache-Control"] = "public, max-age=300"
    return keys.jwks()
