"""Lesson 06's figures: a feature flag's rollout, customer by customer."""
import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap

from ._draw import OK


def rollout(phases):
    """`phases`: (label, {customer: feature on?}, seconds until the change took effect or None),
    in order. Left: the share of customers per phase; right: the first customers, one column
    each, so the same customers can be seen keeping (or losing) the feature."""
    fig, (share_ax, grid_ax) = plt.subplots(1, 2, figsize=(10, 0.55 * len(phases) + 1.6),
                                            gridspec_kw={"width_ratios": [1, 2]})
    labels = [label for label, *_ in phases]
    for row, (label, answers, seconds) in enumerate(phases):
        on = sum(answers.values())
        share_ax.barh(row, 100 * on / len(answers), color=OK)
        took = f", {seconds:.2f} s to take effect" if seconds is not None else ""
        share_ax.text(1, row, f"{on} of {len(answers)}{took}", va="center", fontsize=8)
    share_ax.set_yticks(range(len(phases)), labels, fontsize=8)
    share_ax.invert_yaxis()
    share_ax.set(xlim=(0, 100), xlabel="% of customers with the feature", title="Share per phase (this run)")
    shown = list(phases[0][1])[:60]
    grid = [[answers.get(customer, False) for customer in shown] for _, answers, _ in phases]
    grid_ax.imshow(grid, aspect="auto", cmap=ListedColormap(["#eeeeee", OK]), vmin=0, vmax=1)
    grid_ax.set_yticks(range(len(phases)), labels, fontsize=8)
    grid_ax.set_xticks([])
    grid_ax.set(xlabel=f"the first {len(shown)} customers, one column each (green: the feature is on)",
                title="Customer by customer")
    fig.tight_layout()
    return fig
