"""The cyclic garbage collector around the live preview's updates: paused for the first step, whose passes, set
off by the objects a render makes, made it up to twice as slow at 5,000 sections; running again for the second
step and for a full build; and, after a full build, what it leaves behind frozen (settle)."""
from __future__ import annotations

import contextlib
import gc


class Collector:
    def __init__(self):
        self.paused_from: bool | None = None  # whether the collector ran before paused() stopped it

    @contextlib.contextmanager
    def paused(self):
        """The collector off (the first step); as it was afterwards."""
        enabled = gc.isenabled()
        gc.disable()
        self.paused_from = enabled
        try:
            yield
        finally:
            self.paused_from = None
            if enabled:
                gc.enable()

    @contextlib.contextmanager
    def resumed(self):
        """Inside paused(): the collector as it was before (a full build makes too much to go without it)."""
        paused = self.paused_from
        if paused:
            gc.enable()
        try:
            yield
        finally:
            if paused:
                gc.disable()


def settle() -> None:
    """After a full build: collect what it left behind and freeze the rest (gc.freeze), so that the cyclic garbage
    collector, which each update's new objects set off, no longer walks MkDocs' state and the content model of
    thousands of pages each time (at 5,000 sections that made a first step's copying up to three times slower).
    Objects frozen are still freed when nothing refers to them; the next full build unfreezes them first."""
    gc.collect()
    gc.freeze()
