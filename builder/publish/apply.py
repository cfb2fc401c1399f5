"""Publish stage, apply: the plan recorded in git as one commit, moving the branch and creating the tag in a single
ref transaction, or nothing at all. Git's objects are written first (harmless if nothing points at them); the
transaction is the one moment the edition comes into being; the files and the index catch up after it, and a
later run finishes that step if a crash interrupted it."""
from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from git.exc import GitCommandError

from builder.content.model import Pos, Problem
from builder.history.git import blob as read_blob
from builder.history.git import git_input, repository
from builder.publish.plan import Plan, PublishError, refuse, said
from builder.publish.record import message

LOCK = "guidance-publish.lock"  # in the git folder: one publish at a time per repository
TRAILER = "Guidance-Edition:"  # the last trailer of every edition's commit message (record.message)


@dataclass
class Published:
    doc: str
    version: str
    tag: str | None
    commit: str
    sections: list[str] = field(default_factory=list)  # ids moved from ready to published
    files: list[str] = field(default_factory=list)


def apply(root: Path, plan: Plan) -> Published:
    """Record the plan, or change nothing: refused if anything it was made from changed while it waited."""
    root = Path(root).resolve()
    with repository(root) as (repo, prefix), locked(repo, f"content/{plan.doc}"):
        _unchanged(root, repo, plan)
        files = {f"{prefix}{rel}": text for rel, text in plan.changed.items()}
        published = [s.id for s in plan.steps]
        try:
            sha = _commit(repo, plan.head, files, message(plan.doc, plan.entry, published))
            tag = _tag(repo, sha, plan) if plan.tag else None
            transaction = f"start\nupdate {repo.head.ref.path} {sha} {plan.head}\n"
            transaction += f"create refs/tags/{plan.tag} {tag}\n" if tag else ""
            git_input(repo, ["update-ref", "--stdin"], (transaction + "prepare\ncommit\n").encode())
        except (GitCommandError, OSError) as err:
            refuse(f"content/{plan.doc}", "git", f"git could not record the edition: {said(err)}",
                   "Nothing was published: the branch, the tags and your files are as they were. Fix what git "
                   "reports (for example set user.name and user.email, or free some disk space) and run it again.")
        try:
            catch_up(root, repo, prefix, sha, list(files))
        except (GitCommandError, OSError) as err:
            raise PublishError([Problem(Pos(f"content/{plan.doc}"), "error", "publish.incomplete",
                                        f"edition {plan.version} is recorded in commit {sha[:7]}, but the files in "
                                        f"content/ could not be brought up to date: {said(err)}",
                                        "Fix that, then run guidance publish again: it finishes the step first.")],
                               recorded=True) from err
        return Published(plan.doc, plan.version, plan.tag, sha, published, sorted(plan.changed))


@contextlib.contextmanager
def locked(repo, where: str):
    """One publish at a time: a lock file created exclusively in the git folder, removed when done. A lock left
    by a process that no longer runs is taken over."""
    path = Path(repo.git_dir) / LOCK
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            break
        except FileExistsError:
            if _alive(path):
                refuse(where, "busy", "another guidance publish is recording an edition in this repository",
                       "Wait for it to finish, then plan again: its edition may change what yours publishes.")
            path.unlink(missing_ok=True)
    else:
        refuse(where, "busy", "the publish lock could not be taken", f"Remove {path} if no publish is running.")
    try:
        try:
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
        except OSError as err:
            refuse(where, "git", f"the publish lock could not be written: {err.strerror or err}",
                   "Nothing was published. Free some space on the disk and run it again.")
        yield
    finally:
        path.unlink(missing_ok=True)


def _alive(path: Path) -> bool:
    try:
        pid = int(path.read_text().strip() or 0)
        os.kill(pid, 0)
    except (ValueError, OSError):
        return False
    return True


def _unchanged(root: Path, repo, plan: Plan) -> None:
    """Everything the plan was made from is as it was: the branch, the files (an edit saved while publish waited
    for its answer must not be overwritten or left out) and git's index (another program may hold it)."""
    where = f"content/{plan.doc}"
    if repo.head.is_detached or repo.head.ref.name != plan.branch or repo.head.commit.hexsha != plan.head:
        refuse(where, "changed", f"the branch moved while publish waited (it was {plan.head[:7]})",
               "Run guidance publish again: it plans from the branch as it is now.")
    for rel, text in plan.texts.items():
        try:
            now = (root / rel).read_text(encoding="utf-8")
        except OSError:
            now = None
        if now != text:
            refuse(rel, "changed", f"{rel} changed while publish waited for an answer",
                   "Nothing was published. Commit the change, then run guidance publish again.")
    if (Path(repo.git_dir) / "index.lock").exists():
        refuse(where, "busy", "another git program is using this repository (.git/index.lock exists)",
               "Let it finish (an editor or IDE may be running git), then run guidance publish again; remove "
               ".git/index.lock only if no git program is running.")


