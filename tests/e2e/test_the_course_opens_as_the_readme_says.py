"""The README's first command in a real browser: the course's folder is the server's root,
the welcome lesson is in front, and a lesson's footer links reach its exercise and solution."""
import re
import time


def wait_for_session(lab, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(session["path"] == path for session in lab.api("GET", "sessions").json()):
            return
        time.sleep(0.2)
    opened = [session["path"] for session in lab.api("GET", "sessions").json()]
    raise AssertionError(f"{path} did not open; open notebooks: {opened}")


def test_the_readme_command_serves_the_course_folder_with_every_lesson_folder_in_reach(lab):
    # (the lab fixture starts JupyterLab with the README's own arguments, from the course's folder)
    root = {item["name"] for item in lab.api("GET", "contents").json()["content"]}
    assert {"notebooks", "exercises", "solutions"} <= root


def test_the_welcome_lesson_opens_first_and_its_footer_links_open_the_exercise_and_solution(browser, lab):
    page = browser.new_page()
    try:
        page.goto(lab.page_a_browser_opens())
        page.wait_for_url(re.compile(r"/lab/tree/notebooks/00-welcome\.ipynb"), timeout=60_000)
        wait_for_session(lab, "notebooks/00-welcome.ipynb")
        # The lesson's footer leads to its exercise, and the exercise's footer to the solution.
        for target in ("exercises/00-welcome.ipynb", "solutions/00-welcome.ipynb"):
            footer = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown").last
            footer.scroll_into_view_if_needed()
            footer.locator("a", has_text=re.compile(f"^{target.removesuffix('.ipynb')}$")).click()
            wait_for_session(lab, target)
    finally:
        page.close()
        lab.shut_down_kernels()
