"""Lesson 07's figures: a canary's traffic split with its analysis, and the DORA keys."""
import math

import matplotlib.pyplot as plt

from ._draw import BAD, OK

LEVEL_COLORS = {"elite": "#c8e6c9", "high": "#dcedc8", "medium": "#fff9c4", "low": "#ffcdd2"}


def canary(deploys: dict[str, list[dict]]):
    """For each deploy (title: its release log entries, from "deploy started"), the new
    version's share of traffic over time, and each analysis reading where it was taken."""
    fig, axes = plt.subplots(1, len(deploys), figsize=(5 * len(deploys), 2.8), sharey=True, squeeze=False)
    for ax, (title, entries) in zip(axes[0], deploys.items()):
        began = entries[0]["at"]
        times, shares = [0.0], [0]
        for entry in entries:
            if entry["event"] == "weights set":
                weights = entry["weights"]
                times.append(entry["at"] - began)
                shares.append(100 * weights.get(entry["backend"], 0) / sum(weights.values()))
        end = entries[-1]["at"] - began
        ax.step([*times, end], [*shares, shares[-1]], where="post", color="#1565c0", label="new version's share")
        readings = ax.twinx()
        for entry in entries:
            if entry["event"] == "analysis" and entry["value"] is not None:
                readings.plot(entry["at"] - began, entry["value"], "o", color=OK if entry["passed"] else BAD)
                readings.annotate(f"{entry['metric']} {entry['value']:.2f}", (entry["at"] - began, entry["value"]),
                                  textcoords="offset points", xytext=(4, -12), fontsize=8)
        readings.set(ylim=(0, 1.1), ylabel="analysis reading")
        outcome = entries[-1]["event"]
        ax.set(xlabel="seconds since the deploy began", ylim=(0, 105), title=f"{title}: {outcome}")
        ax.title.set_fontsize(10)
    axes[0, 0].set_ylabel("% of requests to the new version")
    fig.tight_layout()
    return fig


def dora(values: dict[str, float | None], levels: dict[str, str | None], bands: dict[str, tuple]):
    """Each DORA key measured in this run (a black line) against the bands the course draws
    from DORA's 2023 clusters (shaded, from `bands`: (level, bound) from best to worse), on a
    log scale; times on an axis of hours, and in seconds in the title."""
    fig, axes = plt.subplots(1, 4, figsize=(12, 2.4))
    units = {"deployment_frequency": ("deployments a day", 1), "lead_time": ("lead time, hours", 3600),
             "change_failure_rate": ("change failure rate, %", 0.01),
             "time_to_restore": ("time to restore, hours", 3600)}
    for ax, (key, (label, unit)) in zip(axes, units.items()):
        bounds = [bound / unit for _, bound in bands[key]]
        value = values[key] / unit if values[key] is not None else None
        low, high = min([*bounds, *([value] if value else [])]) / 10, max([*bounds, *([value] if value else [])]) * 10
        if key == "change_failure_rate":
            low, high = 0.1, 100
        edges = [low, *sorted(bounds), high]
        names = [name for name, _ in bands[key]] + ["low"]  # best first: from the left, for times and rates
        if key == "deployment_frequency":  # more is better: the best band is on the right
            names.reverse()
        for (start, end), name in zip(zip(edges, edges[1:]), names):
            ax.axvspan(start, end, color=LEVEL_COLORS[name])
            ax.text(math.sqrt(start * end), 0.5, name, ha="center", va="center", fontsize=7, rotation=90)
        if value:
            ax.axvline(min(max(value, low), high), color="black", lw=2)
        shown = ("none" if value is None else f"{values[key]:.1f} s" if unit == 3600
                 else f"{value:,.0f}" if value >= 100 else f"{value:.3g}")
        ax.set(xscale="log", xlim=(low, high), yticks=[], title=f"{label}\nthis run: {shown} "
               f"({levels[key] or 'not measured'})")
        ax.title.set_fontsize(8)
    fig.tight_layout()
    return fig
