"""The Check / Hint / Solution panel: buttons over the same functions the tests call."""
import ipywidgets as widgets
from IPython.display import display


class Panel(widgets.VBox):
    """A VBox whose plain-text form (what a stored notebook shows before its cell runs,
    GitHub's notebook view included) says what it is, instead of listing its children."""

    def __init__(self, task_name: str, children):
        super().__init__(children)
        self.task_name = task_name

    def __repr__(self) -> str:
        return f"[Check / Hint / Solution buttons for task {self.task_name}: run this cell to use them]"


def panel(task) -> Panel:
    output = widgets.Output()

    def show(action):
        def on_click(_button):
            output.clear_output()
            with output:
                display(action())
        return on_click

    buttons = []
    for label, action, style in (("Check", task.check, "primary"), ("Hint", task.hint, "info"),
                                 ("Solution", task.solution, "")):
        button = widgets.Button(description=label, button_style=style)
        button.on_click(show(action))
        buttons.append(button)
    title = widgets.HTML(f"<b>Task <code>{task.name}</code></b>")
    return Panel(task.name, [widgets.HBox([title, *buttons]), output])
