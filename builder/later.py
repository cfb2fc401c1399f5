"""Work done in a forked process while this one goes on: the dates from git while the content is checked, the
house rules while the site is rendered, each page's checks while MkDocs builds the rest (site/checker.py).

fork, not spawn: the child starts at once with everything this process has loaded, and runs no script again
(spawn imports the caller's main script anew). Never with other threads running, since a forked copy of them is
undefined: then, and wherever a child cannot start or dies, the work is done in this process when its value is
asked for, so the answer is the same either way."""
from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Generic, TypeVar

T = TypeVar("T")
_jobs: dict[int, Callable] = {}  # what a child is to run, found there by key: a closure cannot be pickled


def pool(initializer: Callable | None = None, initargs: tuple = ()) -> ProcessPoolExecutor | None:
    """One worker process, forked at its first task; None where forking is unsafe or impossible."""
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() != 1:
        return None
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"), initializer=initializer,
                               initargs=initargs)


def _run(key: int):
    return _jobs[key]()


class Later(Generic[T]):
    """fn() computing in a forked child from now on; result() waits for its value. The child's return value must be
    picklable."""

    def __init__(self, fn: Callable[[], T]):
        self.fn = fn
        self.future: Future | None = None
        self.pool = pool()
        if self.pool is not None:
            key = id(fn)
            _jobs[key] = fn
            try:
                self.future = self.pool.submit(_run, key)  # the child is forked here, with the job in its copy
            except (BrokenProcessPool, OSError, RuntimeError):
                self.close()
            finally:
                del _jobs[key]

    def result(self) -> T:
        try:
            if self.future is not None:
                try:
                    return self.future.result()
                except Exception:  # the child died, or failed: do the work here (a real error is raised again)
                    pass
            return self.fn()
        finally:
            self.close()

    def close(self, wait: bool = True) -> None:
        """Stop the child (wait: until it has stopped, so that this process is single-threaded again and may fork
        the next child)."""
        if self.pool is not None:
            self.pool.shutdown(wait=wait, cancel_futures=True)
            self.pool = None
