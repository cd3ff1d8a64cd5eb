"""The course's figures, one module per topic. Each function draws one figure from measured
data and returns it; in a notebook, assign the result (`fig = ...`) and the inline backend
shows it once. Lessons call them as `plots.NAME`."""
from .architecture import architecture, availability, latencies, redeploys
from .delivery import rollout
from .deployment import canary, dora
from .messaging import backlog, messaging, outcomes
from .pipelines import integration, pipeline
from .testing import pyramid

__all__ = [
           "architecture",
           "availability",
           "backlog",
           "canary",
           "dora",
           "integration",
           "latencies",
           "messaging",
           "outcomes",
           "pipeline",
           "pyramid",
           "redeploys",
           "rollout",
]
