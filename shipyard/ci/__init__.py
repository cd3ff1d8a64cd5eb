"""A CI server for local git repositories, running a subset of GitHub Actions workflows.

See `shipyard.ci.server` for how to use it and `shipyard.ci.workflow` for the subset."""
from shipyard.ci.git import Repo
from shipyard.ci.run import Run
from shipyard.ci.server import Merge, Server, start, stop_all
from shipyard.ci.workflow import WorkflowError

__all__ = ["Merge", "Repo", "Run", "Server", "WorkflowError", "start", "stop_all"]
