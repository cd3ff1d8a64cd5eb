"""What the CI server decides before act runs a workflow: whether a push or a pull request
starts it (act runs every workflow of an event and ignores its filters), whether it can run
on this machine without reaching the network, and the jobs and steps it plans, so the live
table has rows before act reports on them.

Triggers, read as GitHub reads them: `on` as a word, a list or a mapping; for `push`,
`branches`, `branches-ignore`, `tags`, `tags-ignore`, `paths` and `paths-ignore`; for
`pull_request`, the same filters against the base branch. Any other event (say
`workflow_dispatch`) simply does not start on a push.

Everything else is act's: expressions, `env` and `defaults` at every level, matrices,
`needs`, `if:`, step and job outputs, `GITHUB_ENV`/`GITHUB_OUTPUT`/`GITHUB_PATH`, `shell`,
`continue-on-error`, local composite actions. Refused here, in words naming the file, the
job and the step, because they would need the network or Docker:
- `uses:` of any action but `actions/checkout` (of this repository), the course's stand-ins
  (`shipyard.ci.standins`) and local actions (`./path`, whose own `uses:` are checked too);
- `docker://` actions, a job's `container:` or `services:`, reusable workflows (`jobs.X.uses`);
- a job without `runs-on` (GitHub refuses it too).
Where this server differs from GitHub, the run carries a note (`Run.notes`): runs wait in
one queue (`cancel-in-progress` does not cancel), and a job or step past its
`timeout-minutes` ends the whole run.
"""
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# Actions act finds on this machine: checkout (act copies the pushed commit's files itself)
# and the course's stand-ins (see `shipyard.ci.standins`).
CHECKOUT = "actions/checkout"
NEEDS_DOCKER = ("container", "services")


class WorkflowError(ValueError):
    """The file cannot run here; the message says where and why."""


def _glob(pattern: str) -> re.Pattern:
    """GitHub's filter patterns: `*` any characters but `/`, `**` any, `?` and `+` quantify the
    character before them, `[...]` a class."""
    parts = re.split(r"(\*\*|\*|\?|\+|\[[^\]]*\])", pattern)
    regex = "".join({"**": ".*", "*": "[^/]*", "?": "?", "+": "+"}.get(p, p if p.startswith("[") else re.escape(p))
                    for p in parts)
    return re.compile(regex)


def matches(patterns: list[str], name: str) -> bool:
    """Whether `name` is included by `patterns`: the last pattern that matches decides, and a
    pattern starting with `!` excludes."""
    included = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        if _glob(pattern.removeprefix("!")).fullmatch(name):
            included = not negated
    return included


@dataclass(frozen=True)
class PlannedStep:
    key: str  # act's step id: the step's `id`, or its index
    name: str
    timeout_seconds: float | None = None


@dataclass(frozen=True)
class PlannedJob:
    id: str
    name: str
    needs: list[str]
    steps: list[PlannedStep]
    matrix: list[dict] = field(default_factory=list)  # the combinations, where they can be read ahead
    timeout_seconds: float | None = None


@dataclass(frozen=True)
class Workflow:
    name: str
    path: str  # relative to the repository, for messages
    on: dict
    jobs: list[PlannedJob]
    notes: list[str] = field(default_factory=list)  # what runs differently here than on GitHub
    problem: str = ""  # why it cannot run here (said only when it is triggered, as GitHub would)

    def runs_on(self, event: str, branch: str, changed: list[str] | None = None) -> bool:
        """Whether a push to `branch` (or a pull request into it) starts this workflow;
        `changed` are the paths the push changed (None: unknown, no path filter applies)."""
        if event not in self.on:
            return False
        filters = self.on[event] or {}
        if not isinstance(filters, dict):
            return True
        on_branches = {"branches", "branches-ignore"} & set(filters)
        if not on_branches and {"tags", "tags-ignore"} & set(filters):
            return False  # a filter on tags only: pushes to branches do not start it
        if "branches" in filters and not matches(_strings(filters["branches"]), branch):
            return False
        if "branches-ignore" in filters and matches(_strings(filters["branches-ignore"]), branch):
            return False
        if changed is not None and "paths" in filters and not any(matches(_strings(filters["paths"]), p) for p in changed):
            return False
        if changed is not None and "paths-ignore" in filters and changed and all(
                matches(_strings(filters["paths-ignore"]), p) for p in changed):
            return False
        return True


def _strings(value) -> list[str]:
    return [str(value)] if isinstance(value, str) else [str(v) for v in value or []]


def _on(raw: dict, path: str) -> dict:
    on = raw.get("on", raw.get(True))  # YAML 1.1 reads a bare `on` key as the boolean True
    if isinstance(on, str):
        on = [on]
    if isinstance(on, list):
        on = {str(event): None for event in on}
    if not isinstance(on, dict) or not on:
        raise WorkflowError(f"{path}: `on` must name the events that start the workflow")
    return on


def _uses_problem(uses: str) -> str | None:
    """Why a `uses:` cannot run here, or None if act finds it on this machine."""
    from shipyard.ci.standins import STAND_INS

    action = uses.split("@")[0]
    if uses.startswith("./") or action == CHECKOUT or action in STAND_INS:
        return None
    if uses.startswith("docker://"):
        return "a Docker image action needs Docker and a registry, and this CI server uses neither"
    return (f"act would download {action} from GitHub, and this CI server never reaches the network. Actions "
            f"here: {CHECKOUT}, {', '.join(sorted(STAND_INS))} (a stand-in using this machine) and local actions "
            "(`uses: ./path`). Write the step as `run:` commands")


