"""Report figures: matplotlib (Agg) rendered to inline SVG strings with a text alternative.

Print-legible (fonts >= 8 pt, axes labelled with units, titles), Okabe-Ito colour-blind-safe
palette, and every figure closed after rendering. A plot function returns ``None`` when there
is no data to draw; the template then says so in words.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from oncoboard.report._board import TumorBoard

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Plot", "ctdna_plot", "spider_plot", "timeline_plot", "waterfall_plot"]

# Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
_FONT = 9.0
_WIDTH_IN = 6.6


class Plot:
    """One rendered figure: inline SVG markup and its text alternative."""

    __slots__ = ("caption", "svg", "title")

    def __init__(self, svg: Markup, title: str, caption: str) -> None:
        self.svg = svg
        self.title = title
        self.caption = caption


def _dates() -> Any:
    """``matplotlib.dates`` (untyped; typed here as Any at one place)."""
    import matplotlib.dates

    return matplotlib.dates


def _figure(height_in: float) -> tuple[Figure, Axes]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(_WIDTH_IN, height_in), dpi=100)
    ax = fig.add_subplot()
    ax.tick_params(labelsize=_FONT)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


_HEADER = re.compile(r"^.*?(<svg\b)", re.S)
_OPEN_TAG = re.compile(r"<svg\b[^>]*>")
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.S)
_SIZE = re.compile(r'\s(width|height)="[^"]*"')


def _to_svg(fig: Figure, slug: str, title: str, caption: str) -> Plot:
    """Serialise ``fig`` to an SVG element with ``<title>``/``<desc>``; the figure is freed."""
    buffer = io.StringIO()
    try:
        fig.tight_layout()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        fig.clear()
        import matplotlib.pyplot as plt

        plt.close(fig)
    text = _HEADER.sub(r"\1", buffer.getvalue(), count=1)
    text = _METADATA.sub("", text)
    opening = _OPEN_TAG.search(text)
    assert opening is not None
    tag = _SIZE.sub("", opening.group(0))
    tag = tag.replace(
        "<svg",
        f'<svg class="ob-plot-svg" role="img" aria-labelledby="{slug}-title {slug}-desc"',
        1,
    )
    accessible = (
        f'<title id="{slug}-title">{escape(title)}</title><desc id="{slug}-desc">'
        f"{escape(caption)}</desc>"
    )
    svg = text[: opening.start()] + tag + accessible + text[opening.end() :]
    return Plot(Markup(svg), title, caption)  # matplotlib output; text escaped


def _target_sizes(board: TumorBoard) -> dict[str, list[tuple[int, float]]]:
    series = board.monitoring.recist
    if series is None:
        return {}
    dates = {series.baseline_date: 0} | {t.date: t.days_from_baseline for t in series.timepoints}
    by_lesion: dict[str, list[tuple[int, float]]] = {i: [] for i in series.target_ids}
    for study in board.case.imaging:
        day = dates.get(study.date)
        if day is None:
            continue
        for lesion in study.lesions:
            if lesion.id in by_lesion:
                size = lesion.size_mm
                if size is None and lesion.too_small_to_measure:
                    size = 5.0
                if size is not None:
                    by_lesion[lesion.id].append((day, size))
    return {k: sorted(v) for k, v in by_lesion.items() if v}


def spider_plot(board: TumorBoard) -> Plot | None:
    """Per-target-lesion change from baseline (%) over days on the line; None without data."""
    sizes = _target_sizes(board)
    series = board.monitoring.recist
    if series is None or not series.timepoints or not sizes:
        return None
    fig, ax = _figure(3.0)
    lines: list[str] = []
    for n, (lesion_id, points) in enumerate(sorted(sizes.items())):
        base = points[0][1] if points[0][0] == 0 else None
        if not base:
            continue
        xs = [d for d, _ in points]
        ys = [100.0 * (s - base) / base for _, s in points]
        colour = PALETTE[n % len(PALETTE)]
        marker = "osD^v<>"[n % 7]
        ax.plot(xs, ys, marker=marker, color=colour, linewidth=1.6, label=lesion_id)
        lines.append(
            f"{lesion_id}: " + ", ".join(f"day {x} {y:+.0f}%" for x, y in zip(xs, ys, strict=True))
        )
    if not lines:
        _close(fig)
        return None
    _response_bands(ax)
    ax.set_xlabel("Days from RECIST baseline", fontsize=_FONT)
    ax.set_ylabel("Change from baseline (%)", fontsize=_FONT)
    ax.set_title(
        f"Target lesions, change from baseline ({series.baseline_date.isoformat()})",
        fontsize=_FONT + 1,
    )
    ax.legend(fontsize=_FONT - 1, loc="best", frameon=False)
    title = "Spider plot of target-lesion size change"
    caption = "Per-lesion change from the RECIST baseline: " + "; ".join(lines) + "."
    return _to_svg(fig, "ob-spider", title, caption)


def _close(fig: Figure) -> None:
    """Free a figure that will not be rendered."""
    import matplotlib.pyplot as plt

    plt.close(fig)


def _response_bands(ax: Axes) -> None:
    ax.axhline(20, color=PALETTE[3], linestyle="--", linewidth=1)
    ax.axhline(-30, color=PALETTE[2], linestyle="--", linewidth=1)
    ax.axhline(0, color="#555555", linewidth=0.8)
    transform = ax.get_yaxis_transform()
    ax.text(1.0, 20, " +20% PD", transform=transform, fontsize=_FONT - 1, va="center")
    ax.text(1.0, -30, " -30% PR", transform=transform, fontsize=_FONT - 1, va="center")


def waterfall_plot(board: TumorBoard) -> Plot | None:
    """Bars of target-lesion sum change from baseline at each follow-up; None without data."""
    series = board.monitoring.recist
    if series is None:
        return None
    points = [t for t in series.timepoints if t.change_from_baseline_pct is not None]
    if not points:
        return None
    fig, ax = _figure(2.8)
    ordered = sorted(points, key=lambda t: t.change_from_baseline_pct or 0.0, reverse=True)
    colours = {"PD": PALETTE[3], "PR": PALETTE[0], "CR": PALETTE[2], "SD": PALETTE[1]}
    labels = [t.date.isoformat() for t in ordered]
    values = [t.change_from_baseline_pct or 0.0 for t in ordered]
    bars = ax.bar(
        range(len(ordered)),
        values,
        color=[colours.get(t.overall_response.value, "#999999") for t in ordered],
        width=0.6,
        edgecolor="#333333",
        linewidth=0.6,
    )
    for bar, t in zip(bars, ordered, strict=True):
        ax.annotate(
            t.overall_response.value,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom" if bar.get_height() >= 0 else "top",
            fontsize=_FONT - 1,
        )
    ax.set_xticks(range(len(ordered)), labels, fontsize=_FONT - 1, rotation=20)
    ax.set_xlim(-0.8, max(len(ordered), 4) - 0.2)  # one assessment is not one page-wide bar
    _response_bands(ax)
    low = min(-35.0, min(values) - 10)
    high = max(25.0, max(values) + 10)
    ax.set_ylim(low, high)
    ax.set_xlabel("Assessment date (sorted by change)", fontsize=_FONT)
    ax.set_ylabel("Sum of target lesions,\nchange from baseline (%)", fontsize=_FONT)
    ax.set_title("Waterfall: target-lesion sum change from baseline", fontsize=_FONT + 1)
    caption = "Target-lesion sum change from baseline: " + "; ".join(
        f"{t.date.isoformat()} {t.change_from_baseline_pct:+.1f}% ({t.overall_response.value})"
        for t in ordered
    )
    return _to_svg(fig, "ob-waterfall", "Waterfall plot of target-lesion sum change", caption)


def _shade_lines(ax: Axes, board: TumorBoard, lo: dt.date, hi: dt.date) -> list[str]:
    mdates = _dates()
    shaded: list[str] = []
    spans = [t for t in board.therapies if t.setting == "metastatic"]
    for n, span in enumerate(spans):
        stop = span.stop or hi
        if stop < lo or span.start > hi:
            continue
        start = max(span.start, lo)
        end = min(stop, hi)
        ax.axvspan(
            mdates.date2num(start),
            mdates.date2num(end),
            color=("#999999", PALETTE[5], PALETTE[1])[n % 3],
            alpha=0.18,
            linewidth=0,
            label=f"shaded: {span.label if len(span.label) < 40 else span.label[:38] + '…'}"
            + (f" (L{span.line})" if span.line else ""),
        )
        name = f"L{span.line}: {span.label}" if span.line else span.label
        shaded.append(
            f"{name} from {span.start.isoformat()}" + (f" to {stop}" if span.stop else "")
        )
    return shaded


def _date_axis(ax: Axes) -> None:
    mdates = _dates()
    low, high = ax.get_xlim()
    days = high - low
    locator: Any
    if days > 6 * 365:
        locator = mdates.YearLocator(base=max(1, round(days / 365 / 6)))
    elif days > 2 * 365:
        locator = mdates.MonthLocator(bymonth=(1, 7))
    elif days > 270:
        locator = mdates.MonthLocator(bymonth=(1, 4, 7, 10))
    else:
        locator = mdates.MonthLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def ctdna_plot(board: TumorBoard) -> Plot | None:
    """Variant allele fraction (%) of tracked plasma variants over time, therapy lines shaded."""
    mdates = _dates()
    series = [s for s in board.ctdna if any(p.vaf is not None for p in s.points)]
    if not series:
        return None
    fig, ax = _figure(3.4)
    dates = [p.date for s in series for p in s.points]
    lo, hi = min(dates) - dt.timedelta(days=20), max(dates) + dt.timedelta(days=20)
    described: list[str] = []
    for n, item in enumerate(series):
        pts = [(p.date, 100.0 * p.vaf) for p in item.points if p.vaf is not None]
        colour = PALETTE[n % 5]
        ax.plot(
            [mdates.date2num(d) for d, _ in pts],
            [v for _, v in pts],
            marker="osD^v"[n % 5],
            color=colour,
            linewidth=1.6,
            label=f"{item.gene} {item.change}",
        )
        described.append(
            f"{item.gene} {item.change}: " + ", ".join(f"{d.isoformat()} {v:.2f}%" for d, v in pts)
        )
    shaded = _shade_lines(ax, board, lo, hi)
    ax.set_xlim(mdates.date2num(lo), mdates.date2num(hi))
    ax.set_ylim(bottom=0, top=ax.get_ylim()[1] * 1.25)
    _date_axis(ax)
    ax.set_xlabel("Blood draw date", fontsize=_FONT)
    ax.set_ylabel("Variant allele fraction (%)", fontsize=_FONT)
    ax.set_title("ctDNA variant allele fraction over time", fontsize=_FONT + 1)
    ax.legend(
        fontsize=_FONT - 1, loc="upper left", bbox_to_anchor=(0, -0.25), ncol=2, frameon=False
    )
    caption = "ctDNA VAF per tracked variant: " + "; ".join(described) + "."
    if shaded:
        caption += " Shaded therapy lines: " + "; ".join(shaded) + "."
    return _to_svg(fig, "ob-ctdna", "ctDNA variant allele fraction over time", caption)


_LANES: Sequence[tuple[str, tuple[str, ...], str]] = (
    ("Imaging", ("imaging",), "s"),
    ("ctDNA", ("ctdna",), "o"),
    ("Tumour markers", ("tumor_marker",), "D"),
    ("Adverse events", ("adverse_event",), "^"),
    ("Alerts", ("alert",), "X"),
)


def timeline_plot(board: TumorBoard) -> Plot | None:
    """One timeline: lines of therapy (bars), imaging, ctDNA, tumour markers, adverse events."""
    mdates = _dates()
    events = board.monitoring.timeline
    if not events and not board.therapies:
        return None
    dates = [e.date for e in events] + [t.start for t in board.therapies]
    dates += [t.stop for t in board.therapies if t.stop]
    lo, hi = (
        min(dates) - dt.timedelta(days=30),
        max(max(dates), board.as_of) + dt.timedelta(days=30),
    )
    n_lines = len(board.therapies)
    fig, ax = _figure(1.2 + 0.32 * (n_lines + len(_LANES)))
    labels: list[str] = []
    described: list[str] = []
    for row, span in enumerate(board.therapies):
        stop = span.stop or board.as_of
        colour = PALETTE[row % 5] if span.setting == "metastatic" else "#999999"
        ax.barh(
            row,
            mdates.date2num(stop) - mdates.date2num(span.start),
            left=mdates.date2num(span.start),
            height=0.6,
            color=colour,
            alpha=0.85,
        )
        name = f"L{span.line}" if span.line else span.setting
        label = f"{name}: {span.label}"
        labels.append(label if len(label) <= 34 else label[:33] + "…")
        described.append(
            f"{name} {span.label} {span.start.isoformat()} to "
            + (span.stop.isoformat() if span.stop else "ongoing")
        )
    for lane, (title, kinds, marker) in enumerate(_LANES):
        row = n_lines + lane
        points = [e for e in events if e.kind in kinds]
        labels.append(title)
        if points:
            ax.plot(
                [mdates.date2num(e.date) for e in points],
                [row] * len(points),
                linestyle="none",
                marker=marker,
                markersize=6,
                color=PALETTE[(lane + 3) % len(PALETTE)],
            )
            described.append(f"{title}: " + ", ".join(e.date.isoformat() for e in points))
        else:
            described.append(f"{title}: none")
    ax.set_yticks(range(len(labels)), labels, fontsize=_FONT - 0.5)
    ax.invert_yaxis()
    ax.set_xlim(mdates.date2num(lo), mdates.date2num(hi))
    _date_axis(ax)
    ax.axvline(mdates.date2num(board.as_of), color="#000000", linestyle=":", linewidth=1)
    ax.set_xlabel(f"Date (dotted line: report date {board.as_of.isoformat()})", fontsize=_FONT)
    ax.set_title("Timeline: therapy lines, imaging, ctDNA, markers, events", fontsize=_FONT + 1)
    caption = "Timeline. " + "; ".join(described) + "."
    return _to_svg(fig, "ob-timeline", "Patient timeline", caption)
