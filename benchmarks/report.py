"""The benchmark's ratios against its targets, and its table as text."""

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


def _judged(name: str, value: float | None) -> dict[str, Any]:
    target = TARGETS.get(name)
    least = name in AT_LEAST
    met = None
    if target is not None and value is not None:
        met = value >= target if least else value <= target
    return {"value": value, "target": target, "at_least": least, "met": met}


def summary(scales: list[dict[str, Any]], startup: float | None = None) -> dict[str, Any]:
    """Every figure with its target and whether it was met, per scale and across scales; and
    ``make briefing``'s wall time when it was measured."""
    result: dict[str, Any] = {}
    for scale in scales:
        for name, value in ratios(scale).items():
            result[f"{name}@{scale['items']}"] = _judged(name, value)
    by_items = {scale["items"]: scale for scale in scales}
    small, large = min(by_items, default=0), max(by_items, default=0)
    if small != large:
        cold = {items: by_items[items]["cold"] for items in (small, large)}
        result[f"scale_{large}_vs_{small}"] = _judged(
            "scale", _ratio(cold[large]["total_seconds"], cold[small]["total_seconds"])
        )
        result[f"pdf_{large}_vs_{small}"] = _judged(
            "pdf_scale",
            _ratio(
                cold[large]["render_steps"]["pdf"]["seconds"],
                cold[small]["render_steps"]["pdf"]["seconds"],
            ),
        )
    if large:
        result[f"peak_rss_mib@{large}"] = _judged("peak_rss_mib", peak_of(by_items[large]))
    if startup is not None:
        result["make_briefing_seconds"] = _judged("make_briefing_seconds", startup)
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
    for name, item in report["ratios"].items():  # the targets, and context
        sign = "≥" if item.get("at_least") else "≤"
        target = "" if item["target"] is None else f"{sign} {item['target']:g}"
        met = {True: "met", False: "missed", None: "(context)"}[item["met"]]
        lines.append(f"| {name} | {item['value']} | {target} | {met} |")
    return "\n".join(lines)
