"""The benchmark's ratios against its targets, and its table as text."""

import statistics
from collections.abc import Sequence
from typing import Any

from benchmarks.runner import INGEST, STAGES

# The targets of issue 31, each a figure or ratio measured in one `make bench` run: the most
# it may be, or (``AT_LEAST``) the least.
TARGETS = {
    "edition_over_seeds_vs_feedparser": 8.0,  # (edition with the items - seeds only) / feedparser
    "fetch_parse_store_vs_feedparser": 1.5,
    "pdf_vs_weasyprint": 1.1,  # the PDF step / WeasyPrint alone, same HTML and options
    "pdf_scale": 1.2,  # the PDF step at the largest scale / at the smallest
    "extraction_statements_per_second_per_core": 2500.0,
    "peak_rss_mib": 1024.0,  # the scale's peak at the largest scale
    "make_briefing_seconds": 8.0,  # `make briefing`, set up, seeds only
    "html_largest_page_mb": 5.0,  # the largest page of the HTML edition a browser loads
    "scale": 10.0,  # the largest scale's cold run / the smallest's
    "warm_vs_cold": 0.2,  # every feed 304 / every feed fetched
}
AT_LEAST = {"extraction_statements_per_second_per_core"}
MB = 1_000_000


def ratios(scale: dict[str, Any]) -> dict[str, float | None]:
    """The figures one scale gives on its own."""
    cold, warm, base = scale["cold"], scale["warm"], scale["baselines"]
    stages = cold["stages"]
    extract = stages["extract"]
    steps = cold["render_steps"]
    html = steps["html"]["counts"]
    found = {
        "ingest_vs_feedparser": _ratio(cold["ingest_seconds"], base["feedparser_seconds"]),
        "fetch_parse_store_vs_feedparser": _ratio(
            sum(stages[s]["seconds"] for s in INGEST if s != "extract"),
            base["feedparser_seconds"],
        ),
        "pdf_vs_weasyprint": _ratio(steps["pdf"]["seconds"], base["weasyprint_seconds"]),
        # Context: against WeasyPrint run again in the run's process, after the step.
        "pdf_vs_weasyprint_in_process": _ratio(
            steps["pdf"]["seconds"], base.get("weasyprint_in_process_seconds", 0.0)
        ),
        "extraction_statements_per_second_per_core": _ratio(
            extract["counts"].get("facts", 0),
            extract["seconds"] * extract["counts"].get("processes", 1),
            digits=0,
        ),
        "html_largest_page_mb": round(html["html_largest_page_bytes"] / MB, 2),
        "warm_vs_cold": _ratio(warm["total_seconds"], cold["total_seconds"]),
    }
    if "seeds_only" in scale:
        found["edition_over_seeds_vs_feedparser"] = _ratio(
            cold["total_seconds"] - scale["seeds_only"]["total_seconds"],
            base["feedparser_seconds"],
        )
    return found


def peak_of(scale: dict[str, Any]) -> float:
    """The scale's peak memory: the highest of its process's peak up to the cold run's end, the
    warm run's own process's, and the memory sampled in either run with the extraction's worker
    processes added (the baselines that follow the cold run are not the pipeline; the process's
    peak over everything is ``process_peak_rss_mib``)."""
    return float(
        max(
            scale[run][measure]
            for run in ("cold", "warm")
            for measure in ("process_peak_rss_mib", "peak_with_workers_rss_mib")
        )
    )


def _ratio(a: float, b: float, digits: int = 2) -> float | None:
    return round(a / b, digits) if b else None


def _judged(name: str, values: Sequence[float | None]) -> dict[str, Any]:
    """The median of a figure's values (one a run of its scale) against its target; every
    value listed when there were several."""
    known = [value for value in values if value is not None]
    value = statistics.median(known) if known else None
    target = TARGETS.get(name)
    least = name in AT_LEAST
    met = None
    if target is not None and value is not None:
        met = value >= target if least else value <= target
    judged = {"value": value, "target": target, "at_least": least, "met": met}
    if len(values) > 1:
        judged["runs"] = list(values)
    return judged


