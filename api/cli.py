"""The `ehc` command line: local Neo4j, schema, API server, tokens, demo data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api import cli_console, cli_healthcard, cli_import, cli_mllp, cli_model, cli_notify, cli_resolver
from core.errors import EhcError
from core.settings import Settings, get_settings

if TYPE_CHECKING:
    from services.notify import Dispatcher

app = typer.Typer(
    help="ehc-empi: master patient index, cross-index and virtual health card on Neo4j",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db = typer.Typer(help="The local Neo4j server (the embedded default) and the schema", no_args_is_help=True)
token = typer.Typer(help="API access tokens", no_args_is_help=True)
demo = typer.Typer(help="Demo data", no_args_is_help=True)
app.add_typer(db, name="db")
app.add_typer(token, name="token")
app.add_typer(demo, name="demo")
frequencies = typer.Typer(help="The name-frequency table online matching weighs with", no_args_is_help=True)
app.add_typer(frequencies, name="frequencies")
sandbox = typer.Typer(help="Sandbox payment and identity-verification providers (demo)", no_args_is_help=True)
app.add_typer(sandbox, name="sandbox")
app.add_typer(cli_healthcard.keys_app, name="keys")
app.add_typer(cli_resolver.app, name="resolver")
app.add_typer(cli_notify.app, name="notify")
app.add_typer(cli_console.app, name="user")
app.add_typer(cli_mllp.app, name="mllp")
app.add_typer(cli_model.app, name="model")
app.command(
    "evaluate", help="Pairwise precision, recall, F1 and false merges (synthetic data, FEBRL4, FEBRL3)."
)(cli_resolver.evaluate)
app.command("synth", help="Write a synthetic population with ground truth (ehc synth --persons N --seed S).")(
    cli_resolver.synth
)
app.command("import")(cli_import.import_command)


def _fail(exc: EhcError) -> None:
    typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1) from exc


def _require_embedded(action: str) -> bool:
    settings = get_settings()
    if not settings.embedded:
        typer.echo(f"NEO4J_URI is set ({settings.neo4j_uri}): using that server, nothing to {action}.")
        return False
    return True


@app.callback()
def main_options() -> None:
    """Every command logs JSON lines (masked) to stderr at EHC_LOG_LEVEL; see core.logs."""
    from core.logs import configure_logging

    configure_logging(get_settings().log_level)


def _start_local_db() -> str:
    from graph.server import LocalServer

    st = LocalServer(get_settings()).start()
    return f"Neo4j running (pid {st.pid}) on {st.bolt_uri}; data in {st.home / 'data'}"


def _migrate() -> str:
    from graph.driver import Graph
    from graph.schema import migrate

    graph = Graph.from_settings(get_settings())
    try:
        count = migrate(graph)
    finally:
        graph.close()
    return f"schema applied: {count} statements; built-in domains present"


@db.command("start")
def db_start() -> None:
    """Resolve (first time) and start the local Neo4j server; wait until Bolt answers. Idempotent."""
    if not _require_embedded("start"):
        return
    try:
        typer.echo(_start_local_db())
    except EhcError as exc:
        _fail(exc)


@db.command("stop")
def db_stop() -> None:
    """Stop the local Neo4j server."""
    from graph.server import LocalServer

    if not _require_embedded("stop"):
        return
    stopped = LocalServer(get_settings()).stop()
    typer.echo("Neo4j stopped" if stopped else "Neo4j was not running")


@db.command("status")
def db_status() -> None:
    """Show whether the local Neo4j server runs and answers."""
    from graph.server import LocalServer

    if not _require_embedded("inspect"):
        return
    st = LocalServer(get_settings()).status()
    state = "running" if st.running else "stopped"
    answer = "answering" if st.answering else "not answering"
    typer.echo(
        f"Neo4j {state}"
        + (f" (pid {st.pid}, {answer}) on {st.bolt_uri}" if st.running else "")
        + f"; home {st.home}"
    )
    if not st.running:
        raise typer.Exit(code=3)


@db.command("migrate")
def db_migrate() -> None:
    """Apply constraints and indexes (idempotent) and seed the built-in identifier domains."""
    typer.echo(_migrate())


@db.command("backfill-keys")
def db_backfill_keys(
    dry_run: Annotated[bool, typer.Option(help="count the stale records, write nothing")] = False,
) -> None:
    """Recompute every record's blocking keys (bk_* properties) and store those that changed, e.g. after
    an upgrade adds a key (pinyin_region): older records are then found by it at once. Idempotent."""
    from graph.driver import Graph
    from services.matching import engine_for
    from services.resolve import backfill_keys

    settings = get_settings()
    graph = Graph.from_settings(settings)
    try:
        read, updated = backfill_keys(graph, engine_for(settings, term_frequencies=False), dry_run=dry_run)
    finally:
        graph.close()
    typer.echo(f"{read} records read; {updated} {'would get' if dry_run else 'got'} new blocking keys")


@app.command("backup")
def backup_cmd(
    to: Annotated[Path | None, typer.Option(help="dump file (default var/backups/neo4j-<time>.dump)")] = None,
) -> None:
    """Dump the local Neo4j database (neo4j-admin database dump); a running server is stopped and restarted."""
    from datetime import datetime

    from graph.backup import backup
    from graph.server import LocalServer

    if not _require_embedded("back up (use that server's own backup)"):
        return
    settings = get_settings()
    dest = to or settings.home / "backups" / f"neo4j-{datetime.now():%Y%m%d-%H%M%S}.dump"
    try:
        path = backup(LocalServer(settings), dest, settings.neo4j_database)
    except EhcError as exc:
        _fail(exc)
        return
    typer.echo(f"backup written: {path} ({path.stat().st_size} bytes)")


@app.command("restore")
def restore_cmd(
    dump: Annotated[Path, typer.Argument(help="a file written by `ehc backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="replace the current database")] = False,
) -> None:
    """Replace the local Neo4j database with a dump (neo4j-admin database load); restarts a running server."""
    from graph.backup import restore
    from graph.server import LocalServer

    if not _require_embedded("restore"):
        return
    if not yes:
        typer.secho(
            "restore replaces the whole database; run again with --yes", fg=typer.colors.RED, err=True
        )
        raise typer.Exit(code=2)
    settings = get_settings()
    try:
        restore(LocalServer(settings), dump, settings.neo4j_database)
    except EhcError as exc:
        _fail(exc)
        return
    typer.echo(f"restored {settings.neo4j_database} from {dump}")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="port")] = None,
    start_db: Annotated[bool, typer.Option(help="start the local Neo4j first (embedded default)")] = True,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    notify: Annotated[
        bool, typer.Option(help="also run the webhook dispatcher (a background thread)")
    ] = True,
) -> None:
    """Run the API (OpenAPI docs at /docs). Logs: one JSON line per record on stderr, one access line per
    request (uvicorn's own access log is off)."""
    import logging

    import uvicorn

    from core.logs import logging_config
    from healthcard.label_font import require_cjk_font

    settings = get_settings()
    try:
        require_cjk_font(
            settings.healthcard.label_font
        )  # printed labels need Chinese glyphs: refuse to start
    except EhcError as exc:
        _fail(exc)
    log = logging.getLogger("ehc.serve")
    try:
        if start_db and settings.embedded:
            log.info(_start_local_db())
        log.info(_migrate())
    except EhcError as exc:
        log.error("cannot start: %s", exc.message)
        raise typer.Exit(code=1) from exc
    dispatcher = _start_notify(settings) if notify else None
    try:
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            workers=workers,
            log_level=settings.log_level.lower(),
            log_config=logging_config(settings.log_level),
            access_log=False,
        )
    finally:
        if dispatcher is not None:
            dispatcher.stop()
            dispatcher.graph.close()


