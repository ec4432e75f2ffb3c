"""Replicated stores in the simulator, and how stale partial quorums read (PBS)."""

from .pbs import (
    LATENCY_MODELS,
    WARS,
    Exponential,
    Mixture,
    Pareto,
    closed_form_consistency,
    pbs_consistency,
    staleness_thresholds,
    t_visibility,
)

__all__ = [
    "LATENCY_MODELS",
    "WARS",
    "Exponential",
    "Mixture",
    "Pareto",
    "closed_form_consistency",
    "pbs_consistency",
    "staleness_thresholds",
    "t_visibility",
]
