"""Regenerate what is generated: the notebooks' header, key-point and navigation cells,
exercises/ from solutions/, and the README's course map.

    python -m shipyard.tools.build           # write them
    python -m shipyard.tools.build --check   # exit 1 and name what drifted (what the tests do)
"""
import sys

import nbformat

from shipyard.exercises.generate import exercise_from
from shipyard.paths import EXERCISES, NOTEBOOKS, ROOT, SOLUTIONS
from shipyard.tools.coursemap import expected_readme
from shipyard.tools.navigation import refreshed


def _text(notebook) -> str:
    return nbformat.writes(notebook) + "\n"


def expected_files() -> dict:
    files = {path: _text(refreshed(path)) for path in sorted(NOTEBOOKS.glob("*.ipynb"))}
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        solution = refreshed(path)
        files[path] = _text(solution)
        files[EXERCISES / path.name] = _text(exercise_from(solution))
    files[ROOT / "README.md"] = expected_readme()
    return files


def _name(path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def drifted() -> list[str]:
    expected = expected_files()
    stale = [_name(path) for path, text in expected.items()
             if not path.exists() or path.read_text() != text]
    stale += [f"exercises/{path.name} (it has no solution)" for path in EXERCISES.glob("*.ipynb")
              if path not in expected]
    return stale


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = drifted()
        for name in stale:
            print(f"out of date: {name} (run: python -m shipyard.tools.build)")
        return 1 if stale else 0
    EXERCISES.mkdir(exist_ok=True)
    for path, text in expected_files().items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {_name(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
