"""Printing a shadow run (``ehc resolve --shadow --model VERSION``): counts, then examples with reasons."""

from __future__ import annotations

import json

import typer

from services.shadow import JoinExample, ShadowExample, ShadowReport, SplitExample

__all__ = ["echo_shadow"]


def _pair(e: ShadowExample) -> str:
    fields = ", ".join(
        f"{f['field']}={f['level']}({f['weight']:+.1f}) {f['values'][0]!s}|{f['values'][1]!s}"
        for f in e["fields"]
    )
    notes = f" [{'; '.join(e['notes'])}]" if e["notes"] else ""
    return (
        f"{e['a']} ({e['empi_a']}) ~ {e['b']} ({e['empi_b']}): deployed {e['deployed_probability']:.8f} "
        f"(log2 {e['deployed_weight']:+.1f}) -> candidate {e['candidate_probability']:.8f} "
        f"(log2 {e['candidate_weight']:+.1f}); {e['why']}{notes}\n      {fields}"
    )


def echo_shadow(report: ShadowReport, *, as_json: bool = False) -> None:
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1, default=str))
        return
    typer.echo(
        f"shadow run (nothing written): candidate {report.candidate} vs deployed {report.deployed} on "
        f"{report.records} records, {report.candidate_pairs} candidate pairs"
    )
    typer.echo(f"  links added {report.links_added}, removed {report.links_removed}")
    typer.echo(
        f"  identities joined {report.identities_joined} ({report.identities_joined_new} not joined by the "
        f"deployed model), split {report.identities_split}"
    )
    typer.echo(
        f"  review items {report.review_items}: created {report.review_items_created}, "
        f"no longer queued {report.review_items_dropped}"
    )
    ex = report.examples  # in the order shadow_run finds them
    _echo_kind("links_added", [_pair(e) for e in ex.get("links_added", [])])
    _echo_kind("links_removed", [_pair(e) for e in ex.get("links_removed", [])])
    _echo_kind("identities_joined", [_joined(e) for e in ex.get("identities_joined", [])])
    _echo_kind("identities_split", [_split(e) for e in ex.get("identities_split", [])])
    _echo_kind("review_items_created", [_pair(e) for e in ex.get("review_items_created", [])])
    _echo_kind("review_items_dropped", [_pair(e) for e in ex.get("review_items_dropped", [])])


def _echo_kind(kind: str, lines: list[str]) -> None:
    if lines:
        typer.echo(f"{kind.replace('_', ' ')}:")
        for line in lines:
            typer.echo(f"  - {line}")


def _joined(e: JoinExample) -> str:
    return f"{', '.join(e['identities'])} (records {', '.join(e['records'])}): {e['why']}"


def _split(e: SplitExample) -> str:
    return f"{e['identity']} records {', '.join(e['records'])}: {e['why']}\n    {_pair(e['pair'])}"
