"""``ehc import FILE``: load a CSV, JSON Lines or Parquet file of person records into the master index.

Registered in ``api/cli.py`` with one line: ``app.command("import")(cli_import.import_command)``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.errors import EhcError
from core.settings import get_settings

if TYPE_CHECKING:
    from services.import_sources import ColumnMapping, InputFile

__all__ = ["import_command"]


class FileFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


def import_command(
    file: Annotated[Path, typer.Argument(help="the input: .csv/.tsv, .jsonl/.ndjson or .parquet")],
    mapping: Annotated[
        Path | None,
        typer.Option(help='JSON or YAML file: {"fields": {field: column}, "defaults": {field: value}}'),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="field=column (repeat); cards.<DOMAIN>=column adds a card in that domain"),
    ] = None,
    default: Annotated[
        list[str] | None,
        typer.Option(
            help="field=value used when the column is absent or empty (repeat), e.g. source_domain=H001"
        ),
    ] = None,
    fmt: Annotated[
        FileFormat | None, typer.Option("--format", help="override the format told by the name")
    ] = None,
    encoding: Annotated[
        str, typer.Option(help="text encoding of CSV / JSON Lines (e.g. gb18030)")
    ] = "utf-8-sig",
    delimiter: Annotated[str | None, typer.Option(help="CSV delimiter (default ',' or tab for .tsv)")] = None,
    initial: Annotated[
        bool,
        typer.Option(
            "--initial",
            help="first load into an empty database (refused otherwise) with Neo4j's offline importer "
            "(neo4j-admin database import): the embedded server is stopped for it and restarted",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=16, help="--initial: processes validating rows (default: cores, ≤ 4)"),
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(min=1, max=50_000, help="rows per transaction (default 1000)")
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            min=1, help="stop after this many rows (a trial run; running again continues after them)"
        ),
    ] = None,
    restart: Annotated[
        bool,
        typer.Option(
            "--restart", help="ignore the checkpoint and read the file from the start (what is in is skipped)"
        ),
    ] = False,
    progress: Annotated[bool, typer.Option(help="show a progress bar (records/s) on stderr")] = True,
) -> None:
    """Import person records: map columns onto the registration fields, validate, link by valid ID number,
    store the blocking keys. Rejected rows go to FILE.rejected.csv (row, field, reason); a checkpoint
    (FILE.checkpoint.json) makes a re-run continue after the last committed batch. Run `ehc resolve`
    afterwards for fuzzy duplicates."""
    from tqdm import tqdm

    from graph.driver import Graph
    from services.import_sources import InputFile, load_mapping
    from services.importer import import_file
    from services.matching import engine_for

    settings = get_settings()
    try:
        source = InputFile(file, fmt.value if fmt else None, encoding=encoding, delimiter=delimiter)
        columns = load_mapping(mapping, map_ or [], default or [])
    except EhcError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from exc
    if initial:
        if batch_size is not None or limit is not None or restart:
            typer.secho(
                "error: --batch-size, --limit and --restart are for online imports, not --initial",
                fg=typer.colors.RED,
                err=True,
            )
            raise typer.Exit(code=2)
        _initial(file, source, columns, workers, progress)
        return
    graph = Graph.from_settings(settings)
    bar = tqdm(
        total=source.count(),
        desc=f"import {file.name}",
        unit=" records",
        unit_scale=True,
        disable=not progress,
        mininterval=0.5,
    )
    try:
        report = import_file(
            graph,
            source,
            columns,
            engine_for(settings),
            initial=initial,
            batch_size=batch_size,
            limit=limit,
            restart=restart,
            progress=bar.update,
        )
    except EhcError as exc:
        bar.close()
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2 if exc.field in ("map", "initial") else 1) from exc
    finally:
        graph.close()
    bar.close()
    if report.resumed_after:
        typer.echo(f"resumed after row {report.resumed_after} (checkpoint {report.checkpoint_path.name})")
    typer.echo(
        f"{report.rows} rows read in {report.seconds:.1f} s ({report.rate:,.0f} records/s): "
        f"{report.imported} imported, {report.present} already present, {report.rejected} rejected"
    )
    if report.rejected or report.rejects_path.stat().st_size > len("row,field,reason\r\n"):
        typer.echo(f"rejected rows: {report.rejects_path}")
    if not report.complete:
        typer.echo(f"stopped after row {report.last_row}; run the same command again to continue")


def _initial(
    file: Path, source: InputFile, columns: ColumnMapping, workers: int | None, progress: bool
) -> None:
    """``--initial``: services/initial_import.py (neo4j-admin database import into the empty database)."""
    from tqdm import tqdm

    from services.initial_import import initial_import

    bar = tqdm(
        total=source.count(),
        desc=f"import {file.name} (initial)",
        unit=" records",
        unit_scale=True,
        disable=not progress,
        mininterval=0.5,
    )
    try:
        done = initial_import(get_settings(), source, columns, progress=bar.update, workers=workers)
    except EhcError as exc:
        bar.close()
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2 if exc.field in ("map", "initial") else 1) from exc
    bar.close()
    report = done.report
    if done.finished_earlier_import:
        typer.echo(
            f"the import of {file.name} had completed before; schema applied: "
            f"{done.counts.get('residents', 0)} records"
        )
        return
    typer.echo(
        f"{report.rows} rows read in {report.seconds:.1f} s ({report.rate:,.0f} records/s): "
        f"{report.imported} imported, {report.present} already present, {report.rejected} rejected"
    )
    typer.echo(
        f"offline import: {done.identities} identities, {done.cards} cards, {done.relationships} "
        f"relationships, {done.domains} domains; files {done.stage_seconds:.1f} s, neo4j-admin "
        f"{done.import_seconds:.1f} s, schema {done.schema_seconds:.1f} s"
    )
    if report.rejected:
        typer.echo(f"rejected rows: {report.rejects_path}")
