"""Importing `experiments` adds the measured-faster XLA CPU flags, never twice."""

import os

import experiments


def test_flags_are_added_once_and_keep_existing_ones(monkeypatch):
  monkeypatch.setenv("XLA_FLAGS", "--xla_backend_optimization_level=0")
  experiments.add_cpu_flags()
  experiments.add_cpu_flags()
  flags = os.environ["XLA_FLAGS"].split()
  assert flags[0] == "--xla_backend_optimization_level=0"
  assert flags.count(experiments.CPU_XLA_FLAGS[0]) == 1


def test_a_user_setting_is_not_overridden(monkeypatch):
  monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_experimental_ynn_fusion_type=reduce")
  experiments.add_cpu_flags()
  assert os.environ["XLA_FLAGS"] == "--xla_cpu_experimental_ynn_fusion_type=reduce"
