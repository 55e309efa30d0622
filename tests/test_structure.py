"""The shape of the code, as issue "One place per rule" set it: no import circle among the
app modules, no app module over 450 lines, request types named only where they are
declared (and in the demo seed), and no function at radon grade D or worse.

Each measure is also a command anyone can run; docs/workflow.md gives them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "api",
    "boards",
    "epics",
    "insights",
    "notifications",
    "portal",
    "requests_app",
    "workflow",
)
MAX_LINES = 450


def _app_files(*, management: bool = True) -> list[Path]:
    files = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or (not management and "management" in parts):
                continue
            files.append(path)
    return files


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path, known: set[str]) -> set[str]:
    """The app modules `path` imports, anywhere in it (a function's import counts too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found & known


def import_circles() -> list[list[str]]:
    files = {_module_name(path): path for path in _app_files(management=False)}
    graph = {name: _imports(path, set(files)) - {name} for name, path in files.items()}
    circles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
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

    for name in graph:
        if name not in index:
            visit(name)
    return circles


def test_no_import_circle_among_app_modules():
    assert import_circles() == []


def test_no_app_module_over_450_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _app_files(management=False)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def _names_a_request_type(path: Path, values: set[str], members: set[str]) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and node.value in values:
            return True
        if (
            isinstance(node, ast.Attribute)
            and node.attr in members
            and isinstance(node.value, ast.Name)
            and node.value.id == "RequestType"
        ):
            return True
    return False


def files_naming_a_request_type() -> set[str]:
    from workflow.request_types import KINDS

    values = {kind.value for kind in KINDS}
    members = {kind.value.upper() for kind in KINDS}
    named = {
        str(path.relative_to(ROOT))
        for path in _app_files()
        if _names_a_request_type(path, values, members)
    }
    # A template naming one, quoted or as a value in a link (`request_type=pipeline`),
    # counts too; "pipeline" as a word does not.
    alternatives = "|".join(sorted(values))
    in_templates = re.compile(rf"""(["']|=)({alternatives})(["'&]|$)""", re.MULTILINE)
    named |= {
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if in_templates.search(path.read_text(encoding="utf-8"))
    }
    return named


def test_request_types_are_named_only_where_declared():
    assert files_naming_a_request_type() <= {
        "workflow/request_types.py",
        "requests_app/models.py",
        # The demo's stories of requests of each type.
        "workflow/demo/people.py",
        "workflow/demo/scenarios.py",
    }


def test_the_request_type_measure_finds_a_named_type(tmp_path):
    """The measure above can fail: it sees both ways of naming a type."""
    path = tmp_path / "example.py"
    path.write_text('if ticket.request_type == "prod_deploy":\n    pass\n')
    assert _names_a_request_type(path, {"prod_deploy"}, {"PROD_DEPLOY"})
    path.write_text("kinds = (RequestType.PROD_DEPLOY,)\n")
    assert _names_a_request_type(path, {"prod_deploy"}, {"PROD_DEPLOY"})
    path.write_text("status = 'prod_deploy_queued'\n")
    assert not _names_a_request_type(path, {"prod_deploy"}, {"PROD_DEPLOY"})


def test_no_function_at_radon_grade_d_or_worse():
    radon = pytest.importorskip("radon.complexity", reason="radon is a dev dependency")
    too_complex = [
        f"{path.relative_to(ROOT)}:{block.lineno} {block.fullname} "
        f"{radon.cc_rank(block.complexity)} ({block.complexity})"
        for path in _app_files()
        for block in radon.cc_visit(path.read_text(encoding="utf-8"))
        if block.complexity > 20  # grade D starts at 21
    ]
    assert too_complex == []
