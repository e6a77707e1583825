"""Errors raised by the resolver: one base, data-carrying subclasses (mapped to HTTP in api/)."""

from __future__ import annotations

from core.errors import EhcError

__all__ = ["ModelError", "ResolverError", "RuleConfigError"]


class ResolverError(EhcError):
    """Base of the resolver's deliberate errors."""

    code = "resolver_error"


class RuleConfigError(ResolverError):
    """A matching-rule configuration that does not validate; ``field`` names the offending path."""

    code = "invalid_rule_config"


class ModelError(ResolverError):
    """A learned model that cannot be trained, serialised or loaded."""

    code = "model_error"
