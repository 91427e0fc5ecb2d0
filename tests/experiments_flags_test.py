"""Importing `experiments` adds the measured-faster XLA CPU flags, never twice."""

import os

import experiments


def test_flags_are_added_once_and_keep_existing_ones(monkeypatch):
  monkeypatch.setenv("XLA_FLAGS", "--xla_backend_optimization_level=0")
  experiments.add_cpu_flags()
  experiments.add_cpu_flags()
  flags = os.environ["XLA_FLAGS"].split()
  assert flags[0] == "--xla_backend_optimization_level=0"
  assert flags.count(experiments.YNN_FLAG) == 1
  assert flags[1:] == experiments.cpu_flags()


def test_one_cpu_device_per_core(monkeypatch):
  monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
  assert f"{experiments.DEVICE_COUNT_FLAG}=3" in experiments.cpu_flags()
  monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
  assert not any(experiments.DEVICE_COUNT_FLAG in flag for flag in experiments.cpu_flags())


def test_a_user_setting_is_not_overridden(monkeypatch):
  user = "--xla_cpu_experimental_ynn_fusion_type=reduce --xla_force_host_platform_device_count=1"
  monkeypatch.setenv("XLA_FLAGS", user)
  experiments.add_cpu_flags()
  assert os.environ["XLA_FLAGS"] == user
