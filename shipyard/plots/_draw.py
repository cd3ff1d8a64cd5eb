"""What every figure shares: colours and the boxes and arrows of the diagrams."""
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
