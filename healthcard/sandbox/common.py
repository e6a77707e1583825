"""Shared pieces of the sandbox services: error bodies, optional bearer key, command line."""

from __future__ import annotations

import argparse
import hmac
from collections.abc import Callable, Sequence

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

__all__ = ["SandboxError", "install_common", "serve"]


class SandboxError(Exception):
    """A refusal answered as ``{"error": {"code", "message"}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def install_common(app: FastAPI, api_key: str | None) -> None:
    """Error rendering, ``GET /health`` and, when ``api_key`` is set, bearer authentication."""

    @app.exception_handler(SandboxError)
    async def _refusal(request: Request, exc: SandboxError) -> JSONResponse:
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    if api_key:
        expected = f"Bearer {api_key}"

        @app.middleware("http")
        async def _auth(request: Request, call_next: Callable):  # type: ignore[no-untyped-def,type-arg]
            given = request.headers.get("authorization", "")
            if request.url.path != "/health" and not hmac.compare_digest(given, expected):
                return JSONResponse(
                    {"error": {"code": "unauthorized", "message": "bad API key"}}, status_code=401
                )
            return await call_next(request)


def serve(
    build: Callable[[argparse.Namespace], FastAPI],
    description: str,
    argv: Sequence[str] | None = None,
    extra: Callable[[argparse.ArgumentParser], None] | None = None,
) -> None:
    """Parse ``--host/--port/--api-key`` (plus ``extra``), build the app and run it with uvicorn."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-key", default=None, help="require 'Authorization: Bearer <key>'")
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    uvicorn.run(build(args), host=args.host, port=args.port, log_level="warning", access_log=False)
