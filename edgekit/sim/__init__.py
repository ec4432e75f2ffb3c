"""Deterministic discrete-event simulation of nodes on a network of real places."""

from .core import Simulator, Timer

__all__ = ["Simulator", "Timer"]
