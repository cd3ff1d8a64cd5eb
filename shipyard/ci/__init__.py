"""A CI server for local git repositories that runs their GitHub Actions workflows with act,
on this machine and offline.

See `shipyard.ci.server` for how to use it, `shipyard.ci.workflow` for what is decided and
refused before act starts, and `shipyard.ci.act` for how act runs."""
from shipyard.ci.git import Repo
from shipyard.ci.run import Run
from shipyard.ci.server import Merge, Server, start, stop_all
from shipyard.ci.workflow import WorkflowError

__all__ = ["Merge", "Repo", "Run", "Server", "WorkflowError", "start", "stop_all"]
