"""Work done in a forked process while this one goes on: the dates from git while the content is checked, the
house rules while the site is rendered, each page's checks while MkDocs builds the rest (site/checker.py).

fork, not spawn: the child starts at once with everything this process has loaded, and runs no script again
(spawn imports the caller's main script anew). Never with other threads running, since a forked copy of them is
undefined: then, and wherever a child cannot start or dies, the work is done in this process when its value is
asked for, so the answer is the same either way."""
from __future__ import annotations

import itertools
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Generic, TypeVar

T = TypeVar("T")
_jobs: dict[int, Callable] = {}  # what a child is to run, found there by key: a closure cannot be pickled
_keys = itertools.count()


def pool(initializer: Callable | None = None, initargs: tuple = (), workers: int = 1) -> ProcessPoolExecutor | None:
    """Worker processes, all forked at the first task; None where forking is unsafe or impossible."""
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() != 1:
        return None
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=initializer,
                               initargs=initargs)


def _run(key: int):
    return _jobs[key]()


class Later(Generic[T]):
    """fn() computing in a forked child (future, of the pool workers) or, without one, here when result() asks for
    its value. Made by start(). The child's return value must be picklable."""

    def __init__(self, fn: Callable[[], T], future: Future | None, workers: ProcessPoolExecutor | None):
        self.fn, self.future, self.workers = fn, future, workers

    def result(self) -> T:
        try:
            if self.future is not None:
                try:
                    return self.future.result()
                except Exception:  # the child died, failed or was not started: do the work here (a real error is
                    pass           # raised again)
            return self.fn()
        finally:
            self.close()

    def close(self, wait: bool = True) -> None:
        """Stop the children (wait: until they have stopped, so that this process is single-threaded again and may
        fork the next). Children started together stop together: take their results first."""
        if self.workers is not None:
            self.workers.shutdown(wait=wait, cancel_futures=True)
            self.workers = None


class Counter:
    """0, 1, 2, … each handed out once, across this process and the children start() forks after it is made: work
    shared out as it is done, so that a child that is slower (or starts later) takes less of it."""

    def __init__(self):
        fork = "fork" in multiprocessing.get_all_start_methods()
        self._value = multiprocessing.get_context("fork" if fork else None).Value("i", 0)

    def take(self) -> int:
        with self._value.get_lock():
            taken = self._value.value
            self._value.value = taken + 1
        return taken


def start(*fns: Callable) -> list[Later]:
    """Later values of fns, each worked out in a child of its own, all forked now (one pool, so that no child is
    forked while another pool's thread runs: children that are to overlap are started together)."""
    workers = pool(workers=len(fns))
    futures: list[Future | None] = [None] * len(fns)
    if workers is not None:
        keys = [next(_keys) for _ in fns]
        _jobs.update(zip(keys, fns))
        try:
            futures = [workers.submit(_run, key) for key in keys]  # forked at the first, with every job in its copy
        except (BrokenProcessPool, OSError, RuntimeError):
            workers.shutdown(wait=True, cancel_futures=True)
            workers, futures = None, [None] * len(fns)
        finally:
            for key in keys:
                del _jobs[key]
    return [Later(fn, future, workers) for fn, future in zip(fns, futures)]
