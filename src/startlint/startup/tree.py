"""`startlint graph`: the start-up import tree of an entrypoint, with heavy modules' costs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from startlint.catalog import Catalogs, HeavyModule
from startlint.python.model import Import
from startlint.startup.entrypoints import Entrypoint
from startlint.startup.graph import StartupGraph


@dataclass
class Node:
    label: str  # a first-party file (relative path) or a third-party module name
    first_party: bool
    line: int | None  # the import statement's line in the parent
    cost_ms: int | None = None  # heavy modules only
    seen: bool = False  # already shown elsewhere in the tree
    note: str = ""  # why a node is in the tree without an import line
    children: list[Node] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "module": self.label,
            "first_party": self.first_party,
            "line": self.line,
            "heavy_cost_ms": self.cost_ms,
            "seen_above": self.seen,
            "note": self.note,
            "children": [c.as_dict() for c in self.children],
        }


@dataclass(frozen=True)
class Tree:
    entrypoint: Entrypoint
    root: Node
    heavy: dict[str, int]  # catalog entry -> cost, each counted once

    @property
    def total_ms(self) -> int:
        return sum(self.heavy.values())


def build(graph: StartupGraph, entry: Entrypoint, entry_file: Path, root: Path, catalogs: Catalogs) -> Tree:
    """The entry file's tree; the packages Python runs before it are its first children."""
    heavy: dict[str, int] = {}
    shown: set[Path] = set()

    def visit(path: Path, line: int | None) -> Node:
        node = Node(_rel(path, root), True, line)
        if path in shown:
            node.seen = True
            return node
        shown.add(path)
        model = graph.model_of(path)
        first_party_targets: dict[int, list[Path]] = {hop.line: [] for hop, _ in graph.edges.get(path, [])}
        for hop, target in graph.edges.get(path, []):
            first_party_targets[hop.line].append(target)
        listed: set[str] = set()
        for imp in model.imports if model else ():
            targets = first_party_targets.get(imp.pos.line, [])
            for target in dict.fromkeys(targets):
                if _empty_package(graph, target) or _rel(target, root) in listed:
                    continue  # a package Python merely runs on the way
                listed.add(_rel(target, root))
                node.children.append(visit(target, imp.pos.line))
            if targets:
                continue
            hit = _heaviest(imp.modules, catalogs)
            if hit is not None:
                heavy[hit.name] = hit.cost_ms
            for label in _third_party_labels(imp):
                if label not in listed:
                    listed.add(label)
                    node.children.append(Node(label, False, imp.pos.line, hit.cost_ms if hit else None))
        return node

    first = [path for path, reach in graph.reach.items() if reach.package_of == entry_file]
    packages = [visit(path, None) for path in first if not _empty_package(graph, path)]
    top = visit(entry_file, None)
    for node in packages:
        node.note = "its package: runs first"
    top.children[:0] = packages
    return Tree(entry, top, heavy)


def _empty_package(graph: StartupGraph, path: Path) -> bool:
    return path.name == "__init__.py" and not graph.edges.get(path) and not (
        (model := graph.model_of(path)) and model.imports
    )


def _third_party_labels(imp: Import) -> list[str]:
    if imp.kind == "from":
        if imp.level:
            return []
        names = ", ".join(n.name for n in imp.names)
        return [f"{imp.module}: {names}"]
    return [m for m in imp.modules if not m.startswith(".")]


def _heaviest(modules: tuple[str, ...], catalogs: Catalogs) -> HeavyModule | None:
    found = [catalogs.heavy_module(m) for m in modules if not m.startswith(".")]
    hits = [h for h in found if h is not None]
    return max(hits, key=lambda h: h.cost_ms) if hits else None


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _cost(ms: int) -> str:
    return f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms} ms"


def render_text(tree: Tree) -> str:
    head = f"{tree.entrypoint.display}  (heavy imports at start-up: ≈{_cost(tree.total_ms)})"
    lines = [head, tree.root.label]

    def walk(node: Node, prefix: str) -> None:
        for i, child in enumerate(node.children):
            last = i == len(node.children) - 1
            lines.append(prefix + ("└── " if last else "├── ") + _label(child))
            walk(child, prefix + ("    " if last else "│   "))

    walk(tree.root, "")
    return "\n".join(lines) + "\n"


def _label(node: Node) -> str:
    text = node.label
    if node.cost_ms is not None:
        text += f"  [heavy ≈{_cost(node.cost_ms)}]"
    if node.seen:
        text += "  (see above)"
    if node.note:
        text += f"  ({node.note})"
    return text


def render_rich(tree: Tree) -> str:
    import io

    from rich.console import Console
    from rich.text import Text
    from rich.tree import Tree as RichTree

    def label(node: Node) -> Text:
        text = Text(node.label, style="bold" if node.first_party else "dim")
        if node.cost_ms is not None:
            text.append(f"  heavy ≈{_cost(node.cost_ms)}", style="bold red")
        if node.seen:
            text.append("  (see above)", style="dim")
        if node.note:
            text.append(f"  ({node.note})", style="dim")
        return text

    def add(parent: RichTree, node: Node) -> None:
        for child in node.children:
            add(parent.add(label(child)), child)

    title = Text(f"{tree.entrypoint.display}  ", style="bold")
    title.append(f"heavy imports at start-up: ≈{_cost(tree.total_ms)}", style="red" if tree.heavy else "green")
    top = RichTree(title)
    add(top.add(label(tree.root)), tree.root)
    buffer = io.StringIO()
    Console(file=buffer, force_terminal=True, color_system="standard", width=120).print(top)
    return buffer.getvalue()


def render_json(trees: list[Tree]) -> str:
    payload = {
        "version": 1,
        "entrypoints": [
            {
                "entrypoint": t.entrypoint.display,
                "source": t.entrypoint.source,
                "heavy_modules": dict(sorted(t.heavy.items())),
                "estimated_heavy_import_ms": t.total_ms,
                "tree": t.root.as_dict(),
            }
            for t in trees
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
