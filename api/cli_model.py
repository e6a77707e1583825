"""``ehc model ...``: the model registry (save, list, deploy, roll back); every deploy and rollback is
written to the graph's audit trail. Mount with ``main.add_typer(cli_model.app, name="model")``."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from core.freejson import FreeJson
from core.settings import get_settings
from services.model_registry import Deployment, ModelRegistry

__all__ = ["app"]

app = typer.Typer(
    help="Model registry: versioned rule configs and dedupe models; deploy and roll back.",
    no_args_is_help=True,
)


def _registry() -> ModelRegistry:
    return ModelRegistry.from_settings(get_settings())


@app.command("save")
def save(
    version: Annotated[str, typer.Argument(help="the new, immutable version")],
    rules: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="a rule config JSON")
    ] = None,
    dedupe: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="a sealed dedupe model (ehc resolver train)"),
    ] = None,
    training: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="JSON summary of the training data")
    ] = None,
    evaluate: Annotated[bool, typer.Option(help="evaluate a rule config on the synthetic population")] = True,
    persons: Annotated[int, typer.Option(min=10, help="synthetic persons for the evaluation")] = 1000,
    description: Annotated[str, typer.Option(help="what changed")] = "",
) -> None:
    """Save a rule config or dedupe model as a new version, with its training summary and evaluation."""
    if rules is not None and dedupe is not None:
        raise typer.BadParameter("give one of --rules and --dedupe, not both")
    summary: FreeJson = json.loads(training.read_text(encoding="utf-8")) if training else {}
    registry = _registry()
    if rules is not None:
        config = json.loads(rules.read_text(encoding="utf-8"))
        evaluation: FreeJson = {}
        if evaluate:
            from resolver.rules import load_rules
            from services.evaluation import evaluate_synthetic

            evaluation = evaluate_synthetic(
                persons, model=load_rules(config | {"version": version})
            ).as_dict()
        card = registry.save_rules(
            config,
            version,
            training=summary | {"source": rules.name},
            evaluation=evaluation,
            description=description,
            created_by=getpass.getuser(),
        )
    elif dedupe is not None:
        card = registry.save(
            "dedupe",
            dedupe.read_bytes(),
            version,
            training=summary | {"source": dedupe.name},
            description=description,
            created_by=getpass.getuser(),
        )
    else:
        raise typer.BadParameter("give --rules FILE or --dedupe FILE")
    typer.echo(
        f"saved {card.kind} model {card.version} (sha256 {card.sha256[:12]})"
        + (
            f": F1 {card.evaluation['f1']:.4f}, precision {card.evaluation['precision']:.4f}"
            if "f1" in card.evaluation
            else ""
        )
    )


@app.command("list")
def list_models(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Every saved version, the deployed one marked with *."""
    registry = _registry()
    cards, current = registry.versions(), registry.deployed().current
    if as_json:
        typer.echo(
            json.dumps(
                {"deployed": current, "models": [c.as_dict() for c in cards]}, ensure_ascii=False, indent=1
            )
        )
        return
    if not cards:
        typer.echo("no models saved (ehc model save VERSION --rules FILE | --dedupe FILE)")
    for c in cards:
        f1 = c.evaluation.get("f1")
        typer.echo(
            f"{'*' if c.version == current else ' '} {c.version:<24} {c.kind:<7} {c.created_at}  "
            f"F1 {'-' if f1 is None else f'{f1:.4f}':<7} {c.description}"
        )
    if current is None:
        typer.echo("deployed: the configured model (EHC_MATCH_MODEL / EHC_MATCH_RULES)")


def _audited(change: Callable[..., Deployment]) -> Deployment:
    """Run a deploy or rollback with its audit record written to the graph (no audit, no change)."""
    from graph.driver import Graph
    from graph.trail import Actor, record_audit

    settings = get_settings()
    graph = Graph.from_settings(settings)
    actor = Actor(getpass.getuser(), "analyst")

    def audit(kind: str, version: str, detail: FreeJson) -> None:
        graph.write(lambda tx: record_audit(tx, actor, kind, "model", version, detail))

    try:
        return change(ModelRegistry.from_settings(settings), by=actor.sub, audit=audit)
    finally:
        graph.close()


@app.command("deploy")
def deploy(version: Annotated[str, typer.Argument(help="a saved version")]) -> None:
    """Make VERSION the model of the online engine and `ehc resolve` (servers pick it up at start)."""
    done = _audited(lambda registry, **kw: registry.deploy(version, **kw))
    typer.echo(
        f"deployed {done.current} (previous: {done.previous[-1] if done.previous else 'configured model'})"
    )


@app.command("rollback")
def rollback() -> None:
    """Return to the version deployed before the current one (or to the configured model)."""
    done = _audited(lambda registry, **kw: registry.rollback(**kw))
    typer.echo(f"rolled back; deployed: {done.current or 'the configured model'}")