def _step_name(step: dict, index: int) -> str:
    text = step.get("name") or step.get("run") or step.get("uses") or f"step {index + 1}"
    return str(text).strip().splitlines()[0] if str(text).strip() else f"step {index + 1}"


def _matrix(strategy) -> list[dict]:
    """The combinations of a plain matrix (lists of values), as act reports them; [] where
    they cannot be read ahead (an expression, include or exclude): act reports them."""
    matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
    if not isinstance(matrix, dict) or not matrix or not all(isinstance(v, list) and v for v in matrix.values()):
        return []
    if {"include", "exclude"} & set(matrix):
        return []
    return [dict(zip(matrix, (str(v) for v in values))) for values in itertools.product(*matrix.values())]


def _minutes(value) -> float | None:
    return float(value) * 60 if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else None


def _job(job_id: str, job, where: str, workspace: Path | None) -> PlannedJob:
    if not isinstance(job, dict):
        raise WorkflowError(f"{where}: a job is a mapping with `runs-on` and `steps`")
    for key in NEEDS_DOCKER:
        if key in job:
            raise WorkflowError(f"{where}: `{key}:` runs the job in Docker containers; this CI server runs jobs "
                                "on the machine itself (act's self-hosted mode). Start what the job needs in a step.")
    if "uses" in job:  # a reusable workflow
        raise WorkflowError(f"{where}: `uses: {job['uses']}` calls a reusable workflow, which this CI server does "
                            "not run; write the job's steps here")
    if "runs-on" not in job:
        raise WorkflowError(f"{where}: every job needs `runs-on` (here, `ubuntu-latest` runs on this machine itself)")
    steps = job.get("steps")
    if not isinstance(steps, list) or not steps:
        raise WorkflowError(f"{where}: a job needs a list of `steps`")
    planned = []
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            raise WorkflowError(f"{where}, step {index + 1}: a step is a mapping with `run` or `uses`")
        name = _step_name(step, index)
        if "uses" in step:
            uses = str(step["uses"])
            problem = _uses_problem(uses)
            if problem is None and uses.split("@")[0] == CHECKOUT and isinstance(step.get("with"), dict) and \
                    {"repository", "ref"} & set(step["with"]):
                problem = "checking out another repository or ref would fetch it from GitHub"
            if problem is None and uses.startswith("./"):
                problem = _local_action_problem(workspace, uses)
            if problem:
                raise WorkflowError(f"{where}, step {index + 1} ({name!r}): `uses: {uses}` cannot run here: {problem}.")
        planned.append(PlannedStep(str(step.get("id", index)), name, _minutes(step.get("timeout-minutes"))))
    needs = job.get("needs") or []
    return PlannedJob(job_id, str(job.get("name") or job_id), [needs] if isinstance(needs, str) else _strings(needs),
                      planned, _matrix(job.get("strategy")), _minutes(job.get("timeout-minutes")))


def _local_action_problem(workspace: Path | None, uses: str) -> str | None:
    """A local composite action may itself use actions: they must be here too."""
    if workspace is None:
        return None
    folder = workspace / uses
    found = [f for f in (folder / "action.yml", folder / "action.yaml") if f.is_file()]
    if not found:
        return f"there is no action.yml in {uses}"
    try:
        action = yaml.safe_load(found[0].read_text()) or {}
    except yaml.YAMLError as error:
        return f"its action.yml is not valid YAML: {error}"
    for step in ((action.get("runs") or {}).get("steps") or []) if isinstance(action, dict) else []:
        inner = isinstance(step, dict) and step.get("uses")
        problem = inner and (_uses_problem(str(inner)) if not str(inner).startswith("./") else None)
        if problem:
            return f"it uses {inner}, and {problem}"
    return None


def parse(text: str, path: str, workspace: Path | None = None) -> Workflow:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise WorkflowError(f"{path}: not valid YAML{at}: {getattr(error, 'problem', None) or error}") from None
    if not isinstance(raw, dict):
        raise WorkflowError(f"{path}: a workflow is a mapping with `on` and `jobs`")
    on = _on(raw, path)
    if not isinstance(raw.get("jobs"), dict) or not raw["jobs"]:
        raise WorkflowError(f"{path}: `jobs` must name at least one job")
    try:
        jobs = [_job(str(job_id), job, f"{path}: job {job_id!r}", workspace) for job_id, job in raw["jobs"].items()]
    except WorkflowError as error:
        return Workflow(str(raw.get("name") or Path(path).stem), path, on, [], problem=str(error))
    notes = []
    concurrency = [raw.get("concurrency"), *(j.get("concurrency") for j in raw["jobs"].values())]
    if any(isinstance(c, dict) and c.get("cancel-in-progress") for c in concurrency):
        notes.append(f"{path}: `cancel-in-progress` is not honoured here: runs wait in one queue, and a newer push "
                     "does not cancel the run before it")
    if any(j.timeout_seconds or any(s.timeout_seconds for s in j.steps) for j in jobs):
        notes.append(f"{path}: a job or step past its `timeout-minutes` ends the whole run here (act does not time "
                     "jobs on the host, nor a fraction of a minute); GitHub would end only that job or step")
    return Workflow(str(raw.get("name") or Path(path).stem), path, on, jobs, notes)


def load(workspace: Path) -> list[Workflow]:
    """Every workflow in a checked-out repository (.github/workflows/*.yml and *.yaml)."""
    folder = workspace / ".github" / "workflows"
    files = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]) if folder.is_dir() else []
    return [parse(f.read_text(), str(f.relative_to(workspace)), workspace) for f in files]
