"""Settings of the MLLP listener: ``settings.mllp`` of the one Settings object (``EHC_MLLP_*``)."""

from __future__ import annotations

from core.settings import MllpSettings

__all__ = ["MllpSettings"]
