"""``ehc mllp serve``: the HL7 v2 listener (MLLP) over the same Neo4j and services as the API."""

from __future__ import annotations

from typing import Annotated

import typer

from core.settings import get_settings

__all__ = ["app"]

app = typer.Typer(
    help="HL7 v2 over MLLP: ADT feed (ITI-8), PIX query (ITI-9), PDQ query (ITI-21)", no_args_is_help=True
)


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="bind address (EHC_MLLP_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (EHC_MLLP_PORT, default 2575)")] = None,
    start_db: Annotated[bool, typer.Option(help="start the local Neo4j first (embedded default)")] = True,
) -> None:
    """Listen for HL7 v2 messages framed with MLLP until stopped (Ctrl-C or SIGTERM). Senders are allowed
    by EHC_MLLP_SENDERS (config/mllp/senders.json); one masked JSON log line per message."""
    import asyncio
    import logging

    from core.errors import EhcError
    from graph.audit_buffer import AuditBuffer
    from graph.driver import Graph
    from graph.server import LocalServer
    from hl7v2.dispatch import Dispatcher
    from hl7v2.senders import SenderTable
    from hl7v2.server import MllpListener
    from services.matching import engine_for

    settings = get_settings()
    mllp = settings.mllp
    log = logging.getLogger("ehc.mllp")
    try:
        if start_db and settings.embedded:
            LocalServer(settings).start()
        senders = SenderTable.load(mllp.senders)
    except (EhcError, OSError, ValueError) as exc:
        log.error("cannot start: %s", exc)
        raise typer.Exit(code=1) from exc
    graph = Graph.from_settings(settings)
    audit = AuditBuffer(graph)
    audit.start()
    listener = MllpListener(Dispatcher(graph, senders, mllp, audit, engine_for(settings)).handle, mllp)
    try:
        asyncio.run(listener.serve(host or mllp.host, mllp.port if port is None else port))
    except KeyboardInterrupt:
        pass
    finally:
        audit.stop()
        graph.close()
