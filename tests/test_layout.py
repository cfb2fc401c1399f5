"""The module map: stages import only earlier stages (no cycles), MkDocs is used through one adapter, and checking
content does not load the site engine."""
import ast
import subprocess
import sys
from pathlib import Path

BUILDER = Path(__file__).resolve().parent.parent / "builder"


def imports() -> dict[str, set[str]]:
    """builder module → the builder modules it imports (at the top or inside functions)."""
    out = {}
    for path in BUILDER.rglob("*.py"):
        name = "builder." + ".".join(path.relative_to(BUILDER).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("builder"):
                deps.add(node.module)
                deps.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("builder"))
        out[name] = deps
    return {m: {d for d in deps if d in out and d != m} for m, deps in out.items()}


def test_the_module_map_has_no_cycle():
    graph, state, cycles = imports(), {}, []

    def visit(module, trail):
        state[module] = "open"
        for dep in sorted(graph[module]):
            if state.get(dep) == "open":
                cycles.append(trail[trail.index(dep):] + [dep])
            elif dep not in state:
                visit(dep, trail + [dep])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


# Each stage package imports only the stages before it: content → history → render → review and site → preview;
# history and diff results are worked out before render and handed to it. The CLI and pipeline sit on top.
STAGES = {"content": set(), "history": {"content"}, "render": {"content", "history"},
          "review": {"content", "history", "render"}, "site": {"content", "render"},
          "publish": {"content", "history", "render", "review"},
          "preview": {"content", "history", "render", "review", "site"}}


def stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in STAGES else None


def test_every_module_is_in_a_stage_package_but_the_entry_points():
    loose = sorted(m for m in imports() if stage(m) is None and m.count(".") > 0 and m.split(".")[1] not in STAGES)
    assert loose == ["builder.__main__", "builder.cli", "builder.pipeline", "builder.report"]
    # the problem report, beside the CLI, reads only the model: any stage may print problems with it
    assert imports()["builder.report"] == {"builder.content.model"}


def test_each_stage_imports_only_earlier_stages():
    wrong = sorted((module, dep) for module, deps in imports().items() for dep in deps
                   if stage(module) and stage(dep) and stage(dep) != stage(module)
                   and stage(dep) not in STAGES[stage(module)])
    assert wrong == []
    entry_points = {"builder.cli", "builder.pipeline", "builder.__main__", "builder"}
    assert sorted((m, d) for m, deps in imports().items() if stage(m) for d in deps if d in entry_points) == []


def test_mkdocs_is_used_through_its_adapter_only():
    users = sorted(p.name for p in BUILDER.rglob("*.py")
                   if any(isinstance(n, (ast.Import, ast.ImportFrom)) and
                          (getattr(n, "module", None) or "").split(".")[0] == "mkdocs" or
                          isinstance(n, ast.Import) and any(a.name.split(".")[0] == "mkdocs" for a in n.names)
                          for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))))
    assert users == ["mkdocs_adapter.py"]  # builder/site/


def test_checking_content_does_not_load_the_site_engine():
    code = ("import sys, builder.pipeline, builder.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'material')))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def private_imports() -> list[tuple[str, str]]:
    """(module, name) for every name starting with _ that a builder module imports from another builder module
    (at the top or inside a function), or reads from one as module._name."""
    out = []
    for path in BUILDER.rglob("*.py"):
        name = "builder." + ".".join(path.relative_to(BUILDER).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {}  # local name → builder module it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("builder"):
                out += [(name, f"{node.module}.{a.name}") for a in node.names
                        if a.name.startswith("_") and not a.name.startswith("__")]
                modules.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
            elif isinstance(node, ast.Import):
                modules.update({(a.asname or a.name).split(".")[0]: a.name for a in node.names
                                if a.name.startswith("builder")})
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                    and isinstance(node.value, ast.Name) and node.value.id in modules):
                out.append((name, f"{modules[node.value.id]}.{node.attr}"))
    return sorted(set(out))


# MkDocs' private functions are imported through its adapter, which names them for what they are.
def test_no_private_name_is_used_across_modules():
    assert [(m, n) for m, n in private_imports() if not n.startswith("builder.site.mkdocs_adapter.")] == []
