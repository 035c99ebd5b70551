"""Charts as PNG bytes: bars drawn with matplotlib's Agg canvas (no display, no pyplot global state), the
heat map as pixels with numpy and Pillow; both imported only when a chart is drawn so the bot starts fast."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image
    from PIL.ImageFont import FreeTypeFont


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "…"


def _text(label: str, limit: int = 40) -> str:
    """Plain text for matplotlib: a ``$`` would start its math mode."""
    return _short(label, limit).replace("$", r"\$")


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


CELL_W, CELL_H, GAP_H = 56, 18, 22  # pixels of one heat-map cell, and of the band naming the worksites left out
LABEL_PX, TITLE_PX = 12, 15


@lru_cache(maxsize=4)
def _font(size: int) -> FreeTypeFont:
    """DejaVu Sans, which matplotlib ships (Latin, accents, ñ), at ``size`` pixels."""
    from matplotlib import font_manager
    from PIL import ImageFont

    return ImageFont.truetype(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans")), size)


def _rotated(label: str) -> Image.Image:
    """A column's label as an 8-bit mask, rising at 30° to its top-right corner."""
    from PIL import Image, ImageDraw

    font = _font(LABEL_PX)
    box = ImageDraw.Draw(Image.new("L", (1, 1))).multiline_textbbox((0, 0), label, font=font)
    mask = Image.new("L", (int(box[2]) + 2, int(box[3]) + 2), 0)
    ImageDraw.Draw(mask).multiline_text((0, 0), label, font=font, fill=255, align="right")
    return mask.rotate(30, expand=True, resample=Image.Resampling.BILINEAR)


def heat_map(rows: Sequence[str], columns: Sequence[str], shares: Sequence[Sequence[float | None]],
             thresholds: Sequence[float], *, title: str, legend: str, gap_after: int | None = None,
             gap_label: str = "") -> bytes:
    """Worksites (rows) × tests (columns), each cell coloured by its share on matplotlib's red-to-green scale
    (None: grey, out of scope or not shown), a black dot on every cell at or above its column's threshold,
    a colour scale, and a band after ``gap_after`` rows naming ``gap_label`` (the worksites left out between
    the top and the bottom of a long list). The cells are numpy pixels and the words Pillow's: matplotlib
    3.11 lays out and draws each label glyph by glyph in Python (bench/RESULTS.md, bench/structure.py)."""
    import numpy as np
    from matplotlib import colormaps
    from PIL import Image, ImageDraw

    count, width_cells = len(rows), len(columns)
    values = np.array([[np.nan if s is None else s for s in row] for row in shares], dtype=float)
    values = values.reshape(count, width_cells)
    palette = colormaps["RdYlGn"].with_extremes(bad="#d9d9d9")
    cells = palette(np.ma.masked_invalid(values), bytes=True)[..., :3]
    with np.errstate(invalid="ignore"):
        passing = values >= np.array(thresholds, dtype=float)[np.newaxis, :]
    grid = np.repeat(cells, CELL_W, axis=1).reshape(count, 1, width_cells, CELL_W, 3).repeat(CELL_H, axis=1)
    y, x = np.ogrid[:CELL_H, :CELL_W]
    dot = (y - CELL_H // 2) ** 2 + (x - CELL_W // 2) ** 2 <= 10
    grid[passing[:, None, :, None] & dot[None, :, None, :]] = 0
    grid[:, 0], grid[:, :, :, 0] = 255, 255  # white lines between the cells
    grid = grid.reshape(count * CELL_H, width_cells * CELL_W, 3)
    if gap_after is not None:
        band = np.full((GAP_H, grid.shape[1], 3), 255, dtype=np.uint8)
        band[[0, 1, -2, -1]] = 0
        grid = np.concatenate([grid[:gap_after * CELL_H], band, grid[gap_after * CELL_H:]])

    label_font, title_font = _font(LABEL_PX), _font(TITLE_PX)
    names = [_short(row) for row in rows]
    labels = [_rotated(_short(column, 60)) for column in columns]
    left = 16 + int(max((label_font.getlength(name) for name in names), default=0))
    top, right = 16 + 2 * TITLE_PX, 90
    bottom = max((mask.height for mask in labels), default=0) + 16 + 2 * LABEL_PX
    width = max(left + grid.shape[1] + right, int(title_font.getlength(title)) + 24,
                left + int(label_font.getlength(legend)) + 12)
    canvas = np.full((top + grid.shape[0] + bottom, width, 3), 255, dtype=np.uint8)
    canvas[top:top + grid.shape[0], left:left + grid.shape[1]] = grid
    scale = palette(np.linspace(1, 0, 100), bytes=True)[:, :3]
    scale_left = left + grid.shape[1] + 16
    canvas[top:top + 100, scale_left:scale_left + 12] = scale[:, None, :]
    image = Image.fromarray(canvas, "RGB")
    draw = ImageDraw.Draw(image)
    draw.text((width // 2, 8), _short(title, 120), font=title_font, fill="black", anchor="mt")
    for index, name in enumerate(names):
        shift = GAP_H if gap_after is not None and index >= gap_after else 0
        draw.text((left - 6, top + shift + index * CELL_H + CELL_H // 2), name, font=label_font, fill="black",
                  anchor="rm")
    if gap_after is not None:
        draw.text((left + grid.shape[1] // 2, top + gap_after * CELL_H + GAP_H // 2), _short(gap_label, 80),
                  font=label_font, fill="black", anchor="mm")
    for share, offset in ((100, 0), (50, 50), (0, 99)):
        draw.text((scale_left + 16, top + offset), f"{share}%", font=label_font, fill="black", anchor="lm")
    below = top + grid.shape[0] + 4
    for index, mask in enumerate(labels):
        image.paste((0, 0, 0), (left + index * CELL_W + CELL_W // 2 - mask.width, below), mask)
    draw.text((left, image.height - 8), _short(legend, 120), font=label_font, fill="black", anchor="ls")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