def _start_notify(settings: Settings) -> Dispatcher:
    from graph.driver import Graph
    from services.notify import start_dispatcher

    return start_dispatcher(Graph.from_settings(settings), settings.notify)


@token.command("issue")
def token_issue(
    role: Annotated[str, typer.Option(help="his | app | steward | admin")],
    sub: Annotated[str, typer.Option(help="the client (system or user) the token is for")],
    scope: Annotated[list[str] | None, typer.Option(help="narrow to these scopes")] = None,
    domain: Annotated[
        list[str] | None,
        typer.Option(
            help="an identifier domain the client writes in (repeat; required for his; '*' = all, "
            "the default for steward and admin)"
        ),
    ] = None,
    ttl: Annotated[
        int | None,
        typer.Option(
            help="lifetime in seconds (default EHC_TOKEN_TTL_SECONDS, at most EHC_TOKEN_MAX_TTL_SECONDS)"
        ),
    ] = None,
) -> None:
    """Mint an API access token (printed alone on stdout; its id, for revocation, on stderr)."""
    import jwt

    from api.auth import issue_token

    try:
        token = issue_token(get_settings(), sub=sub, role=role, scopes=scope, ttl_seconds=ttl, domains=domain)
    except EhcError as exc:
        _fail(exc)
        return
    typer.echo(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    typer.echo(f"jti {claims['jti']} expires {claims['exp']} domains {' '.join(claims['domains'])}", err=True)


@token.command("revoke")
def token_revoke(
    jti: Annotated[str, typer.Argument(help="the token id (jti claim)")],
    reason: Annotated[str | None, typer.Option(help="why (kept with the revocation)")] = None,
    expires_at: Annotated[
        int | None,
        typer.Option(help="the token's exp (Unix seconds), so the entry can be dropped once it has expired"),
    ] = None,
) -> None:
    """Revoke an API access token by id: every API process refuses it within
    EHC_TOKEN_REVOCATION_CACHE_SECONDS (5 s)."""
    from graph.driver import Graph
    from graph.trail import Actor
    from services.tokens import TokenService

    graph = Graph.from_settings(get_settings())
    try:
        TokenService(graph).revoke(jti, reason=reason, expires_at=expires_at, actor=Actor("ehc-cli", "admin"))
    finally:
        graph.close()
    typer.echo(f"revoked {jti}")


@demo.command("load")
def demo_load(
    persons: Annotated[int, typer.Option(help="synthetic persons")] = 40,
    seed: Annotated[int, typer.Option(help="random seed")] = 7,
) -> None:
    """Load a small synthetic population across hospital, social-security and regional domains."""
    from graph.driver import Graph
    from services.demo import DEMO_DOMAINS, load_demo
    from services.matching import engine_for
    from services.registry import ResidentService

    settings = get_settings()
    graph = Graph.from_settings(settings)
    try:
        summary = load_demo(ResidentService(graph, engine=engine_for(settings)), persons=persons, seed=seed)
    finally:
        graph.close()
    typer.echo(
        f"demo: {summary.persons} persons, {summary.records} new records, "
        f"{summary.identities_linked} linked to an existing identity by ID number"
    )
    ex = summary.example
    if ex.get("local_id"):
        oid = next(d["oid"] for d in DEMO_DOMAINS if d["code"] == ex["domain"])
        typer.echo(f"example: domain {ex['domain']} patient {ex['local_id']} -> EMPI {ex['empi_id']}")
        typer.echo(
            'cross-index it (PIXm) once the API is up:\n  curl -s -H "Authorization: Bearer $TOKEN" '
            f"'http://127.0.0.1:8000/fhir/Patient/$ihe-pix?sourceIdentifier=urn:oid:{oid}|{ex['local_id']}'"
        )
    _demo_ehc()


def _demo_ehc() -> None:
    """E-health card accounts for a few demo persons and a scannable static QR image under var/demo/."""
    from graph.driver import Graph
    from healthcard.runtime import HealthCardRuntime
    from services.demo import load_ehc_demo
    from services.matching import engine_for
    from services.registry import ResidentService

    settings = get_settings()
    graph = Graph.from_settings(settings)
    runtime = HealthCardRuntime.build(settings.secrets_dir, settings.healthcard)
    try:
        ehc = load_ehc_demo(
            graph,
            runtime,
            settings.home / "demo",
            residents=ResidentService(graph, engine=engine_for(settings)),
        )
    except EhcError as exc:
        _fail(exc)
        return
    finally:
        runtime.close()
        graph.close()
    typer.echo(f"e-health cards: {len(ehc.accounts)} accounts; {ehc.name}'s card {ehc.ehc_id[:12]}…")
    typer.echo(f"demo QR code (static, version {ehc.qr_version}): {ehc.qr_png}")
    typer.echo(f"print label: {ehc.label_png}")


@sandbox.command("start")
def sandbox_start() -> None:
    """Start the sandbox payment and verifier services in the background (EHC_HC_*_URL ports)."""
    from healthcard.sandbox.launcher import start_all

    try:
        lines = start_all(get_settings())
    except RuntimeError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    for line in lines:
        typer.echo(line)


@sandbox.command("stop")
def sandbox_stop() -> None:
    """Stop the sandbox services started by `ehc sandbox start`."""
    from healthcard.sandbox.launcher import stop_all

    for line in stop_all(get_settings()):
        typer.echo(line)


@app.command("resolve")
def resolve(
    fit: Annotated[bool, typer.Option(help="re-estimate the rule model's m/u by EM first")] = False,
    dry_run: Annotated[bool, typer.Option(help="report what would change, write nothing")] = False,
    shadow: Annotated[
        bool, typer.Option(help="compare --model with the deployed model on the live graph, write nothing")
    ] = False,
    model: Annotated[str | None, typer.Option(help="a registry version (ehc model list)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="shadow report as JSON")] = False,
    engine: Annotated[str, typer.Option(help="embedded (in-process) or spark (extra 'spark')")] = "embedded",
    master: Annotated[
        str | None,
        typer.Option(
            help="Spark master: local[*], spark://host:7077, yarn (default: spark-submit's, else local[*])"
        ),
    ] = None,
    report_path: Annotated[
        Path | None, typer.Option("--report", help="Spark engine: write the decisions as JSON here")
    ] = None,
    driver_memory: Annotated[str, typer.Option(help="Spark driver memory")] = "4g",
) -> None:
    """Batch identity resolution over the whole graph: cluster duplicates, merge, queue grey-band pairs.
    With --shadow --model VERSION: what that model would change, with examples; nothing is written.
    With --engine spark: the same decisions computed on Apache Spark (local mode or a cluster)."""
    if engine not in ("embedded", "spark"):
        raise typer.BadParameter("engine is 'embedded' or 'spark'", param_hint="--engine")
    if engine == "spark":
        if fit or shadow or model:
            raise typer.BadParameter(
                "--fit, --shadow and --model are for the embedded engine; the Spark "
                "engine applies the configured rule model",
                param_hint="--engine",
            )
        from api.cli_spark import resolve_on_spark

        resolve_on_spark(
            master=master or None, dry_run=dry_run, report=report_path, driver_memory=driver_memory
        )
        return
    from tqdm import tqdm

    from graph.driver import Graph
    from services.matching import engine_for
    from services.resolve import resolve_graph

    settings = get_settings()
    if shadow and model is None:
        raise typer.BadParameter("--shadow needs --model VERSION", param_hint="--model")
    graph = Graph.from_settings(settings)
    bars: dict[str, tqdm] = {}

    def progress(stage: str, n: int) -> None:
        if stage not in bars:
            bars[stage] = tqdm(desc=stage, unit=" records" if stage == "read" else "", leave=True)
        bars[stage].update(n)

    if model is not None:
        from services.model_registry import ModelRegistry

        candidate = engine_for(ModelRegistry.from_settings(settings).settings_for(settings, model))
    if shadow:
        from api.cli_shadow import echo_shadow
        from services.shadow import shadow_run

        try:
            echo_shadow(
                shadow_run(graph, engine_for(settings), candidate, progress=progress), as_json=as_json
            )
        finally:
            for bar in bars.values():
                bar.close()
            graph.close()
        return
    try:
        report = resolve_graph(
            graph,
            candidate if model is not None else engine_for(settings),
            fit=fit,
            dry_run=dry_run,
            progress=progress,
        )
    finally:
        for bar in bars.values():
            bar.close()
        graph.close()
    if not dry_run and report.term_frequencies:
        from services.frequencies import save_frequencies

        path = save_frequencies(settings.frequencies_file, report.term_frequencies, records=report.records)
        typer.echo(
            f"name frequencies of {report.records} records written to {path} (online matching loads them)"
        )
    verb = "would merge" if dry_run else "merged"
    typer.echo(
        f"{report.records} records, {report.candidate_pairs} candidate pairs, {report.links} links; "
        f"{report.clusters_spanning_identities} clusters spanning identities ({verb} "
        f"{len(report.merges) if not dry_run else report.clusters_spanning_identities}); "
        f"{report.review_items} pairs for review; {len(report.cut_links)} weak links cut"
        + (
            f"; {len(report.refused_merges)} merges refused (different valid ID numbers; queued for review)"
            if report.refused_merges
            else ""
        )
    )


@frequencies.command("refresh")
def frequencies_refresh() -> None:
    """Count the name frequencies of every record and write the table online matching weighs with
    (EHC_MATCH_FREQUENCIES); `ehc resolve` does it too. A running server loads it at its next start."""
    from graph.driver import Graph
    from services.frequencies import save_frequencies
    from services.matching import engine_for
    from services.resolve import index_frequencies

    settings = get_settings()
    graph = Graph.from_settings(settings)
    try:
        records, tables = index_frequencies(graph, engine_for(settings, term_frequencies=False))
    except TypeError as exc:
        typer.secho(f"error: {exc} (EHC_MATCH_MODEL={settings.match_model})", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    finally:
        graph.close()
    path = save_frequencies(settings.frequencies_file, tables, records=records)
    sizes = ", ".join(f"{label}: {t.total} values, {len(t.counts)} distinct" for label, t in tables.items())
    typer.echo(f"name frequencies of {records} records written to {path} ({sizes})")


@app.command("stats")
def stats(
    days: Annotated[int, typer.Option(help="window for the per-day figures")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    institution: Annotated[str | None, typer.Option(help="supervision figures of one institution")] = None,
) -> None:
    """居民信息统计: records, identities, duplicates, cards, regions, review backlog, per-day activity;
    supervision of QR verifications per institution (refusals by reason, outliers, card share)."""
    import json

    from api.cli_supervision import echo_supervision
    from graph.driver import Graph
    from services.stats import report

    graph = Graph.from_settings(get_settings())
    try:
        figures = report(graph, days, institution)
    finally:
        graph.close()
    if as_json:
        typer.echo(json.dumps(figures, ensure_ascii=False, indent=2, default=str))
        return
    for key, value in figures["totals"].items():
        typer.echo(f"{key:>20}: {value}")
    for row in figures["records_by_domain"]:
        typer.echo(f"  records {row['domain']:<8} {row['status']:<10} {row['records']}")
    for card in figures["cards"]:
        typer.echo(
            f"  cards   {card['domain']:<8} {card['card_type'] or '-':<6} {card['status']:<10} {card['cards']}"
        )
    for day in figures["registrations_per_day"]:
        typer.echo(f"  registrations {day['day']} {day['registrations']}")
    echo_supervision(figures["supervision"])


def main() -> None:
    try:
        app()
    except EhcError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        sys.exit(1)
