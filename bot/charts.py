"""Charts as PNG bytes, drawn with matplotlib's Agg canvas (no display, no pyplot global state),
imported only when a chart is drawn so the bot starts fast."""

from __future__ import annotations

import io
from collections.abc import Sequence


def _text(label: str, limit: int = 40) -> str:
    """Plain text for matplotlib: a ``$`` would start its math mode."""
    label = label if len(label) <= limit else label[:limit - 1] + "…"
    return label.replace("$", r"\$")


def share_bars(labels: Sequence[str], shares: Sequence[float | None], *, line: float, line_label: str,
               title: str, ylabel: str) -> bytes:
    """One bar per label (a share from 0 to 1; None draws no bar) and a dashed line at ``line``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    count = len(labels)
    figure = Figure(figsize=(min(max(6.0, 0.3 * count + 2), 60.0), 5.0), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    heights = [0.0 if s is None else s * 100 for s in shares]
    colors = ["#2e7d32" if s is not None and s >= line else "#7b1fa2" for s in shares]
    axes.bar(range(count), heights, color=colors)
    axes.axhline(line * 100, color="#c62828", linestyle="--", label=_text(line_label))
    axes.set_xticks(range(count), [_text(label) for label in labels], rotation=60, ha="right", fontsize=8)
    axes.set_ylim(0, 100)
    axes.yaxis.set_major_formatter(PercentFormatter())
    axes.set_ylabel(_text(ylabel))
    axes.set_title(_text(title, 120))
    axes.legend(loc="upper right")
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
