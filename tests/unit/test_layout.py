"""The library's shape: what lessons import sits at the top of `shipyard`, named by topic; the
process plumbing under them in `shipyard.runtime`; the maintainers' tools in `shipyard.tools`,
which import the library, never the reverse."""
import ast

from shipyard.paths import ROOT

LIBRARY = ROOT / "shipyard"


def imported(path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return names


def test_no_library_module_imports_the_maintainers_tools():
    wrong = {str(path.relative_to(ROOT)): sorted(n for n in imported(path) if n.startswith("shipyard.tools"))
             for path in LIBRARY.rglob("*.py") if "tools" not in path.relative_to(LIBRARY).parts}
    assert {path: names for path, names in wrong.items() if names} == {}


def test_the_tools_run_as_modules_of_shipyard_tools():
    assert {p.stem for p in (LIBRARY / "tools").glob("*.py")} >= {"bench", "build", "execute", "coursemap", "navigation"}


def test_the_process_plumbing_imports_nothing_of_the_topics_above_it():
    """`shipyard.runtime` is what services, the broker and the CI server stand on: it may use
    `shipyard.paths` and itself, never a topic module (that would make the layers a knot)."""
    allowed = ("shipyard.runtime", "shipyard.paths")
    wrong = {str(path.relative_to(ROOT)): sorted(n for n in imported(path)
                                                 if n.startswith("shipyard") and not n.startswith(allowed))
             for path in (LIBRARY / "runtime").glob("*.py")}
    assert {path: names for path, names in wrong.items() if names} == {}
