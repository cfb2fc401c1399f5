"""Errors of the system, reading or writing a file, as positioned problems with a hint (docs/rules.md, "Problems
with the files and folders a command uses"): a read-only folder, a full disk, a deleted current folder. An editor
can act on each; none is a fault in guidance, so none is reported as an internal error."""
from __future__ import annotations

import errno
import os
from pathlib import Path

from builder.content.model import Pos, Problem

NO_SPACE = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def cwd_missing() -> bool:
    """Whether the current folder has been deleted (or moved out from under this process)."""
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False


def cwd_problem() -> Problem:
    return Problem(Pos("."), "error", "io.cwd-missing",
                   "the folder guidance was started in no longer exists (it was deleted or moved)",
                   "cd into the project again (or pass --root with its full path) and run the command again.")


def io_problem(err: OSError, root: Path | None = None, writing: bool = True) -> Problem:
    """The problem for err, placed at the file it names (relative to root when inside it)."""
    if cwd_missing():
        return cwd_problem()
    where = _where(err.filename, root)
    reason = err.strerror or str(err)
    if err.errno in NO_SPACE:
        return Problem(Pos(where), "error", "io.no-space",
                       f"there is no space left to write this file ({reason}); it was left as it was",
                       "Free some space on the disk (or raise the file size limit, ulimit -f), then run the command "
                       "again.")
    if err.errno in READ_ONLY:
        doing = "written" if writing else "read"
        return Problem(Pos(where), "error", "io.read-only",
                       f"this cannot be {doing}: {reason}; nothing was changed",
                       "Make the folder writable for you (chmod u+w, or mount it read-write), or run guidance in a "
                       "copy you can write." if writing else "Make the file readable for you (chmod u+r).")
    return Problem(Pos(where), "error", "io.error", f"the system refused this: {reason}",
                   "Check the disk and the file's permissions, then run the command again.")


def _where(filename, root: Path | None) -> str:
    if filename is None:
        return "."
    path = os.fsdecode(filename)
    if root is not None:
        try:
            rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
            return rel.as_posix() if rel.parts else "."
        except ValueError:
            pass
    return path