def by_scale(scales: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """The runs of each scale (a scale may be run several times, each in a process of its
    own), by its number of items."""
    found: dict[int, list[dict[str, Any]]] = {}
    for scale in scales:
        found.setdefault(scale["items"], []).append(scale)
    return found


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of a scale whose cold run took the median time (the lower middle of an even
    count): the one whose stages the table shows."""
    ordered = sorted(runs, key=lambda run: run["cold"]["total_seconds"])
    return ordered[(len(ordered) - 1) // 2]


def summary(scales: list[dict[str, Any]], startup: float | None = None) -> dict[str, Any]:
    """Every figure with its target and whether it was met, per scale and across scales; and
    ``make briefing``'s wall time when it was measured. A scale run several times gives each
    figure as the median of its runs' (``runs`` lists them)."""
    result: dict[str, Any] = {}
    grouped = by_scale(scales)
    for items, runs in grouped.items():
        found = [ratios(run) for run in runs]
        for name in found[0]:
            if all(name in figures for figures in found):
                result[f"{name}@{items}"] = _judged(name, [figures[name] for figures in found])
    small, large = min(grouped, default=0), max(grouped, default=0)
    if small != large:

        def cold(items: int, seconds: Any) -> float:
            return statistics.median(seconds(run["cold"]) for run in grouped[items])

        def total(cold_run: dict[str, Any]) -> float:
            return float(cold_run["total_seconds"])

        def pdf(cold_run: dict[str, Any]) -> float:
            return float(cold_run["render_steps"]["pdf"]["seconds"])

        result[f"scale_{large}_vs_{small}"] = _judged(
            "scale", [_ratio(cold(large, total), cold(small, total))]
        )
        result[f"pdf_{large}_vs_{small}"] = _judged(
            "pdf_scale", [_ratio(cold(large, pdf), cold(small, pdf))]
        )
    if large:
        result[f"peak_rss_mib@{large}"] = _judged(
            "peak_rss_mib", [max(peak_of(run) for run in grouped[large])]
        )
    if startup is not None:
        result["make_briefing_seconds"] = _judged("make_briefing_seconds", [startup])
    return result


def table(report: dict[str, Any]) -> str:
    """The per-stage table (Markdown) of every scale and run (of a scale run several times,
    the median run's), then the ratios."""
    lines = [
        "| items | run | stage | wall s | items/s | peak RSS MiB |",
        "|---:|---|---|---:|---:|---:|",
    ]
    for runs in by_scale(report["scales"]).values():
        scale = median_run(runs)  # of several runs, the median one's stages
        for run in ("cold", "warm"):
            stages = scale[run]["stages"]
            steps = {f"render: {name}": step for name, step in scale[run]["render_steps"].items()}
            for name in (*STAGES, *steps):
                stage = {**stages, **steps}[name]
                rate = stage["items_per_second"]
                shown = "" if rate is None else f"{rate:,.0f}"
                lines.append(
                    f"| {scale['items']:,} | {run} | {name} | {stage['seconds']:.2f} | "
                    f"{shown} | {stage['peak_rss_mib']:,.0f} |"
                )
            lines.append(
                f"| {scale['items']:,} | {run} | **total** | **{scale[run]['total_seconds']:.2f}**"
                f" | | {scale[run]['process_peak_rss_mib']:,.0f} (process) |"
            )
        lines.append(
            f"| {scale['items']:,} | all | process peak, baselines included | | | "
            f"{scale['process_peak_rss_mib']:,.0f} |"
        )
        if "seeds_only" in scale:
            lines.append(
                f"| {scale['items']:,} | seeds only | **total** | "
                f"**{scale['seeds_only']['total_seconds']:.2f}** | | |"
            )
        base = scale["baselines"]
        for label, key in (
            ("feedparser alone", "feedparser_seconds"),
            ("WeasyPrint alone (a fresh process's first layout)", "weasyprint_seconds"),
            ("WeasyPrint alone (in the run's process, after it)", "weasyprint_in_process_seconds"),
        ):
            if key in base:  # results written before the second WeasyPrint measure lack it
                lines.append(f"| {scale['items']:,} | baseline | {label} | {base[key]:.2f} | | |")
        for flow in [run["prefect"] for run in runs if "prefect" in run][:1]:  # the first's
            lines.append(
                f"| {scale['items']:,} | flow | weekly_briefing (Prefect) | "
                f"{flow['seconds']:.2f} | | |"
            )
        if len(runs) > 1:
            totals = ", ".join(f"{run['cold']['total_seconds']:.2f}" for run in runs)
            lines.append(
                f"| {scale['items']:,} | all | {len(runs)} runs, the median's stages shown: cold "
                f"totals {totals} | | | |"
            )
    lines += ["", "| ratio | value | target | met |", "|---|---:|---:|---|"]
    for name, item in report["ratios"].items():  # the targets, and context
        sign = "≥" if item.get("at_least") else "≤"
        target = "" if item["target"] is None else f"{sign} {item['target']:g}"
        met = {True: "met", False: "missed", None: "(context)"}[item["met"]]
        value = f"{item['value']}"
        if item.get("runs"):
            value += " (runs: " + ", ".join(f"{run}" for run in item["runs"]) + ")"
        lines.append(f"| {name} | {value} | {target} | {met} |")
    return "\n".join(lines)
