"""Local stand-ins for the actions a course workflow uses, so act finds them on this machine
and never downloads one. Each is a small composite action in this folder that says in its
log what it stands for."""
import re
from pathlib import Path

HERE = Path(__file__).parent
STAND_INS = {"actions/setup-python": HERE / "setup-python"}


def local_repositories(workflow_texts: list[str]) -> list[str]:
    """act's `--local-repository` arguments: one for every version of a stood-in action the
    workflows name (act matches the action and its ref exactly)."""
    arguments = []
    for action, folder in STAND_INS.items():
        refs = {m[1] for text in workflow_texts for m in re.finditer(rf"uses:\s*['\"]?{re.escape(action)}@([\w.\-/]+)", text)}
        for ref in sorted(refs):
            arguments += ["--local-repository", f"{action}@{ref}={folder}"]
    return arguments
