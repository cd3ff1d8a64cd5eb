"""Lesson 05's figures: a CI run's timeline, integration strategies compared."""
import matplotlib.pyplot as plt

from ._draw import BAD, OK


def pipeline(run):
    """A CI run's timeline: one bar per step, where it started and how long it took,
    coloured by its result. `run` is a finished `shipyard.ci.Run`."""
    steps = [(job.name, step) for job in run.jobs for step in job.steps if step.started is not None]
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(steps) + 1.2))
    colors = {"success": OK, "failure": BAD, "timed out": BAD}
    for row, (job, step) in enumerate(steps):
        ax.barh(row, max(step.seconds, 0.02), left=step.started, color=colors.get(step.status, "#9e9e9e"))
        ax.text(step.started + max(step.seconds, 0.02) + 0.03, row, f"{step.seconds:.2f} s", va="center", fontsize=8)
    ax.set_yticks(range(len(steps)), [f"{job}: {step.name}"[:48] for job, step in steps], fontsize=8)
    ax.invert_yaxis()
    ax.set(xlabel="seconds since the run started", title=f"CI run #{run.number}: {run.status}, measured in this run")
    fig.tight_layout()
    return fig


def integration(outcomes: list):
    """Two ways of integrating the same work: the conflicts git met (lines per conflicted
    hunk) and the builds of main (red ones in red, with how many commits each brought)."""
    fig, (conflicts, builds) = plt.subplots(1, 2, figsize=(10, 2.8))
    for row, outcome in enumerate(outcomes):
        left = 0
        for lines in outcome.conflicts:
            conflicts.barh(row, lines, left=left, color="#ef6c00", edgecolor="white")
            left += lines
        conflicts.text(left + 0.3, row, f"{len(outcome.conflicts)} conflicts, {left} lines", va="center", fontsize=8)
        for column, (run, commits) in enumerate(outcome.main_builds):
            builds.scatter(column, row, s=60 + 40 * commits, color=OK if run.status == "success" else BAD)
    for ax in (conflicts, builds):
        ax.set_yticks(range(len(outcomes)), [outcome.way for outcome in outcomes])
        ax.set_ylim(len(outcomes) - 0.5, -0.5)
    conflicts.set(xlabel="lines in conflict (each block one conflict)", title="Merge conflicts")
    builds.set(xlabel="builds of main, in order (bigger: more commits)", title="Builds of main (red: broken)")
    fig.tight_layout()
    return fig
