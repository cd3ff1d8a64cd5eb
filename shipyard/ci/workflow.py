"""GitHub Actions workflow files, the subset `shipyard.ci` runs. Anything outside it is
refused with a message that names the file, the job and the step.

Supported:
- `on`: `push` and `pull_request`, each with an optional `branches` filter (glob patterns);
- `env` on the workflow, a job or a step;
- jobs: `name`, `needs`, `env`, `timeout-minutes`, `steps`; `runs-on` is accepted and ignored;
  `strategy.matrix` of names to lists of values (the job runs once per combination, one
  after another, with `${{ matrix.NAME }}` replaced in its steps; `fail-fast` and
  `max-parallel` are accepted and ignored);
- steps: `name`, `run`, `env`, `working-directory`, `timeout-minutes`,
  `if: success()`, `failure()` or `always()` (with or without `${{ }}`), and `uses:` for
  `actions/checkout` (the run's workspace is already the pushed commit) and
  `actions/setup-python` (the Python running the course; `with: python-version` is noted).
"""
import fnmatch
import itertools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

KNOWN_ACTIONS = {"actions/checkout", "actions/setup-python"}
EVENTS = {"push", "pull_request"}
CONDITIONS = {"success()", "failure()", "always()"}
JOB_KEYS = {"name", "needs", "env", "timeout-minutes", "steps", "runs-on", "strategy"}
MATRIX = re.compile(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")
STEP_KEYS = {"name", "run", "uses", "with", "env", "working-directory", "timeout-minutes", "if"}


class WorkflowError(ValueError):
    """The file is not a workflow this CI server can run; the message says where and why."""


@dataclass(frozen=True)
class Step:
    name: str
    run: str | None = None
    uses: str | None = None  # "actions/checkout" or "actions/setup-python", without the version
    with_: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)
    working_directory: str | None = None
    timeout_seconds: float | None = None
    condition: str = "success()"


@dataclass(frozen=True)
class Job:
    id: str
    name: str
    steps: list[Step]
    needs: list[str] = field(default_factory=list)
    env: dict = field(default_factory=dict)
    timeout_seconds: float | None = None
    matrix: list[dict] = field(default_factory=lambda: [{}])  # one entry per combination to run

    def instances(self) -> list[tuple[str, list[Step]]]:
        """(name, steps) for every combination of the matrix, `${{ matrix.X }}` filled in."""
        if self.matrix == [{}]:
            return [(self.name, self.steps)]
        return [(f"{self.name} ({', '.join(map(str, values.values()))})", [_filled(step, values) for step in self.steps])
                for values in self.matrix]


def _filled(step: "Step", values: dict) -> "Step":
    def fill(text):
        return MATRIX.sub(lambda m: str(values.get(m[1], m[0])), text) if isinstance(text, str) else text
    return replace(step, name=fill(step.name), run=fill(step.run), with_={k: fill(v) for k, v in step.with_.items()},
                   env={k: fill(v) for k, v in step.env.items()})


def _matrix(strategy, where: str) -> list[dict]:
    if strategy is None:
        return [{}]
    matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
    unknown = set(strategy) - {"matrix", "fail-fast", "max-parallel"} if isinstance(strategy, dict) else set()
    if not isinstance(matrix, dict) or not matrix or unknown:
        raise WorkflowError(f"{where}: `strategy` is supported here only as a `matrix` (and fail-fast, max-parallel)")
    if {"include", "exclude"} & set(matrix) or not all(isinstance(v, list) and v for v in matrix.values()):
        raise WorkflowError(f"{where}: each `matrix` entry must be a list of values (include and exclude are not "
                            "supported here)")
    return [dict(zip(matrix, combination)) for combination in itertools.product(*matrix.values())]


@dataclass(frozen=True)
class Workflow:
    name: str
    path: str  # relative to the repository, for messages
    triggers: dict[str, list[str] | None]  # event -> branch patterns (None: every branch)
    jobs: list[Job]  # in an order where every job comes after the jobs it needs
    env: dict = field(default_factory=dict)

    def runs_on(self, event: str, branch: str) -> bool:
        if event not in self.triggers:
            return False
        patterns = self.triggers[event]
        return patterns is None or any(fnmatch.fnmatchcase(branch, p.replace("**", "*")) for p in patterns)


