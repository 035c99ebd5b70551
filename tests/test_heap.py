"""A started bot process hides what it loaded from the cycle collector and collects the young less often
(bot/heap.py): in a rush the collector took a quarter of every click's CPU."""

import gc

from bot import heap


def test_settle_freezes_what_is_alive_and_collects_the_young_less_often():
    threshold = gc.get_threshold()
    try:
        heap.settle()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (heap.YOUNG, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
