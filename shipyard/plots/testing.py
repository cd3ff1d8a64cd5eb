"""Lesson 04's figures: the test pyramid, measured."""
import matplotlib.pyplot as plt

from ._draw import BAD, OK


def pyramid(levels: list, techniques: list = (), technique_note: str = "a technique,\nat the component level"):
    """The test levels, bottom first: how many tests each has, what one test costs by pytest's
    own durations (log scale), and, apart, what each pytest process spent starting up and
    collecting. `techniques` (e.g. property-based tests) are drawn above the levels, set
    apart: a way of writing tests, not a level. All are `shipyard.suites.Suite`s of this run."""
    rows = [*levels, *techniques]
    gap = 0.9 if techniques else 0  # the space that sets techniques apart
    ys = [float(i) for i in range(len(levels))] + [len(levels) + gap + i for i in range(len(techniques))]
    labels = [suite.name for suite in levels] + [f"{suite.name}\n({technique_note})" for suite in techniques]
    colors = [OK if suite.ok else BAD for suite in rows]
    hatches = [""] * len(levels) + ["//"] * len(techniques)
    fig, (count, cost, startup) = plt.subplots(
        1, 3, figsize=(12, 0.55 * len(rows) + 1.6), sharey=True, gridspec_kw={"width_ratios": [1, 1.3, 0.8]})

    def bars(ax, values):
        drawn = ax.barh(ys, values, color=colors, edgecolor="white")
        for bar, hatch in zip(drawn, hatches):
            bar.set_hatch(hatch)
        return drawn

    count.bar_label(bars(count, [suite.tests for suite in rows]), padding=3)
    count.set(xlabel="tests", title="How many tests")
    count.margins(x=0.15)
    cost.bar_label(bars(cost, [suite.per_test_ms for suite in rows]),
                   labels=[_ms(suite.per_test_ms) for suite in rows], padding=3)
    cost.set(xscale="log", xlabel="ms per test, pytest's own durations (log scale)", title="What one test costs")
    cost.margins(x=0.2)  # room for the last label
    startup.bar_label(startup.barh(ys, [suite.startup_seconds for suite in rows], color="#90a4ae"),
                      labels=[f"{suite.startup_seconds:.1f} s" for suite in rows], padding=3)
    startup.set(xlabel="seconds, once per pytest process", title="Each run's process outside its tests:\nstart-up, collection, wrap-up")
    startup.margins(x=0.3)
    if techniques:
        for ax in (count, cost, startup):
            ax.axhline(len(levels) - 0.5 + gap / 2, color="#607d8b", linestyle="--", linewidth=1)
    count.set_yticks(ys, labels)
    count.tick_params(axis="y", length=0)
    fig.suptitle("The shop's tests by level, measured in this run")
    fig.tight_layout()
    return fig


def _ms(ms: float) -> str:
    return f"{ms:.1f} ms" if ms < 10 else f"{ms:.0f} ms"
