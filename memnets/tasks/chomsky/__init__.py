"""The Chomsky-hierarchy task suite (Delétang et al. 2023)."""

TASKS = {}
