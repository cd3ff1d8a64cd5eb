"""The manual gate of continuous delivery, as a button: approve a release for production and
promote it. The button only calls `approve_and_promote`, which tests call directly."""
import getpass

import ipywidgets as widgets
from IPython.display import display

from shipyard.delivery.environments import DeployRefused, Environment
from shipyard.delivery.log import ReleaseLog
from shipyard.delivery.releases import Release


def approve_and_promote(log: ReleaseLog, production: Environment, release: Release, by: str) -> str:
    """Record `by`'s approval of `release`, then deploy it to production; what happened, in words."""
    try:
        log.approve(release, by)
        production.deploy(release)
    except (ValueError, DeployRefused) as refused:
        return f"Not promoted: {refused}"
    seconds = log.entries(release)[-1]["seconds"]
    return f"{release.version} approved by {by.strip()} and running in production at {production.url} ({seconds:.2f} s)"


class ApprovalButton(widgets.VBox):
    """A name field and a button; its plain-text form (what nbval stores) says what it is."""

    def __init__(self, log: ReleaseLog, production: Environment, release: Release):
        self.label = f"Approve {release.version} for production"
        name = widgets.Text(value=getpass.getuser(), description="Approver")
        button = widgets.Button(description=self.label, button_style="warning", layout=widgets.Layout(width="auto"))
        output = widgets.Output()

        def click(_button):
            output.clear_output()
            with output:
                display(approve_and_promote(log, production, release, name.value))

        button.on_click(click)
        super().__init__([name, button, output])

    def __repr__(self) -> str:
        return f"[{self.label}: a button; press it to approve and promote]"


def approval_button(log: ReleaseLog, production: Environment, release: Release) -> ApprovalButton:
    return ApprovalButton(log, production, release)
