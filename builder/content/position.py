"""Where a character of a text value sits in its source file: the scalar's source lines (plain, quoted, or a block
with > or |) matched to the text once, so that every problem in a text, however many, is placed by bisection."""
from __future__ import annotations

import bisect
from typing import Callable

from builder.content.model import Pos

# source below is a builder.content.load.SourceFile (not imported: load imports this module).


def text_locator(source, path: tuple, text: str) -> Callable[[int], Pos]:
    """text_pos(path, text, ·) for many offsets: the scalar's source lines are matched to the text once (each
    character read a bounded number of times), and each offset is then found by bisection, so a text with
    thousands of problems costs its length once, not once per problem."""
    pos = source.pos(path)
    if tuple(path) not in source.values or not 0 < pos.line <= len(source.lines):
        return lambda offset: pos
    ends: list[int] = []  # where each matched piece of source ends in text, in increasing order
    starts: list[tuple[int, int, int]] = []  # (where it starts in text, line, column)
    cursor = 0
    for line, col, piece in _scalar_pieces(source.lines, pos.line - 1, pos.col - 1):
        while cursor < len(text) and text[cursor] in " \n" and piece[:1] != text[cursor]:
            cursor += 1
        same = _common_prefix(piece, text, cursor)
        ends.append(cursor + same)
        starts.append((cursor, line, col))
        if same < len(piece) and cursor + same < len(text) and text[cursor + same] not in " \n":
            break  # an escape sequence or a comment: the source no longer spells the text
        cursor += same

    def at(offset: int) -> Pos:
        i = bisect.bisect_right(ends, offset)
        if i == len(ends):
            return pos
        cursor, line, col = starts[i]
        return Pos(source.path, line + 1, col + max(offset - cursor, 0) + 1)
    return at


def _common_prefix(piece: str, text: str, cursor: int) -> int:
    """How many characters of piece text spells from cursor on."""
    if text.startswith(piece, cursor):
        return len(piece)
    same = 0
    while same < len(piece) and cursor + same < len(text) and piece[same] == text[cursor + same]:
        same += 1
    return same


def locator(source, path: tuple, text: str) -> Callable[[int], Pos]:
    """at(offset): the position of a character of the text at path, worked out only when a problem needs it (the
    source is matched to the text at the first problem, once)."""
    if source is None:
        return lambda offset: Pos("content")
    found: list[Callable[[int], Pos]] = []

    def at(offset: int) -> Pos:
        if not found:
            found.append(source.text_locator(path, text))
        return found[0](offset)
    return at


def _scalar_pieces(lines: list[str], first: int, col: int):
    """(line, column, text) of each source line of the scalar starting at lines[first][col], indentation removed.
    Lines are read only as far as the scalar goes."""
    head = lines[first]
    indent = len(head) - len(head.lstrip(" "))
    if head[col:col + 1] in (">", "|"):
        depth = None  # the indentation of the block's first line that is not blank
        for i in range(first + 1, len(lines)):
            t = lines[i]
            if not t.strip():
                continue
            depth = len(t) - len(t.lstrip(" ")) if depth is None else depth
            if len(t) - len(t.lstrip(" ")) < depth:
                return
            yield i, depth, t[depth:].rstrip()
        return
    start = col + (1 if head[col:col + 1] in ('"', "'") else 0)
    yield first, start, head[start:].rstrip()
    for i in range(first + 1, len(lines)):
        t = lines[i]
        if not t.strip() or len(t) - len(t.lstrip(" ")) <= indent:
            return
        yield i, len(t) - len(t.lstrip(" ")), t.strip()


