"""Helpers that run the sandbox providers as real local HTTP processes for tests."""
