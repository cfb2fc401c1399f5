"""Rooms a newcomer can hold in mind (issue 26): no module of builder/ over MAX_LINES lines, no function over
MAX_FUNCTION_LINES lines or of cyclomatic complexity over MAX_COMPLEXITY, but those named below, each with its
reason. Complexity is counted as McCabe's, from the syntax tree: 1, plus one for each if, for, while, except,
with and match case, each boolean operator's extra operand (a and b: one) and each if of a comprehension.
A function nested in another is measured on its own, not as part of the one around it."""
import ast
from pathlib import Path

BUILDER = Path(__file__).resolve().parent.parent / "builder"
MAX_LINES = 600
MAX_FUNCTION_LINES = 60
MAX_COMPLEXITY = 15
BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.With, ast.AsyncWith, ast.match_case)

# Measured hot loops, kept in one piece because the split costs time where it counts (say so beside the code).
HOT = {
    # The inline parser's scan of one text: every text of every file goes through it (builder/content/inline.py).
    "builder/content/inline.py:_parse",
}


def _own_nodes(function):
    """The nodes of function's body, without those of functions and classes defined inside it."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def complexity(function) -> int:
    n = 1
    for node in _own_nodes(function):
        if isinstance(node, BRANCHES):
            n += 1
        elif isinstance(node, ast.BoolOp):
            n += len(node.values) - 1
        elif isinstance(node, ast.comprehension):
            n += len(node.ifs)
    return n


def oversized() -> dict[str, str]:
    """"path" or "path:function" → what is over its limit."""
    out = {}
    for path in sorted(BUILDER.rglob("*.py")):
        rel = path.relative_to(BUILDER.parent).as_posix()
        text = path.read_text(encoding="utf-8")
        if (lines := text.count("\n")) > MAX_LINES:
            out[rel] = f"{lines} lines"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length, cc = node.end_lineno - node.lineno + 1, complexity(node)
                if length > MAX_FUNCTION_LINES or cc > MAX_COMPLEXITY:
                    out[f"{rel}:{node.name}"] = f"{length} lines, complexity {cc}"
    return out


def test_complexity_counts_branches_and_boolean_operands():
    tree = ast.parse("def f(a, b):\n    if a and b or a:\n        for x in [y for y in b if y]:\n"
                     "            with open(x):\n                pass\n    try:\n        pass\n"
                     "    except OSError:\n        pass\n    def inner():\n        if a:\n            pass\n")
    assert complexity(tree.body[0]) == 1 + 1 + 2 + 1 + 1 + 1 + 1  # if, and/or, for, comprehension if, with, except


def test_no_room_is_too_big_to_hold_in_mind():
    found = oversized()
    assert sorted(set(found) - HOT) == [], found


def test_the_exceptions_hold_only_rooms_still_too_big():
    assert sorted(HOT - set(oversized())) == []
