"""Algorithmic tasks: pure JAX batch generators and a plain-dict registry."""

from memnets.tasks import chomsky
from memnets.tasks.base import Batch, Task

TASKS = {**chomsky.TASKS}

__all__ = ["Batch", "Task", "TASKS"]
