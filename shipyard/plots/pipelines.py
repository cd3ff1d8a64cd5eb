"""Lesson 05's figures: a CI run's timeline, integration strategies compared."""
import statistics

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from ._draw import BAD, OK

STATUS_COLORS = {"success": OK, "failure": BAD, "timed out": BAD, "cancelled": BAD}


def pipeline(run):
    """A CI run's timeline: for each job (in the workflow's order) a bar from its
    start to its end, then one bar per step, where it started and how long it took, coloured
    by its result. `run` is a finished `shipyard.ci.Run`."""
    rows = []  # (label, start, seconds, status, is_job)
    for job in run.jobs:
        needs = f" (needs {', '.join(job.needs)})" if job.needs else ""
        rows.append((f"job {job.id}{needs}", job.started, job.seconds, job.status, True))
        rows += [(f"   {step.name}", step.started, step.seconds, step.status, False)
                 for step in job.steps if step.started is not None]
    fig, ax = plt.subplots(figsize=(9, 0.3 * len(rows) + 1.2))
    for row, (label, start, seconds, status, is_job) in enumerate(rows):
        color = STATUS_COLORS.get(status, "#9e9e9e")
        if start is None:  # a job skipped because a job it needs failed
            ax.text(0, row, "skipped: a job it needs did not succeed", va="center", fontsize=8, color="#616161")
            continue
        width = max(seconds, 0.02)
        ax.barh(row, width, left=start, height=0.8 if is_job else 0.5, color=color, alpha=0.3 if is_job else 1,
                edgecolor=color)
        ax.text(start + width + 0.03, row, f"{seconds:.2f} s", va="center", fontsize=8,
                fontweight="bold" if is_job else "normal")
    ax.set_yticks(range(len(rows)), [label[:48] for label, *_ in rows], fontsize=8)
    for tick, (*_, is_job) in zip(ax.get_yticklabels(), rows):
        tick.set_fontweight("bold" if is_job else "normal")
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    ax.set(xlabel="seconds since the run started", title=f"CI run #{run.number}: {run.status}, measured in this run")
    fig.tight_layout()
    return fig


def integration(experiment):
    """Two ways of integrating the same work, over several seeded runs: one panel per
    measure, a dot per run (seed), a line at each way's median."""
    from shipyard.ci.teamwork import MEASURES, WAYS

    fig, axes = plt.subplots(2, 3, figsize=(11, 4.6))
    colors = dict(zip(WAYS, ("#6a1b9a", "#ef6c00")))
    for ax, (label, unit, measure) in zip(axes.flat, MEASURES):
        for row, way in enumerate(WAYS):
            outcomes = experiment.of(way)
            values = [measure(o) for o in outcomes]
            offsets = [row + 0.25 * (i / max(len(values) - 1, 1) - 0.5) for i in range(len(values))]
            ax.scatter(values, offsets, color=colors[way], s=28, alpha=0.8, zorder=3)
            middle = statistics.median(values)
            ax.plot([middle, middle], [row - 0.3, row + 0.3], color=colors[way], lw=2)
        ax.set_yticks(range(len(WAYS)), list(WAYS) if ax in axes[:, 0] else [], fontsize=8)
        ax.set_ylim(len(WAYS) - 0.5, -0.5)
        ax.set_xlim(left=0)
        if not unit:  # counts
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(label + (" (s)" if unit else ""), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"{len(experiment.seeds)} seeded runs each way: a dot per run, a bar at the median", fontsize=10)
    fig.tight_layout()
    return fig
