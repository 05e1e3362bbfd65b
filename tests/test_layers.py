"""The package's import graph: no cycle anywhere, each layer imports only the layers before
it, and facts and rules load without TensorFlow. Read from the source (module-level imports,
`if TYPE_CHECKING:` blocks left out), so a lazy import inside a function stays allowed."""

from __future__ import annotations

import ast
import graphlib
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "tfdoctor"

# Each layer may import itself and the layers listed before it (STYLE.md: data flows one way).
LAYERS = [
    {"_version", "findings", "config"},
    {"facts"},
    {"io", "proto"},
    {"stats", "labels"},
    {"native"},  # the optional C scan core: frames and decodes into the stats accumulators
    {"spec"},
    {"pipeline", "model"},
    {"engines"},
    {"rules"},
    {"suppress"},
    {"report"},
    {"results"},
    {"flows"},
    {"compare"},  # train against eval: scans (flows) or statistics files, judged by the TFD21x rules
    {"supervised"},
    {"api", "beam"},
    {"training", "keras"},  # the Keras callback audits through api; TensorBoard logs read back
    {"demo"},
    {"cli", "__init__"},
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            stack += node.body + node.orelse
        elif isinstance(node, ast.Try):
            stack += node.body + node.orelse + node.finalbody + [s for h in node.handlers for s in h.body]
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in _top_level_imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                stem = (f"{base}.{node.module}" if node.module else base) if node.level else node.module or ""
                targets = [
                    f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in modules else stem
                    for alias in node.names
                ]
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def _layer(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    return next(i for i, layer in enumerate(LAYERS) if top in layer)


def test_no_import_cycle() -> None:
    try:
        list(graphlib.TopologicalSorter(_graph()).static_order())
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_every_module_sits_in_a_layer() -> None:
    unplaced = []
    for module in _modules():
        try:
            _layer(module)
        except StopIteration:
            unplaced.append(module)
    assert not unplaced, f"add these to LAYERS: {unplaced}"


def test_layers_import_only_what_comes_before_them() -> None:
    upward = [
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in sorted(targets)
        if _layer(target) > _layer(module)
    ]
    assert not upward, "\n".join(upward)


def test_rules_import_only_facts_config_and_findings() -> None:
    allowed = ("tfdoctor.facts", "tfdoctor.config", "tfdoctor.findings", "tfdoctor.rules")
    wrong = [
        f"{module} imports {target}"
        for module, targets in _graph().items()
        if module.startswith("tfdoctor.rules")
        for target in sorted(targets)
        if not target.startswith(allowed)
    ]
    assert not wrong, "\n".join(wrong)


def test_facts_and_rules_load_without_tensorflow() -> None:
    code = (
        "import sys\n"
        "import tfdoctor.facts\n"
        "from tfdoctor.rules import all_rules\n"
        "import tfdoctor.flows, tfdoctor.cli\n"
        "assert all_rules()\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_every_module_imports_on_its_own() -> None:
    """Each module imported first in a fresh interpreter: an import cycle that only bites in
    one order shows here."""
    names = [m for m in _modules() if not m.endswith("_pb2")]
    # A module built on an optional library (the Keras callback, the Beam engine) may fail only
    # for that library's absence, where it is not installed (a reduced environment).
    code = (
        "import importlib, importlib.util, sys\n"
        "OPTIONAL = ('keras', 'tensorflow', 'apache_beam', 'tensorboard')\n"
        f"for name in {names!r}:\n"
        "    for loaded in [m for m in sys.modules if m.startswith('tfdoctor')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ModuleNotFoundError as exc:\n"
        "        root = (exc.name or '').split('.')[0]\n"
        "        if root not in OPTIONAL or importlib.util.find_spec(root) is not None:\n"
        "            raise\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
