"""Lesson 04's figures: the test pyramid, measured."""
import matplotlib.pyplot as plt

from ._draw import BAD, OK


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
