"""``ehc resolver ...``: evaluate match quality and generate synthetic populations.

Mount with ``main.add_typer(cli_resolver.app, name="resolver")``.
"""

from __future__ import annotations

import csv
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from core.secrets import read_or_create_secret
from core.settings import get_settings
from resolver.dedupe_model import train_dedupe
from resolver.records import PersonRecord
from resolver.rules import load_rules
from resolver.standardise import standardise
from resolver.synth import generate, labelled_pairs
from services.evaluation import evaluate as run_evaluation

__all__ = ["app"]

app = typer.Typer(help="Identity resolution: evaluation and synthetic data.", no_args_is_help=True)


class DatasetChoice(StrEnum):
    synthetic = "synthetic"
    febrl4 = "febrl4"
    febrl3 = "febrl3"
    all = "all"


@app.command()
def evaluate(
    dataset: Annotated[
        DatasetChoice, typer.Option("--dataset", help="Which data to evaluate on.")
    ] = DatasetChoice.all,
    persons: Annotated[int, typer.Option("--persons", min=10, help="Synthetic persons.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Synthetic seed.")] = 7,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Pairwise precision / recall / F1, false merges and wall time of the rule model (EM-fitted)."""
    results = run_evaluation(dataset.value, persons=persons, seed=seed)
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"{'DATASET':<10} {'F1':>8} {'PRECISION':>9} {'RECALL':>8} {'FP':>5} {'FN':>5} {'MERGES':>6} "
        f"{'TWINS':>5} {'SECONDS':>8}"
    )
    for r in results:
        m = r.metrics
        typer.echo(
            f"{r.dataset:<10} {m.f1:>8.5f} {m.precision:>9.5f} {m.recall:>8.5f} {m.false_positives:>5} "
            f"{m.false_negatives:>5} {'-' if r.false_merges is None else r.false_merges:>6} "
            f"{'-' if r.twin_merges is None else r.twin_merges:>5} {r.seconds:>8.2f}"
        )


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", help="Output file: .json, .jsonl or .csv.")],
    persons: Annotated[int, typer.Option("--persons", min=1, help="Number of persons.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same data).")] = 0,
) -> None:
    """Write a synthetic population (records with their true person ids and injected errors)."""
    rows = generate(persons, seed=seed).to_rows()
    suffix = out.suffix.lower()
    if suffix == ".csv":
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    elif suffix == ".jsonl":
        with out.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif suffix == ".json":
        out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        raise typer.BadParameter("use a .json, .jsonl or .csv file name", param_hint="--out")
    typer.echo(f"wrote {len(rows)} records of {persons} persons to {out}")


@app.command()
def labels(
    out: Annotated[Path, typer.Option("--out", help="Labelled pairs JSON (dedupe's match/distinct format).")],
    persons: Annotated[int, typer.Option("--persons", min=10, help="Synthetic persons.")] = 500,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    pairs: Annotated[int, typer.Option("--pairs", min=2, help="Pairs per class.")] = 200,
) -> None:
    """Write reviewable labelled pairs drawn from a synthetic population's ground truth."""
    data = labelled_pairs(generate(persons, seed=seed), n_match=pairs, n_distinct=pairs, seed=seed)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    typer.echo(f"wrote {len(data['match'])} match and {len(data['distinct'])} distinct pairs to {out}")


@app.command()
def train(
    labels_file: Annotated[
        Path,
        typer.Option(
            "--labels",
            exists=True,
            dir_okay=False,
            help="Labelled pairs JSON: {match: [[a, b]...], distinct: [...]}.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write the trained, sealed model settings.")],
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            exists=True,
            dir_okay=False,
            help="Rule config naming the comparisons (default: settings).",
        ),
    ] = None,
    version: Annotated[str, typer.Option("--version", help="Model version recorded on decisions.")] = "1",
) -> None:
    """Train the dedupe model on labelled record pairs; the output is sealed with the model signing key."""
    settings = get_settings()
    config_path = rules or settings.match_rules
    model = load_rules(json.loads(config_path.read_text(encoding="utf-8")))
    raw = json.loads(labels_file.read_text(encoding="utf-8"))

    def std(item: dict[str, object], n: int) -> object:
        data = dict(item)
        data.setdefault("record_id", f"label-{n}")
        return standardise(PersonRecord.from_dict(data))

    training = {
        kind: [(std(a, 2 * n), std(b, 2 * n + 1)) for n, (a, b) in enumerate(raw.get(kind, []))]
        for kind in ("match", "distinct")
    }
    scorer = train_dedupe(model.config, training, version=version)
    key = read_or_create_secret(settings.secrets_dir / "model_signing_key").encode()
    out.write_bytes(scorer.to_bytes(key))
    typer.echo(
        f"trained dedupe model {scorer.name} v{version} on {len(training['match'])} match and "
        f"{len(training['distinct'])} distinct pairs; wrote {out}"
    )
