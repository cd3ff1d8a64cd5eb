"""How a CI run looks in a notebook: a table of its jobs and steps, updated while it runs."""
import html

ICONS = {"queued": "·", "running": "▶", "success": "✔", "failure": "✘", "timed out": "⏱", "skipped": "–",
         "error": "✘", "cancelled": "■"}
COLORS = {"success": "#2e7d32", "failure": "#c62828", "timed out": "#c62828", "error": "#c62828", "cancelled": "#c62828"}


def run_html(run) -> str:
    color = COLORS.get(run.status, "#37474f")
    took = f" in {run.seconds:.1f} s" if run.seconds is not None else ""
    head = (f"<b>CI run #{run.number}</b> · {html.escape(run.event)} to <code>{html.escape(run.branch)}</code> "
            f"at <code>{run.sha[:7]}</code> · <b style='color:{color}'>{ICONS.get(run.status, '')} {run.status}</b>{took}")
    if run.error:
        head += f"<br><pre style='color:#c62828'>{html.escape(run.error)}</pre>"
    head += "".join(f"<br><small>Note: {html.escape(note)}</small>" for note in run.notes)
    rows = "".join(
        f"<tr><td>{html.escape(job.name)}</td><td>{html.escape(step.name)}</td>"
        f"<td style='color:{COLORS.get(step.status, '#37474f')}'>{ICONS[step.status]} {step.status}</td>"
        f"<td>{f'{step.seconds:.1f} s' if step.status not in ('queued', 'running', 'skipped') else ''}</td></tr>"
        for job in run.jobs for step in job.steps)
    table = f"<table><tr><th>job</th><th>step</th><th>status</th><th>time</th></tr>{rows}</table>" if rows else ""
    return f"<div class='shipyard-ci-run'>{head}{table}</div>"
