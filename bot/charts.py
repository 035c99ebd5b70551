"""Charts as PNG bytes, drawn with matplotlib's Agg canvas (no display, no pyplot global state),
imported only when a chart is drawn so the bot starts fast."""

from __future__ import annotations

import io
from collections.abc import Sequence


def _text(label: str, limit: int = 40) -> str:
    """Plain text for matplotlib: a ``$`` would start its math mode."""
    label = label if len(label) <= limit else label[:limit - 1] + "…"
    return label.replace("$", r"\$")


GREEN, PURPLE = "#2e7d32", "#7b1fa2"  # at or above the line, below it
MAX_LABELLED = 60  # bars past which worksite names no longer fit a readable chart


def share_bars(labels: Sequence[str], shares: Sequence[float | None], *, line: float, line_label: str,
               title: str, ylabel: str) -> bytes:
    """One bar per label (a share from 0 to 1; None draws no bar) and a dashed line at ``line``. Past
    ``MAX_LABELLED`` bars (a big local's 500 worksites) the bars are sorted and unnamed: drawing 500
    rotated names took seconds for a picture nobody could read."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    count = len(labels)
    labelled = count <= MAX_LABELLED
    if not labelled:  # names would be unreadable: the bars, highest share first, still show how many pass
        shares = sorted(shares, key=lambda s: -1.0 if s is None else s, reverse=True)
    figure = Figure(figsize=(max(6.0, 0.3 * count + 2) if labelled else 12.0, 5.0), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    heights = [0.0 if s is None else s * 100 for s in shares]
    colors = [GREEN if s is not None and s >= line else PURPLE for s in shares]
    if labelled:
        axes.bar(range(count), heights, color=colors)
    else:  # two filled outlines (passing, then not) instead of hundreds of bar patches
        passing = sum(1 for s in shares if s is not None and s >= line)
        axes.stairs(heights[:passing], range(passing + 1), fill=True, color=GREEN)
        axes.stairs(heights[passing:], range(passing, count + 1), fill=True, color=PURPLE)
    axes.axhline(line * 100, color="#c62828", linestyle="--", label=_text(line_label))
    if labelled:
        axes.set_xticks(range(count), [_text(label) for label in labels], rotation=60, ha="right", fontsize=8)
    else:
        axes.set_xticks([])
    axes.set_ylim(0, 100)
    axes.yaxis.set_major_formatter(PercentFormatter())
    axes.set_ylabel(_text(ylabel))
    axes.set_title(_text(title, 120))
    axes.legend(loc="upper right")
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def heat_map(rows: Sequence[str], columns: Sequence[str], shares: Sequence[Sequence[float | None]],
             thresholds: Sequence[float], *, title: str, legend: str, gap_after: int | None = None,
             gap_label: str = "") -> bytes:
    """Worksites (rows) × tests (columns), each cell coloured by its share (None: grey, out of scope or
    not shown), a dot on every cell at or above its column's threshold, and each threshold under its
    column's name. ``gap_after`` draws a line after that many rows, labelled ``gap_label`` (the worksites
    left out between the top and the bottom of a long list). One image call and one scatter, not a patch per
    cell: 60 × 12 cells draw in the time of a bar chart."""
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    data = np.array([[np.nan if s is None else s * 100 for s in row] for row in shares], dtype=float)
    data = data.reshape(len(rows), len(columns))
    figure = Figure(figsize=(3.5 + 1.1 * len(columns), 1.8 + 0.24 * len(rows)), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    palette = colormaps["RdYlGn"].with_extremes(bad="#d9d9d9")
    image = axes.imshow(np.ma.masked_invalid(data), cmap=palette, vmin=0, vmax=100, aspect="auto",
                        interpolation="nearest")
    lines = np.array(thresholds, dtype=float) * 100
    with np.errstate(invalid="ignore"):
        ys, xs = np.nonzero(data >= lines[np.newaxis, :])
    axes.scatter(xs, ys, s=14, color="black", marker="o")
    if gap_after is not None:
        axes.axhline(gap_after - 0.5, color="black", linewidth=2)
        axes.text(len(columns) - 0.5, gap_after - 0.5, _text(gap_label, 80), ha="right", va="bottom", fontsize=8)
    axes.set_xticks(range(len(columns)), [_text(label, 60) for label in columns], rotation=30, ha="right",
                    fontsize=8)
    axes.set_yticks(range(len(rows)), [_text(label) for label in rows], fontsize=8)
    axes.set_title(_text(title, 120))
    axes.set_xlabel(_text(legend, 120), fontsize=8)
    figure.colorbar(image, ax=axes, format=PercentFormatter(), shrink=min(1.0, 12 / max(len(rows), 1) + 0.3))
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
