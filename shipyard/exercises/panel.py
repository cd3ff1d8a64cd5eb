"""The Check / Hint / Solution panel: buttons over the same functions the tests call."""
import ipywidgets as widgets
from IPython.display import display


def panel(task) -> widgets.VBox:
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
    return widgets.VBox([widgets.HBox([title, *buttons]), output])
