"""Staged writes, shared by the site build and the live preview: a file replaced in one rename (a browser never
reads half a page), a set of files written beside their places first (a failure changes none), and a whole site
put in place of the old one in two renames."""
from __future__ import annotations

import os
import shutil
from pathlib import Path


def write_if_changed(path: Path, data: bytes) -> None:
    """Replace path by data in one rename (a browser never reads half a page); leave it alone when equal."""
    for tmp, path in stage({path: data}):
        os.replace(tmp, path)


def stage(files: dict[Path, bytes]) -> list[tuple[Path, Path]]:
    """Write each file's new data beside it, (temporary file, file) for those whose data differs, to be renamed
    into place; on a failure nothing is left behind."""
    staged = []
    try:
        for path, data in files.items():
            try:
                if path.read_bytes() == data:
                    continue
            except OSError:
                pass
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            tmp.write_bytes(data)
            staged.append((tmp, path))
    except BaseException:
        for tmp, path in staged:
            tmp.unlink(missing_ok=True)
        raise
    return staged


def swap_in(new: Path, out_dir: Path) -> None:
    """Replace out_dir by new in two renames, so readers never see a half-built site."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f"{out_dir.name}.old-{os.getpid()}")
        if old.exists():  # left by an earlier swap of this process that stopped half way
            shutil.rmtree(old)
        out_dir.rename(old)
    new.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
