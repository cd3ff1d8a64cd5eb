"""Continuous deployment (lesson 07): a router in front of production, release strategies in
Argo Rollouts' vocabulary with automatic analysis and rollback, and the DORA keys.

    cd = start()                        # lesson 06's delivery, production behind Traefik, no manual gate
    cd.connect(server)                  # every green push to main ends in production by itself
    cd.production.deploy(release, parse({"blueGreen": {}}))
"""
from shipyard.delivery import Delivery, DeployRefused, Environment
from shipyard.deploy import dora
from shipyard.deploy.rollout import RolledBack, RoutedEnvironment
from shipyard.deploy.router import Router, RouterFailed, start_router
from shipyard.deploy.strategies import StrategyError, parse

__all__ = [
    "CANARY",
    "ContinuousDeployment",
    "DeployRefused",
    "RolledBack",
    "RoutedEnvironment",
    "Router",
    "RouterFailed",
    "StrategyError",
    "dora",
    "parse",
    "start",
    "start_router",
]

# The pipeline's canary: a quarter of the traffic, a second's success rate; half, again; all.
# One instance of each version: the router's weights, not instance counts, split the traffic.
# A reading covers about a dozen requests at a quarter of the lessons' traffic: 0.9 lets one of
# them fail (a busy machine's hiccup) and still stops a release that fails one in ten.
SUCCESS_RATE = {"metric": "success-rate", "successCondition": "result >= 0.9", "interval": "1s"}
CANARY_SPEC = {"canary": {"replicas": 1, "steps": [{"setWeight": 25}, {"analysis": dict(SUCCESS_RATE)},
                                                   {"setWeight": 50}, {"analysis": dict(SUCCESS_RATE)}]}}
CANARY = parse(CANARY_SPEC)


class ContinuousDeployment(Delivery):
    """Lesson 06's delivery, with production behind a router, deployed by `strategy`, and
    gated by staging's smoke test alone: no one approves."""

    def __init__(self, app: str = "payments.app:app", strategy=CANARY):
        self.router, self.strategy = start_router(app.split(".")[0]), strategy
        super().__init__(app)

    def _production(self, app: str) -> Environment:
        return self._environment("production", app, needs=("staging",), kind=RoutedEnvironment,
                                 router=self.router, strategy=self.strategy)


def start(app: str = "payments.app:app", strategy=CANARY) -> ContinuousDeployment:
    return ContinuousDeployment(app, strategy)
