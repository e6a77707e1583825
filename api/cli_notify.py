"""``ehc notify``: run the webhook dispatcher (no subcommand), prune old deliveries, rotate a
subscription's signing secret."""

from __future__ import annotations

from typing import Annotated

import typer

from core.settings import get_settings

__all__ = ["app"]

app = typer.Typer(
    help="Webhook notifications: `ehc notify` runs the dispatcher until stopped.", invoke_without_command=True
)


@app.callback()
def notify(ctx: typer.Context) -> None:
    """Deliver outbox events to webhook subscribers until stopped (Ctrl-C or SIGTERM). Safe to run
    several at once; settings from EHC_NOTIFY_* (poll interval, backoff, tries, timeout, allow-list)."""
    if ctx.invoked_subcommand is not None:
        return
    import signal

    from graph.driver import Graph
    from services.notify import Dispatcher

    settings = get_settings()
    graph = Graph.from_settings(settings)
    dispatcher = Dispatcher(graph, settings.notify)
    previous = signal.signal(signal.SIGTERM, lambda *_: dispatcher.stop())
    typer.echo(f"notify dispatcher {dispatcher.owner} running; Ctrl-C to stop")
    try:
        dispatcher.run()
    except KeyboardInterrupt:
        typer.echo("stopping")
    finally:
        signal.signal(signal.SIGTERM, previous)
        dispatcher.stop()
        graph.close()


@app.command("prune")
def prune(
    days: Annotated[
        float | None,
        typer.Option(
            help="remove delivered deliveries older than this many days (default EHC_NOTIFY_RETENTION_DAYS)",
            min=0,
        ),
    ] = None,
) -> None:
    """Remove delivered deliveries older than the retention period (failed, dead and pending stay)."""
    from graph.driver import Graph
    from graph.notify import prune_deliveries

    settings = get_settings()
    keep = settings.notify.retention_days if days is None else days
    graph = Graph.from_settings(settings)
    try:
        removed = prune_deliveries(graph, older_than_days=keep)
    finally:
        graph.close()
    typer.echo(f"pruned {removed} delivered deliveries older than {keep:g} days")


@app.command("rotate-secret")
def rotate_secret(
    subscription_id: Annotated[str, typer.Argument(help="the subscription (S...)")],
    grace: Annotated[
        int, typer.Option(help="seconds the old secret keeps signing too (0 to 604800)", min=0, max=604_800)
    ] = 86_400,
) -> None:
    """Issue a new signing secret for a subscription and print it (shown this once only)."""
    from core.errors import EhcError
    from graph.driver import Graph
    from graph.trail import Actor
    from services.notify import SubscriptionService

    graph = Graph.from_settings(get_settings())
    try:
        rotated = SubscriptionService(graph).rotate_secret(subscription_id, grace, Actor("cli", role="admin"))
    except EhcError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    finally:
        graph.close()
    until = rotated.get("previous_secret_until")
    typer.echo(rotated["secret"])
    typer.echo(
        f"the previous secret also signs until {until.isoformat()}"
        if until
        else "the previous secret no longer signs",
        err=True,
    )
