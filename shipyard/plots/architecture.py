"""Lesson 01's figures: the shop's two architectures, latency, redeploys, crashes."""
import matplotlib.pyplot as plt

from ._draw import BAD, OK, _arrow, _box


def architecture():
    """The shop twice: one process and one database, or three services with one each (each process's
    database is data.sqlite3 in its own folder, as services.start gives it)."""
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
    _box(mono, 0.35, 0.05, 0.3, 0.18, "shop-monolith-…/data.sqlite3", color="#fff8e1", fontsize=7)
    _arrow(mono, (0.5, 0.35), (0.5, 0.23))
    for i, name in enumerate(("catalog", "orders", "payments")):
        x = 0.05 + i * 0.33
        _box(micro, x, 0.55, 0.25, 0.3, name)
        _box(micro, x, 0.08, 0.25, 0.16, f"{name}-…/data.sqlite3", color="#fff8e1", fontsize=7)
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


def redeploys(runs: dict, deadline: float):
    """For each redeploy, every request on a timeline, one lane per capability: a bar where
    it was sent, green if it was answered within the deadline, red if not; the redeploy
    itself shaded grey. `runs` maps a title to a finished `shipyard.traffic.Traffic`."""
    fig, axes = plt.subplots(len(runs), 1, figsize=(9, 0.6 + 1.5 * len(runs)), sharex=True, squeeze=False)
    for ax, (title, traffic) in zip(axes[:, 0], runs.items()):
        ax.axvspan(traffic.marks["started"], traffic.marks["finished"], color="#eeeeee", zorder=0)
        width, labels = 0.8 / traffic.rate, []
        for lane, capability in enumerate(traffic.capabilities):
            records = [r for r in traffic.records if r.capability == capability]
            for ok, color in ((True, OK), (False, BAD)):
                ax.broken_barh([(r.started, width) for r in records if r.ok == ok], (lane - 0.25, 0.5), color=color)
            labels.append(f"{capability}: {traffic.failed(capability)} of {len(records)} failed,\n"
                          f"{traffic.unavailable(capability):.2f} s unavailable")
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.set_title(title, fontsize=10, loc="left")
        ax.tick_params(axis="y", length=0)
    rates = sorted({traffic.rate for traffic in runs.values()})
    axes[-1, 0].set_xlabel(f"seconds since traffic began ({'/'.join(f'{r:g}' for r in rates)} requests a second per "
                           f"capability; green: answered within the {deadline * 1000:.0f} ms deadline; red: failed; "
                           "grey: the redeploy)", fontsize=8)
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
