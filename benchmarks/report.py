"""The benchmark's ratios against its targets, and its table as text."""

from typing import Any

from benchmarks.runner import INGEST, STAGES

# The targets of issue 14, each a ratio or a figure measured in one `make bench` run.
TARGETS = {
    "edition_over_seeds_vs_feedparser": 3.0,  # (edition with the items - seeds only) / feedparser
    "scale": 10.0,  # 20,000 items / 2,000 items, wall time of the cold runs
    "peak_rss_mib": 1024.0,  # the process's peak at the largest scale
    "warm_vs_cold": 0.2,  # every feed 304 / every feed fetched
    "render_vs_weasyprint": 1.1,  # render / bare WeasyPrint on the same HTML
    "make_briefing_seconds": 12.0,  # `make briefing`, set up, seeds only
}


def ratios(scale: dict[str, Any]) -> dict[str, float | None]:
    """The side-by-side ratios one scale gives on its own."""
    cold, warm, base = scale["cold"], scale["warm"], scale["baselines"]
    found = {
        "ingest_vs_feedparser": _ratio(cold["ingest_seconds"], base["feedparser_seconds"]),
        "fetch_parse_store_vs_feedparser": _ratio(
            sum(cold["stages"][s]["seconds"] for s in INGEST if s != "extract"),
            base["feedparser_seconds"],
        ),
        "render_vs_weasyprint": _ratio(
            cold["stages"]["render"]["seconds"], base["weasyprint_seconds"]
        ),
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


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def _judged(value: float | None, target: float | None) -> dict[str, Any]:
    met = None if target is None or value is None else value <= target
    return {"value": value, "target": target, "met": met}


def summary(scales: list[dict[str, Any]], startup: float | None = None) -> dict[str, Any]:
    """Every ratio with its target and whether it was met, per scale and across scales; and
    ``make briefing``'s wall time when it was measured."""
    result: dict[str, Any] = {}
    for scale in scales:
        for name, value in ratios(scale).items():
            result[f"{name}@{scale['items']}"] = _judged(value, TARGETS.get(name))
    by_items = {scale["items"]: scale for scale in scales}
    small, large = min(by_items, default=0), max(by_items, default=0)
    if small != large:
        value = _ratio(
            by_items[large]["cold"]["total_seconds"], by_items[small]["cold"]["total_seconds"]
        )
        result[f"scale_{large}_vs_{small}"] = _judged(value, TARGETS["scale"])
    if large:
        result[f"peak_rss_mib@{large}"] = _judged(peak_of(by_items[large]), TARGETS["peak_rss_mib"])
    if startup is not None:
        result["make_briefing_seconds"] = _judged(startup, TARGETS["make_briefing_seconds"])
    return result


def table(report: dict[str, Any]) -> str:
    """The per-stage table (Markdown) of every scale and run, then the ratios."""
    lines = [
        "| items | run | stage | wall s | items/s | peak RSS MiB |",
        "|---:|---|---|---:|---:|---:|",
    ]
    for scale in report["scales"]:
        for run in ("cold", "warm"):
            stages = scale[run]["stages"]
            for name in STAGES:
                stage = stages[name]
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
            ("feedparser", "feedparser_seconds"),
            ("WeasyPrint", "weasyprint_seconds"),
        ):
            lines.append(f"| {scale['items']:,} | baseline | {label} alone | {base[key]:.2f} | | |")
        if "prefect" in scale:
            lines.append(
                f"| {scale['items']:,} | flow | weekly_briefing (Prefect) | "
                f"{scale['prefect']['seconds']:.2f} | | |"
            )
    lines += ["", "| ratio | value | target | met |", "|---|---:|---:|---|"]
    for name, item in report["ratios"].items():  # the six targets, and context
        target = "" if item["target"] is None else f"≤ {item['target']:g}"
        met = {True: "met", False: "missed", None: "(context)"}[item["met"]]
        lines.append(f"| {name} | {item['value']} | {target} | {met} |")
    return "\n".join(lines)
