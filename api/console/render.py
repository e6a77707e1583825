"""Rendering console pages: Jinja2 templates with the session, the language and masking filters."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from api.console.i18n import language, translator
from api.console.session import ConsoleSession, read_session
from core.privacy import mask_id_number, mask_phone
from core.settings import PROJECT_ROOT

__all__ = ["CONSOLE_DIR", "page", "templates"]

CONSOLE_DIR = PROJECT_ROOT / "console"
templates = Jinja2Templates(directory=str(CONSOLE_DIR / "templates"))
templates.env.filters["mask_id"] = mask_id_number
templates.env.filters["mask_phone"] = mask_phone


def page(
    request: Request, name: str, session: ConsoleSession | None = None, status_code: int = 200, **context: Any
) -> Response:
    lang = language(request)
    session = session or read_session(request)
    return templates.TemplateResponse(
        request,
        name,
        {"t": translator(lang), "lang": lang, "session": session, **context},
        status_code=status_code,
    )
