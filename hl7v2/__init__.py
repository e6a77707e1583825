"""HL7 v2 over MLLP: an adapter like api/ -- parse (python-hl7), map to the same services, answer ACK/NAK,
RSP^K23 (PIX query, ITI-9) and RSP^K22 (PDQ query, ITI-21).

Named ``hl7v2`` and not ``hl7``: the maintained HL7 v2 library this adapter is built on (python-hl7) is
imported as ``hl7``, and a project package of that name would shadow it."""

from __future__ import annotations

__all__: list[str] = []
