"""The course's figures. Each function draws one figure from measured data and returns it;
in a notebook, assign the result (`fig = ...`) and the inline backend shows it once."""
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

OK, BAD = "#2e7d32", "#c62828"
COLORS = {"browse": "#1565c0", "order": "#ef6c00", "pay": "#6a1b9a"}


def _box(ax, x, y, w, h, text, color="#e3f2fd", fontsize=9):
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02", fc=color, ec="#37474f"))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start, end, text=""):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color="#37474f"))
    if text:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.05, text, ha="center", fontsize=8)


def architecture():
    """The shop twice: one process and one database, or three services with one each."""
    fig, (mono, micro) = plt.subplots(1, 2, figsize=(10, 3.2))
    for ax, title in ((mono, "Monolith: one process, one database"),
                      (micro, "Microservices: three processes, three databases")):
        ax.set(xlim=(0, 1), ylim=(0, 1), title=title)
        ax.axis("off")
    _box(mono, 0.05, 0.35, 0.9, 0.6, "", color="#fafafa")
    mono.text(0.5, 0.9, "shop-monolith", ha="center", fontsize=9, weight="bold")
    for i, name in enumerate(("catalog", "orders", "payments")):
        _box(mono, 0.1 + i * 0.29, 0.5, 0.22, 0.25, name)
    _arrow(mono, (0.39, 0.62), (0.32, 0.62), "call")
    _arrow(mono, (0.61, 0.62), (0.68, 0.62), "call")
    _box(mono, 0.35, 0.05, 0.3, 0.18, "shop.sqlite3", color="#fff8e1")
    _arrow(mono, (0.5, 0.35), (0.5, 0.23))
    for i, name in enumerate(("catalog", "orders", "payments")):
        x = 0.05 + i * 0.33
        _box(micro, x, 0.55, 0.25, 0.3, name)
        _box(micro, x + 0.02, 0.08, 0.21, 0.16, f"{name}.sqlite3", color="#fff8e1", fontsize=7)
        _arrow(micro, (x + 0.125, 0.55), (x + 0.125, 0.24))
    _arrow(micro, (0.38, 0.75), (0.30, 0.75), "HTTP")
    _arrow(micro, (0.63, 0.75), (0.71, 0.75), "HTTP")
    fig.tight_layout()
    return fig


def latencies(samples: dict[str, list[float]], title: str):
    """Box plot of request times in milliseconds, one box per label."""
    fig, ax = plt.subplots(figsize=(7, 2.8))
    ax.boxplot(list(samples.values()), vert=False, showfliers=True)
    ax.set_yticks(range(1, len(samples) + 1), list(samples))
    ax.set(xlabel="milliseconds (measured in this run)", title=title)
    ax.set_xscale("log")
    fig.tight_layout()
    return fig


def redeploys(runs: dict, slo: float):
    """For each architecture, every request during its redeploy: time taken, failures in red,
    the redeploy itself shaded. `runs` maps a title to a finished `Traffic`."""
    fig, axes = plt.subplots(len(runs), 1, figsize=(9, 2.4 * len(runs)), sharex=True, squeeze=False)
    for ax, (title, traffic) in zip(axes[:, 0], runs.items()):
        ax.axvspan(traffic.marks["started"], traffic.marks["finished"], color="#eeeeee")
        for capability in traffic.capabilities:
            points = [r for r in traffic.records if r.capability == capability]
            good = [r for r in points if r.ok]
            bad = [r for r in points if not r.ok]
            ax.scatter([r.started for r in good], [r.seconds * 1000 for r in good], s=8,
                       color=COLORS.get(capability), label=f"{capability}: {len(bad)} of {len(points)} failed")
            ax.scatter([r.started for r in bad], [r.seconds * 1000 for r in bad], s=30, marker="x", color=BAD)
        ax.axhline(slo * 1000, color=BAD, linestyle=":", linewidth=1)
        ax.set(yscale="log", ylabel="ms", title=title)
        ax.legend(loc="upper left", fontsize=8)
    axes[-1, 0].set_xlabel("seconds since traffic began (grey: the redeploy; red x: failed or slower than the SLO)")
    fig.tight_layout()
    return fig


