"""HTTP clients (httpx) for the payment-provider and identity-verifier ports.

Wire protocol (the sandboxes speak it; a real provider gets an adapter of its own):
success is 2xx JSON; a refusal is 4xx ``{"error": {"code", "message"}}``; anything else, a
transport error or a 5xx is ``ProviderUnavailable``.
"""

from __future__ import annotations

from typing import Any, Protocol, Self

import httpx

from healthcard.errors import IdentityNotVerified, PaymentRejected, ProviderUnavailable
from healthcard.ports import FourElements, IdentityCheck, PaymentCheck, PaymentCode

__all__ = ["HttpClient", "HttpIdentityVerifier", "HttpPaymentProvider"]


class _Response(Protocol):
    @property
    def status_code(self) -> int: ...

    def json(self, **kwargs: Any) -> Any: ...


class HttpClient(Protocol):
    """What the clients need of an ``httpx.Client`` (a test client with the same surface also fits)."""

    @property
    def base_url(self) -> Any: ...

    def post(self, url: str, *, json: Any = None) -> _Response: ...

    def close(self) -> None: ...


class _JsonClient:
    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout: float = 5.0,
        client: HttpClient | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client: HttpClient = client or httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, headers=headers
        )
        self._owns = client is None

    def _post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            response = self._client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(
                f"provider at {self._client.base_url} unreachable: {type(exc).__name__}"
            ) from exc
        if response.status_code >= 500:
            raise ProviderUnavailable(f"provider answered HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise ProviderUnavailable("provider answered something other than JSON") from exc
        if not isinstance(data, dict):
            raise ProviderUnavailable("provider answered a JSON value that is not an object")
        return response.status_code, data

    @staticmethod
    def _error_code(data: dict[str, Any]) -> tuple[str, str]:
        error = data.get("error")
        if isinstance(error, dict):
            return str(error.get("code", "refused")), str(error.get("message", "refused"))
        return "refused", "refused"

    def close(self) -> None:
        if self._owns:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class HttpPaymentProvider(_JsonClient):
    """``PaymentProvider`` over HTTP: ``POST /v1/payment-codes`` and ``/v1/payment-codes/verify``."""

    def request_payment_code(self, *, card_id: str, account_ref: str) -> PaymentCode:
        status, data = self._post("/v1/payment-codes", {"card_id": card_id, "account_ref": account_ref})
        if status >= 400:
            code, message = self._error_code(data)
            raise PaymentRejected(f"payment provider refused: {message}", details={"reason": code})
        try:
            return PaymentCode(str(data["data"]), int(data["expires_at"]), str(data["provider"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderUnavailable("payment provider answered an incomplete payment code") from exc

    def verify_payment_code(self, data: str, *, card_id: str) -> PaymentCheck:
        status, body = self._post("/v1/payment-codes/verify", {"data": data, "card_id": card_id})
        if status >= 400:
            code, message = self._error_code(body)
            raise PaymentRejected(f"payment part refused: {message}", field="token", details={"reason": code})
        try:
            return PaymentCheck(str(body["payment_ref"]), str(body["card_id"]), str(body["account_ref"]))
        except KeyError as exc:
            raise ProviderUnavailable("payment provider answered an incomplete verification") from exc


class HttpIdentityVerifier(_JsonClient):
    """``IdentityVerifier`` over HTTP: ``POST /v1/four-elements``."""

    def verify(self, elements: FourElements) -> IdentityCheck:
        status, data = self._post(
            "/v1/four-elements",
            {
                "name": elements.name,
                "id_number": elements.id_number,
                "bank_card_number": elements.bank_card_number,
                "phone": elements.phone,
            },
        )
        if status >= 400:
            code, message = self._error_code(data)
            raise IdentityNotVerified(f"real-name check failed: {message}", details={"reason": code})
        if data.get("verified") is not True:
            reason = str(data.get("reason") or "elements_mismatch")
            raise IdentityNotVerified("the four elements do not belong together", details={"reason": reason})
        return IdentityCheck(str(data.get("reference", "")), str(data.get("provider", "")))
