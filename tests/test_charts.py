"""Charts are PNGs for every size of local: named bars for a few worksites, sorted unnamed ones for hundreds."""

from bot.charts import MAX_LABELLED, share_bars


def chart(count: int) -> bytes:
    shares = [None if i % 7 == 0 else (i % 10) / 10 for i in range(count)]
    return share_bars([f"School {i}" for i in range(count)], shares, line=0.7, line_label="Threshold 70%",
                      title="Poll #1", ylabel="Share of the roster")


def test_a_few_worksites_and_hundreds_both_draw_a_png():
    assert chart(5).startswith(b"\x89PNG")
    assert chart(MAX_LABELLED + 1).startswith(b"\x89PNG")


def test_hundreds_of_worksites_draw_no_wider_than_a_readable_chart():
    assert len(chart(500)) < len(chart(MAX_LABELLED)) * 2