def _strings(value, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise WorkflowError(f"{where}: `env` must be a mapping of names to values")
    return {str(k): "" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for k, v in value.items()}


def _minutes(value, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise WorkflowError(f"{where}: `timeout-minutes` must be a positive number, not {value!r}")
    return float(value) * 60


def _triggers(on, path: str) -> dict[str, list[str] | None]:
    if isinstance(on, str):
        on = [on]
    if isinstance(on, list):
        on = {event: None for event in on}
    if not isinstance(on, dict) or not on:
        raise WorkflowError(f"{path}: `on` must name push and/or pull_request")
    triggers = {}
    for event, options in on.items():
        if event not in EVENTS:
            raise WorkflowError(f"{path}: the event {event!r} is not supported here (only push and pull_request)")
        branches = (options or {}).get("branches") if isinstance(options, dict) else None
        triggers[event] = [str(b) for b in ([branches] if isinstance(branches, str) else branches)] if branches else None
    return triggers


def _step(raw, where: str) -> Step:
    if not isinstance(raw, dict):
        raise WorkflowError(f"{where}: a step must be a mapping with `run` or `uses`")
    unknown = set(raw) - STEP_KEYS
    if unknown:
        raise WorkflowError(f"{where}: {', '.join(sorted(unknown))} is not supported in a step here")
    name = str(raw.get("name") or raw.get("run") or raw.get("uses") or "step").strip().splitlines()[0]
    where = f"{where} ({name!r})"
    if ("run" in raw) == ("uses" in raw):
        raise WorkflowError(f"{where}: a step has either `run` or `uses`, not both or neither")
    uses = None
    if "uses" in raw:
        uses = str(raw["uses"]).split("@")[0]
        if uses not in KNOWN_ACTIONS:
            raise WorkflowError(f"{where}: `uses: {raw['uses']}` cannot run here; this CI server knows only "
                                f"{' and '.join(sorted(KNOWN_ACTIONS))}. Write the step as `run:` commands.")
    condition = re.sub(r"^\$\{\{\s*(.*?)\s*\}\}$", r"\1", str(raw.get("if", "success()")).strip())
    if condition not in CONDITIONS:
        raise WorkflowError(f"{where}: `if: {raw['if']}` is not supported; use success(), failure() or always()")
    return Step(name=name, run=None if uses else str(raw["run"]), uses=uses, with_=dict(raw.get("with") or {}),
                env=_strings(raw.get("env"), where), working_directory=raw.get("working-directory"),
                timeout_seconds=_minutes(raw.get("timeout-minutes"), where), condition=condition)


def _ordered(jobs: dict[str, Job], path: str) -> list[Job]:
    """Jobs after the jobs they need (a topological order); a cycle or unknown need is an error."""
    done: list[Job] = []
    visiting: set[str] = set()

    def visit(job_id: str, chain: tuple[str, ...]) -> None:
        if any(j.id == job_id for j in done):
            return
        if job_id in visiting:
            raise WorkflowError(f"{path}: jobs need each other in a circle: {' -> '.join((*chain, job_id))}")
        visiting.add(job_id)
        for need in jobs[job_id].needs:
            if need not in jobs:
                raise WorkflowError(f"{path}: job {job_id!r} needs {need!r}, which is not a job in this file")
            visit(need, (*chain, job_id))
        done.append(jobs[job_id])

    for job_id in jobs:
        visit(job_id, ())
    return done


def parse(text: str, path: str) -> Workflow:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise WorkflowError(f"{path}: not valid YAML{at}: {getattr(error, 'problem', None) or error}") from None
    if not isinstance(raw, dict):
        raise WorkflowError(f"{path}: a workflow is a mapping with `on` and `jobs`")
    on = raw.get("on", raw.get(True))  # YAML 1.1 reads a bare `on` key as the boolean True
    if not isinstance(raw.get("jobs"), dict) or not raw["jobs"]:
        raise WorkflowError(f"{path}: `jobs` must name at least one job")
    jobs = {}
    for job_id, job in raw["jobs"].items():
        where = f"{path}: job {job_id!r}"
        if not isinstance(job, dict) or not isinstance(job.get("steps"), list) or not job["steps"]:
            raise WorkflowError(f"{where}: a job needs a list of `steps`")
        unknown = set(job) - JOB_KEYS
        if unknown:
            raise WorkflowError(f"{where}: {', '.join(sorted(unknown))} is not supported in a job here")
        needs = job.get("needs") or []
        jobs[job_id] = Job(id=str(job_id), name=str(job.get("name") or job_id),
                           steps=[_step(s, f"{where}, step {i + 1}") for i, s in enumerate(job["steps"])],
                           needs=[needs] if isinstance(needs, str) else [str(n) for n in needs],
                           env=_strings(job.get("env"), where), timeout_seconds=_minutes(job.get("timeout-minutes"), where),
                           matrix=_matrix(job.get("strategy"), where))
    return Workflow(name=str(raw.get("name") or Path(path).stem), path=path, triggers=_triggers(on, path),
                    jobs=_ordered(jobs, path), env=_strings(raw.get("env"), path))


def load(workspace: Path) -> list[Workflow]:
    """Every workflow in a checked-out repository (.github/workflows/*.yml and *.yaml)."""
    folder = workspace / ".github" / "workflows"
    files = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]) if folder.is_dir() else []
    return [parse(f.read_text(), str(f.relative_to(workspace))) for f in files]
