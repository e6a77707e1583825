"""Printing a shadow run (``ehc resolve --shadow --model VERSION``): counts, then examples with reasons."""

from __future__ import annotations

import json
from typing import Any

import typer

from services.shadow import ShadowReport

__all__ = ["echo_shadow"]


def _pair(e: dict[str, Any]) -> str:
    fields = ", ".join(f"{f['field']}={f['level']}({f['weight']:+.1f}) {f['values'][0]!s}|{f['values'][1]!s}"
                       for f in e["fields"])
    notes = f" [{'; '.join(e['notes'])}]" if e["notes"] else ""
    return (f"{e['a']} ({e['empi_a']}) ~ {e['b']} ({e['empi_b']}): deployed {e['deployed_probability']:.8f} "
            f"(log2 {e['deployed_weight']:+.1f}) -> candidate {e['candidate_probability']:.8f} "
            f"(log2 {e['candidate_weight']:+.1f}); {e['why']}{notes}\n      {fields}")


def echo_shadow(report: ShadowReport, *, as_json: bool = False) -> None:
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1, default=str))
        return
    typer.echo(f"shadow run (nothing written): candidate {report.candidate} vs deployed {report.deployed} on "
               f"{report.records} records, {report.candidate_pairs} candidate pairs")
    typer.echo(f"  links added {report.links_added}, removed {report.links_removed}")
    typer.echo(f"  identities joined {report.identities_joined} ({report.identities_joined_new} not joined by the "
               f"deployed model), split {report.identities_split}")
    typer.echo(f"  review items {report.review_items}: created {report.review_items_created}, "
               f"no longer queued {report.review_items_dropped}")
    for kind, examples in report.examples.items():
        if not examples:
            continue
        typer.echo(f"{kind.replace('_', ' ')}:")
        for e in examples:
            if "a" in e:
                typer.echo(f"  - {_pair(e)}")
            elif "pair" in e:
                typer.echo(f"  - {e['identity']} records {', '.join(e['records'])}: {e['why']}\n    {_pair(e['pair'])}")
            else:
                typer.echo(f"  - {', '.join(e['identities'])} (records {', '.join(e['records'])}): {e['why']}")
