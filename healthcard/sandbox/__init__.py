"""Sandbox providers for the demo and tests, each a small FastAPI app run as its own HTTP service.

``python -m healthcard.sandbox.payment --port P`` and ``python -m healthcard.sandbox.verifier --port P``.
Both keep state in memory only and behave deterministically (rules in each module's docstring).
``healthcard.sandbox.receiver`` is a webhook subscriber stand-in (in-process) for the notification
tests and ``bench/notify_throughput.py``, so that neither imports the other.
"""
