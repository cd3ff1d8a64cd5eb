"""Regenerate what is generated: exercises/ from solutions/, the README's course map.

    python -m shipyard.build           # write them
    python -m shipyard.build --check   # exit 1 and name what drifted (what the tests do)
"""
import sys

from shipyard.coursemap import expected_readme
from shipyard.exercises.generate import expected_exercises
from shipyard.paths import EXERCISES, ROOT


def expected_files() -> dict:
    files = {EXERCISES / name: text for name, text in expected_exercises().items()}
    files[ROOT / "README.md"] = expected_readme()
    return files


def drifted() -> list[str]:
    stale = [str(path.relative_to(ROOT)) for path, text in expected_files().items()
             if not path.exists() or path.read_text() != text]
    wanted = set(expected_exercises())
    stale += [f"exercises/{p.name} (no solution for it)" for p in EXERCISES.glob("*.ipynb") if p.name not in wanted]
    return stale


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = drifted()
        for name in stale:
            print(f"out of date: {name} (run: python -m shipyard.build)")
        return 1 if stale else 0
    EXERCISES.mkdir(exist_ok=True)
    for path, text in expected_files().items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