def _commit(repo, parent: str, files: dict[str, str], text: str) -> str:
    """A commit of the parent's tree with the given files, made in a private index (whatever the editor has
    staged is left alone), with the repository's commit-msg hook run on its message. Writes objects only."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
        repo.git.read_tree(parent, env=env)
        for path, body in files.items():
            blob = git_input(repo, ["hash-object", "-w", "--stdin", f"--path={path}"], body.encode("utf-8"))
            repo.git.update_index("--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
        tree = repo.git.write_tree(env=env)
        msg = Path(tmp) / "COMMIT_EDITMSG"
        msg.write_text(text, encoding="utf-8")
        _hook(repo, "commit-msg", str(msg), env)
        return repo.git.commit_tree(tree, "-p", parent, "-F", str(msg)).strip()


def _hook(repo, name: str, arg: str, env: dict) -> None:
    """Run the repository's hook if it has one (core.hooksPath honoured); a hook that fails stops the publish."""
    hooks = repo.git.rev_parse("--git-path", "hooks")
    with repo.config_reader() as cfg:
        hooks = cfg.get_value("core", "hooksPath", hooks)
    path = Path(repo.working_tree_dir, os.path.expanduser(str(hooks)), name)
    if path.is_file() and os.access(path, os.X_OK):
        run = subprocess.run([str(path), arg], cwd=repo.working_tree_dir, env={**os.environ, **env},
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise GitCommandError([str(path)], run.returncode, f"the {name} hook refused: "
                                  f"{(run.stderr or run.stdout).strip()[:500]}")


def _tag(repo, commit: str, plan: Plan) -> str:
    """The annotated tag's object, written but not yet named by any ref (the transaction creates the ref)."""
    ident = repo.git.var("GIT_COMMITTER_IDENT")
    body = (f"object {commit}\ntype commit\ntag {plan.tag}\ntagger {ident}\n\n"
            f"{plan.doc} version {plan.version}\n\n{plan.entry.note}\n")
    return git_input(repo, ["mktag"], body.encode("utf-8"))


def catch_up(root: Path, repo, prefix: str, commit: str, paths: list[str]) -> None:
    """The files an edition changed, written as its commit has them, and the index told so (its other entries,
    whatever the editor staged, are left alone)."""
    for path in paths:
        blob = repo.git.rev_parse(f"{commit}:{path}")
        data = read_blob(repo, blob)
        target = root / path[len(prefix):]
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        repo.git.update_index("--cacheinfo", f"100644,{blob},{path}")


def unfinished(root: Path) -> list[str]:
    """After a publish that stopped between recording its edition and bringing the files and the index up to date:
    finish it, and say which files. The sign is HEAD being an edition's commit while a file it changed still reads
    as in its parent, or git's index still holds the parent's version. A file edited since is left alone."""
    root = Path(root).resolve()
    with repository(root) as (repo, prefix):
        if repo is None or not repo.head.is_valid() or len(repo.head.commit.parents) != 1:
            return []
        lock = Path(repo.git_dir) / LOCK
        if lock.is_file() and not _alive(lock):
            lock.unlink(missing_ok=True)  # left by a publish that was killed
        head = repo.head.commit
        if TRAILER not in head.message:
            return []
        stale = _stale(root, repo, prefix, head)
        if not stale:
            return []
        with locked(repo, "content"):
            catch_up(root, repo, prefix, head.hexsha, stale)
        return [p[len(prefix):] for p in stale]


def _stale(root: Path, repo, prefix: str, head) -> list[str]:
    """The files the edition's commit head changed that the files or the index have not caught up with; none if
    any of them is not a plain file in the project or was edited since (nothing to finish, or the editor's turn)."""
    paths = [d.b_path for d in head.parents[0].diff(head) if d.b_path and d.b_blob is not None]
    stale = []
    for path in paths:
        behind = _behind(root, repo, prefix, head, path)
        if behind is None:
            return []
        if behind:
            stale.append(path)
    return stale


def _behind(root: Path, repo, prefix: str, head, path: str) -> bool | None:
    """Whether the file at path, or git's index, still holds what head's parent had rather than what head has.
    None when it is neither: not a plain file in the project, or edited since."""
    target = root / path[len(prefix):]
    if not path.startswith(prefix) or not target.is_file() or target.is_symlink():
        return None
    data, new = target.read_bytes(), head.tree / path
    old = _blob_at(head.parents[0], path)
    if data != new.data_stream.read() and (old is None or data != old.data_stream.read()):
        return None  # edited since: leave it to the editor
    staged = repo.git.ls_files("-s", "--", path).split()
    return data != new.data_stream.read() or len(staged) < 2 or staged[1] != new.hexsha


def _blob_at(commit, path: str):
    try:
        return commit.tree / path
    except KeyError:
        return None
