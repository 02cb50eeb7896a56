"""The benchmark's ratios against its targets, and its table as text."""

from typing import Any

from benchmarks.runner import INGEST, STAGES

TARGETS = {
    "ingest_vs_feedparser": 3.0,
    "render_vs_weasyprint": 1.2,
    "scale_20k_vs_2k": 12.0,
    "warm_vs_cold": 0.5,
}
PEAK_TARGET_MIB = 1.5 * 1024


def ratios(scale: dict[str, Any]) -> dict[str, float | None]:
    """The side-by-side ratios one scale gives on its own."""
    cold, warm, base = scale["cold"], scale["warm"], scale["baselines"]
    return {
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


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def summary(scales: list[dict[str, Any]]) -> dict[str, Any]:
    """Every ratio with its target and whether it was met, per scale and across scales."""
    result: dict[str, Any] = {}
    for scale in scales:
        for name, value in ratios(scale).items():
            target = TARGETS.get(name)
            result[f"{name}@{scale['items']}"] = {
                "value": value,
                "target": target,
                "met": None if target is None or value is None else value <= target,
            }
    by_items = {scale["items"]: scale for scale in scales}
    small, large = min(by_items, default=0), max(by_items, default=0)
    if small != large:
        value = _ratio(
            by_items[large]["cold"]["total_seconds"], by_items[small]["cold"]["total_seconds"]
        )
        peak = by_items[large]["process_peak_rss_mib"]
        result[f"scale_{large}_vs_{small}"] = {
            "value": value,
            "target": TARGETS["scale_20k_vs_2k"],
            "peak_rss_mib": peak,
            "met": value is not None
            and value <= TARGETS["scale_20k_vs_2k"]
            and peak < PEAK_TARGET_MIB,
        }
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
                lines.append(
                    f"| {scale['items']:,} | {run} | {name} | {stage['seconds']:.2f} | "
                    f"{rate:,.0f} | {stage['peak_rss_mib']:,.0f} |"
                )
            lines.append(
                f"| {scale['items']:,} | {run} | **total** | **{scale[run]['total_seconds']:.2f}**"
                f" | | {scale['process_peak_rss_mib']:,.0f} (process) |"
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
    for name, item in report["ratios"].items():
        target = "" if item["target"] is None else f"≤ {item['target']:g}"
        met = {True: "met", False: "missed", None: "(context)"}[item["met"]]
        lines.append(f"| {name} | {item['value']} | {target} | {met} |")
    return "\n".join(lines)
