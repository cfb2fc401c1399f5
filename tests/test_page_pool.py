"""The page checker's worker pool (builder/site/checker.py; WORKERS = 1 where a second processor can run it): pages
checked in a spawned worker process while MkDocs builds, an error there raised again in the build, Ctrl-C
stopping the build and the worker with it, and a worker the system ends stopping the build with a problem."""
import multiprocessing
import os
import signal
import threading
from types import SimpleNamespace

import pytest

from builder.site import checker
from builder.site.checker import PageChecker


DRAFT = "The draft paragraph about a new protection order that nobody has published yet."
ARTICLE = '<html><body><article class="md-content__inner md-typeset">{}</article></body></html>'


@pytest.fixture(autouse=True)
def _one_worker(monkeypatch):
    monkeypatch.setattr(checker, "WORKERS", 1)


def _page(rel: str) -> SimpleNamespace:
    return SimpleNamespace(file=SimpleNamespace(dest_uri=rel))


def test_pages_are_checked_in_a_worker_process_and_written_sanitised(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text(ARTICLE.format(f"<p>{DRAFT}</p>"), encoding="utf-8")
    with PageChecker(tmp_path, [DRAFT], [], leak_check=True) as pages:
        assert pages.hook is pages
        assert pages.pool.submit(os.getpid).result() != os.getpid(), "a process of its own"
        pages.allowed = set()
        pages.on_post_page(ARTICLE.format(f"<p>{DRAFT}</p><script>alert(1)</script>"), _page("a/index.html"), None)
        problems, found = pages.finish()
    assert [p.code for p in problems] == ["build.sanitised"]
    assert "<script>" not in (tmp_path / "a/index.html").read_text(encoding="utf-8")
    assert len(found) == 1 and "a/index.html" in found[0]


def test_an_error_in_the_worker_is_raised_in_the_build(tmp_path):
    with PageChecker(tmp_path, [], [], leak_check=False) as pages:
        pages.allowed = set()
        pages.on_post_page(None, _page("index.html"), None)  # not a page: the sanitiser fails on it, in the worker
        with pytest.raises(TypeError):
            pages.finish()


def test_ctrl_c_is_the_builds_to_handle_and_stops_the_worker(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with PageChecker(tmp_path, [], [], leak_check=False) as pages:
            worker = pages.pool.submit(os.getpid).result()
            os.kill(worker, signal.SIGINT)  # as a terminal sends it to the whole process group
            assert pages.pool.submit(os.getpid).result() == worker, "the worker ignores it"
            raise KeyboardInterrupt
    with pytest.raises(ProcessLookupError):  # shut down and reaped as the build stopped
        os.kill(worker, 0)


def test_without_workers_every_check_runs_after_the_build(tmp_path, monkeypatch):
    monkeypatch.setattr(checker, "WORKERS", 0)
    (tmp_path / "index.html").write_text(ARTICLE.format("<p>ok</p>"), encoding="utf-8")
    with PageChecker(tmp_path, [DRAFT], [], leak_check=True) as pages:
        assert pages.hook is None and pages.pool is None
        assert pages.finish() == ([], [])


def _files(folder) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_a_worker_the_system_ends_stops_the_build_and_keeps_the_old_site(project):
    """The system may end the worker mid-build (out of memory, a kill): the build reports it as a problem, not as
    an internal error, and the site built before is left exactly as it was."""
    from builder import pipeline
    from tests.conftest import write

    checked, result = pipeline.build(project)
    assert result is not None and result.ok
    before = _files(project / "site")
    basics = project / "content/alpha/01-basics.yaml"
    write(project, "content/alpha/01-basics.yaml", basics.read_text(encoding="utf-8").replace(
        "Stalking is a crime", "Stalking is a serious crime"))
    done = threading.Event()

    def end_the_worker():  # as the system's out-of-memory killer would, once the build has started it
        while not done.is_set():
            for worker in multiprocessing.active_children():
                os.kill(worker.pid, signal.SIGKILL)
                return
            done.wait(0.01)

    killer = threading.Thread(target=end_the_worker)
    killer.start()
    try:
        checked, result = pipeline.build(project)
    finally:
        done.set()
        killer.join()
    errors = [p for p in result.problems if p.severity == "error"]
    assert [p.code for p in errors] == ["build.worker-stopped"] and not result.ok
    assert "out of memory, or killed" in errors[0].message and "previous site" in errors[0].hint
    assert _files(project / "site") == before
