"""Restart & Run All is not the only way learners run lessons: again without restarting, and
in any order. Every lesson and solution, twice in a row, in a random order, in one kernel."""
import os
import random

import pytest
from kernels import mismatches, read, run_in_one_kernel

from shipyard.paths import NOTEBOOKS, ROOT, SOLUTIONS


# Every cell has its own limit (kernels.run_in_one_kernel); the whole grows with the course
# (289 s here with six lessons while the other worker was busy), past pytest's default 300 s.
@pytest.mark.timeout(1800)
def test_every_notebook_twice_in_a_row_in_random_order_in_one_kernel_shows_the_same_results():
    seed = int(os.environ.get("SHIPYARD_ORDER_SEED", random.randrange(10_000)))
    paths = sorted([*NOTEBOOKS.glob("*.ipynb"), *SOLUTIONS.glob("*.ipynb")])
    random.Random(seed).shuffle(paths)
    print(f"order (SHIPYARD_ORDER_SEED={seed}):", *(p.relative_to(ROOT) for p in paths))
    references = [read(path) for path in paths for _ in range(2)]
    executed = run_in_one_kernel(references, cwd=NOTEBOOKS)
    problems = [f"{path.relative_to(ROOT)} run {n % 2 + 1}, {problem}"
                for n, (path, reference, result) in enumerate(zip([p for p in paths for _ in range(2)], references, executed))
                for problem in mismatches(reference, result)]
    assert problems == [], f"with SHIPYARD_ORDER_SEED={seed}"
