"""The import graph of the code matches the layout of docs/adr/0008-layout.md: no circle, no arrow
from `shared/` to a service, a client or a tool, services never importing each other, the domain
pure (no I/O library, no plumbing), and service folders shallow enough to read from `ls`."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("shared", "services", "client", "scripts", "bench")
SERVICES = ("registry", "pathways", "reporting")
# What the pure business may import besides itself: the standard library, the validation library
# its event schemas are written with, and calendar arithmetic (months added to dates).
DOMAIN_MAY_IMPORT = {"marshmallow", "dateutil"}
MAX_TOP_MODULES = 12


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


MODULES = sources()


def imports_of(name: str) -> set[str]:
    """Every module `name` imports (absolute names, at any depth of the file)."""
    path = MODULES[name]
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def internal_imports(name: str) -> set[str]:
    """The project's modules `name` imports (a name imported from a module counts as it)."""
    return {i for i in imports_of(name) if i in MODULES and i != name}


GRAPH = {name: internal_imports(name) for name in MODULES}


def top_level(name: str) -> str:
    return name.split(".")[0]


def service_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == "services" and len(parts) > 1 else None


def test_the_import_graph_has_no_circle():
    # Imports made inside functions count too: a circle through a late import is still one.
    index, low, stack, on_stack, circles = {}, {}, [], set(), []
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in GRAPH[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    # A package's __init__ importing its own modules is no circle of layers.
    circles = [c for c in circles if not all(m.startswith(c[0] + ".") or m == c[0] for m in c)]
    assert circles == []


def test_shared_imports_no_service_client_or_tool():
    arrows = [
        (name, target)
        for name, targets in GRAPH.items()
        if top_level(name) == "shared"
        for target in targets
        if top_level(target) != "shared"
    ]
    assert arrows == []


def test_services_never_import_each_other():
    arrows = [
        (name, target)
        for name, targets in GRAPH.items()
        if service_of(name)
        for target in targets
        if service_of(target) and service_of(target) != service_of(name)
    ]
    assert arrows == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("shared.domain")))
def test_the_domain_is_pure(name):
    outside = {
        i.split(".")[0]
        for i in imports_of(name)
        if not i.startswith("shared.domain")
        and i.split(".")[0] not in sys.stdlib_module_names
        and i.split(".")[0] != "__future__"
    }
    assert outside <= DOMAIN_MAY_IMPORT, f"{name} imports {sorted(outside - DOMAIN_MAY_IMPORT)}"


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_keeps_about_a_dozen_modules_at_its_top(service):
    top = [p for p in (ROOT / "services" / service).glob("*.py") if p.name != "__init__.py"]
    assert len(top) <= MAX_TOP_MODULES, sorted(p.name for p in top)
