"""Charts are PNGs for every size of local: named bars for a few worksites, sorted unnamed ones for hundreds."""

import io

import numpy as np
from PIL import Image

from bot.charts import CELL_H, CELL_W, MAX_LABELLED, heat_map, share_bars


def chart(count: int) -> bytes:
    shares = [None if i % 7 == 0 else (i % 10) / 10 for i in range(count)]
    return share_bars([f"School {i}" for i in range(count)], shares, line=0.7, line_label="Threshold 70%",
                      title="Poll #1", ylabel="Share of the roster")


def test_a_few_worksites_and_hundreds_both_draw_a_png():
    assert chart(5).startswith(b"\x89PNG")
    assert chart(MAX_LABELLED + 1).startswith(b"\x89PNG")


def test_hundreds_of_worksites_draw_no_wider_than_a_readable_chart():
    assert len(chart(500)) < len(chart(MAX_LABELLED)) * 2


def heat(shares: list[list[float | None]]) -> Image.Image:
    png = heat_map([f"School {i}" for i in range(len(shares))], ["1. Picket\n≥ 75%", "2. Pledge\n≥ 90%"], shares,
                   [0.75, 0.9], title="Structure tests", legend="● passes", gap_after=None)
    return Image.open(io.BytesIO(png)).convert("RGB")


def count(image: Image.Image, color: tuple[int, int, int]) -> int:
    return int(np.all(np.asarray(image) == color, axis=-1).sum())


def test_a_heat_map_dots_each_cell_at_its_own_threshold_and_greys_what_is_out_of_scope():
    def black(image) -> int:
        return count(image, (0, 0, 0))

    below = heat([[0.8, 0.8]])  # the first test passes at 75%, the second not at 90%
    both = heat([[0.8, 0.95]])
    neither = heat([[0.7, 0.8]])
    assert black(both) > black(below) > black(neither)
    grey = (0xD9, 0xD9, 0xD9)
    assert count(heat([[None, 0.5]]), grey) - count(heat([[0.5, 0.5]]), grey) == (CELL_W - 1) * (CELL_H - 1)


def test_a_heat_map_past_sixty_worksites_names_the_gap():
    shares = [[(i % 10) / 10, None] for i in range(60)]
    png = heat_map([f"School {i}" for i in range(60)], ["1. Picket", "2. Pledge"], shares, [0.75, 0.9],
                   title="Structure tests", legend="● passes", gap_after=30, gap_label="440 more worksites")
    assert Image.open(io.BytesIO(png)).height > heat(shares).height
