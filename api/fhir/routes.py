"""The /fhir router: fixed paths ($ihe-pix, $match, _search, metadata) before Patient/{id}."""

from __future__ import annotations

from fastapi import APIRouter

from api.fhir import feed, metadata, patients, pixm

__all__ = ["router"]

router = APIRouter()
for sub in (metadata.router, pixm.router, feed.router, patients.router):
    router.include_router(sub)
