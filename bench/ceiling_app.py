"""The HTTP ceiling of bench/scale.py: a trivial FastAPI endpoint, no database, served by uvicorn with the
same settings (workers, event loop, HTTP parser) as the API, so every figure is read as a ratio to it."""

from __future__ import annotations

from fastapi import FastAPI

__all__ = ["create_app"]


def create_app() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    return app