def availability(results: dict[str, dict[str, bool]], title: str):
    """A grid: which capability (column) still answered in which architecture (row)."""
    rows, columns = list(results), list(next(iter(results.values())))
    fig, ax = plt.subplots(figsize=(1.6 * len(columns) + 2, 0.6 * len(rows) + 1))
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            works = results[row][column]
            ax.add_patch(plt.Rectangle((j, i), 0.95, 0.9, color=OK if works else BAD))
            ax.text(j + 0.47, i + 0.45, "works" if works else "down", ha="center", va="center", color="white")
    ax.set(xlim=(0, len(columns)), ylim=(len(rows), 0), title=title)
    ax.set_xticks([j + 0.47 for j in range(len(columns))], columns)
    ax.set_yticks([i + 0.45 for i in range(len(rows))], rows)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    fig.tight_layout()
    return fig


def messaging():
    """Orders asking payments two ways: a call it waits for, or an event through a broker."""
    fig, (rpc, events) = plt.subplots(1, 2, figsize=(10, 2.6))
    for ax, title in ((rpc, "RPC: orders waits for payments' answer"),
                      (events, "Events: the broker keeps them until payments is ready")):
        ax.set(xlim=(0, 1), ylim=(0, 1), title=title)
        ax.axis("off")
    _box(rpc, 0.05, 0.35, 0.3, 0.3, "orders")
    _box(rpc, 0.65, 0.35, 0.3, 0.3, "payments")
    _arrow(rpc, (0.35, 0.55), (0.65, 0.55), "POST /payments")
    _arrow(rpc, (0.65, 0.42), (0.35, 0.42), "200 paid")
    _box(events, 0.02, 0.35, 0.24, 0.3, "orders")
    _box(events, 0.38, 0.25, 0.24, 0.5, "NATS\nJetStream\n(streams on disk)", color="#f3e5f5", fontsize=8)
    _box(events, 0.74, 0.35, 0.24, 0.3, "payments")
    _arrow(events, (0.26, 0.58), (0.38, 0.58))
    _arrow(events, (0.62, 0.58), (0.74, 0.58))
    _arrow(events, (0.74, 0.42), (0.62, 0.42))
    _arrow(events, (0.38, 0.42), (0.26, 0.42))
    events.text(0.5, 0.85, "orders.placed  →", ha="center", fontsize=8)
    events.text(0.5, 0.1, "←  payments.completed / payments.failed", ha="center", fontsize=8)
    fig.tight_layout()
    return fig


def outcomes(counts: dict[str, dict[str, int]], title: str):
    """Grouped bars: for each way of working (row of `counts`), how many orders ended how."""
    kinds = list(dict.fromkeys(kind for row in counts.values() for kind in row))
    colors = {"refused": BAD, "accepted": "#1565c0", "paid": OK}
    fig, ax = plt.subplots(figsize=(7, 2.8))
    width = 0.8 / len(kinds)
    for k, kind in enumerate(kinds):
        xs = [i + k * width for i in range(len(counts))]
        values = [row.get(kind, 0) for row in counts.values()]
        bars = ax.bar(xs, values, width, label=kind, color=colors.get(kind))
        ax.bar_label(bars)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(counts))], list(counts))
    ax.set(ylabel="orders", title=title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def backlog(samples: list[tuple[float, int]], title: str):
    """A consumer's backlog (events not yet handled) over time, as it catches up."""
    fig, ax = plt.subplots(figsize=(7, 2.6))
    ax.plot([t for t, _ in samples], [n for _, n in samples], marker=".", color=COLORS["pay"])
    ax.set(xlabel="seconds since payments was started again", ylabel="events waiting", title=title, ylim=(0, None))
    fig.tight_layout()
    return fig


def pyramid(suites: list):
    """The test levels, bottom first: how many tests each has, and what one test costs (log
    scale). `suites` are `shipyard.suites.Suite`s, measured in this run."""
    fig, (count, cost) = plt.subplots(1, 2, figsize=(10, 0.5 * len(suites) + 1.4), sharey=True)
    names = [suite.name for suite in suites]
    colors = [OK if suite.ok else BAD for suite in suites]
    count.barh(names, [suite.tests for suite in suites], color=colors)
    for name, suite in zip(names, suites):  # beyond the bar's end, which is on its left here
        count.annotate(str(suite.tests), (suite.tests, name), xytext=(-3, 0), textcoords="offset points",
                       ha="right", va="center")
    count.set(xlabel="tests", title="How many tests")
    count.invert_xaxis()
    cost.bar_label(cost.barh(names, [suite.per_test_ms for suite in suites], color=colors),
                   labels=[f"{suite.per_test_ms:.0f} ms" for suite in suites], padding=3)
    cost.set(xscale="log", xlabel="milliseconds per test (log scale)", title="What one test costs")
    cost.margins(x=0.15)  # room for the last label
    count.yaxis.tick_right()
    fig.suptitle("The shop's tests by level, measured in this run")
    fig.tight_layout()
    return fig


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
