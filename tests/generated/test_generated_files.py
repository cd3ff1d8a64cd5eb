"""Generated files are never edited by hand: they match what `python -m shipyard.tools.build` makes."""
import re
import subprocess

from shipyard.tools import build, coursemap
from shipyard.paths import EXERCISES, NOTEBOOKS, ROOT, SOLUTIONS

LESSON_FILE = re.compile(r"(notebooks|exercises|solutions)/\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb")


def test_exercises_notebook_headers_navigation_and_the_course_map_are_up_to_date():
    assert build.drifted() == [], "run: python -m shipyard.tools.build"


def test_every_lesson_with_a_solution_has_its_exercise_and_the_same_name_in_each_folder():
    solutions = {p.name for p in SOLUTIONS.glob("*.ipynb")}
    assert solutions == {p.name for p in EXERCISES.glob("*.ipynb")}
    assert solutions <= {p.name for p in NOTEBOOKS.glob("*.ipynb")}


def test_git_tracks_nothing_but_lesson_files_in_the_three_lesson_folders():
    tracked = subprocess.run(["git", "ls-files", "notebooks", "exercises", "solutions"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.splitlines()
    assert tracked, "git lists no lesson files: is this a git checkout?"
    assert [path for path in tracked if not LESSON_FILE.fullmatch(path)] == []


def test_the_course_map_lists_every_lesson_with_minutes_objectives_and_links():
    table = coursemap.table()
    for lesson in coursemap.lessons():
        assert f"(notebooks/{lesson['slug']}.ipynb)" in table
        assert f"(exercises/{lesson['slug']}.ipynb)" in table
        assert lesson["objectives"][0] in table


def test_every_lesson_declares_what_the_course_map_and_its_header_need():
    for lesson in coursemap.lessons():
        assert {"title", "why", "objectives", "minutes", "prerequisites", "keypoints"} <= set(lesson)
        assert lesson["minutes"]["teaching"] > 0 and lesson["objectives"] and lesson["keypoints"]


def test_a_hand_edit_to_an_exercise_is_caught(tmp_path, monkeypatch):
    import shutil

    copy = tmp_path / "exercises"
    shutil.copytree(EXERCISES, copy)
    first = sorted(copy.glob("*.ipynb"))[0]
    first.write_text(first.read_text().replace("your code here", "the answer is 42"))
    monkeypatch.setattr(build, "EXERCISES", copy)
    assert first.name in " ".join(build.drifted())
