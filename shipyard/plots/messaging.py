"""Lesson 03's figures: RPC against events, outcomes, a draining backlog."""
import matplotlib.pyplot as plt

from ._draw import BAD, COLORS, OK, _arrow, _box


def messaging():
    """Orders asking payments two ways: a call it waits for, or an event through a broker."""
    fig, (rpc, events) = plt.subplots(1, 2, figsize=(10, 2.6))
    for ax, title in ((rpc, "RPC: orders waits for payments' answer"),
                      (events, "Events: the broker stores them; payments reads them when it can")):
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


def outcomes(counts: dict[str, dict[str, int]], title: str, unit: str = "orders"):
    """Grouped bars: for each way of working (row of `counts`), how many orders (or other
    `unit`s) ended how.
    A row draws only the kinds it has: a kind a row lacks was not measured, and draws no bar
    (not a bar of 0)."""
    kinds = list(dict.fromkeys(kind for row in counts.values() for kind in row))
    colors = {"refused": BAD, "accepted": "#1565c0"}
    fig, ax = plt.subplots(figsize=(7, 2.8))
    width = 0.8 / len(kinds)
    for k, kind in enumerate(kinds):
        measured = [(i, row[kind]) for i, row in enumerate(counts.values()) if kind in row]
        bars = ax.bar([i + k * width for i, _ in measured], [value for _, value in measured], width, label=kind,
                      color=colors.get(kind, OK if kind.startswith("paid") else None))
        ax.bar_label(bars)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(counts))], list(counts))
    ax.set(ylabel=unit, title=title)
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
